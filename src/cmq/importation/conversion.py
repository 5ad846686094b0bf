"""Raw row (dict from a file or a portal) -> cmq objects, or a French rejection reason.

One converter per kind of row. Campus, members and partners go through their pydantic models;
establishments (up to 65,000 rows from the annuaire) are validated with the very validators of
`cmq.models.Etablissement` (`cmq.codes`, bounds) straight into table rows: about 9 µs a row for
parsing and validation together, where `model_validate` alone takes 15 µs; same result (tested).

A campus row carrying the support establishment's UAI also yields a `support` member; the
establishment itself is created (insert only, never overwriting the directory) only when the
row also gives its name ("Établissement support"): otherwise the member refers to the UAI alone.
A campus has one support: the previous support of the campus becomes a plain member.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from cmq import codes, organisations, saisie
from cmq.errors import CmqError, EntreeInvalide, FiliereInconnue
from cmq.importation import valeurs
from cmq.importation.colonnes import Correspondance
from cmq.models import Campus, Membre, MembreNomme, Partenaire, Provenance
from cmq.store.conversion import membre_nomme_vers_dict, membre_vers_dict, partenaire_vers_dict
from cmq.texte import normaliser, slug

LONGUEUR_ID_MAX = 80

NATURES = {
    "entreprise": (
        "entreprise",
        "entreprises",
        "societe",
        "pme",
        "tpe",
        "eti",
        "grand groupe",
        "groupe",
        "industriel",
        "start up",
        "startup",
    ),
    "laboratoire": ("laboratoire", "labo", "laboratoire de recherche", "recherche", "centre de recherche"),
    "association": ("association", "asso", "associatif"),
    "collectivite": (
        "collectivite",
        "collectivite territoriale",
        "collectivites",
        "region",
        "conseil regional",
        "departement",
        "commune",
        "mairie",
        "metropole",
        "epci",
        "intercommunalite",
    ),
    "branche": (
        "branche",
        "branche professionnelle",
        "organisation professionnelle",
        "federation",
        "federation professionnelle",
        "syndicat professionnel",
        "opco",
        "chambre consulaire",
    ),
    "autre": ("autre", "autres", "divers"),
}
_NATURES = {normaliser(alias): nature for nature, alias_ in NATURES.items() for alias in alias_}


_FORMULES = re.compile(
    r"campus des m[ée]tiers et des qualifications|campus d'excellence|d'excellence|\bCMQ\b|^campus\b",
    re.IGNORECASE,
)
_TETE = re.compile(r"^(?:de la |de l'|des |du |de |d')", re.IGNORECASE)


def nom_court(nom: str) -> str:
    """The name without the usual formulas ("Campus des métiers et des qualifications", "CMQ"…)."""
    court = re.sub(r"\s+", " ", _FORMULES.sub(" ", nom)).strip(" ,/-")
    return _TETE.sub("", court) or nom


def identifiant_campus(nom: str, sigle: str | None = None) -> str:
    """Stable campus id: slug of the acronym if any (prefixed "cmq-" when under 5 characters), else
    of the short name; at most 80 characters, cut on a word boundary.

    >>> identifiant_campus("Campus des métiers et des qualifications Urbanisme et Construction")
    'urbanisme-et-construction'
    >>> identifiant_campus("Campus des métiers et des qualifications Maintenance", "MSI")
    'cmq-msi'
    """
    ident = slug(sigle or "") or slug(nom_court(nom or ""))
    if sigle and slug(sigle) and len(ident) < 5:
        ident = f"cmq-{ident}"
    while len(ident) > LONGUEUR_ID_MAX and "-" in ident:
        ident = ident.rsplit("-", 1)[0]
    if not ident:
        raise EntreeInvalide(f"nom de campus sans lettre ni chiffre : « {nom} »")
    return ident[:LONGUEUR_ID_MAX]


# --- filières ------------------------------------------------------------------------------


def code_filiere(valeur: Any) -> str:
    """The filière code of a cell (code, label or free text, `filieres.code_de`)."""
    from cmq import filieres  # only campus rows have a filière: the annuaire does not load it

    brut = valeurs.texte(valeur)
    if brut is None:
        raise FiliereInconnue("filière vide")
    return filieres.code_de(brut)


# --- errors ------------------------------------------------------------------------------------


def _valider(modele, donnees: dict[str, Any]):
    try:
        return modele.model_validate(donnees)
    except ValidationError as erreur:
        raise EntreeInvalide(saisie.raison_validation(erreur.errors())) from None


# --- context and results ------------------------------------------------------------------------


@dataclass
class Contexte:
    """What converters need from the store: the known campus (id -> name)."""

    campus: dict[str, str] = field(default_factory=dict)
    _par_nom: dict[str, str] | None = None

    def par_nom(self, nom: str) -> str | None:
        """Id of the known campus with this name (accents, case, punctuation ignored), or None."""
        if self._par_nom is None:
            self._par_nom = {normaliser(n): i for i, n in self.campus.items()}
        return self._par_nom.get(normaliser(nom))

    def campus_id(self, ident: Any, nom: Any) -> str:
        """Id of a known campus given by id or by name; EntreeInvalide (with close names) otherwise."""
        ident, nom = valeurs.texte(ident), valeurs.texte(nom)
        if ident:
            if ident in self.campus:
                return ident
            raise EntreeInvalide(f"campus inconnu « {ident} » : importez d'abord les campus")
        if not nom:
            raise EntreeInvalide("campus absent (identifiant ou nom du campus attendu)")
        trouve = self.par_nom(nom)
        if trouve is None and identifiant_campus(nom) in self.campus:
            trouve = identifiant_campus(nom)
        if trouve:
            return trouve
        from rapidfuzz import fuzz, process  # only to suggest names in this message

        proches = [
            self.campus[i]
            for _, _, i in process.extract(
                normaliser(nom),
                {i: normaliser(n) for i, n in self.campus.items()},
                scorer=fuzz.WRatio,
                limit=2,
                score_cutoff=80,
            )
        ]
        suite = f" ; proches : {', '.join(proches)}" if proches else " : importez d'abord les campus"
        raise EntreeInvalide(f"campus inconnu « {nom} »{suite}")


@dataclass(slots=True)
class Resultat:
    """The objects one valid row yields; `cle` identifies the row's main object (duplicates)."""

    cle: Hashable
    campus: Campus | None = None
    etablissement: dict[str, Any] | None = None
    membre: dict[str, Any] | None = None
    membre_nomme: dict[str, Any] | None = None  # a member without a UAI, known by name
    partenaire: dict[str, Any] | None = None
    etablissement_support: dict[str, Any] | None = None  # inserted only if the UAI is unknown


class _Lecteur:
    """Access to the fields of a raw row through a Correspondance, plus the conversion options."""

    def __init__(
        self,
        correspondance: Correspondance,
        contexte: Contexte | None = None,
        provenance: Provenance | None = None,
        inclure_fermes: bool = False,
    ):
        self.champs = correspondance.champs
        self.contexte = contexte or Contexte()
        self.provenance = provenance  # default provenance of campus rows (remote sources)
        self.inclure_fermes = inclure_fermes  # establishments: keep closed ones

    def brut(self, ligne: dict[str, Any], champ: str) -> Any:
        colonne = self.champs.get(champ)
        return ligne.get(colonne) if colonne is not None else None

    def texte(self, ligne: dict[str, Any], champ: str) -> str | None:
        return valeurs.texte(self.brut(ligne, champ))

    def coordonnees(self, ligne: dict[str, Any]) -> tuple[float | None, float | None]:
        lat = valeurs.coordonnee(self.brut(ligne, "latitude"), "latitude", 90)
        lon = valeurs.coordonnee(self.brut(ligne, "longitude"), "longitude", 180)
        if lat is None and lon is None and "geo_point" in self.champs:
            return valeurs.point(self.brut(ligne, "geo_point"))
        return lat, lon


# --- converters --------------------------------------------------------------------------------


class ConvertisseurCampus(_Lecteur):
    """Campus rows (flat `Campus` fields, plus the support establishment's UAI and name)."""

    def convertir(self, ligne: dict[str, Any]) -> Resultat:
        t = lambda champ: self.texte(ligne, champ)  # noqa: E731
        nom = t("nom")
        # No id column: a stored campus of the same name keeps its id, else the id comes from the name.
        ident = t("id") or (self.contexte.par_nom(nom) or identifiant_campus(nom, t("sigle")) if nom else None)
        academies, region = [], None
        for a in valeurs.liste(self.brut(ligne, "academies")):
            code, region_a = valeurs.academie(a)
            academies.append(code)
            region = region or region_a
        if t("region_academique"):
            region = valeurs.region_academique(t("region_academique"))
        lat, lon = self.coordonnees(ligne)
        debut = valeurs.jour(self.brut(ligne, "date_debut_label"), "date de début du label")
        if debut is None:
            debut = valeurs.annee(self.brut(ligne, "annee_label"))
        fin = valeurs.jour(self.brut(ligne, "date_fin_label"), "date de fin du label")
        if fin is None and t("duree_label"):
            if debut is None:
                raise EntreeInvalide(f"durée du label « {t('duree_label')} » sans date de début")
            fin = valeurs.fin_selon_duree(debut, t("duree_label"))
        provenance = {
            "source_nom": t("source_nom"),
            "source_url": t("source_url"),
            "date_recuperation": valeurs.jour(self.brut(ligne, "date_recuperation"), "date de récupération"),
        }
        if self.provenance:
            provenance = {k: v or getattr(self.provenance, k) for k, v in provenance.items()}
        campus = _valider(
            Campus,
            {
                "id": ident,
                "nom": nom or ident,
                "sigle": t("sigle"),
                "filiere": code_filiere(t("filiere")),
                "excellence": valeurs.booleen(self.brut(ligne, "excellence")),
                "region_academique": region,
                "academies": list(dict.fromkeys(academies)),
                "ville_siege": t("ville_siege"),
                "code_commune_siege": t("code_commune_siege"),
                "latitude": lat,
                "longitude": lon,
                "date_debut_label": debut,
                "date_fin_label": fin,
                "reference_arrete": t("reference_arrete"),
                "site_web": t("site_web"),
                "uai_support": t("uai_support"),
                "description": t("description"),
                "note": t("note"),
                "provenance": provenance,
            },
        )
        resultat = Resultat(cle=campus.id, campus=campus)
        if campus.uai_support:
            support = Membre(
                campus_id=campus.id, uai=campus.uai_support, role="support", source_url=campus.provenance.source_url
            )
            resultat.membre = membre_vers_dict(support)
            if t("etablissement_support"):
                resultat.etablissement_support = etablissement_minimal(campus.uai_support, t("etablissement_support"))
        return resultat


def etablissement_minimal(uai: str, nom: str) -> dict[str, Any]:
    """An `etablissements` row knowing only the UAI and the name."""
    ligne = dict.fromkeys(COLONNES_ETABLISSEMENT)
    ligne.update(uai=uai, nom=nom)
    return ligne


COLONNES_ETABLISSEMENT = (
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
ETATS_FERMES = {"ferme", "fermee", "fermes"}


class ConvertisseurEtablissement(_Lecteur):
    """Establishment rows (annuaire de l'éducation or any directory); closed ones may be skipped."""

    def __init__(self, *args, **options):
        super().__init__(*args, **options)
        absente = object()  # key of no row: fields without a column read as None
        self._colonnes = tuple(self.champs.get(champ, absente) for champ in self.CHAMPS)
        self._geo = self.champs.get("geo_point")

    CHAMPS = ("etat", *COLONNES_ETABLISSEMENT)

    def convertir(self, ligne: dict[str, Any]) -> Resultat | None:
        # Hot path (65,000 rows): column names looked up once, cached code look-ups.
        texte, get = valeurs.texte, ligne.get
        (
            etat,
            uai,
            nom,
            type_,
            secteur,
            commune,
            nom_commune,
            code_postal,
            brut_dep,
            brut_acad,
            brut_reg,
            brut_lat,
            brut_lon,
        ) = [(v.strip() or None) if v.__class__ is str else texte(v) for v in [get(c) for c in self._colonnes]]
        if etat and not self.inclure_fermes and est_ferme(etat):
            return None
        uai = codes.normaliser_uai(uai or "")
        if not nom:
            raise EntreeInvalide("nom : valeur vide")
        departement = academie = region = None
        if brut_dep:
            departement, academie, region = valeurs.departement(brut_dep)
        if brut_acad:
            academie, region_a = valeurs.academie(brut_acad)
            region = region or region_a
        if brut_reg:
            region = valeurs.region_academique(brut_reg)
        commune = _commune(commune) if commune else None
        if departement is None and commune is not None:  # no département given: the commune's
            departement, academie_c, region_c = valeurs.departement(codes.departement_de_commune(commune))
            academie, region = academie or academie_c, region or region_c
        if code_postal and len(code_postal) == 4 and code_postal.isdigit():
            code_postal = "0" + code_postal  # leading zero lost by a spreadsheet
        lat = valeurs.coordonnee(brut_lat, "latitude", 90) if brut_lat else None
        lon = valeurs.coordonnee(brut_lon, "longitude", 180) if brut_lon else None
        if lat is None and lon is None and self._geo is not None:
            lat, lon = valeurs.point(ligne.get(self._geo))
        return Resultat(
            cle=uai,
            etablissement={
                "uai": uai,
                "nom": nom,
                "type": type_,
                "secteur": _secteur(secteur) if secteur else None,
                "code_commune": commune,
                "nom_commune": nom_commune,
                "code_postal": code_postal,
                "departement": departement,
                "academie": academie,
                "region_academique": region,
                "latitude": lat,
                "longitude": lon,
            },
        )


@lru_cache(maxsize=256)
def est_ferme(etat: str) -> bool:
    """True for the `etat` of a closed establishment (FERME, Fermée…)."""
    return normaliser(etat) in ETATS_FERMES


_secteur = lru_cache(maxsize=256)(valeurs.secteur)
_commune = lru_cache(maxsize=65_536)(codes.normaliser_commune)


class ConvertisseurMembre(_Lecteur):
    """Member rows: campus (id or name, must exist) + UAI, or a name when there is no UAI; role
    as the source writes it (`organisations.role_de`), kind, town and source page."""

    def convertir(self, ligne: dict[str, Any]) -> Resultat:
        campus_id = self.contexte.campus_id(self.brut(ligne, "campus_id"), self.brut(ligne, "campus"))
        libelle = self.texte(ligne, "role")
        role = organisations.role_de(libelle) if libelle is not None else "membre"
        source_url = self.texte(ligne, "source_url")
        uai, nom = self.texte(ligne, "uai"), self.texte(ligne, "nom")
        if uai or not nom:
            valeurs = {"campus_id": campus_id, "uai": uai or "", "role": role, "libelle_role": libelle}
            membre = _valider(Membre, {**valeurs, "source_url": source_url})
            return Resultat(cle=(membre.campus_id, membre.uai), membre=membre_vers_dict(membre))
        nature = self.texte(ligne, "nature")
        nomme = _valider(
            MembreNomme,
            {
                "campus_id": campus_id,
                "nom": nom,
                "nature": _nature_membre(nature) if nature else organisations.nature_de(nom),
                "role": role,
                "libelle_role": libelle,
                "commune": self.texte(ligne, "commune"),
                "code_commune": self.texte(ligne, "code_commune"),
                "source_url": source_url,
            },
        )
        return Resultat(cle=(nomme.campus_id, normaliser(nomme.nom)), membre_nomme=membre_nomme_vers_dict(nomme))


def _nature_membre(texte: str) -> str:
    """The kind of a named member given in its own column ('Université', 'IUT', 'GRETA'…)."""
    nature = organisations.nature_de(texte)
    if nature == "autre" and normaliser(texte) not in ("autre", "autres", "divers"):
        raise EntreeInvalide(
            f"nature inconnue « {texte} » : lycée, université, IUT, école, GRETA, CFA, entreprise, "
            "laboratoire, collectivité ou autre attendu"
        )
    return nature


class ConvertisseurPartenaire(_Lecteur):
    """Partner rows: campus (id or name, must exist) + name + nature + SIRET."""

    def convertir(self, ligne: dict[str, Any]) -> Resultat:
        campus_id = self.contexte.campus_id(self.brut(ligne, "campus_id"), self.brut(ligne, "campus"))
        nature = self.texte(ligne, "nature")
        partenaire = _valider(
            Partenaire,
            {
                "campus_id": campus_id,
                "nom": self.texte(ligne, "nom") or "",
                "nature": _NATURES.get(normaliser(nature), "autre") if nature else "autre",
                "siret": self.texte(ligne, "siret"),
            },
        )
        return Resultat(
            cle=(partenaire.campus_id, normaliser(partenaire.nom)), partenaire=partenaire_vers_dict(partenaire)
        )


CONVERTISSEURS = {
    "campus": ConvertisseurCampus,
    "etablissements": ConvertisseurEtablissement,
    "membres": ConvertisseurMembre,
    "partenaires": ConvertisseurPartenaire,
}


def convertisseur(correspondance: Correspondance, contexte: Contexte | None = None, **options: Any):
    """The converter for the kind of `correspondance` (options: `inclure_fermes`, `provenance`)."""
    return CONVERTISSEURS[correspondance.type_import](correspondance, contexte, **options)


def convertir(conv, ligne: dict[str, Any]) -> Resultat | None:
    """Run a converter on one row; any CmqError/ValueError becomes EntreeInvalide with its reason."""
    try:
        return conv.convertir(ligne)
    except CmqError as erreur:
        raise EntreeInvalide(str(erreur)) from None
