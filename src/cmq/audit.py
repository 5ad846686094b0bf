"""Audit of steering requests (Orion's restitution export, or any table of "demandes"): resolve each
`nomCmq`, flag the inconsistencies.

Input: a CSV or XLSX table with at least the fields of `REQUISES` (request number, UAI, filière,
campus name). Headers are found ignoring case, accents, spaces and punctuation, under the names
of `CHAMPS` (Orion's "N° demande", "UAI", "Filière CMQ", "Nom CMQ", "CodeRegion", "CodeAcadémie"…),
or as mapped by the caller (`correspondance`, the CLI's `--colonne champ=Colonne`); other columns
are kept as they are. `cmqImplique` is optional: Orion never exports it, so a filled `nomCmq` means
a CMQ is involved. Placeholders ("non", "NC", "-", "aucun", "néant", "/", "n/a", "0") are empty
values, counted apart. Every row gets `statut_resolution` (trouve / ambigu / inconnu, or sans_nom
when `nomCmq` is empty), `campus_id`, `campus_nom`, `score`, `candidats` (ids of the close campuses
when ambiguous), `filiere_incoherente` (oui / non) and `anomalie`, several joined by "; ":

* `cmq_implique_sans_nom`: `cmqImplique` is true but `nomCmq` is empty;
* `nom_sans_cmq_implique`: `nomCmq` is filled but `cmqImplique` is false;
* `nom_cmq_non_renseigne: « NC »`: a placeholder instead of a campus name;
* `nom_cmq_libelle_de_filiere`: the campus name is only a filière's label;
* `campus_hors_region`: the campus found lies outside the establishment's région académique;
* `uai_invalide: …`, `cmq_implique_illisible: …`, `filiere_illisible: …`: a cell that cannot be read
  (reported on its row, the audit goes on);
* `etablissement_non_membre`: the campus has members in the directory and the UAI is not one;
* `cmq_inattendu`: both of the above: a campus of which the establishment is not a known member,
  outside its région académique;
* with a formation-domain column (Orion's "Domaine de formation (NSF)", optional: without it these
  checks are not made and the synthesis says so), `formation_hors_filiere: NSF 334 → …` (the domain
  does not feed the declared filière or the campus's), `cmq_possible: <campus_id>, …` (no campus
  named, but the establishment is a known member of campuses the domain feeds: all are named) and
  `nsf_illisible: « … »` (not an NSF group; never guessed). A domain feeding no filière yields no
  flag. Rules and their limits: `cmq.adequation`. `filieres_formation` gives the filières the domain
  feeds ("aucune" for none).

The mention is resolved with the row's filière and territory (the establishment's région
académique from the directory, else the `codeRegion` or `codeAcademie` columns). The input file is
only read; the outputs (XLSX with an "audit", a "synthese" and a "territoires" sheet — the summary
per région académique × filière of the formation domain, `adequation.Territoires` —, or CSV in the
input's conventions with the summary beside it in `<sortie>_territoires.csv`; the corrected copy of
`corriger`) are written atomically and never over the input.

Kept audits (`conserver`, asked for on the web page): the XLSX workbook of `ecrire` in the folder
`audits/` of the data folder (`db.dossier_donnees()`, read on every call), named
`<UTC time to the microsecond>-<32 random hex digits>.xlsx` (`MOTIF_CONSERVE`: never guessed, never colliding), beside
a JSON sidecar of the same stem (who, when, the uploaded file's name, size and SHA-256, the counts).
The uploaded file itself is never kept. A name is checked against the pattern before any path is
built (`conserve`, `supprimer_conserve`): nothing outside the folder can be read or deleted.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import select

from cmq import adequation, codes, fichiers, filieres, resolve, territoires
from cmq.ecrivain import ecrire_tableau, ecrire_xlsx
from cmq.errors import CmqError, ColonneManquante, EntreeInvalide, ErreurEcriture, FichierIllisible, IntrouvableError
from cmq.fichiers import ecriture_atomique
from cmq.importation import valeurs
from cmq.models import Acteur, Role
from cmq.store import db
from cmq.store.tables import EtablissementTable
from cmq.tableau import Tableau, lire_tableau, valeur_typee
from cmq.texte import est_remplissage, normaliser

# Field -> header names recognised (compared without case, accents, spaces nor punctuation).
CHAMPS = {
    "numero": ("numero", "N° demande", "numeroDemande"),
    "uai": ("uai",),
    "cmqImplique": ("cmqImplique",),
    "filiereCmq": ("filiereCmq",),
    "nomCmq": ("nomCmq",),
    "codeRegion": ("codeRegion",),
    "codeAcademie": ("codeAcademie",),
    # formation (optional; Orion's restitution export): the NSF domain drives the formation checks
    "nsf": ("Domaine de formation (NSF)", "libelleNsf", "domaineFormation", "nsf"),
    "cfd": ("CFD", "codeFormationDiplome"),
    "formation": ("Formation", "libelleFormation"),
    "diplome": ("Diplôme", "libelleNiveauDiplome", "niveauDiplome"),
}
REQUISES = ("numero", "uai", "filiereCmq", "nomCmq")
AJOUTEES = (
    "statut_resolution",
    "campus_id",
    "campus_nom",
    "score",
    "candidats",
    "filiere_incoherente",
    "filieres_formation",
    "anomalie",
)
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
    remplissages: int = 0  # placeholders ("non", "NC", "-"…) in nomCmq, not counted as mentions
    libelles_de_filiere: int = 0
    hors_region: int = 0
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
            ("nomCmq de remplissage (non, NC, -, aucun…)", self.remplissages),
            ("nomCmq réduits au libellé d'une filière", self.libelles_de_filiere),
            ("campus hors de la région académique de l'établissement", self.hors_region),
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
    tableau: Tableau | None = None  # the input as read (its columns, dialect and rows)
    champs: dict[str, str] | None = None  # field -> column of the input
    corrections: list[tuple[str, str] | None] | None = None  # (campus name, filière label) per row
    formations: adequation.SyntheseFormations | None = None  # counts of the formation checks
    territoires: list[dict[str, object]] | None = None  # summary per région académique × filière (COLONNES_TERRITOIRES)


def _cle(nom: str) -> str:
    return normaliser(nom).replace(" ", "")


def colonnes_requises(tableau: Tableau, correspondance: dict[str, str] | None = None) -> dict[str, str]:
    """Field -> column of the file (optional fields when present); ColonneManquante listing every missing one.

    `correspondance` maps fields to columns explicitly (other tools' exports): EntreeInvalide for an
    unknown field, ColonneManquante for a column the file lacks.
    """
    par_cle = {_cle(c): c for c in tableau.colonnes}
    trouvees: dict[str, str] = {}
    for champ, colonne in (correspondance or {}).items():
        if champ not in CHAMPS:
            raise EntreeInvalide(f"champ inconnu « {champ} » ; champs possibles : {', '.join(CHAMPS)}")
        if _cle(colonne) not in par_cle:
            raise ColonneManquante(
                f"{tableau.nom} : colonne « {colonne} » (indiquée pour {champ}) absente ; "
                f"colonnes du fichier : {', '.join(tableau.colonnes)}"
            )
        trouvees[champ] = par_cle[_cle(colonne)]
    for champ, noms in CHAMPS.items():
        if champ not in trouvees:
            colonne = next((par_cle[_cle(n)] for n in noms if _cle(n) in par_cle), None)
            if colonne is not None:
                trouvees[champ] = colonne
    manquantes = [nom for nom in REQUISES if nom not in trouvees]
    if manquantes:
        raise ColonneManquante(
            f"{tableau.nom} : colonne(s) obligatoire(s) absente(s) : {', '.join(manquantes)} ; "
            f"colonnes du fichier : {', '.join(tableau.colonnes)} "
            "(indiquez-les avec --colonne CHAMP=COLONNE)"
        )
    return trouvees


def lire_correspondance(textes: list[str] | None) -> dict[str, str]:
    """["nomCmq=Campus", …] -> {"nomCmq": "Campus"}; EntreeInvalide for a text without "="."""
    correspondance: dict[str, str] = {}
    for texte in textes or []:
        champ, egal, colonne = texte.partition("=")
        if not egal or not champ.strip() or not colonne.strip():
            raise EntreeInvalide(f"correspondance « {texte} » illisible : CHAMP=COLONNE attendu (ex. nomCmq=Campus)")
        correspondance[champ.strip()] = colonne.strip()
    return correspondance


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


def _region_declaree(ligne: dict[str, str], cols: dict[str, str]) -> territoires.Territoire | None:
    """The row's région académique from its CodeRegion, else its CodeAcadémie (None when unreadable)."""
    for champ, echelle in (("codeRegion", "region_academique"), ("codeAcademie", "academie")):
        valeur = ligne[cols[champ]].strip() if champ in cols else ""
        try:
            if valeur and echelle == "academie":
                return territoires.resoudre(territoires.academie(valeur).region_academique, "region_academique")
            if valeur:
                return territoires.resoudre(valeur, echelle)
        except CmqError:
            continue
    return None


@dataclass
class _Ligne:
    """What the audit learnt about one row before resolution."""

    anomalies: list[str]
    uai: str | None
    implique: bool | None
    nom: str
    contexte: resolve.Contexte
    remplissage: bool = False
    domaine: adequation.DomaineLu | None = None  # None when the file has no formation-domain column


def _preparer(
    ligne: dict[str, str],
    cols: dict[str, str],
    regions: dict[str, str | None],
    filieres: dict[str, str | None],
    domaines: dict[str, adequation.DomaineLu],
) -> _Ligne:
    anomalies: list[str] = []
    uai = None
    try:
        uai = codes.normaliser_uai(ligne[cols["uai"]])
    except CmqError as erreur:
        anomalies.append(f"uai_invalide: {erreur}")
    nom = ligne[cols["nomCmq"]].strip()
    remplissage = est_remplissage(nom)
    if remplissage:
        anomalies.append(f"nom_cmq_non_renseigne: « {nom} »")
        nom = ""
    implique: bool | None = bool(nom)  # Orion's export has no cmqImplique: a campus name says it
    if "cmqImplique" in cols:
        try:
            implique = valeurs.booleen(ligne[cols["cmqImplique"]])
        except CmqError:
            implique = None
            anomalies.append(f"cmq_implique_illisible: « {ligne[cols['cmqImplique']]} »")
        if implique and not nom:
            anomalies.append("cmq_implique_sans_nom")
        if implique is False and nom:
            anomalies.append("nom_sans_cmq_implique")
    filiere_brute = ligne[cols["filiereCmq"]].strip()
    vide = not filiere_brute or est_remplissage(filiere_brute)
    filiere = None if vide else filieres.get(filiere_brute)
    if not vide and filiere is None:
        anomalies.append(f"filiere_illisible: « {filiere_brute} »")
    territoire = None
    if uai is not None and regions.get(uai):
        territoire = territoires.resoudre(regions[uai], "region_academique")
    else:
        territoire = _region_declaree(ligne, cols)
    contexte = resolve.Contexte(filiere=filiere, territoire=territoire)
    domaine = domaines[ligne[cols["nsf"]]] if "nsf" in cols else None
    return _Ligne(anomalies, uai, implique, nom, contexte, remplissage, domaine)


def _filiere(valeur: str) -> str | None:
    try:
        return filieres.code_de(valeur)
    except CmqError:
        return None


def auditer(
    chemin: Path | str,
    *,
    feuille: str | None = None,
    url: str | None = None,
    progression: Progression | None = None,
    correspondance: dict[str, str] | None = None,
) -> Audit:
    """Read and audit a file of requests (nothing is written); see the module docstring."""
    chemin = Path(chemin)
    tableau = lire_tableau(chemin, feuille=feuille)
    cols = colonnes_requises(tableau, correspondance)
    if not tableau.lignes:
        raise FichierIllisible(f"{tableau.nom} : aucune ligne de demande sous l'en-tête")
    index = resolve.index(url)
    uais = {u for ligne in tableau.lignes if codes.est_uai(u := ligne[cols["uai"]].strip().upper())}
    regions = _regions(uais, url)
    codes_filieres = {v: _filiere(v) for v in {ligne[cols["filiereCmq"]].strip() for ligne in tableau.lignes} if v}
    nsf_brutes = {ligne[cols["nsf"]] for ligne in tableau.lignes} if "nsf" in cols else set()
    domaines = {v: adequation.lire_domaine(v) for v in nsf_brutes}
    preparees = [_preparer(ligne, cols, regions, codes_filieres, domaines) for ligne in tableau.lignes]
    corrections: list[tuple[str, str] | None] = []
    existantes = {_cle(c): c for c in tableau.colonnes}
    ajoutees = {nom: existantes.get(_cle(nom), nom) for nom in AJOUTEES}  # an input column of that name is reused
    colonnes = tableau.colonnes + [c for c in ajoutees.values() if c not in tableau.colonnes]
    etat = _Etat(index, Synthese(lignes=len(preparees)), adequation.Controle(index), ajoutees)
    etat.formations.colonne_nsf = "nsf" in cols
    sorties: list[dict[str, object]] = []
    total = len(preparees)
    for debut in range(0, total, PAQUET):
        paquet = preparees[debut : debut + PAQUET]
        nommees = [p for p in paquet if p.nom]
        resolutions = iter(index.resoudre_lot([p.nom for p in nommees], [p.contexte for p in nommees]))
        for brute, p in zip(tableau.lignes[debut : debut + PAQUET], paquet, strict=True):
            r = next(resolutions) if p.nom else None
            sorties.append(_sortie(brute, p, r, etat))
            corrections.append(_correction(r, str(sorties[-1][ajoutees["anomalie"]])))
        if progression is not None:
            progression(ETAPE, min(debut + PAQUET, total), total)
    territoires_ = etat.territoires.lignes()
    return Audit(chemin, colonnes, sorties, etat.synthese, tableau, cols, corrections, etat.formations, territoires_)


@dataclass
class _Etat:
    """What `_sortie` reads (index, formation checks, column names) and updates (counts) across rows."""

    index: resolve.Index
    synthese: Synthese
    controle: adequation.Controle
    ajoutees: dict[str, str]
    formations: adequation.SyntheseFormations = field(default_factory=adequation.SyntheseFormations)
    territoires: adequation.Territoires = field(default_factory=adequation.Territoires)


def _correction(r: resolve.Resolution | None, anomalies: str) -> tuple[str, str] | None:
    """(canonical campus name, exact filière label) when the row is resolved with confidence."""
    if r is None or r.statut != "trouve" or r.filiere_incoherente or r.motif is not None:
        return None
    if "campus_hors_region" in anomalies:
        return None
    return r.campus_nom or "", filieres.get(r.candidats[0].filiere).libelle


def _formations(p: _Ligne, r: resolve.Resolution | None, anomalies: list[str], etat: _Etat) -> str:
    """Formation checks of a row (anomalies appended, counts updated); the `filieres_formation` cell."""
    if adequation.inattendu(anomalies):
        anomalies.append("cmq_inattendu")
        etat.formations.cmq_inattendus += 1
    d = p.domaine
    if d is None or (d.domaine is None and d.anomalie is None):
        return ""
    if d.anomalie is not None:
        anomalies.append(d.anomalie)
        etat.formations.domaines_illisibles += 1
        return ""
    domaine = d.domaine
    etat.formations.domaines_reconnus += 1
    etat.formations.domaines_sans_filiere += not domaine.filieres
    campus_id = r.campus_id if r is not None and r.statut == "trouve" else None
    hors = etat.controle.hors_filiere(domaine, p.contexte.filiere, campus_id)
    possible = etat.controle.possibles(domaine, p.uai) if r is None else None
    for anomalie in (hors, possible):
        if anomalie is not None:
            anomalies.append(anomalie)
    etat.formations.formations_hors_filiere += hors is not None
    etat.formations.cmq_possibles += possible is not None
    return " | ".join(domaine.filieres) or adequation.SANS_FILIERE


def _sortie(brute: dict[str, str], p: _Ligne, r: resolve.Resolution | None, etat: _Etat) -> dict[str, object]:
    """The output row, and the counts updated."""
    index, synthese, ajoutees = etat.index, etat.synthese, etat.ajoutees
    anomalies = list(p.anomalies)
    if r is not None and r.motif == "libelle_de_filiere":
        anomalies.append("nom_cmq_libelle_de_filiere")
    territoire = p.contexte.territoire
    if r is not None and r.statut == "trouve" and territoire is not None and r.campus_id in index.par_id:
        if not index.par_id[r.campus_id].lieux.contient(territoire):
            anomalies.append("campus_hors_region")
    if r is not None and r.statut == "trouve" and p.uai is not None:
        membres = index.membres.get(r.campus_id)
        if not membres:
            synthese.membres_non_renseignes += 1
        elif p.uai not in membres:
            anomalies.append("etablissement_non_membre")
            synthese.non_membres += 1
    filieres_formation = _formations(p, r, anomalies, etat)
    signalee = bool(anomalies)
    etat.territoires.ajouter(territoire, p.domaine, r is not None, etat.controle.membre(p.uai), signalee)
    synthese.mentions += r is not None
    synthese.remplissages += p.remplissage
    synthese.libelles_de_filiere += "nom_cmq_libelle_de_filiere" in anomalies
    synthese.hors_region += "campus_hors_region" in anomalies
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
        "filieres_formation": filieres_formation,
        "anomalie": "; ".join(anomalies),
    }
    return {**brute, **{ajoutees[k]: v for k, v in valeurs_ajoutees.items()}}


def _virgule(valeur: object) -> object:
    """A float written with a decimal comma ("93,9"); anything else unchanged."""
    return str(valeur).replace(".", ",") if isinstance(valeur, float) else valeur


def _conventions(audit: Audit) -> dict[str, object]:
    """CSV writing options that follow the input (Orion's CSV: `;` and a BOM)."""
    t = audit.tableau
    if t is None or t.separateur is None:
        return {}
    return {"separateur": t.separateur, "bom": t.encodage in ("utf-8-sig", "cp1252")}


def _typees(audit: Audit, colonnes: list[str], lignes: list[dict[str, object]]) -> list[list[object]]:
    """Rows as typed cells for a workbook (booleans, numbers, dates of Orion's dialect; XLSX numbers)."""
    depuis_xlsx = audit.tableau is not None and audit.tableau.separateur is None
    codes_ = {c for c in colonnes if _cle(c).startswith(("code", "uai", "numero", "ndemande"))}
    return [[valeur_typee(ligne.get(c, ""), depuis_xlsx and c not in codes_) for c in colonnes] for ligne in lignes]


def chemin_territoires(sortie: Path) -> Path:
    """`<sortie>_territoires.csv`: the summary per territory beside a CSV audit."""
    return fichiers.a_cote(sortie, "_territoires", ".csv")


def lignes_synthese(audit: Audit) -> list[tuple[str, int | str]]:
    """(French label, count) of the "synthese" sheet: the resolution counts, then the formation checks'."""
    formations = audit.formations.libelles() if audit.formations is not None else []
    return [*audit.synthese.libelles(), *formations]


def _territoires(audit: Audit) -> tuple[list[str], list[list[object]]]:
    colonnes = list(adequation.COLONNES_TERRITOIRES)
    return colonnes, [[ligne[c] for c in colonnes] for ligne in audit.territoires or []]


def ecrire(audit: Audit, sortie: Path | str | None = None) -> Path:
    """Write the audit (XLSX: sheets "audit", "synthese" and "territoires", typed cells; CSV: the rows in
    the input's conventions, and the summary per territory in `chemin_territoires`) atomically."""
    cible = verifier_sortie(audit.source, Path(sortie) if sortie is not None else chemin_par_defaut(audit.source))
    if cible.suffix.lower() == ".csv":
        resume = fichiers.sortie_distincte(audit.source, chemin_territoires(cible))
        conventions = _conventions(audit)
        lignes = audit.lignes
        if conventions.get("separateur") == ";":  # French conventions: decimal comma, as in Orion's numbers
            lignes = [{k: _virgule(v) for k, v in ligne.items()} for ligne in lignes]
        ecrit = ecrire_tableau(cible, audit.colonnes, lignes, **conventions)
        ecrire_tableau(resume, *_territoires(audit), **conventions)
        return ecrit
    feuilles = {
        "audit": (audit.colonnes, _typees(audit, audit.colonnes, audit.lignes)),
        "synthese": (["indicateur", "nombre"], lignes_synthese(audit)),
        "territoires": _territoires(audit),
    }
    with ecriture_atomique(cible, "wb") as flux:
        ecrire_xlsx(flux, feuilles)
    return cible


def chemin_corrige(chemin: Path) -> Path:
    """`<name>_corrige.<ext>` beside the input file."""
    return fichiers.a_cote(chemin, "_corrige")


def verifier_copie(entree: Path, cible: Path) -> Path:
    """The corrected copy's path: same extension as the input, never the input (nothing written)."""
    if cible.suffix.lower() != entree.suffix.lower():
        raise EntreeInvalide(f"copie corrigée « {cible.name} » : extension {entree.suffix.lower()} attendue")
    return fichiers.sortie_distincte(entree, cible)


def corriger(audit: Audit, sortie: Path | str | None = None) -> tuple[Path, int]:
    """A copy of the input where `nomCmq` holds the canonical campus name and `filiereCmq` the exact
    label, on the rows resolved with confidence; (path written, rows changed). Never the input."""
    if audit.tableau is None or audit.champs is None or audit.corrections is None:
        raise EntreeInvalide("audit sans tableau d'entrée : correction impossible")
    cible = verifier_copie(audit.source, Path(sortie) if sortie is not None else chemin_corrige(audit.source))
    nom, filiere = audit.champs["nomCmq"], audit.champs["filiereCmq"]
    lignes, changees = [], 0
    for ligne, correction in zip(audit.tableau.lignes, audit.corrections, strict=True):
        if correction is not None and (ligne[nom], ligne[filiere]) != correction:
            ligne = {**ligne, nom: correction[0], filiere: correction[1]}
            changees += 1
        lignes.append(ligne)
    colonnes = audit.tableau.colonnes
    if cible.suffix.lower() == ".xlsx":  # the input's sheet name, as Orion's export gives it
        feuille = audit.tableau.feuille or "Données"
        return ecrire_tableau(cible, colonnes, _typees(audit, colonnes, lignes), feuille=feuille), changees
    return ecrire_tableau(cible, colonnes, lignes, **_conventions(audit)), changees


# --- Audits kept on the server (the web page's « Conserver le résultat ») ------------------------------

DOSSIER_CONSERVES = "audits"
FORMAT_HORODATAGE = "%Y%m%dT%H%M%S%fZ"  # UTC, to the microsecond: names sort by time
MOTIF_CONSERVE = re.compile(r"(\d{8}T\d{12}Z)-[0-9a-f]{32}\.xlsx")
journal = logging.getLogger("cmq.audit")


@dataclass(frozen=True)
class Conserve:
    """A kept audit: its file name (`MOTIF_CONSERVE`), path, time (UTC) and sidecar (empty when unreadable)."""

    nom: str
    chemin: Path
    quand: datetime
    infos: dict[str, object]


def dossier_conserves() -> Path:
    """`audits/` in the data folder (not created)."""
    return db.dossier_donnees() / DOSSIER_CONSERVES


def _annexe(chemin: Path) -> Path:
    return chemin.with_suffix(".json")


def conserver(
    resultat: Audit, *, acteur: str, fichier: str, empreinte: str, taille: int, feuille: str | None = None
) -> Conserve:
    """Write the audit's workbook (`ecrire`) and its JSON sidecar in `dossier_conserves()`, atomically;
    ErreurEcriture (nothing left behind) when the folder cannot be created or written."""
    dossier = dossier_conserves()
    try:
        dossier.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as erreur:
        raise ErreurEcriture(f"impossible de créer le dossier « {dossier} » : {erreur.strerror or erreur}") from None
    quand = datetime.now(UTC)
    chemin = dossier / f"{quand:{FORMAT_HORODATAGE}}-{secrets.token_hex(16)}.xlsx"
    while chemin.exists() or _annexe(chemin).exists():  # 128 random bits: never in practice
        chemin = dossier / f"{quand:{FORMAT_HORODATAGE}}-{secrets.token_hex(16)}.xlsx"
    signalees = sum(1 for ligne in resultat.lignes if ligne.get("anomalie"))
    infos: dict[str, object] = {
        "nom": chemin.name,
        "quand": quand.isoformat(timespec="seconds"),
        "acteur": acteur,
        "fichier": fichier,
        "feuille": feuille,
        "taille": taille,
        "sha256": empreinte,
        "lignes": resultat.synthese.lignes,
        "signalees": signalees,
        "synthese": dict(lignes_synthese(resultat)),
    }
    ecrire(resultat, chemin)
    try:
        with ecriture_atomique(_annexe(chemin)) as flux:
            json.dump(infos, flux, ensure_ascii=False, indent=2)
    except BaseException:
        chemin.unlink(missing_ok=True)
        raise
    return Conserve(chemin.name, chemin, quand, infos)


def _infos(chemin: Path) -> dict[str, object]:
    try:
        infos = json.loads(_annexe(chemin).read_text(encoding="utf-8"))
    except (OSError, ValueError) as erreur:
        journal.warning("audit conservé %s : annexe illisible (%s)", chemin.name, type(erreur).__name__)
        return {}
    return infos if isinstance(infos, dict) else {}


def _lu(chemin: Path, correspondance: re.Match[str]) -> Conserve:
    quand = datetime.strptime(correspondance.group(1), FORMAT_HORODATAGE).replace(tzinfo=UTC)
    return Conserve(chemin.name, chemin, quand, _infos(chemin))


def visible(c: Conserve, acteur: Acteur) -> bool:
    """A kept audit holds requests of every territory: whoever kept it and the administrators see it."""
    return acteur.role is Role.administrateur or c.infos.get("acteur") == acteur.nom


def conserves(acteur: Acteur) -> list[Conserve]:
    """The kept audits `acteur` may see (`visible`), newest first (none when the folder does not exist)."""
    dossier = dossier_conserves()
    if not dossier.is_dir():
        return []
    trouves = []
    for chemin in dossier.iterdir():
        correspondance = MOTIF_CONSERVE.fullmatch(chemin.name)
        if correspondance is not None and chemin.is_file():
            trouves.append(_lu(chemin, correspondance))
    return sorted((c for c in trouves if visible(c, acteur)), key=lambda c: c.nom, reverse=True)


def conserve(nom: str, acteur: Acteur) -> Conserve:
    """The kept audit named `nom`; IntrouvableError when the name does not match `MOTIF_CONSERVE` (no
    path is built from it), no such audit is kept, or `acteur` may not see it (its existence untold)."""
    correspondance = MOTIF_CONSERVE.fullmatch(nom)
    if correspondance is None:
        raise IntrouvableError("audit conservé introuvable")
    chemin = dossier_conserves() / nom
    trouve = _lu(chemin, correspondance) if chemin.is_file() else None
    if trouve is None or not visible(trouve, acteur):
        raise IntrouvableError("audit conservé introuvable")
    return trouve


def supprimer_conserve(nom: str, acteur: Acteur) -> Conserve:
    """Delete the kept audit `nom` and its sidecar; IntrouvableError as `conserve`."""
    trouve = conserve(nom, acteur)
    _annexe(trouve.chemin).unlink(missing_ok=True)
    trouve.chemin.unlink(missing_ok=True)
    return trouve
