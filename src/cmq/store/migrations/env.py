"""Alembic environment: migrates the connection given by `cmq.store.schema` (or the URL)."""

from alembic import context
from sqlalchemy import create_engine

from cmq.store import db
from cmq.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    """The configured URL, else $CMQ_DATABASE_URL or the default file (command-line alembic)."""
    return db.ouvrir(config.get_main_option("sqlalchemy.url"))


def _configurer(**options) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: rebuild tables in batch mode
        compare_type=True,
        **options,
    )


def hors_ligne() -> None:
    """Emit the SQL script instead of running it (`alembic upgrade --sql`)."""
    _configurer(url=_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def en_ligne() -> None:
    """Run on the connection of `cmq.store.schema.mettre_a_jour`, or open one from the URL."""
    connexion = config.attributes.get("connection")
    if connexion is not None:
        _configurer(connection=connexion)
        with context.begin_transaction():
            context.run_migrations()
        return
    moteur = create_engine(_url())
    with moteur.begin() as connexion:
        _configurer(connection=connexion)
        with context.begin_transaction():
            context.run_migrations()
    moteur.dispose()


if context.is_offline_mode():
    hors_ligne()
else:
    en_ligne()
