"""Audit of steering requests (Orion-like "demandes" export): resolve each `nomCmq`, flag the inconsistencies.

Input: a CSV or XLSX table with at least `numero, uai, cmqImplique, filiereCmq, nomCmq` (headers
found ignoring case, accents, spaces and punctuation; other columns are kept as they are). Every
row gets `statut_resolution` (trouve / ambigu / inconnu, or sans_nom when `nomCmq` is empty),
`campus_id`, `campus_nom`, `score`, `candidats` (ids of the close campuses when ambiguous),
`filiere_incoherente` (oui / non) and `anomalie`, several joined by "; ":

* `cmq_implique_sans_nom`: `cmqImplique` is true but `nomCmq` is empty;
* `nom_sans_cmq_implique`: `nomCmq` is filled but `cmqImplique` is false;
* `uai_invalide: …`, `cmq_implique_illisible: …`, `filiere_illisible: …`: a cell that cannot be read
  (reported on its row, the audit goes on);
* `etablissement_non_membre`: the campus has members in the directory and the UAI is not one.

The mention is resolved with the row's filière and territory (the establishment's région
académique from the directory, else a valid `codeRegion`). The input file is only read; the
output (XLSX with an "audit" and a "synthese" sheet, or CSV) is written atomically and can never
be the input file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import select

from cmq import codes, fichiers, filieres, resolve, territoires
from cmq.ecrivain import ecrire_tableau, ecrire_xlsx
from cmq.errors import CmqError, ColonneManquante, EntreeInvalide, FichierIllisible
from cmq.fichiers import ecriture_atomique
from cmq.importation import valeurs
from cmq.store import db
from cmq.store.tables import EtablissementTable
from cmq.tableau import Tableau, lire_tableau
from cmq.texte import normaliser

REQUISES = ("numero", "uai", "cmqImplique", "filiereCmq", "nomCmq")
COLONNE_REGION = "codeRegion"
AJOUTEES = ("statut_resolution", "campus_id", "campus_nom", "score", "candidats", "filiere_incoherente", "anomalie")
SANS_NOM = "sans_nom"
PAQUET = 500  # rows resolved between two progress updates

Progression = Callable[[str, int, int | None], None]  # (étape, fait, total), as in the import pipeline
ETAPE = "Résolution des mentions"


class Synthese(BaseModel):
    """Counts of an audit (the "synthese" sheet and the summary table)."""

    lignes: int = 0
    mentions: int = 0  # rows with a nomCmq
    trouves: int = 0
    ambigus: int = 0
    inconnus: int = 0
    cmq_implique_sans_nom: int = 0
    nom_sans_cmq_implique: int = 0
    non_membres: int = 0
    membres_non_renseignes: int = 0  # resolved rows whose campus has no member in the directory
    uai_invalides: int = 0
    filieres_incoherentes: int = 0
    filieres_illisibles: int = 0

    def libelles(self) -> list[tuple[str, int]]:
        """(French label, count) in display order."""
        return [
            ("lignes", self.lignes),
            ("lignes avec nomCmq", self.mentions),
            ("campus trouvés", self.trouves),
            ("mentions ambiguës", self.ambigus),
            ("mentions inconnues", self.inconnus),
            ("cmqImplique sans nomCmq", self.cmq_implique_sans_nom),
            ("nomCmq sans cmqImplique", self.nom_sans_cmq_implique),
            ("établissements non membres du campus", self.non_membres),
            ("campus sans membres connus (appartenance non vérifiable)", self.membres_non_renseignes),
            ("UAI invalides", self.uai_invalides),
            ("filières incohérentes", self.filieres_incoherentes),
            ("filières illisibles", self.filieres_illisibles),
        ]


@dataclass
class Audit:
    """The audited table: input columns plus AJOUTEES, one dict per row, and the counts."""

    source: Path
    colonnes: list[str]
    lignes: list[dict[str, object]]
    synthese: Synthese


def _cle(nom: str) -> str:
    return normaliser(nom).replace(" ", "")


def colonnes_requises(tableau: Tableau) -> dict[str, str]:
    """Required name -> column of the file; ColonneManquante listing every missing one."""
    par_cle = {_cle(c): c for c in tableau.colonnes}
    trouvees = {nom: par_cle[_cle(nom)] for nom in REQUISES if _cle(nom) in par_cle}
    manquantes = [nom for nom in REQUISES if nom not in trouvees]
    if manquantes:
        raise ColonneManquante(
            f"{tableau.nom} : colonne(s) obligatoire(s) absente(s) : {', '.join(manquantes)} ; "
            f"colonnes du fichier : {', '.join(tableau.colonnes)}"
        )
    return trouvees


def chemin_par_defaut(chemin: Path) -> Path:
    """`<name>_audit.xlsx` beside the input file."""
    return fichiers.a_cote(chemin, "_audit", ".xlsx")


def verifier_sortie(entree: Path, sortie: Path) -> Path:
    """The output path, refused when it is the input file or not .xlsx/.csv (nothing written)."""
    if sortie.suffix.lower() not in (".xlsx", ".csv"):
        raise EntreeInvalide(f"fichier de sortie « {sortie.name} » : extension .xlsx ou .csv attendue")
    return fichiers.sortie_distincte(entree, sortie)


def _regions(uais: set[str], url: str | None) -> dict[str, str | None]:
    """Région académique of each UAI known to the directory."""
    resultat: dict[str, str | None] = {}
    liste = sorted(uais)
    with db.session(url) as s:
        for debut in range(0, len(liste), PAQUET):
            requete = select(EtablissementTable.uai, EtablissementTable.region_academique).where(
                EtablissementTable.uai.in_(liste[debut : debut + PAQUET])
            )
            resultat.update({uai: region for uai, region in s.execute(requete)})
    return resultat


def _region_declaree(valeur: str) -> territoires.Territoire | None:
    try:
        return territoires.resoudre(valeur, "region_academique") if valeur.strip() else None
    except CmqError:
        return None


@dataclass
class _Ligne:
    """What the audit learnt about one row before resolution."""

    anomalies: list[str]
    uai: str | None
    implique: bool | None
    nom: str
    contexte: resolve.Contexte


def _preparer(
    ligne: dict[str, str],
    cols: dict[str, str],
    region_col: str | None,
    regions: dict[str, str | None],
    filieres: dict[str, str | None],
) -> _Ligne:
    anomalies: list[str] = []
    uai = None
    try:
        uai = codes.normaliser_uai(ligne[cols["uai"]])
    except CmqError as erreur:
        anomalies.append(f"uai_invalide: {erreur}")
    try:
        implique = valeurs.booleen(ligne[cols["cmqImplique"]])
    except CmqError:
        implique = None
        anomalies.append(f"cmq_implique_illisible: « {ligne[cols['cmqImplique']]} »")
    nom = ligne[cols["nomCmq"]].strip()
    filiere_brute = ligne[cols["filiereCmq"]].strip()
    filiere = filieres.get(filiere_brute)
    if filiere_brute and filiere is None:
        anomalies.append(f"filiere_illisible: « {filiere_brute} »")
    territoire = None
    if uai is not None and regions.get(uai):
        territoire = territoires.resoudre(regions[uai], "region_academique")
    elif region_col is not None:
        territoire = _region_declaree(ligne[region_col])
    if implique and not nom:
        anomalies.append("cmq_implique_sans_nom")
    if implique is False and nom:
        anomalies.append("nom_sans_cmq_implique")
    return _Ligne(anomalies, uai, implique, nom, resolve.Contexte(filiere=filiere, territoire=territoire))


def _filiere(valeur: str) -> str | None:
    try:
        return filieres.code_de(valeur)
    except CmqError:
        return None


def auditer(
    chemin: Path | str, *, feuille: str | None = None, url: str | None = None, progression: Progression | None = None
) -> Audit:
    """Read and audit a file of requests (nothing is written); see the module docstring."""
    chemin = Path(chemin)
    tableau = lire_tableau(chemin, feuille=feuille)
    cols = colonnes_requises(tableau)
    if not tableau.lignes:
        raise FichierIllisible(f"{tableau.nom} : aucune ligne de demande sous l'en-tête")
    region_col = next((c for c in tableau.colonnes if _cle(c) == _cle(COLONNE_REGION)), None)
    index = resolve.index(url)
    uais = {u for ligne in tableau.lignes if codes.est_uai(u := ligne[cols["uai"]].strip().upper())}
    regions = _regions(uais, url)
    codes_filieres = {v: _filiere(v) for v in {ligne[cols["filiereCmq"]].strip() for ligne in tableau.lignes} if v}
    preparees = [_preparer(ligne, cols, region_col, regions, codes_filieres) for ligne in tableau.lignes]
    existantes = {_cle(c): c for c in tableau.colonnes}
    ajoutees = {nom: existantes.get(_cle(nom), nom) for nom in AJOUTEES}  # an input column of that name is reused
    colonnes = tableau.colonnes + [c for c in ajoutees.values() if c not in tableau.colonnes]
    synthese = Synthese(lignes=len(preparees))
    sorties: list[dict[str, object]] = []
    total = len(preparees)
    for debut in range(0, total, PAQUET):
        paquet = preparees[debut : debut + PAQUET]
        scores = index.scores_texte([p.nom for p in paquet if p.nom])
        rangs = iter(scores)
        for brute, p in zip(tableau.lignes[debut : debut + PAQUET], paquet, strict=True):
            r = index.decider(p.nom, next(rangs), p.contexte) if p.nom else None
            sorties.append(_sortie(brute, p, r, index, ajoutees, synthese))
        if progression is not None:
            progression(ETAPE, min(debut + PAQUET, total), total)
    return Audit(chemin, colonnes, sorties, synthese)


def _sortie(
    brute: dict[str, str],
    p: _Ligne,
    r: resolve.Resolution | None,
    index: resolve.Index,
    ajoutees: dict[str, str],
    synthese: Synthese,
) -> dict[str, object]:
    """The output row, and the counts updated."""
    anomalies = list(p.anomalies)
    if r is not None and r.statut == "trouve" and p.uai is not None:
        membres = index.membres.get(r.campus_id)
        if not membres:
            synthese.membres_non_renseignes += 1
        elif p.uai not in membres:
            anomalies.append("etablissement_non_membre")
            synthese.non_membres += 1
    synthese.mentions += r is not None
    synthese.trouves += r is not None and r.statut == "trouve"
    synthese.ambigus += r is not None and r.statut == "ambigu"
    synthese.inconnus += r is not None and r.statut == "inconnu"
    synthese.cmq_implique_sans_nom += "cmq_implique_sans_nom" in anomalies
    synthese.nom_sans_cmq_implique += "nom_sans_cmq_implique" in anomalies
    synthese.uai_invalides += any(a.startswith("uai_invalide") for a in anomalies)
    synthese.filieres_illisibles += any(a.startswith("filiere_illisible") for a in anomalies)
    synthese.filieres_incoherentes += bool(r and r.filiere_incoherente)
    valeurs_ajoutees = {
        "statut_resolution": r.statut if r else SANS_NOM,
        "campus_id": (r and r.campus_id) or "",
        "campus_nom": (r and r.campus_nom) or "",
        "score": r.score if r and r.candidats else "",
        "candidats": " | ".join(c.campus_id for c in r.candidats) if r and r.statut == "ambigu" else "",
        "filiere_incoherente": ("oui" if r.filiere_incoherente else "non") if r and r.statut == "trouve" else "",
        "anomalie": "; ".join(anomalies),
    }
    return {**brute, **{ajoutees[k]: v for k, v in valeurs_ajoutees.items()}}


def ecrire(audit: Audit, sortie: Path | str | None = None) -> Path:
    """Write the audit (XLSX: sheets "audit" and "synthese"; CSV: the rows only) atomically."""
    cible = verifier_sortie(audit.source, Path(sortie) if sortie is not None else chemin_par_defaut(audit.source))
    if cible.suffix.lower() == ".csv":
        return ecrire_tableau(cible, audit.colonnes, audit.lignes)
    rangs = [[ligne.get(c, "") for c in audit.colonnes] for ligne in audit.lignes]
    feuilles = {
        "audit": (audit.colonnes, rangs),
        "synthese": (["indicateur", "nombre"], audit.synthese.libelles()),
    }
    with ecriture_atomique(cible, "wb") as flux:
        ecrire_xlsx(flux, feuilles)
    return cible
