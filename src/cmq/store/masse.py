"""Bulk upsert of the rows of a polars frame: the fastest safe path of each database.

* SQLite: multi-row `INSERT … VALUES (…), (…) … ON CONFLICT`, up to LIGNES_PAR_INSTRUCTION rows
  per statement (one executemany per batch: fewer statement steps than one row each). When the
  rows written are at least SEUIL_INDEX and outnumber the rows already stored (a first load, a
  full refresh), the table's secondary indexes are dropped and rebuilt from their stored SQL in
  the same transaction: one sorted rebuild beats 65,000 index inserts. WAL readers keep their
  snapshot; a failure rolls the whole transaction back, indexes included. An import written in
  batches (`Lots`) decides this once, at its first batch, from the rows it expects to write in
  all, and rebuilds the indexes once, at its end (`Lots.finir`).
* PostgreSQL: `COPY … (FORMAT csv)` into a temporary table, the CSV written by polars (null is
  an unquoted empty field, "" an empty string, floats in their shortest exact form), then one
  `INSERT … SELECT … ON CONFLICT`. Indexes are kept: dropping one would lock the table against
  readers until the commit.

Both run inside the caller's transaction (the import's all-or-nothing guarantee).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING

from sqlalchemy import Table, column, select
from sqlalchemy import table as table_sql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from cmq.errors import ErreurStockage

if TYPE_CHECKING:
    import polars as pl

LIGNES_PAR_INSTRUCTION = 200
SEUIL_INDEX = 10_000
LIGNES_PAR_COPIE = 10_000
TABLE_TEMPORAIRE = "cmq_import_masse"


@dataclass
class Lots:
    """One import writing its rows in several batches inside one transaction.

    `lignes`: rows of each table, counted once (`compter`) then kept up to date by the writer;
    `supprimes`: SQLite indexes dropped for the whole import (table -> (name, CREATE INDEX)),
    rebuilt by `finir` before the commit; `decides`: tables whose indexes were decided on.
    """

    lignes: dict[str, int] = field(default_factory=dict)
    supprimes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    decides: set[str] = field(default_factory=set)

    def compter(self, session: Session, table: Table) -> int:
        """Rows of `table` (one count(*), the first time)."""
        if table.name not in self.lignes:
            connexion = session.connection()
            nom = connexion.dialect.identifier_preparer.format_table(table)
            self.lignes[table.name] = connexion.exec_driver_sql(f"SELECT count(*) FROM {nom}").scalar_one()
        return self.lignes[table.name]

    def finir(self, session: Session) -> None:
        """Rebuild the indexes dropped for this import (same transaction)."""
        connexion = session.connection()
        for nom_table in list(self.supprimes):
            for _, sql in self.supprimes.pop(nom_table):
                connexion.exec_driver_sql(sql)


def ecrire(
    session: Session,
    table: Table,
    cadre: pl.DataFrame,
    cles: Sequence[str],
    *,
    inserer_seulement: bool = False,
    lots: Lots | None = None,
    attendues: int | None = None,
) -> None:
    """Upsert every row of `cadre` (columns named as the table's, keys unique) into `table` by `cles`.

    `inserer_seulement`: a stored row is never modified (ON CONFLICT DO NOTHING). Columns of text,
    numbers or booleans; dates go through `ecriture.upsert` (SQLAlchemy's own date formats).
    `lots`: this write is one batch of an import (see Lots); `attendues` then estimates the rows
    the import will write into `table` in all, this batch included (default: this batch's).
    """
    if temporelles := [nom for nom, type_ in cadre.schema.items() if type_.is_temporal()]:
        raise ErreurStockage(f"écriture en masse : colonnes de dates non prises en charge ({', '.join(temporelles)})")
    if cadre.is_empty():
        return
    if dialecte(session) == "sqlite":
        _sqlite(session, table, cadre, tuple(cles), inserer_seulement, lots, attendues or cadre.height)
    else:
        _postgresql(session, table, cadre, tuple(cles), inserer_seulement)


def dialecte(session: Session) -> str:
    """ "sqlite" or "postgresql"; ErreurStockage for any other database."""
    nom = session.get_bind().dialect.name
    if nom not in ("sqlite", "postgresql"):
        raise ErreurStockage(f"base de données non prise en charge : {nom} (SQLite ou PostgreSQL attendu)")
    return nom


def sur_conflit(instruction, colonnes: Sequence[str], cles: Sequence[str], inserer_seulement: bool = False):
    """ON CONFLICT (cles) DO UPDATE of the other columns, or DO NOTHING."""
    mises = {c: instruction.excluded[c] for c in colonnes if c not in cles}
    if inserer_seulement or not mises:
        return instruction.on_conflict_do_nothing(index_elements=list(cles))
    return instruction.on_conflict_do_update(index_elements=list(cles), set_=mises)


# --- SQLite ------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _sql_sqlite(
    table: Table, colonnes: tuple[str, ...], cles: tuple[str, ...], inserer_seulement: bool, lignes: int
) -> str:
    """SQL of a `lignes`-row upsert, its `?` in row-major order of `colonnes`.

    SQLAlchemy compiles the one-row statement (compiling 200 rows takes 20 ms); its one group of
    `?` is then repeated, after checking it is exactly where expected.
    """
    from sqlalchemy.dialects import sqlite

    instruction = sqlite.insert(table).values(dict.fromkeys(colonnes))
    compile = sur_conflit(instruction, colonnes, cles, inserer_seulement).compile(dialect=sqlite.dialect())
    sql, groupe = str(compile), "(" + ", ".join("?" * len(colonnes)) + ")"
    attendue = list(compile.positiontup) == list(colonnes) and sql.count("?") == len(colonnes)
    if not attendue or sql.count(f"VALUES {groupe}") != 1:
        raise ErreurStockage("forme inattendue de l'insertion compilée par SQLAlchemy")
    return sql.replace(f"VALUES {groupe}", "VALUES " + ", ".join([groupe] * lignes))


def _index_secondaires(connexion, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the indexes created on `table` (not its keys)."""
    lignes = connexion.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
    ).all()
    return [(nom, sql) for nom, sql in lignes]


def _sqlite(
    session: Session,
    table: Table,
    cadre: pl.DataFrame,
    cles: tuple[str, ...],
    inserer_seulement: bool,
    lots: Lots | None,
    attendues: int,
) -> None:
    connexion = session.connection()
    preparateur = connexion.dialect.identifier_preparer
    colonnes = tuple(cadre.columns)
    par_instruction = max(1, min(LIGNES_PAR_INSTRUCTION, _limite_parametres(connexion) // len(colonnes)))
    index = []
    decider = lots is None or table.name not in lots.decides
    if decider and attendues >= SEUIL_INDEX:
        stockees = (lots or Lots()).compter(session, table)
        if attendues > stockees:
            index = _index_secondaires(connexion, table.name)
    for nom, _ in index:
        connexion.exec_driver_sql(f"DROP INDEX {preparateur.quote(nom)}")
    if lots is not None:
        lots.decides.add(table.name)
        if index:
            lots.supprimes[table.name] = index  # rebuilt once, by lots.finir
            index = []
    largeur = par_instruction * len(colonnes)
    for debut in range(0, cadre.height, par_instruction * 50):  # by blocks: a lower memory peak
        morceau = cadre.slice(debut, par_instruction * 50)
        valeurs = tuple(chain.from_iterable(zip(*(morceau.get_column(c).to_list() for c in colonnes), strict=True)))
        complets = morceau.height // par_instruction
        if complets:
            sql = _sql_sqlite(table, colonnes, cles, inserer_seulement, par_instruction)
            connexion.exec_driver_sql(sql, [valeurs[i * largeur : (i + 1) * largeur] for i in range(complets)])
        if morceau.height % par_instruction:  # the last rows: one shorter statement
            sql = _sql_sqlite(table, colonnes, cles, inserer_seulement, morceau.height % par_instruction)
            connexion.exec_driver_sql(sql, valeurs[complets * largeur :])
    for _, sql in index:
        connexion.exec_driver_sql(sql)


def _limite_parametres(connexion) -> int:
    """Most `?` one SQLite statement takes (999 before SQLite 3.32)."""
    import sqlite3

    brute = connexion.connection.driver_connection
    return brute.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


# --- PostgreSQL --------------------------------------------------------------------------------


def _postgresql(
    session: Session, table: Table, cadre: pl.DataFrame, cles: tuple[str, ...], inserer_seulement: bool
) -> None:
    from sqlalchemy.dialects import postgresql

    connexion = session.connection()
    dialecte = connexion.dialect
    colonnes = list(cadre.columns)
    nom_table = dialecte.identifier_preparer.format_table(table)
    noms = ", ".join(dialecte.identifier_preparer.quote(c) for c in colonnes)
    temporaire = table_sql(TABLE_TEMPORAIRE, *(column(c) for c in colonnes))
    instruction = postgresql.insert(table).from_select(colonnes, select(*temporaire.c).order_by(*cles))
    upsert = str(sur_conflit(instruction, colonnes, cles, inserer_seulement).compile(dialect=dialecte))
    copie_sql = f"COPY {TABLE_TEMPORAIRE} ({noms}) FROM STDIN (FORMAT csv)"
    # No constraint on the copy: a refused row is refused by the table itself, under its own name.
    connexion.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {TABLE_TEMPORAIRE} AS SELECT {noms} FROM {nom_table} WITH NO DATA"
    )
    brute = connexion.connection.driver_connection  # psycopg 3: COPY streams the rows
    try:
        with brute.cursor() as curseur, curseur.copy(copie_sql) as copie:
            for debut in range(0, cadre.height, LIGNES_PAR_COPIE):
                copie.write(cadre.slice(debut, LIGNES_PAR_COPIE).write_csv(include_header=False))
    except brute.Error as erreur:  # psycopg.Error, wrapped as SQLAlchemy wraps the other statements' errors
        raise DBAPIError.instance(copie_sql, None, erreur, brute.Error) from None
    connexion.exec_driver_sql(upsert)
    connexion.exec_driver_sql(f"DROP TABLE {TABLE_TEMPORAIRE}")
