"""Data of the pages, read through the library (same functions as the CLI and the API)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from cmq import extraction, filieres, glossaire, indicateurs, territoires
from cmq.errors import CodeInvalide, FiliereInconnue, IntrouvableError
from cmq.filieres import Filiere
from cmq.indicateurs import IndicateursFiliere, LigneIndicateurs
from cmq.models import Campus, Etablissement, Membre, Partenaire
from cmq.store import lecture
from cmq.web import markdown

FICHIERS_GEO = {"region_academique": "/static/geo/regions.geojson", "departement": "/static/geo/departements.geojson"}


@cache
def noms(echelle: str) -> dict[str, str]:
    """Territory names of a scale by code."""
    return {t.code: t.nom for t in territoires.territoires(echelle)}


def nom_territoire(echelle: str, code: str | None) -> str | None:
    """Name of a territory (`territoires.nom`), the code itself if unknown, None without code."""
    return None if code is None else territoires.nom(echelle, code) or code


@cache
def choix_filtres() -> dict[str, list[tuple[str, str]]]:
    """Options (value, label) of the select fields of the campus list."""
    return {
        "filiere": [(f.code, f.libelle) for f in filieres.all()],
        "region_academique": list(noms("region_academique").items()),
        "academie": list(noms("academie").items()),
        "departement": [(code, f"{code} — {nom}") for code, nom in noms("departement").items()],
    }


def point_campus(c: Campus) -> dict[str, Any] | None:
    """Map point of a campus seat, None without coordinates."""
    if c.latitude is None or c.longitude is None:
        return None
    return {
        "nature": "siege",
        "id": c.id,
        "nom": c.nom,
        "detail": filieres.get(c.filiere).libelle_court,
        "lat": c.latitude,
        "lon": c.longitude,
        "lien": f"/campus/{c.id}",
    }


# --- Dashboard ----------------------------------------------------------------------------------


@dataclass
class TableauDeBord:
    """Indicators of France, the régions académiques and départements at one date, and the map points."""

    jour: date
    echelle: str
    france: LigneIndicateurs
    regions: list[LigneIndicateurs]
    departements: list[LigneIndicateurs]
    points: list[dict[str, Any]]
    sans_coordonnees: int

    def par_filiere(self) -> list[dict[str, Any]]:
        """The 12 filières with their number of campuses at the date (chart bars, in cmq.md order)."""
        return [
            {"code": f.code, "libelle": f.libelle, "libelle_court": f.libelle_court, "nb": self.france.filieres[f.code]}
            for f in filieres.all()
        ]

    def donnees_carte(self) -> dict[str, Any]:
        """What carte.js needs: campus counts by territory of both scales, seats, GeoJSON files."""
        echelles = {"region_academique": self.regions, "departement": self.departements}
        return {
            "jour": self.jour.isoformat(),
            "echelle": self.echelle,
            "territoires": {
                e: {lg.code: {"nom": lg.nom, "nb": lg.nb_campus} for lg in lignes} for e, lignes in echelles.items()
            },
            "campus": self.points,
            "geo": FICHIERS_GEO,
        }


def tableau_de_bord(s: Session, jour: date, echelle: str) -> TableauDeBord:
    """Dashboard data at `jour` (four indicator queries and one campus query)."""
    demandes = [t for e in ("france", "region_academique", "departement") for t in territoires.territoires(e)]
    lignes = indicateurs.calculer(s, jour, demandes)
    actifs, _ = lecture.lister_campus(s, actif_le=jour)
    points = [p for p in map(point_campus, actifs) if p is not None]
    return TableauDeBord(
        jour=jour,
        echelle=echelle,
        france=lignes[0],
        regions=[lg for lg in lignes if lg.echelle == "region_academique"],
        departements=[lg for lg in lignes if lg.echelle == "departement"],
        points=points,
        sans_coordonnees=len(actifs) - len(points),
    )


# --- Campus -------------------------------------------------------------------------------------


@dataclass
class FicheCampus:
    """A campus with its members, partners and the points of its map."""

    campus: Campus
    membres: list[tuple[Membre, Etablissement | None]]
    partenaires: list[Partenaire]
    filiere: Filiere = field(init=False)

    def __post_init__(self) -> None:
        self.filiere = filieres.get(self.campus.filiere)

    @property
    def region(self) -> str | None:
        return nom_territoire("region_academique", self.campus.region_academique)

    @property
    def academies(self) -> list[tuple[str, str]]:
        return [(code, nom_territoire("academie", code)) for code in self.campus.academies]

    def points(self) -> list[dict[str, Any]]:
        """The seat and the member establishments that have coordinates."""
        siege = point_campus(self.campus)
        points = [siege | {"detail": "siège du campus"}] if siege else []
        for membre, e in self.membres:
            if e is not None and e.latitude is not None and e.longitude is not None:
                points.append(
                    {
                        "nature": "membre",
                        "id": e.uai,
                        "nom": e.nom,
                        "lat": e.latitude,
                        "lon": e.longitude,
                        "detail": f"{membre.role.value} — {e.nom_commune or ''}".rstrip(" —"),
                        "lien": f"/etablissements/{e.uai}",
                    }
                )
        return points

    def table_membres(self) -> tuple[list[str], list[list[Any]]]:
        colonnes = ["campus_id", "uai", "nom", "type", "commune", "departement", "role"]
        return colonnes, [
            [self.campus.id, m.uai, e and e.nom, e and e.type, e and e.nom_commune, e and e.departement, m.role.value]
            for m, e in self.membres
        ]

    def table_partenaires(self) -> tuple[list[str], list[list[Any]]]:
        colonnes = ["campus_id", "nom", "nature", "siret"]
        return colonnes, [[self.campus.id, p.nom, p.nature.value, p.siret] for p in self.partenaires]


def table_identite_campus(s: Session, identifiant: str) -> tuple[list[str], list[list[Any]]]:
    """The campus's row of the campus export (`extraction.table_campus`, the API's columns)."""
    colonnes, lignes = extraction.table_campus(s)
    rang = colonnes.index("id")
    return colonnes, [ligne for ligne in lignes if ligne[rang] == identifiant]


def fiche_campus(s: Session, identifiant: str) -> FicheCampus:
    """The campus `identifiant` (IntrouvableError with close identifiers otherwise)."""
    campus = lecture.campus(s, identifiant)
    return FicheCampus(
        campus=campus, membres=lecture.membres(s, campus.id), partenaires=lecture.partenaires(s, campus.id)
    )


# --- Établissements ------------------------------------------------------------------------------


@dataclass
class FicheEtablissement:
    """An establishment and the campuses it belongs to, with its role in each."""

    etablissement: Etablissement
    campus: list[tuple[Campus, str]]

    def table_identite(self) -> tuple[list[str], list[list[Any]]]:
        colonnes = list(Etablissement.model_fields)
        return colonnes, [[getattr(self.etablissement, c) for c in colonnes]]

    def table_campus(self, jour: date) -> tuple[list[str], list[list[Any]]]:
        colonnes = [
            "uai",
            "campus_id",
            "campus",
            "filiere",
            "role",
            "date_debut_label",
            "date_fin_label",
            f"label_valide_le_{jour.isoformat()}",
        ]
        return colonnes, [
            [
                self.etablissement.uai,
                c.id,
                c.nom,
                c.filiere,
                role,
                c.date_debut_label,
                c.date_fin_label,
                c.actif_le(jour),
            ]
            for c, role in self.campus
        ]


def fiche_etablissement(s: Session, uai: str) -> FicheEtablissement:
    """The establishment `uai`: IntrouvableError when unknown or malformed (a page that cannot exist)."""
    try:
        etablissement = lecture.etablissement(s, uai)
    except CodeInvalide as erreur:
        raise IntrouvableError(f"établissement introuvable : {erreur}") from None
    liste = []
    for c in lecture.campus_de_l_etablissement(s, etablissement.uai):
        role = next((m.role.value for m, _ in lecture.membres(s, c.id) if m.uai == etablissement.uai), "membre")
        liste.append((c, role))
    return FicheEtablissement(etablissement=etablissement, campus=liste)


# --- Filières ------------------------------------------------------------------------------------


def filiere_de_la_page(code: str) -> Filiere:
    """The filière of a page path; IntrouvableError (404) when the code is unknown."""
    try:
        return filieres.get(code)
    except FiliereInconnue as erreur:
        raise IntrouvableError(str(erreur)) from None


def liste_filieres(s: Session, jour: date) -> list[dict[str, Any]]:
    """The 12 filières with their number of campuses (all, and with a label valid at `jour`)."""
    tous, _ = lecture.lister_campus(s)
    total = Counter(c.filiere for c in tous)
    actifs = Counter(c.filiere for c in tous if c.actif_le(jour))
    return [{"filiere": f, "nb_campus": total[f.code], "nb_actifs": actifs[f.code]} for f in filieres.all()]


def table_filieres(lignes: list[dict[str, Any]], jour: date) -> tuple[list[str], list[list[Any]]]:
    colonnes = ["code", "libelle", "libelle_court", "url", "nb_campus", f"nb_campus_actifs_le_{jour.isoformat()}"]
    return colonnes, [
        [
            lg["filiere"].code,
            lg["filiere"].libelle,
            lg["filiere"].libelle_court,
            lg["filiere"].url,
            lg["nb_campus"],
            lg["nb_actifs"],
        ]
        for lg in lignes
    ]


def table_territoires_filiere(donnees: IndicateursFiliere) -> tuple[list[str], list[list[Any]]]:
    colonnes = ["filiere", "echelle", "code", "nom", "nb_campus"]
    return colonnes, [[donnees.filiere, t.echelle, t.code, t.nom, t.nb_campus] for t in donnees.territoires]


def definition_cmq() -> str:
    """The definition paragraph of the glossary entry « CMQ » (its first quotation block), as HTML."""
    lignes = glossaire.entree("cmq").content.strip().splitlines()
    bloc = []
    for ligne in lignes:
        if not ligne.startswith(">"):
            if bloc:
                break
            continue
        bloc.append(ligne)
    return markdown.en_html("\n".join(bloc))
