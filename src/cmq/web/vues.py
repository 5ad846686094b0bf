"""Data of the pages, read through the library (same functions as the CLI and the API)."""

import re
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
from cmq.models import Campus, Changement, Etablissement, Membre, MembreNomme, Partenaire
from cmq.store import historique, lecture
from cmq.texte import normaliser
from cmq.web import markdown

FICHIERS_GEO = {
    "region_academique": "/static/geo/regions.geojson",
    "academie": "/static/geo/academies.geojson",
    "departement": "/static/geo/departements.geojson",
}
ECHELLES_CARTE = tuple(FICHIERS_GEO)
HISTORIQUE_PAGE = 100  # changes shown in the « Historique » tab (all of them: the API, paginated)
# Sortable columns of the campus list: value of `tri` -> label of the column.
TRIS = {
    "nom": "Campus",
    "filiere": "Filière",
    "region": "Région académique",
    "siege": "Siège",
    "debut": "Période du label",
}


@cache
def noms(echelle: str) -> dict[str, str]:
    """Territory names of a scale by code."""
    return {t.code: t.nom for t in territoires.territoires(echelle)}


def nom_territoire(echelle: str, code: str | None) -> str | None:
    """Name of a territory (`territoires.nom`), the code itself if unknown, None without code."""
    return None if code is None else territoires.nom(echelle, code) or code


@cache
def choix_filtres() -> dict[str, list[tuple[str, str, str | None]]]:
    """Options (value, label, région académique code) of the select fields of the campus list: the
    région lets the page narrow the académies and départements to the chosen région."""
    region_academie = {a.code: a.region_academique for a in territoires.academies()}
    return {
        "filiere": [(f.code, f.libelle, None) for f in filieres.all()],
        "region_academique": [(code, nom, None) for code, nom in noms("region_academique").items()],
        "academie": [(code, nom, region_academie.get(code)) for code, nom in noms("academie").items()],
        "departement": [
            (d.code, f"{d.code} — {d.nom}", region_academie.get(d.academie)) for d in territoires.departements()
        ],
    }


def _cle_tri(tri: str):
    """Sort key of a campus for the column `tri` (accents and case ignored, unknown values last)."""

    def cle(c: Campus) -> tuple:
        valeur = {
            "nom": c.nom,
            "filiere": filieres.get(c.filiere).libelle_court,
            "region": nom_territoire("region_academique", c.region_academique),
            "siege": c.ville_siege,
            "debut": c.date_debut_label.isoformat() if c.date_debut_label else None,
        }[tri]
        return (valeur is None, normaliser(valeur or ""), normaliser(c.nom))

    return cle


def trier_campus(campus: list[Campus], tri: str, decroissant: bool) -> list[Campus]:
    """Campuses sorted by a column of the list (by name by default); unknown values stay last."""
    connus = sorted((c for c in campus if _cle_tri(tri)(c)[0] is False), key=_cle_tri(tri), reverse=decroissant)
    return connus + sorted((c for c in campus if _cle_tri(tri)(c)[0]), key=_cle_tri("nom"))


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
    """Indicators of France and of every territory of the three scales at one date, the map points
    and the change over time by filière."""

    jour: date
    echelle: str
    france: LigneIndicateurs
    regions: list[LigneIndicateurs]
    academies: list[LigneIndicateurs]
    departements: list[LigneIndicateurs]
    points: list[dict[str, Any]]
    sans_coordonnees: int
    excellence_non_renseignee: int  # campuses valid at the date whose excellence is unknown (not « non »)
    evolution: "Evolution"

    def par_filiere(self) -> list[dict[str, Any]]:
        """The 12 filières with their number of campuses at the date (chart bars, in cmq.md order)."""
        return [
            {"code": f.code, "libelle": f.libelle, "libelle_court": f.libelle_court, "nb": self.france.filieres[f.code]}
            for f in filieres.all()
        ]

    def donnees_carte(self) -> dict[str, Any]:
        """What carte.js needs: campus counts by territory of the three scales, seats, GeoJSON files."""
        echelles = {"region_academique": self.regions, "academie": self.academies, "departement": self.departements}
        return donnees_choroplethe(
            self.echelle,
            {e: [(lg.code, lg.nom, lg.nb_campus) for lg in lignes] for e, lignes in echelles.items()},
            self.points,
            {"actif_le": self.jour.isoformat()},
        )

    def table_filieres(self) -> tuple[list[str], list[list[Any]]]:
        colonnes = ["code", "libelle", f"nb_campus_le_{self.jour.isoformat()}"]
        return colonnes, [[lg["code"], lg["libelle"], lg["nb"]] for lg in self.par_filiere()]


def donnees_choroplethe(
    echelle: str, valeurs: dict[str, list[tuple[str, str, int]]], points: list[dict[str, Any]], filtres: dict
) -> dict[str, Any]:
    """Data of a choropleth map (carte.js): {scale: [(code, name, campuses)]}, points, filters of its links."""
    return {
        "echelle": echelle,
        "territoires": {e: {code: {"nom": nom, "nb": nb} for code, nom, nb in lignes} for e, lignes in valeurs.items()},
        "campus": points,
        "geo": FICHIERS_GEO,
        "filtres": filtres,
    }


@dataclass
class Evolution:
    """Campuses with a label valid at the rentrée (1 September) of each year, by filière.

    Same date rule as `cmq indicateurs evolution` (`Campus.actif_le`): a campus without a known label
    start date counts every year; `sans_date` says how many they are."""

    annees: list[int]
    par_filiere: dict[str, list[int]]  # filière code -> count per year
    totaux: list[int]
    sans_date: int
    total_campus: int

    def series(self) -> list[dict[str, Any]]:
        """Chart series: the filières that have at least one campus over the period."""
        return [
            {"code": f.code, "libelle": f.libelle, "libelle_court": f.libelle_court, "nb": self.par_filiere[f.code]}
            for f in filieres.all()
            if any(self.par_filiere[f.code])
        ]

    def table(self) -> tuple[list[str], list[list[Any]]]:
        colonnes = ["annee", "date", "filiere", "libelle", "nb_campus"]
        lignes = [
            [annee, f"{annee}-{indicateurs.JOUR_DE_RENTREE}", f.code, f.libelle, self.par_filiere[f.code][rang]]
            for rang, annee in enumerate(self.annees)
            for f in filieres.all()
        ]
        return colonnes, lignes


def evolution(campus: list[Campus], jusqua: int) -> Evolution:
    """Evolution by filière from the first known label year to `jusqua`."""
    debuts = [c.date_debut_label.year for c in campus if c.date_debut_label]
    annees = list(range(min(debuts, default=jusqua), jusqua + 1))
    par_filiere = {f: [0] * len(annees) for f in filieres.codes()}
    for rang, annee in enumerate(annees):
        rentree = indicateurs.jour(f"{annee}-{indicateurs.JOUR_DE_RENTREE}")
        for c in campus:
            if c.actif_le(rentree):
                par_filiere[c.filiere][rang] += 1
    totaux = [sum(par_filiere[f][rang] for f in par_filiere) for rang in range(len(annees))]
    return Evolution(
        annees=annees,
        par_filiere=par_filiere,
        totaux=totaux,
        sans_date=sum(c.date_debut_label is None for c in campus),
        total_campus=len(campus),
    )


def tableau_de_bord(s: Session, jour: date, echelle: str) -> TableauDeBord:
    """Dashboard data at `jour` (four indicator queries and two campus queries)."""
    demandes = [t for e in ("france", *ECHELLES_CARTE) for t in territoires.territoires(e)]
    lignes = indicateurs.calculer(s, jour, demandes)
    tous, _ = lecture.lister_campus(s)
    actifs = [c for c in tous if c.actif_le(jour)]
    points = [p for p in map(point_campus, actifs) if p is not None]
    return TableauDeBord(
        jour=jour,
        echelle=echelle,
        france=lignes[0],
        regions=[lg for lg in lignes if lg.echelle == "region_academique"],
        academies=[lg for lg in lignes if lg.echelle == "academie"],
        departements=[lg for lg in lignes if lg.echelle == "departement"],
        points=points,
        sans_coordonnees=len(actifs) - len(points),
        excellence_non_renseignee=sum(c.excellence is None for c in actifs),
        evolution=evolution(tous, max(jour.year, date.today().year)),
    )


# --- Campus -------------------------------------------------------------------------------------


@dataclass
class FicheCampus:
    """A campus with its members, partners and the points of its map."""

    campus: Campus
    membres: list[tuple[Membre, Etablissement | None]]
    partenaires: list[Partenaire]
    membres_nommes: list[MembreNomme] = field(default_factory=list)
    historique: list[Changement] = field(default_factory=list)  # the latest HISTORIQUE_PAGE changes
    total_historique: int = 0
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

    def sources(self) -> list[dict[str, Any]]:
        """Sources of the record: the provenance, then the sites cited by the curation note (domains
        in brackets); the raw note itself is a curation aid, never shown."""
        return sources_campus(self.campus)

    def table_membres(self) -> tuple[list[str], list[list[Any]]]:
        colonnes = ["campus_id", "uai", "nom", "type", "commune", "departement", "role"]
        return colonnes, [
            [self.campus.id, m.uai, e and e.nom, e and e.type, e and e.nom_commune, e and e.departement, m.role.value]
            for m, e in self.membres
        ]

    def table_partenaires(self) -> tuple[list[str], list[list[Any]]]:
        colonnes = ["campus_id", "nom", "nature", "siret"]
        return colonnes, [[self.campus.id, p.nom, p.nature.value, p.siret] for p in self.partenaires]


_DOMAINE = re.compile(r"\(([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\)", re.IGNORECASE)


def sources_campus(c: Campus) -> list[dict[str, Any]]:
    """[{nom, url, date}] of a campus: its provenance first, then the domains cited in its note."""
    sources = []
    if c.provenance.source_nom or c.provenance.source_url:
        sources.append(
            {
                "nom": c.provenance.source_nom or c.provenance.source_url,
                "url": c.provenance.source_url,
                "date": c.provenance.date_recuperation,
            }
        )
    vus = {(c.provenance.source_nom or "").lower()}
    for domaine in _DOMAINE.findall(c.note or ""):
        if domaine.lower() not in vus:
            vus.add(domaine.lower())
            sources.append({"nom": domaine, "url": None, "date": None})
    return sources


def table_identite_campus(s: Session, identifiant: str) -> tuple[list[str], list[list[Any]]]:
    """The campus's row of the campus export (`extraction.table_campus`, the API's columns)."""
    colonnes, lignes = extraction.table_campus(s)
    rang = colonnes.index("id")
    return colonnes, [ligne for ligne in lignes if ligne[rang] == identifiant]


def fiche_campus(s: Session, identifiant: str) -> FicheCampus:
    """The campus `identifiant` (IntrouvableError with close identifiers otherwise)."""
    campus = lecture.campus(s, identifiant)
    changements, total = historique.du_campus(s, campus.id, limite=HISTORIQUE_PAGE)
    return FicheCampus(
        campus=campus,
        membres=lecture.membres(s, campus.id),
        partenaires=lecture.partenaires(s, campus.id),
        membres_nommes=lecture.membres_nommes(s, campus.id),
        historique=changements,
        total_historique=total,
    )


# --- Établissements ------------------------------------------------------------------------------


@dataclass
class FicheEtablissement:
    """An establishment and the campuses it belongs to, with its role in each."""

    etablissement: Etablissement
    campus: list[tuple[Campus, str]]

    def points(self) -> list[dict[str, Any]]:
        """The establishment and the seats of its campuses that have coordinates."""
        e = self.etablissement
        points = []
        if e.latitude is not None and e.longitude is not None:
            detail = f"{e.type or 'établissement'} — {e.nom_commune or ''}".rstrip(" —")
            points.append(
                {"nature": "etablissement", "id": e.uai, "nom": e.nom, "lat": e.latitude, "lon": e.longitude}
                | {"detail": detail, "lien": f"/etablissements/{e.uai}"}
            )
        for c, _role in self.campus:
            if (point := point_campus(c)) is not None:
                points.append(point | {"detail": f"siège du campus ({point['detail']})"})
        return points

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
    """The filière of a page path (its code or an alias, e.g. « btp »); IntrouvableError (404) when
    no filière or several match."""
    try:
        return filieres.get(filieres.code_de(code))
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


def donnees_carte_filiere(donnees: IndicateursFiliere, echelle: str) -> dict[str, Any]:
    """Choropleth of a filière's campuses by territory at its date, with their seats."""
    valeurs = {e: [] for e in ECHELLES_CARTE}
    for t in donnees.territoires:
        if t.echelle in valeurs:
            valeurs[t.echelle].append((t.code, t.nom, t.nb_campus))
    points = [p for p in map(point_campus, donnees.campus) if p is not None]
    return donnees_choroplethe(
        echelle, valeurs, points, {"filiere": donnees.filiere, "actif_le": donnees.date.isoformat()}
    )


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
