"""Header aliases: which column of a table carries which cmq field (in the spirit of csv-detective).

Headers are compared after `cmq.texte.normaliser` ("N° UAI", "n_uai" and "N UAI" are the same).
Each kind of row (`campus`, `etablissements`, `membres`, `partenaires`) has its own fields, each
with its usual French headers, best first: when several columns match one field, the column
matching the earliest alias wins and the others are ignored. An explicit mapping
(`{"Colonne du fichier": "champ"}`, from `--correspondance`) overrides the aliases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from cmq.codes import ENTETES_SIRET, ENTETES_UAI
from cmq.errors import ColonneManquante, EntreeInvalide, FichierIllisible
from cmq.texte import normaliser

TYPES = ("campus", "etablissements", "membres", "partenaires")

_UAI_SUPPORT = (
    "uai etablissement support",
    "uai support",
    "uai du support",
    "uai de l etablissement support",
    "code uai support",
    "rne support",
    "uai porteur",
    *ENTETES_UAI,
)
_LATITUDE = ("latitude", "lat", "y")
_LONGITUDE = ("longitude", "lon", "lng", "long", "x")
_GEO = (
    "geo point",
    "geo point 2d",
    "geopoint",
    "position",
    "coordonnees",
    "coordonnees gps",
    "geolocalisation",
    "localisation",
    "point geo",
)
_CAMPUS_ID = ("campus id", "id campus", "identifiant campus", "identifiant du campus", "code campus")
_CAMPUS_NOM = ("campus", "nom du campus", "nom campus", "intitule du campus", "cmq", "nom du cmq")

# Name of a member organisation without a UAI; the first four also mark a members file.
_NOMS_MEMBRE = (
    "nom du membre",
    "membre",
    "etablissement membre",
    "organisation membre",
    "etablissement nom",
    "nom etablissement",
    "etablissement",
    "nom",
)

ALIAS: dict[str, dict[str, tuple[str, ...]]] = {
    "campus": {
        "id": ("id", "identifiant", "campus id", "id campus", "identifiant campus", "code campus"),
        "nom": (
            "nom du campus",
            "nom campus",
            "nom",
            "intitule du campus",
            "intitule",
            "campus",
            "libelle du campus",
            "libelle",
            "nom du cmq",
            "cmq",
            "denomination",
        ),
        "sigle": ("sigle", "acronyme"),
        "filiere": (
            "filiere",
            "filiere d excellence",
            "filiere cmq",
            "filiere du campus",
            "secteur",
            "secteur d activite",
            "domaine",
            "thematique",
        ),
        "excellence": (
            "label",
            "label excellence",
            "excellence",
            "cmq d excellence",
            "campus d excellence",
            "label d excellence",
            "niveau de label",
        ),
        "region_academique": ("region academique", "code region academique", "region", "code region", "libelle region"),
        "academies": ("academie", "academies", "code academie", "libelle academie"),
        "ville_siege": (
            "ville",
            "commune du siege",
            "ville du siege",
            "ville siege",
            "siege",
            "commune",
            "nom commune",
        ),
        "code_commune_siege": ("code commune siege", "code commune", "code insee", "code insee commune"),
        "latitude": _LATITUDE,
        "longitude": _LONGITUDE,
        "geo_point": _GEO,
        "date_debut_label": (
            "date de debut",
            "date debut",
            "date de debut du label",
            "date debut label",
            "debut du label",
            "date de labellisation",
            "date labellisation",
            "date du label",
        ),
        "annee_label": (
            "annee de labellisation",
            "annee labellisation",
            "annee label",
            "annee du label",
            "annee de label",
            "annee",
        ),
        "date_fin_label": (
            "date de fin",
            "date fin",
            "date de fin du label",
            "date fin label",
            "fin du label",
            "echeance",
            "echeance du label",
        ),
        "duree_label": ("duree", "duree du label", "duree label", "duree de labellisation"),
        "reference_arrete": (
            "reference de l arrete",
            "reference arrete",
            "arrete",
            "arrete de labellisation",
            "numero de l arrete",
            "numero arrete",
        ),
        "site_web": ("site internet", "site web", "site", "web", "url", "lien", "adresse web"),
        "uai_support": _UAI_SUPPORT,
        "etablissement_support": (
            "etablissement support",
            "nom etablissement support",
            "nom de l etablissement support",
            "etablissement porteur",
            "lycee support",
            "support",
        ),
        "description": ("description", "presentation"),
        "note": ("note", "remarque", "remarques", "commentaire", "commentaires", "observations"),
        "source_nom": ("source", "source nom", "nom de la source"),
        "source_url": ("source url", "url source", "url de la source", "lien source"),
        "date_recuperation": ("date recuperation", "date de recuperation", "date de collecte"),
    },
    "etablissements": {
        "uai": ENTETES_UAI,
        "nom": (
            "nom etablissement",
            "nom de l etablissement",
            "nom",
            "appellation officielle",
            "denomination principale",
            "denomination",
            "libelle",
            "etablissement",
            "nom uai",
        ),
        "type": ("type etablissement", "type d etablissement", "type", "libelle nature", "nature"),
        "secteur": ("statut public prive", "secteur", "secteur public prive", "public prive", "statut"),
        "code_commune": ("code commune", "code insee commune", "code insee", "code commune insee"),
        "nom_commune": ("nom commune", "commune", "libelle commune", "ville", "localite"),
        "code_postal": ("code postal", "cp", "code postal uai"),
        "departement": ("code departement", "departement", "code dept", "dept", "numero departement"),
        "academie": ("code academie", "academie", "libelle academie"),
        "region_academique": ("code region", "code region academique", "region academique", "region", "libelle region"),
        "latitude": _LATITUDE,
        "longitude": _LONGITUDE,
        "geo_point": _GEO,
        "etat": ("etat", "etat etablissement", "etat de l etablissement"),
    },
    "membres": {
        "campus_id": _CAMPUS_ID,
        "campus": _CAMPUS_NOM,
        "uai": ("uai membre", "uai etablissement membre", "uai de l etablissement", *ENTETES_UAI),
        "role": ("role", "role dans le campus", "role du membre", "fonction", "type de membre"),
        "nom": _NOMS_MEMBRE,
        "nature": ("nature", "nature du membre", "type d organisation", "categorie"),
        "commune": ("commune", "ville", "commune du membre"),
        "code_commune": ("code commune", "code insee"),
        "source_url": ("source url", "source", "url source", "page source", "url de la source"),
    },
    "partenaires": {
        "campus_id": _CAMPUS_ID,
        "campus": _CAMPUS_NOM,
        "nom": (
            "nom du partenaire",
            "nom partenaire",
            "partenaire",
            "raison sociale",
            "nom",
            "denomination",
            "organisme",
            "structure",
            "entreprise",
        ),
        "nature": (
            "nature",
            "nature du partenaire",
            "type de partenaire",
            "type partenaire",
            "type",
            "categorie",
            "categorie de partenaire",
        ),
        "siret": ENTETES_SIRET,
    },
}

# Columns that must be found (one of each tuple), per kind.
REQUISES: dict[str, tuple[tuple[str, ...], ...]] = {
    "campus": (("nom", "id"), ("filiere",)),
    "etablissements": (("uai",), ("nom",)),
    "membres": (("campus_id", "campus"), ("uai", "nom")),
    "partenaires": (("campus_id", "campus"), ("nom",)),
}

LIBELLES_CHAMPS = {
    "nom": "nom",
    "id": "identifiant",
    "filiere": "filière",
    "uai": "UAI",
    "campus_id": "identifiant du campus",
    "campus": "nom du campus",
}

_ALIAS_NORMALISES = {
    genre: {champ: tuple(normaliser(a) for a in alias) for champ, alias in champs.items()}
    for genre, champs in ALIAS.items()
}


@dataclass
class Correspondance:
    """Result of matching a header: field -> column, and the columns left unused."""

    type_import: str
    champs: dict[str, str] = field(default_factory=dict)
    ignorees: list[str] = field(default_factory=list)

    def colonne(self, champ: str) -> str | None:
        """The column carrying `champ`, or None."""
        return self.champs.get(champ)


def _trouver(colonnes: list[str], genre: str) -> dict[str, str]:
    """field -> column by alias, earliest alias first, each column used once."""
    par_cle: dict[str, str] = {}
    for colonne in colonnes:
        par_cle.setdefault(normaliser(str(colonne)), colonne)
    trouves: dict[str, str] = {}
    prises: set[str] = set()
    for champ, alias in _ALIAS_NORMALISES[genre].items():
        for cle in alias:
            colonne = par_cle.get(cle)
            if colonne is not None and colonne not in prises:
                trouves[champ] = colonne
                prises.add(colonne)
                break
    return trouves


def deviner_type(colonnes: list[str]) -> str:
    """The kind of rows a header describes; EntreeInvalide when it is unclear."""
    campus = _trouver(colonnes, "campus")
    etablissements = _trouver(colonnes, "etablissements")
    if "filiere" in campus and ("nom" in campus or "id" in campus):
        # "Secteur" may be a filière or public/privé: with a UAI and a name, it is unclear.
        if normaliser(campus["filiere"]) != "secteur" or not {"uai", "nom"} <= set(etablissements):
            return "campus"
        raise EntreeInvalide(
            f"colonne « {campus['filiere']} » ambiguë (filière d'un campus ou secteur public/privé d'un "
            f"établissement) : précisez --type campus ou --type etablissements"
        )
    partenaires = _trouver(colonnes, "partenaires")
    cles_partenaire = {normaliser(c) for c in colonnes}
    if "siret" in partenaires or cles_partenaire & {
        "nom du partenaire",
        "nom partenaire",
        "partenaire",
        "raison sociale",
        "nature du partenaire",
        "type de partenaire",
    }:
        if "campus" in partenaires or "campus_id" in partenaires:
            return "partenaires"
    membres = _trouver(colonnes, "membres")
    noms_membre = {normaliser(a) for a in _NOMS_MEMBRE[:4]}
    if ("campus" in membres or "campus_id" in membres) and ("uai" in membres or cles_partenaire & noms_membre):
        return "membres"
    if "uai" in etablissements and "nom" in etablissements:
        return "etablissements"
    conseil = ""
    if len(colonnes) == 1 and any(s in colonnes[0] for s in "|;,\t"):
        conseil = " ; une seule colonne lue : vérifiez le séparateur du fichier (« ; », « , » ou tabulation)"
    raise EntreeInvalide(
        "type de lignes impossible à deviner d'après les colonnes "
        f"({', '.join(map(str, colonnes)) or 'aucune'}) : précisez --type {'|'.join(TYPES)}{conseil}"
    )


def verifier_type(type_import: str) -> str:
    """The canonical kind name; EntreeInvalide listing the kinds otherwise."""
    forme = normaliser(type_import or "")
    synonymes = {"etablissement": "etablissements", "membre": "membres", "partenaire": "partenaires"}
    forme = synonymes.get(forme, forme)
    if forme not in TYPES:
        raise EntreeInvalide(f"type d'import inconnu : « {type_import} ». Types possibles : {', '.join(TYPES)}")
    return forme


def correspondre(
    colonnes: list[str], type_import: str | None = None, explicite: dict[str, str] | None = None
) -> Correspondance:
    """Match a header to the fields of a kind (guessed when None); ColonneManquante if a required one lacks."""
    colonnes = [str(c) for c in colonnes]
    genre = verifier_type(type_import) if type_import else deviner_type(colonnes)
    champs = _trouver(colonnes, genre)
    if explicite:
        champs = _appliquer(champs, colonnes, genre, explicite)
    manquantes = [groupe for groupe in REQUISES[genre] if not any(c in champs for c in groupe)]
    if manquantes:
        attendues = " ; ".join(" ou ".join(LIBELLES_CHAMPS.get(c, c) for c in groupe) for groupe in manquantes)
        exemples = " / ".join(ALIAS[genre][manquantes[0][0]][:3])
        raise ColonneManquante(
            f"colonne obligatoire absente pour un import « {genre} » : {attendues} "
            f"(en-têtes reconnus par exemple : {exemples}). Colonnes trouvées : "
            f"{', '.join(colonnes) or 'aucune'}. Vérifiez le séparateur du fichier ou donnez --correspondance"
        )
    utilisees = set(champs.values())
    return Correspondance(genre, champs, [c for c in colonnes if c not in utilisees])


def _appliquer(champs: dict[str, str], colonnes: list[str], genre: str, explicite: dict[str, str]) -> dict[str, str]:
    """Override aliases with an explicit {column: field} mapping (fields checked, columns must exist)."""
    par_cle = {normaliser(c): c for c in colonnes}
    resultat = dict(champs)
    for colonne, champ in explicite.items():
        if champ not in ALIAS[genre]:
            raise EntreeInvalide(
                f"correspondance : champ inconnu « {champ} » pour un import « {genre} ». "
                f"Champs possibles : {', '.join(ALIAS[genre])}"
            )
        reelle = colonne if colonne in colonnes else par_cle.get(normaliser(str(colonne)))
        if reelle is None:
            raise ColonneManquante(
                f"correspondance : colonne « {colonne} » absente du fichier. Colonnes trouvées : {', '.join(colonnes)}"
            )
        resultat = {c: col for c, col in resultat.items() if col != reelle}
        resultat[champ] = reelle
    return resultat


def charger_correspondance(chemin: str | Path) -> dict[str, str]:
    """Read a {"Colonne du fichier": "champ"} mapping from a JSON or YAML file."""
    chemin = Path(chemin)
    try:
        texte = chemin.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FichierIllisible(f"fichier de correspondance introuvable : « {chemin} »") from None
    except (OSError, UnicodeDecodeError) as erreur:
        raise FichierIllisible(f"fichier de correspondance illisible « {chemin} » : {erreur}") from None
    import yaml  # imported lazily: only mapping files need it

    try:
        donnees = json.loads(texte) if chemin.suffix.lower() == ".json" else yaml.safe_load(texte)
    except (ValueError, yaml.YAMLError) as erreur:
        raise FichierIllisible(f"fichier de correspondance invalide « {chemin} » : {erreur}") from None
    if not isinstance(donnees, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in donnees.items()):
        raise FichierIllisible(
            f'fichier de correspondance invalide « {chemin} » : un objet {{"Colonne du fichier": "champ"}} est attendu'
        )
    return donnees
