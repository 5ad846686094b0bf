"""Build the embedded members src/cmq/data/membres.csv from the shared snapshot cmq_membres.csv.

Usage: python scripts/build_membres.py [SOURCE] [--sortie FICHIER] [--decisions FICHIER]
Each mention names its campus exactly (a `nom` of src/cmq/data/campus.csv), its role as the page
writes it (mapped by `cmq.organisations.role_de`) and its source page. A lycée is given its UAI
when `cmq.rapprochement` finds it with confidence among the embedded lycées of the campus's région
académique; a university, IUT, GRETA, school or company stays a named member. Every uncertain
lycée (ambiguous, or unknown although it is a lycée) must be settled by hand in
src/cmq/data/membres_decisions.csv (decision `uai` or `nomme`, with the evidence); a missing
decision stops the build and nothing is written. Same input -> same bytes.
"""

import argparse
import csv
import gzip
import re
import sys
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_campus import siege

from cmq import codes, organisations
from cmq.errors import CmqError
from cmq.fichiers import ecriture_atomique
from cmq.rapprochement import IndexEtablissements

DEPOT = Path(__file__).resolve().parent.parent
DONNEES = DEPOT / "src" / "cmq" / "data"
SOURCE = DEPOT.parent / "shared" / "data" / "cmq_membres.csv"
SORTIE = DONNEES / "membres.csv"
DECISIONS = DONNEES / "membres_decisions.csv"
CAMPUS = DONNEES / "campus.csv"

COLONNES_SOURCE = ("campus_nom", "uai", "etablissement_nom", "role", "source_url")
COLONNES = (
    "campus_id",
    "uai",
    "nom",
    "nature",
    "role",
    "commune",
    "code_commune",
    "source_url",
    "rapprochement",
    "preuve",
)
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_APRES_DE = re.compile(r"\s(?:de |d'|d’|du )([^()]+)$")


class MentionInvalide(CmqError):
    """A source row or a decision cannot be used."""


def _lire(chemin: Path, colonnes: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with open(chemin, encoding="utf-8-sig", newline="") as flux:
            lecteur = csv.DictReader(flux)
            manquantes = [c for c in colonnes if c not in (lecteur.fieldnames or ())]
            if manquantes:
                raise MentionInvalide(f"{chemin} : colonnes manquantes : {', '.join(manquantes)}")
            return list(lecteur)
    except (OSError, UnicodeDecodeError) as erreur:
        raise MentionInvalide(f"{chemin} : fichier illisible ({erreur})") from None


def commune_ecrite(nom: str, region: str | None, academies: list[str]):
    """The commune the name writes (in parentheses, else after a final 'de'), searched in the campus's
    territory; None when absent or not exactly one commune."""
    for texte in [*_PARENTHESES.findall(nom), *_APRES_DE.findall(_PARENTHESES.sub(" ", nom).strip())]:
        trouvee, _ = siege(texte.strip(), region, academies)
        if trouvee is not None:
            return trouvee
    return None


def _decisions(chemin: Path, lycees: set[str]) -> dict[tuple[str, str], dict[str, str]]:
    resultat = {}
    for numero, ligne in enumerate(_lire(chemin, ("campus_nom", "etablissement_nom", "decision", "uai", "preuve")), 2):
        if ligne["decision"] not in ("uai", "nomme"):
            raise MentionInvalide(f"{chemin.name}, ligne {numero} : décision « {ligne['decision']} » : uai ou nomme")
        if not ligne["preuve"].strip():
            raise MentionInvalide(f"{chemin.name}, ligne {numero} : preuve absente (chaque décision dit pourquoi)")
        if ligne["decision"] == "uai" and codes.normaliser_uai(ligne["uai"]) not in lycees:
            raise MentionInvalide(f"{chemin.name}, ligne {numero} : UAI {ligne['uai']} absent des lycées embarqués")
        resultat[(ligne["campus_nom"], ligne["etablissement_nom"])] = ligne
    return resultat


def construire(
    mentions: list[dict[str, str]], campus: list[dict[str, str]], decisions: dict, index: IndexEtablissements
) -> tuple[list[dict[str, str]], list[str]]:
    """Output rows (sorted) and warnings; MentionInvalide at the first unusable mention."""
    par_nom = {c["nom"]: c for c in campus}
    lignes, utilisees = [], set()
    for numero, mention in enumerate(mentions, start=2):
        nom, cle = mention["etablissement_nom"].strip(), (mention["campus_nom"], mention["etablissement_nom"])
        try:
            if mention["campus_nom"] not in par_nom:
                raise ValueError(f"campus « {mention['campus_nom']} » absent de campus.csv")
            fiche = par_nom[mention["campus_nom"]]
            organisations.role_de(mention["role"])
            region, academies = fiche["region_academique"] or None, [a for a in fiche["academies"].split("|") if a]
            uai, rapprochement, preuve = _uai(mention, cle, decisions, index, region)
        except (CmqError, ValueError) as erreur:
            raise MentionInvalide(f"ligne {numero} ({nom}) : {erreur}") from None
        if cle in decisions:
            utilisees.add(cle)
        commune = commune_ecrite(nom, region, academies) if not uai else None
        nature = "" if uai else organisations.nature_de(nom)
        if nature == "autre" and organisations.est_superieur(mention["role"]):
            nature = "ecole"  # "(supérieur)" and neither university nor IUT: a higher-education school
        lignes.append(
            {
                "campus_id": fiche["id"],
                "uai": uai or "",
                "nom": nom,
                "nature": nature,
                "role": mention["role"].strip(),
                "commune": commune.nom if commune else "",
                "code_commune": commune.code if commune else "",
                "source_url": mention["source_url"].strip(),
                "rapprochement": rapprochement,
                "preuve": preuve,
            }
        )
    alertes = [
        f"Attention : décision sans mention dans la source : « {e} »" for c, e in decisions if (c, e) not in utilisees
    ]
    return sorted(lignes, key=lambda x: (x["campus_id"], x["uai"] == "", x["uai"], x["nom"])), alertes


def _uai(mention, cle, decisions, index: IndexEtablissements, region: str | None) -> tuple[str | None, str, str]:
    """(UAI or None, how it was settled, evidence)."""
    if mention["uai"].strip():
        return codes.normaliser_uai(mention["uai"]), "source", "UAI donné par la source"
    if cle in decisions:
        decision = decisions[cle]
        uai = codes.normaliser_uai(decision["uai"]) if decision["decision"] == "uai" else None
        return uai, "decision", decision["preuve"].strip()
    resultat = index.rapprocher(mention["etablissement_nom"])
    if resultat.statut == "trouve":
        candidat = next(c for c in resultat.candidats if c.uai == resultat.uai)
        if region and candidat.code_commune and not _dans_la_region(candidat.code_commune, region):
            raise ValueError(f"UAI {resultat.uai} trouvé hors de la région académique du campus : décision à écrire")
        return resultat.uai, "trouve", f"{candidat.nom}, {candidat.commune}"  # no score: stable across matcher tuning
    if resultat.statut == "ambigu" or organisations.nature_de(mention["etablissement_nom"]) == "lycee":
        proposes = ", ".join(f"{c.uai} {c.nom} ({c.commune})" for c in resultat.candidats[:4]) or "aucun candidat"
        raise ValueError(
            f"rapprochement {resultat.statut} ({proposes}) : décision à écrire dans {DECISIONS.name} "
            "(uai ou nomme, avec la preuve)"
        )
    return None, "inconnu", "organisation absente de la liste des lycées : membre nommé"


def _dans_la_region(code_commune: str, region: str) -> bool:
    from cmq import communes, territoires

    return territoires.departement(communes.commune(code_commune).departement).region_academique == region


def ecrire(lignes: list[dict[str, str]], sortie: Path) -> None:
    """Write the CSV atomically (LF line ends, UTF-8, header first)."""
    sortie.parent.mkdir(parents=True, exist_ok=True)
    with ecriture_atomique(sortie, "w", newline="") as flux:
        ecrivain = csv.DictWriter(flux, fieldnames=COLONNES, lineterminator="\n")
        ecrivain.writeheader()
        ecrivain.writerows(lignes)


def main(arguments: list[str] | None = None) -> int:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("source", nargs="?", type=Path, default=SOURCE)
    parseur.add_argument("--sortie", type=Path, default=SORTIE)
    parseur.add_argument("--decisions", type=Path, default=DECISIONS)
    parseur.add_argument("--campus", type=Path, default=CAMPUS)
    options = parseur.parse_args(arguments)
    try:
        index = IndexEtablissements.embarque()
        decisions = _decisions(options.decisions, _uais_embarques())
        campus = _lire(options.campus, ("id", "nom", "region_academique", "academies"))
        lignes, alertes = construire(_lire(options.source, COLONNES_SOURCE), campus, decisions, index)
    except CmqError as erreur:
        print(f"Erreur : {erreur}", file=sys.stderr)
        return 1
    ecrire(lignes, options.sortie)
    for alerte in alertes:
        print(alerte)
    avec_uai = sum(1 for ligne in lignes if ligne["uai"])
    print(
        f"{len(lignes)} mentions écrites sur {len({x['campus_id'] for x in lignes})} campus : "
        f"{avec_uai} avec UAI, {len(lignes) - avec_uai} membres nommés"
    )
    for statut in ("trouve", "decision", "inconnu", "source"):
        print(f"  {statut} : {sum(1 for x in lignes if x['rapprochement'] == statut)}")
    return 0


def _uais_embarques() -> set[str]:
    """UAIs of the embedded lycées (a decision may only name one of them)."""
    with resources.files("cmq").joinpath("data", "lycees.csv.gz").open("rb") as brut:
        with gzip.open(brut, "rt", encoding="utf-8", newline="") as flux:
            return {ligne["uai"] for ligne in csv.DictReader(flux)}


if __name__ == "__main__":
    sys.exit(main())
