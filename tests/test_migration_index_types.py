"""Revision 0003_index_types: upgrade of an existing 0002 database (data kept, index added, lycée
counts unchanged), and back, on SQLite and PostgreSQL."""

from alembic import command
from sqlalchemy import insert, inspect

from cmq import indicateurs
from cmq.store import db, schema
from cmq.store.tables import INDEX_TYPES, EtablissementTable
from tests.indicateurs_exemple import ETABLISSEMENTS

COLONNES_INDEX = ["type", "departement", "academie", "region_academique"]


def _base_0002(url: str) -> None:
    """A database at revision 0002_membres holding the example directory's establishments."""
    command.upgrade(schema.configuration(url), "0002_membres")
    with db.moteur(url).begin() as connexion:
        connexion.execute(insert(EtablissementTable), ETABLISSEMENTS)


def _index(url: str) -> dict[str, list[str]]:
    return {i["name"]: i["column_names"] for i in inspect(db.moteur(url)).get_indexes("etablissements")}


def _lycees(url: str) -> dict[str, dict[str, int]]:
    with db.session(url) as s:
        return {echelle: dict(comptes) for echelle, comptes in indicateurs.lycees_par_territoire(s).items()}


LYCEES = {
    "france": {"FR": 6},
    "region_academique": {"84": 3, "28": 2, "11": 1},
    "academie": {"10": 2, "08": 1, "70": 2, "01": 1},
    "departement": {"69": 2, "38": 1, "76": 2, "75": 1},
}


def test_mise_a_jour_d_une_base_0002(genre_base, fabrique_bases):
    url = fabrique_bases(genre_base)
    _base_0002(url)
    assert INDEX_TYPES not in _index(url)
    assert _lycees(url) == LYCEES  # the count query needs no index: the same figures before
    schema.mettre_a_jour(url)
    assert schema.revision_courante(url) == schema.REVISION  # 0003_index_types, then the later ones
    assert _index(url)[INDEX_TYPES] == COLONNES_INDEX
    assert _lycees(url) == LYCEES
    (france,) = indicateurs.indicateurs("france", date="2025-09-01", url=url)
    assert (france.nb_lycees, france.nb_lycees_membres) == (6, 0)
    db.fermer_tout()


def test_retour_a_0002(genre_base, fabrique_bases):
    url = fabrique_bases(genre_base)
    _base_0002(url)
    schema.mettre_a_jour(url)
    command.downgrade(schema.configuration(url), "0002_membres")
    assert schema.revision_courante(url) == "0002_membres"
    assert INDEX_TYPES not in _index(url)
    assert _lycees(url) == LYCEES
    db.fermer_tout()


def test_base_neuve_a_l_index(genre_base, fabrique_bases):
    """A new database is created from tables.py: the same index as the migration's."""
    url = fabrique_bases(genre_base)
    schema.mettre_a_jour(url)
    assert _index(url)[INDEX_TYPES] == COLONNES_INDEX
    db.fermer_tout()
