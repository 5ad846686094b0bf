"""Conversions between table rows (`cmq.store.tables`) and pydantic models (`cmq.models`).

Writers build plain dicts (`*_vers_dict`) suited to bulk inserts/upserts; readers turn
ORM rows back into models (`*_depuis_ligne`). `Campus.academies` lives in the
`campus_academies` table: `academies_depuis_campus` gives its rows. Timestamps are stored
and read back in UTC (SQLite keeps no offset; a naive value is taken as UTC).
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from cmq.models import (
    CONTEXTE_STOCKE,
    Alias,
    Campus,
    Etablissement,
    ImportEnregistre,
    Membre,
    MembreNomme,
    Partenaire,
)
from cmq.store.tables import (
    AliasTable,
    CampusAcademieTable,
    CampusTable,
    EtablissementTable,
    ImportTable,
    MembreNommeTable,
    MembreTable,
    PartenaireTable,
)

_CHAMPS_PROVENANCE = ("source_nom", "source_url", "date_recuperation")
_CHAMPS_CAMPUS = tuple(c.key for c in CampusTable.__table__.columns)
_CHAMPS_ETABLISSEMENT = tuple(c.key for c in EtablissementTable.__table__.columns)
_CHAMPS_IMPORT = tuple(c.key for c in ImportTable.__table__.columns)


def utc(moment: datetime | None) -> datetime | None:
    """The same instant as an aware UTC datetime (naive values are taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# --- Campus -----------------------------------------------------------------------------


def campus_vers_dict(campus: Campus) -> dict[str, Any]:
    """Column values of the `campus` row (academies excluded, provenance flattened)."""
    valeurs = campus.model_dump(exclude={"academies", "provenance"})
    valeurs.update(campus.provenance.model_dump())
    return {champ: valeurs.get(champ) for champ in _CHAMPS_CAMPUS}


def academies_depuis_campus(campus: Campus) -> list[dict[str, str]]:
    """Rows of `campus_academies` for this campus (duplicates removed, order kept)."""
    return [{"campus_id": campus.id, "academie": a} for a in dict.fromkeys(campus.academies)]


def ligne_depuis_campus(campus: Campus) -> CampusTable:
    """A new ORM `campus` row (without its academies)."""
    return CampusTable(**campus_vers_dict(campus))


def lignes_academies_depuis_campus(campus: Campus) -> list[CampusAcademieTable]:
    """New ORM `campus_academies` rows of this campus."""
    return [CampusAcademieTable(**valeurs) for valeurs in academies_depuis_campus(campus)]


def campus_depuis_ligne(ligne: CampusTable, academies: Iterable[str] = (), *, stricte: bool = False) -> Campus:
    """The `Campus` model of a row; `academies` come from `campus_academies` (sorted).

    `stricte`: every rule of an import applies (restore); otherwise a link stored before links were
    checked is kept (`models.CONTEXTE_STOCKE`).
    """
    valeurs = {champ: getattr(ligne, champ) for champ in _CHAMPS_CAMPUS if champ not in _CHAMPS_PROVENANCE}
    valeurs["provenance"] = {champ: getattr(ligne, champ) for champ in _CHAMPS_PROVENANCE}
    valeurs["academies"] = sorted(set(academies))
    return Campus.model_validate(valeurs, context=None if stricte else CONTEXTE_STOCKE)


# --- Etablissement ------------------------------------------------------------------------


def etablissement_vers_dict(etablissement: Etablissement) -> dict[str, Any]:
    """Column values of the `etablissements` row."""
    valeurs = etablissement.model_dump()
    return {champ: valeurs.get(champ) for champ in _CHAMPS_ETABLISSEMENT}


def etablissement_depuis_ligne(ligne: EtablissementTable) -> Etablissement:
    """The `Etablissement` model of a row."""
    return Etablissement(**{champ: getattr(ligne, champ) for champ in _CHAMPS_ETABLISSEMENT})


# --- Membre / Partenaire / Alias -----------------------------------------------------------


def membre_vers_dict(membre: Membre) -> dict[str, Any]:
    """Column values of the `membres` row (role as its string value)."""
    return {
        "campus_id": membre.campus_id,
        "uai": membre.uai,
        "role": membre.role.value,
        "libelle_role": membre.libelle_role,
        "source_url": membre.source_url,
    }


def membre_depuis_ligne(ligne: MembreTable) -> Membre:
    """The `Membre` model of a row."""
    return Membre(
        campus_id=ligne.campus_id,
        uai=ligne.uai,
        role=ligne.role or "membre",
        libelle_role=ligne.libelle_role,
        source_url=ligne.source_url,
    )


_CHAMPS_MEMBRE_NOMME = tuple(c.key for c in MembreNommeTable.__table__.columns if c.key != "id")


def membre_nomme_vers_dict(membre: MembreNomme) -> dict[str, Any]:
    """Column values of the `membres_nommes` row (id left to the database, enums as strings)."""
    return membre.model_dump(mode="json")


def membre_nomme_depuis_ligne(ligne: MembreNommeTable) -> MembreNomme:
    """The `MembreNomme` model of a row."""
    return MembreNomme(**{champ: getattr(ligne, champ) for champ in _CHAMPS_MEMBRE_NOMME})


def partenaire_vers_dict(partenaire: Partenaire) -> dict[str, Any]:
    """Column values of the `partenaires` row (id left to the database)."""
    return {
        "campus_id": partenaire.campus_id,
        "nom": partenaire.nom,
        "nature": partenaire.nature.value,
        "siret": partenaire.siret,
    }


def partenaire_depuis_ligne(ligne: PartenaireTable) -> Partenaire:
    """The `Partenaire` model of a row."""
    return Partenaire(campus_id=ligne.campus_id, nom=ligne.nom, nature=ligne.nature or "autre", siret=ligne.siret)


def alias_vers_dict(alias: Alias) -> dict[str, Any]:
    """Column values of the `alias` row."""
    return {"texte": alias.texte, "campus_id": alias.campus_id, "cree_le": utc(alias.cree_le)}


def alias_depuis_ligne(ligne: AliasTable) -> Alias:
    """The `Alias` model of a row."""
    return Alias(texte=ligne.texte, campus_id=ligne.campus_id, cree_le=utc(ligne.cree_le))


# --- Imports ------------------------------------------------------------------------------


def import_vers_dict(enregistrement: ImportEnregistre) -> dict[str, Any]:
    """Column values of the `imports` row (`id` omitted when None, so the database assigns it)."""
    valeurs = enregistrement.model_dump()
    resultat = {champ: valeurs.get(champ) for champ in _CHAMPS_IMPORT}
    resultat.update(debut=utc(resultat["debut"]), fin=utc(resultat["fin"]))
    if resultat.get("id") is None:
        resultat.pop("id", None)
    return resultat


def import_depuis_ligne(ligne: ImportTable) -> ImportEnregistre:
    """The `ImportEnregistre` model of a row."""
    valeurs = {champ: getattr(ligne, champ) for champ in _CHAMPS_IMPORT}
    valeurs.update(debut=utc(ligne.debut), fin=utc(ligne.fin))
    return ImportEnregistre(**valeurs)
