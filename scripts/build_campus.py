"""Build the embedded campus list src/cmq/data/campus.csv from the shared snapshot cmq_campus.csv.

Usage: python scripts/build_campus.py [SOURCE] [--sortie FICHIER] [--date-recuperation AAAA-MM-JJ]
       [--doublons FICHIER] [--membres FICHIER]
Every row is validated (filière label, territories, excellence, year, URLs) and must build a
`cmq.models.Campus`; the first invalid row stops the build (row number + reason) and nothing is
written. The seat city is located with `cmq.communes` (INSEE code + centre point) among the
communes of the campus's académie (else région académique), only when exactly one matches; a
seat still without a point takes that of its support establishment's commune (src/cmq/data/
membres.csv, built by build_membres.py from this file's ids: run build_campus, build_membres, then
build_campus again). Possible duplicates are decided in src/cmq/data/campus_doublons.csv (decision
and reason), written into the note of both campuses. Same input -> same bytes. Choices are documented in src/cmq/data/README.md.
"""

import argparse
import csv
import gzip
import io
import os
import re
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from cmq import codes, communes, filieres, organisations, territoires
from cmq.errors import CmqError
from cmq.models import Campus, Provenance
from cmq.texte import normaliser, slug

DEPOT = Path(__file__).resolve().parent.parent
SOURCE = DEPOT.parent / "shared" / "data" / "cmq_campus.csv"
DONNEES = DEPOT / "src" / "cmq" / "data"
SORTIE = DONNEES / "campus.csv"
DOUBLONS = DONNEES / "campus_doublons.csv"
MEMBRES = DONNEES / "membres.csv"
LYCEES = DONNEES / "lycees.csv.gz"
DATE_INSTANTANE = date(2026, 11, 27)  # date of the shared snapshot file (its modification date)

COLONNES_SOURCE = (
    "nom",
    "filiere",
    "excellence",
    "region_academique",
    "academie",
    "ville",
    "annee_label",
    "etablissement_support",
    "uai_support",
    "site_web",
    "source_url",
    "note",
)
COLONNES = (
    "id",
    "nom",
    "sigle",
    "filiere",
    "excellence",
    "region_academique",
    "academies",
    "ville_siege",
    "code_commune_siege",
    "latitude",
    "longitude",
    "date_debut_label",
    "date_fin_label",
    "reference_arrete",
    "site_web",
    "uai_support",
    "description",
    "note",
    "source_nom",
    "source_url",
    "date_recuperation",
)
ID_MAX = 80

# `annee_label` mixes first-label and Excellence years. Decisions taken by reading each `note`:
# the year of the Excellence label is not the start of the label -> date_debut_label left empty.
ANNEE_EXCELLENCE = {
    "Campus des métiers et des qualifications d'excellence Patrimoines, métiers d'art et tourisme (PatMAT)",
    "Campus des métiers et des qualifications d'excellence CosmetoPharma",
    "Campus Art et design (Gobelins)",
    "Campus Versailles, Patrimoine et Artisanat d'excellence",
    "Campus des métiers et des qualifications Métiers de la sécurité",
    "Campus des métiers et des qualifications d'excellence Autonomie & Inclusion",
    "Campus des métiers et des qualifications Procédés et matériaux innovants",
}
# Year kept as label start although the note gives it another meaning (creation, opening…).
ANNEE_INCERTAINE = {
    "Campus des métiers et des qualifications Numérique et Photonique (Lannion)": "inauguration",
    "Campus des métiers et des qualifications Education artistique et culturelle (Guingamp)": "création, label Excellence possiblement la même année",
    "STAHR Campus (Soutien au Tourisme, à l'Agri-culinaire, à l'Hôtellerie et à la Restauration)": "relabellisation d'un CMQ labellisé en 2015",
    "Campus des métiers et des qualifications Autonomie, longévité, santé": "ouverture annoncée",
    "Grenoble Energies Campus": "réponse à l'appel à projets, label non confirmé",
    "Campus des métiers et des qualifications d'excellence Industrie du futur (Mécanic Vallée)": "création de l'association",
    "Campus des métiers et des qualifications Construction durable et éco-réhabilitation (CMQ CDER) / "
    "Campus régional du patrimoine bâti": "création",
}

_BOILERPLATE = re.compile(
    r"campus des m[ée]tiers et des qualifications|campus d'excellence|d'excellence|\bCMQ\b|^campus\b",
    re.IGNORECASE,
)
_TETE = re.compile(r"^(?:de la |de l'|des |du |de |d')", re.IGNORECASE)
_SIGLE_PARENTHESES = re.compile(r"\((?:CMQ\s*)?([A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*)\)")
_MOT_MAJUSCULES = re.compile(r"(?:^|/ )(?!CMQ\b)([A-Z]{3,})\b")  # first word, or after " / "
_MOT_CAMPUS = re.compile(r"^(\w+campus)\b", re.IGNORECASE)
_JORF = re.compile(r"JORFTEXT\d{12}")


class LigneInvalide(CmqError):
    """A source row fails validation."""


def _url(valeur: str, colonne: str) -> str:
    if valeur and (urlsplit(valeur).scheme not in ("http", "https") or not urlsplit(valeur).netloc):
        raise ValueError(f"{colonne} « {valeur} » : adresse http(s) attendue")
    return valeur


def _est_sigle_territorial(mot: str) -> bool:
    """'PACA', 'LRMP' name a territory, not a campus."""
    try:
        territoires.resoudre(mot)
    except CmqError:
        return False
    return True


def sigle(nom: str) -> str:
    """Short name: acronym in parentheses, an all-caps word, or a '…campus' word; '' if none."""
    for trouve in _SIGLE_PARENTHESES.findall(nom):
        if not _est_sigle_territorial(trouve):
            return trouve
    hors_parentheses = re.sub(r"\([^)]*\)", " ", nom)
    majuscules = [m for m in _MOT_MAJUSCULES.findall(hors_parentheses) if not _est_sigle_territorial(m)]
    if majuscules:
        return majuscules[0]
    mot = _MOT_CAMPUS.match(nom.strip())
    return mot.group(1) if mot and mot.group(1).lower() != "campus" else ""


def nom_court(nom: str) -> str:
    """The name without the usual boilerplate ('Campus des métiers et des qualifications', 'CMQ'…)."""
    court = _BOILERPLATE.sub(" ", nom)
    court = re.sub(r"\s+", " ", court).strip(" ,/-")
    court = _TETE.sub("", court)
    return court or nom


def identifiant(nom: str, sigle_campus: str) -> str:
    """Stable slug (≤ ID_MAX characters, cut at a word boundary)."""
    base = slug(sigle_campus or nom_court(nom))
    if sigle_campus and len(base) < 5:  # 'msi', 'edu': too short to stand alone
        base = f"cmq-{base}"
    while len(base) > ID_MAX:
        base = base.rsplit("-", 1)[0]
    return base


def _annee(ligne: dict[str, str], notes: list[str]) -> date | None:
    brute = ligne["annee_label"].strip()
    if not brute:
        return None
    if not re.fullmatch(r"\d{4}", brute) or not 2010 <= int(brute) <= DATE_INSTANTANE.year:
        raise ValueError(f"annee_label « {brute} » : année sur 4 chiffres attendue (2010 à {DATE_INSTANTANE.year})")
    nom = ligne["nom"]
    if nom in ANNEE_EXCELLENCE:
        notes.append(f"année {brute} = label Excellence, pas le premier label : date de début du label non renseignée")
        return None
    if nom in ANNEE_INCERTAINE:
        notes.append(f"année {brute} retenue comme début du label, sens incertain ({ANNEE_INCERTAINE[nom]})")
    elif _annee_excellence_probable(brute, ligne["note"]):
        raise ValueError(
            f"annee_label {brute} : la note ne la cite qu'avec « excellence » ; classer ce campus dans "
            "ANNEE_EXCELLENCE ou ANNEE_INCERTAINE de scripts/build_campus.py"
        )
    return date(int(brute), 1, 1)


def _annee_excellence_probable(annee: str, note: str) -> bool:
    clauses = [c for c in note.split(";") if annee in c]
    return bool(clauses) and all("excellence" in c.lower() for c in clauses)


def _territoires(ligne: dict[str, str], notes: list[str]) -> tuple[str | None, list[str]]:
    region = None
    if ligne["region_academique"].strip():
        region = territoires.resoudre(ligne["region_academique"], "region_academique").code
    academies = []
    if ligne["academie"].strip():
        academie = territoires.academie(ligne["academie"])
        if region and academie.region_academique != region:
            raise ValueError(
                f"académie « {ligne['academie']} » ({academie.code}) hors de la région académique "
                f"« {ligne['region_academique']} » ({region})"
            )
        region = region or academie.region_academique
        academies.append(academie.code)
        if normaliser(ligne["academie"]) != normaliser(academie.nom):
            notes.append(
                f"académie « {ligne['academie'].strip()} » de la source = académie {academie.nom} ({academie.code})"
            )
    return region, academies


def siege(ville: str | None, region: str | None, academies: list[str]) -> tuple[communes.Commune | None, str]:
    """The seat commune searched in the campus's académies (else its région académique), and a count key."""
    if not ville:
        return None, "siège : ville absente"
    if academies:
        departements = [d for a in academies for d in territoires.academie(a).departements]
    elif region:
        departements = [d.code for d in territoires.departements() if d.region_academique == region]
    else:
        departements = [None]
    trouvees = {c.code: c for dep in departements for c in communes.correspondances(ville, departement=dep)}
    if len(trouvees) == 1:
        return next(iter(trouvees.values())), "siège : commune trouvée"
    return None, "siège : commune ambiguë (laissée vide)" if trouvees else "siège : commune introuvable (laissée vide)"


def campus_de_ligne(ligne: dict[str, str], par_libelle: dict[str, str]) -> Campus:
    """Validate one source row and turn it into a Campus (the id is set later)."""
    nom = ligne["nom"].strip()
    if not nom:
        raise ValueError("nom vide")
    if ligne["filiere"] not in par_libelle:
        raise ValueError(f"filière « {ligne['filiere']} » : un des 12 libellés exacts attendu")
    if ligne["excellence"] not in ("true", "unknown"):
        raise ValueError(f"excellence « {ligne['excellence']} » : « true » ou « unknown » attendu")
    notes = [ligne["note"].strip()] if ligne["note"].strip() else []
    region, academies = _territoires(ligne, notes)
    debut = _annee(ligne, notes)
    if ligne["etablissement_support"].strip():
        notes.append(f"établissement support cité : {ligne['etablissement_support'].strip()}")
    source_url = _url(ligne["source_url"].strip(), "source_url")
    jorf = _JORF.search(ligne["note"])
    sigle_campus = sigle(nom)
    commune, _ = siege(ligne["ville"].strip(), region, academies)
    return Campus(
        id="a-definir",
        nom=nom,
        sigle=sigle_campus or None,
        filiere=par_libelle[ligne["filiere"]],
        excellence=True if ligne["excellence"] == "true" else None,
        region_academique=region,
        academies=academies,
        ville_siege=ligne["ville"].strip() or None,
        code_commune_siege=commune.code if commune else None,
        latitude=commune.latitude if commune else None,
        longitude=commune.longitude if commune else None,
        date_debut_label=debut,
        reference_arrete=jorf.group(0) if jorf else None,
        site_web=_url(ligne["site_web"].strip(), "site_web") or None,
        uai_support=codes.normaliser_uai(ligne["uai_support"]) if ligne["uai_support"].strip() else None,
        note=" ; ".join(notes) or None,
        provenance=Provenance(
            source_nom=_hote(source_url) or None, source_url=source_url or None, date_recuperation=DATE_INSTANTANE
        ),
    )


def _hote(url: str) -> str:
    hote = urlsplit(url).netloc.lower()
    return hote.removeprefix("www.")


def lire_source(chemin: Path) -> list[dict[str, str]]:
    """Rows of the shared CSV; LigneInvalide if a column is missing."""
    try:
        with open(chemin, encoding="utf-8-sig", newline="") as flux:
            lecteur = csv.DictReader(flux)
            manquantes = [c for c in COLONNES_SOURCE if c not in (lecteur.fieldnames or ())]
            if manquantes:
                raise LigneInvalide(f"{chemin} : colonnes manquantes : {', '.join(manquantes)}")
            return list(lecteur)
    except (OSError, UnicodeDecodeError) as erreur:
        raise LigneInvalide(f"{chemin} : fichier illisible ({erreur})") from None


def construire(lignes: list[dict[str, str]]) -> list[Campus]:
    """Validated campuses with unique ids, in source order; LigneInvalide at the first bad row."""
    par_libelle = {f.libelle: f.code for f in filieres.all()}
    resultat: list[Campus] = []
    vus: set[str] = set()
    for numero, ligne in enumerate(lignes, start=2):  # line 1 is the header
        try:
            campus = campus_de_ligne(ligne, par_libelle)
        except (ValueError, CmqError) as erreur:
            raise LigneInvalide(f"ligne {numero} ({ligne.get('nom', '')!r}) : {erreur}") from None
        ident = identifiant(campus.nom, campus.sigle or "")
        if ident in vus:
            ident = identifiant(f"{nom_court(campus.nom)} {campus.ville_siege or campus.region_academique}", "")
        if ident in vus:
            raise LigneInvalide(f"ligne {numero} : identifiant « {ident} » déjà pris par un autre campus")
        vus.add(ident)
        resultat.append(campus.model_copy(update={"id": ident}))
    return resultat


def lire_doublons(chemin: Path, lignes: list[dict[str, str]]) -> tuple[dict[str, list[str]], list[str]]:
    """Notes to add per campus name from the duplicate decisions, and warnings for stale decisions."""
    noms = {ligne["nom"] for ligne in lignes}
    notes: dict[str, list[str]] = {}
    alertes = []
    try:
        with open(chemin, encoding="utf-8", newline="") as flux:
            decisions = list(csv.DictReader(flux))
    except (OSError, UnicodeDecodeError) as erreur:
        raise LigneInvalide(f"{chemin} : fichier illisible ({erreur})") from None
    for numero, d in enumerate(decisions, start=2):
        if d.get("decision") != "distincts" or not (d.get("raison") or "").strip():
            raise LigneInvalide(f"{chemin.name}, ligne {numero} : décision « distincts » et raison attendues")
        premier, second = d["campus_nom"], d["autre_campus_nom"]
        if premier not in noms or second not in noms:
            alertes.append(f"Attention : décision de doublon pour un campus absent de la source : « {premier} »")
            continue
        for nom, autre in ((premier, second), (second, premier)):
            notes.setdefault(nom, []).append(
                f"doublon possible de « {autre} » examiné : campus distincts gardés ({d['raison'].strip()})"
            )
    return notes, alertes


def _lycees_localises(chemin: Path) -> dict[str, tuple[str, str, float, float]]:
    """UAI -> (commune code, commune name, latitude, longitude) of the embedded lycées with a point."""
    with gzip.open(chemin, "rt", encoding="utf-8", newline="") as flux:
        return {
            x["uai"]: (x["code_commune"], x["nom_commune"], float(x["latitude"]), float(x["longitude"]))
            for x in csv.DictReader(flux)
            if x["latitude"] and x["code_commune"]
        }


def sieges_des_supports(chemin_membres: Path, chemin_lycees: Path) -> dict[str, tuple[str, list]]:
    """campus id -> (support names, distinct (commune code, name, lat, lon) of its supports with a point)."""
    if not chemin_membres.exists():
        return {}
    lycees = _lycees_localises(chemin_lycees)
    resultat: dict[str, tuple[list[str], set]] = {}
    with open(chemin_membres, encoding="utf-8", newline="") as flux:
        for m in csv.DictReader(flux):
            if organisations.role_de(m["role"]) != "support":
                continue
            noms, lieux = resultat.setdefault(m["campus_id"], ([], set()))
            noms.append(f"{m['nom']}" + (f" (UAI {m['uai']})" if m["uai"] else ""))
            if m["uai"] in lycees:
                lieux.add(lycees[m["uai"]])
            elif m["code_commune"] and (commune := communes.commune(m["code_commune"])).latitude is not None:
                lieux.add((commune.code, commune.nom, commune.latitude, commune.longitude))
    return {i: (noms, sorted(lieux)) for i, (noms, lieux) in resultat.items()}


def placer_par_support(campus: Campus, supports: dict[str, tuple[list[str], list]]) -> Campus:
    """A campus without a seat point takes its support's commune point (one commune for all its supports).

    Only when the seat commune is unknown and the source's seat town, if any, is that commune.
    """
    if campus.latitude is not None or campus.code_commune_siege or campus.id not in supports:
        return campus
    noms, lieux = supports[campus.id]
    if len(lieux) != 1:
        return campus
    code, nom_commune, latitude, longitude = lieux[0]
    if campus.ville_siege and communes.cle_nom(campus.ville_siege) != communes.cle_nom(nom_commune):
        return campus
    note = f"siège localisé par l'établissement support {', '.join(noms)} : point de la commune {nom_commune} ({code})"
    return campus.model_copy(
        update={
            "ville_siege": campus.ville_siege or nom_commune,
            "code_commune_siege": code,
            "latitude": latitude,
            "longitude": longitude,
            "note": " ; ".join(filter(None, (campus.note, note))),
        }
    )


def decisions_orphelines(lignes: list[dict[str, str]]) -> list[str]:
    """Names in ANNEE_EXCELLENCE / ANNEE_INCERTAINE that no source row carries (stale decisions)."""
    noms = {ligne["nom"] for ligne in lignes}
    return sorted(n for n in ANNEE_EXCELLENCE | set(ANNEE_INCERTAINE) if n not in noms)


def ligne_csv(campus: Campus) -> list[str]:
    """Flat row, in COLONNES order."""
    valeurs = campus.model_dump()
    valeurs.update(
        excellence="true" if campus.excellence else "",
        academies="|".join(campus.academies),
        **campus.provenance.model_dump(),
    )
    return ["" if valeurs[c] is None else str(valeurs[c]) for c in COLONNES]


def ecrire(campus: list[Campus], sortie: Path) -> None:
    """Write atomically (temporary file then rename), '\\n' line ends."""
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, lineterminator="\n")
    ecrivain.writerow(COLONNES)
    ecrivain.writerows(ligne_csv(c) for c in campus)
    sortie.parent.mkdir(parents=True, exist_ok=True)
    descripteur, temporaire = tempfile.mkstemp(dir=sortie.parent, suffix=".tmp")
    with os.fdopen(descripteur, "w", encoding="utf-8", newline="") as flux:
        flux.write(tampon.getvalue())
    os.chmod(temporaire, 0o644)
    os.replace(temporaire, sortie)


def main(arguments: list[str] | None = None) -> int:
    global DATE_INSTANTANE
    analyseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analyseur.add_argument("source", nargs="?", type=Path, default=SOURCE)
    analyseur.add_argument("--sortie", type=Path, default=SORTIE)
    analyseur.add_argument("--date-recuperation", type=date.fromisoformat, default=DATE_INSTANTANE)
    analyseur.add_argument("--doublons", type=Path, default=DOUBLONS)
    analyseur.add_argument("--membres", type=Path, default=MEMBRES)
    options = analyseur.parse_args(arguments)
    DATE_INSTANTANE = options.date_recuperation
    try:
        lignes = lire_source(options.source)
        notes, alertes = lire_doublons(options.doublons, lignes)
        supports = sieges_des_supports(options.membres, LYCEES)
        campus = [
            placer_par_support(
                c.model_copy(update={"note": " ; ".join(filter(None, [c.note, *notes[c.nom]]))}), supports
            )
            if c.nom in notes
            else placer_par_support(c, supports)
            for c in construire(lignes)
        ]
    except CmqError as erreur:
        print(f"Erreur : {erreur}", file=sys.stderr)
        return 1
    ecrire(campus, options.sortie)
    for nom in decisions_orphelines(lignes):
        print(f"Attention : décision d'année pour un campus absent de la source : « {nom} »")
    for alerte in alertes:
        print(alerte)
    excellence = sum(1 for c in campus if c.excellence)
    sans_debut = sum(1 for c in campus if c.date_debut_label is None)
    print(
        f"{len(campus)} campus écrits dans {options.sortie} ({excellence} d'excellence, {sans_debut} sans date de début)"
    )
    sieges = Counter(siege(c.ville_siege, c.region_academique, c.academies)[1] for c in campus)
    sieges["siège : avec coordonnées"] = sum(1 for c in campus if c.latitude is not None)
    sieges["siège : localisé par l'établissement support"] = sum(
        1 for c in campus if "siège localisé par" in (c.note or "")
    )
    for cle, nombre in sorted(sieges.items()):
        print(f"  {cle} : {nombre}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
