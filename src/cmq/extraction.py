"""Tables of the directory ready to export (`cmq.exports`): campus, établissements, membres, partenaires, and
the points (seats and member establishments) of the GeoJSON map. Built from `cmq.store.lecture`."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from cmq.models import Campus, Etablissement, Membre, MembreNomme
from cmq.store import lecture
from cmq.store.conversion import campus_vers_dict
from cmq.store.tables import CampusTable, EtablissementTable

Table = tuple[list[str], list[list[Any]]]
_CHAMPS_CAMPUS = [c.key for c in CampusTable.__table__.columns]
COLONNES_CAMPUS = [
    *_CHAMPS_CAMPUS[: _CHAMPS_CAMPUS.index("region_academique") + 1],
    "academies",
    *_CHAMPS_CAMPUS[_CHAMPS_CAMPUS.index("region_academique") + 1 :],
]
COLONNES_ETABLISSEMENT = [c.key for c in EtablissementTable.__table__.columns]
COLONNES_PARTENAIRE = ["campus_id", "nom", "nature", "siret"]
# Memberships: by UAI (with the establishment's fields), then members known only by name (`uai` empty,
# `nom` = their name, `nature_membre` = their kind); each with the role as the source writes it and its page.
COLONNES_MEMBRE = [
    "campus_id",
    "uai",
    "role",
    *COLONNES_ETABLISSEMENT[1:],
    "libelle_role",
    "nature_membre",
    "source_url",
]


def _campus(s: Session, jour: date | None) -> list[Campus]:
    return lecture.lister_campus(s, actif_le=jour)[0]


def _dict_campus(c: Campus) -> dict[str, Any]:
    valeurs = campus_vers_dict(c) | {"academies": list(c.academies)}
    return {k: valeurs[k] for k in COLONNES_CAMPUS}


def _dict_membre(campus_id: str, m: Membre, e: Etablissement | None) -> dict[str, Any]:
    valeurs = dict.fromkeys(COLONNES_MEMBRE)
    valeurs.update(e.model_dump() if e is not None else {})
    valeurs.update(
        campus_id=campus_id, uai=m.uai, role=m.role.value, libelle_role=m.libelle_role, source_url=m.source_url
    )
    return valeurs


def _dict_membre_nomme(m: MembreNomme) -> dict[str, Any]:
    valeurs = dict.fromkeys(COLONNES_MEMBRE)
    valeurs.update(
        campus_id=m.campus_id,
        role=m.role.value,
        nom=m.nom,
        nom_commune=m.commune,
        code_commune=m.code_commune,
        libelle_role=m.libelle_role,
        nature_membre=m.nature.value,
        source_url=m.source_url,
    )
    return valeurs


def _table(dicts: Sequence[dict[str, Any]], colonnes: list[str]) -> Table:
    return colonnes, [[d[c] for c in colonnes] for d in dicts]


def table_campus(s: Session, jour: date | None = None) -> Table:
    """Every campus (or those valid on `jour`), one column per field, `academies` as a list."""
    return _table([_dict_campus(c) for c in _campus(s, jour)], COLONNES_CAMPUS)


def table_etablissements(s: Session) -> Table:
    """Every establishment of the directory, by UAI."""
    etablissements, _ = lecture.lister_etablissements(s)
    return COLONNES_ETABLISSEMENT, [[getattr(e, c) for c in COLONNES_ETABLISSEMENT] for e in etablissements]


def _membres(s: Session, jour: date | None) -> list[dict[str, Any]]:
    return [_dict_membre(c.id, m, e) for c in _campus(s, jour) for m, e in lecture.membres(s, c.id)]


def table_membres(s: Session, jour: date | None = None) -> Table:
    """Every membership (of the campuses valid on `jour` if given): by UAI with the establishment's
    fields, then the members known only by name."""
    nommes = [_dict_membre_nomme(m) for c in _campus(s, jour) for m in lecture.membres_nommes(s, c.id)]
    return _table(_membres(s, jour) + nommes, COLONNES_MEMBRE)


def table_partenaires(s: Session, jour: date | None = None) -> Table:
    """Every partner (of the campuses valid on `jour` if given), by campus then name."""
    lignes = [[c.id, p.nom, p.nature.value, p.siret] for c in _campus(s, jour) for p in lecture.partenaires(s, c.id)]
    return COLONNES_PARTENAIRE, lignes


def points_campus(s: Session, jour: date | None = None) -> list[dict[str, Any]]:
    """Campus seats (`nature` "siege") then member establishments (`nature` "membre")."""
    sieges = [{"nature": "siege"} | _dict_campus(c) for c in _campus(s, jour)]
    return sieges + [{"nature": "membre"} | m for m in _membres(s, jour)]


def points_membres(s: Session, jour: date | None = None) -> list[dict[str, Any]]:
    """Member establishments (`nature` "membre"), one point per membership."""
    return [{"nature": "membre"} | m for m in _membres(s, jour)]


def points_etablissements(s: Session) -> list[dict[str, Any]]:
    """Every establishment (`nature` "etablissement")."""
    colonnes, lignes = table_etablissements(s)
    return [{"nature": "etablissement"} | dict(zip(colonnes, ligne, strict=True)) for ligne in lignes]
