"""Schema version: Alembic upgrade to head and current revision, run from Python (no alembic.ini).

Alembic is imported only to upgrade an existing database: reading the revision is one query on
`alembic_version`, and the head shipped is `REVISION` (a test checks it is Alembic's head), so a
command on a database already at head does not load Alembic (0.1 s); nor does creating a new
database, made from the table definitions (a test checks they equal the migrations' result).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cmq.errors import ErreurStockage
from cmq.store import db

if TYPE_CHECKING:
    from alembic.config import Config

DOSSIER_MIGRATIONS = Path(__file__).parent / "migrations"
REVISION = "0005_restaurations"  # the head revision of DOSSIER_MIGRATIONS (tested against Alembic's)
TABLE_VERSION = "alembic_version"
CLE_VERROU_PG = 0x434D51  # "CMQ": advisory lock serialising concurrent upgrades on PostgreSQL


def configuration(url: str | None = None) -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(DOSSIER_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", db.ouvrir(url).replace("%", "%%"))
    return config


def revision_cible() -> str:
    """The head revision shipped with this version of cmq."""
    return REVISION


def revision_alembic() -> str:
    """The head revision of the packaged migrations, as Alembic reads it."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(configuration("sqlite://")).get_current_head()


def revisions_connues() -> set[str]:
    """Every revision of the packaged migrations (a backup may come from any of them)."""
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(configuration("sqlite://")).walk_revisions()}


def _fichier_absent(url: str) -> bool:
    chemin = db.chemin_sqlite(url)
    return chemin is not None and not chemin.exists()


def mettre_a_jour(url: str | None = None, *, alembic: bool = False) -> None:
    """Create or upgrade the schema to the head revision (idempotent, atomic).

    A database already at head is left alone without taking any lock: an import does not wait
    here for another import's write lock (it waits for the import lock, `store.verrou`). A
    database without any table is created from the table definitions (`_creer`) unless `alembic`
    is True; any other goes through Alembic's migrations.
    """
    url = db.ouvrir(url)
    if revision_courante(url) == revision_cible():
        return
    chemin = db.chemin_sqlite(url)
    if chemin is not None:
        try:
            chemin.parent.mkdir(parents=True, exist_ok=True)
        except OSError as erreur:
            raise ErreurStockage(
                f"impossible de créer le dossier de la base « {chemin.parent} » : {erreur.strerror or erreur}"
            ) from None
    try:
        lien = db.moteur(url).execution_options(cmq_ecriture=True)
        with lien.begin() as connexion:
            if connexion.dialect.name == "postgresql":
                connexion.execute(text("SELECT pg_advisory_xact_lock(:cle)"), {"cle": CLE_VERROU_PG})
            if alembic or inspect(connexion).get_table_names():
                _migrer(url, connexion)
            else:
                _creer(connexion)
    except SQLAlchemyError as erreur:
        raise db.erreur_stockage(url, erreur) from None


def _migrer(url: str, connexion) -> None:
    """Alembic upgrade to head, inside the caller's transaction."""
    from alembic import command

    config = configuration(url)
    config.attributes["connection"] = connexion
    command.upgrade(config, "head")


def _creer(connexion) -> None:
    """A database without any table: the tables of `tables.Base.metadata` (equal to the migrations'
    result, tested) and the head revision recorded, without loading Alembic (0.5 s of imports).
    The caller knows the database empty: no table is looked for first (`checkfirst`)."""
    from cmq.store.tables import Base

    Base.metadata.create_all(connexion, checkfirst=False)
    connexion.execute(  # Alembic's own definition of its table
        text(
            f"CREATE TABLE {TABLE_VERSION} (version_num VARCHAR(32) NOT NULL, "
            f"CONSTRAINT {TABLE_VERSION}_pkc PRIMARY KEY (version_num))"
        )
    )
    connexion.execute(text(f"INSERT INTO {TABLE_VERSION} (version_num) VALUES (:revision)"), {"revision": REVISION})


def creer_tables(connexion) -> None:
    """Create every table at head on an empty database (a temporary one: `store.etat_au`)."""
    _creer(connexion)


def revision_courante(url: str | None = None) -> str | None:
    """The revision recorded in the database; None if never migrated (a missing SQLite file is not created)."""
    url = db.ouvrir(url)
    if _fichier_absent(url):
        return None
    try:
        with db.moteur(url).connect() as connexion:
            if not inspect(connexion).has_table(TABLE_VERSION):
                return None
            return connexion.execute(text(f"SELECT version_num FROM {TABLE_VERSION}")).scalar()
    except SQLAlchemyError as erreur:
        raise db.erreur_stockage(url, erreur) from None


def est_initialisee(url: str | None = None) -> bool:
    """True when the database has been migrated (at any revision)."""
    return revision_courante(url) is not None


def exiger_initialisee(url: str | None = None) -> None:
    """ErreurStockage « base non initialisée : lancez `cmq init` » unless the schema is at head."""
    revision = revision_courante(url)
    if revision is None:
        raise ErreurStockage(db.MESSAGE_NON_INITIALISEE)
    if revision != revision_cible():
        raise ErreurStockage(f"base à mettre à jour (révision {revision}) : lancez `cmq init`")


@contextmanager
def session_lecture(url: str | None = None) -> Iterator[Session]:
    """`db.session` on an existing database at head; nothing is created (no folder, no file).

    ErreurStockage « base non initialisée : lancez `cmq init` » otherwise.
    """
    url = db.ouvrir(url, creer=False)
    exiger_initialisee(url)
    with db.session(url) as s:
        yield s
