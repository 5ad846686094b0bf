"""Helpers shared by the import tests: snapshot of the directory tables, history rows."""

from sqlalchemy import select, text

from cmq.store import db
from cmq.store.tables import ImportTable

TABLES_ANNUAIRE = ("campus", "campus_academies", "etablissements", "membres", "membres_nommes", "partenaires", "alias")


def instantane(url: str) -> dict[str, list[tuple]]:
    """Every row of every directory table (history excluded), sorted: compare before/after."""
    with db.session(url) as s:
        return {t: sorted(map(tuple, s.execute(text(f"SELECT * FROM {t}")).all()), key=repr) for t in TABLES_ANNUAIRE}


def historique(url: str) -> list[ImportTable]:
    """Import history rows, oldest first."""
    with db.session(url) as s:
        return list(s.scalars(select(ImportTable).order_by(ImportTable.id)))


def compter(url: str, table: str) -> int:
    with db.session(url) as s:
        return s.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
