"""The import lock: one import writes to a database at a time; another one waits, then fails clearly.

The lock is held by the import's write transaction, so it disappears with it (commit, rollback,
or the process being killed: no stale lock is ever left behind):

* PostgreSQL: transaction-level advisory lock `pg_try_advisory_xact_lock(CLE_VERROU_IMPORT)`,
  polled until it is free;
* SQLite: the database write lock, taken at `BEGIN IMMEDIATE` with a busy timeout (`db.session`
  with `ecriture=True`). Readers are never blocked (MVCC on PostgreSQL, WAL on SQLite): they
  keep seeing the store as it was until the import commits.

The wait is $CMQ_ATTENTE_VERROU seconds (default 30, `db.attente_verrou`); past it, ImportEnCours
(an ErreurImport) « un autre import est en cours sur cette base ; réessayez plus tard ».

Test hook (only for the concurrency and SIGKILL tests, never in production):
$CMQ_TEST_PAUSE_IMPORT=seconds makes an import print `MARQUEUR_PAUSE` on stderr, then sleep that
long with the lock held and its rows written but not yet committed; the pause ends early once the
file named by $CMQ_TEST_PAUSE_FIN exists (tests release the import when they are ready).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from cmq.errors import ImportEnCours
from cmq.store import db

CLE_VERROU_IMPORT = 0x434D5149  # "CMQI"; the schema upgrade lock is "CMQ" (schema.CLE_VERROU_PG)
MESSAGE_OCCUPE = "un autre import est en cours sur cette base ; réessayez plus tard"
INTERVALLE_S = 0.1
VARIABLE_PAUSE = "CMQ_TEST_PAUSE_IMPORT"
VARIABLE_FIN_PAUSE = "CMQ_TEST_PAUSE_FIN"
MARQUEUR_PAUSE = "cmq: import en pause avant validation (CMQ_TEST_PAUSE_IMPORT)"


def _occupe(attente: float) -> ImportEnCours:
    return ImportEnCours(f"{MESSAGE_OCCUPE} (attente de {attente:g} s dépassée, réglable par {db.VARIABLE_ATTENTE})")


def _prendre_postgresql(connexion: Connection, attente: float) -> None:
    limite = time.monotonic() + attente
    requete = text("SELECT pg_try_advisory_xact_lock(:cle)")
    while not connexion.execute(requete, {"cle": CLE_VERROU_IMPORT}).scalar_one():
        reste = limite - time.monotonic()
        if reste <= 0:
            raise _occupe(attente)
        time.sleep(min(INTERVALLE_S, reste))


@contextmanager
def _attente_sqlite(attente: float) -> Iterator[None]:
    """SQLite's "database is locked" past the busy timeout, at BEGIN IMMEDIATE, becomes ImportEnCours."""
    try:
        yield
    except OperationalError as erreur:
        if "locked" in str(erreur.orig):
            raise _occupe(attente) from None
        raise


def prendre(lien: Session | Connection) -> None:
    """Take the import lock in the (write) transaction of a Session or Connection; ImportEnCours
    after the wait."""
    attente = db.attente_verrou()
    with _attente_sqlite(attente):  # SQLite: BEGIN IMMEDIATE waits here for the write lock
        connexion = lien.connection() if isinstance(lien, Session) else lien
    if connexion.dialect.name == "postgresql":
        _prendre_postgresql(connexion, attente)


def _pause_de_test() -> None:
    """The test hook of the module docstring."""
    pause = db.secondes_env(VARIABLE_PAUSE, 0.0)
    if pause:
        print(MARQUEUR_PAUSE, file=sys.stderr, flush=True)
        fin = os.environ.get(VARIABLE_FIN_PAUSE)
        limite = time.monotonic() + pause
        while (reste := limite - time.monotonic()) > 0 and not (fin and os.path.exists(fin)):
            time.sleep(min(INTERVALLE_S, reste))


@contextmanager
def session_import(url: str) -> Iterator[Session]:
    """A write session (one transaction, committed at the end) holding the import lock throughout."""
    with db.session(url, ecriture=True) as s:
        prendre(s)
        yield s
        _pause_de_test()


@contextmanager
def connexion_import(url: str) -> Iterator[Connection]:
    """`session_import` for Core writes: a Connection in one transaction holding the import lock."""
    with db.moteur(url).execution_options(cmq_ecriture=True).connect() as connexion:
        with _attente_sqlite(db.attente_verrou()):
            transaction = connexion.begin()  # SQLite: BEGIN IMMEDIATE waits for the write lock
        with transaction:
            prendre(connexion)
            yield connexion
