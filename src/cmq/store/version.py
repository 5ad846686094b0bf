"""Data version of a database: changes whenever anything is committed to it, by any process.

In-memory state built from the database (the resolution index, the indicator snapshot, the
API's cached pages) is keyed by `version(url)` and rebuilt when it changes:

* in this process, `db.ecritures(url)` counts the commits that wrote (no query at all);
* from other processes (a CLI import while `cmq serve` runs): SQLite's `PRAGMA data_version`
  on one connection kept for the purpose (a few microseconds, no table read; it changes when
  any other connection commits), with the file's inode (a database replaced by another file);
  PostgreSQL: one round trip reading the last import id, the number of imports, campuses and
  members, the aliases' count and last date, the last change id and the last restore id (every
  import, campus write and restore adds or replaces these; aliases are written without a history entry; an edition of
  a campus's fields changes no count but records a change).
"""

import os
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import func, select

from cmq.store import db
from cmq.store.tables import AliasTable, CampusTable, ChangementTable, ImportTable, MembreTable, RestaurationTable

_VERSION_BASE = select(
    select(func.max(ImportTable.id)).scalar_subquery(),
    select(func.count()).select_from(ImportTable).scalar_subquery(),
    select(func.count()).select_from(CampusTable).scalar_subquery(),
    select(func.count()).select_from(MembreTable).scalar_subquery(),
    select(func.count()).select_from(AliasTable).scalar_subquery(),
    select(func.max(AliasTable.cree_le)).scalar_subquery(),
    select(func.max(ChangementTable.id)).scalar_subquery(),
    select(func.max(RestaurationTable.id)).scalar_subquery(),
)

_chemins: dict[str, Path | None] = {}
_sondes: dict[Path, tuple[int, sqlite3.Connection, threading.Lock]] = {}
_verrou = threading.Lock()


def _chemin(url: str) -> Path | None:
    chemin = _chemins.get(url, False)
    if chemin is False:
        chemin = _chemins[url] = db.chemin_sqlite(url)
    return chemin


def _version_fichier(chemin: Path) -> tuple | None:
    """(inode, PRAGMA data_version) of a SQLite file; None while the file does not exist."""
    try:
        inode = os.stat(chemin).st_ino
    except FileNotFoundError:
        return None
    sonde = _sondes.get(chemin)
    if sonde is None or sonde[0] != inode:
        with _verrou:
            sonde = _sondes.get(chemin)
            if sonde is None or sonde[0] != inode:
                if sonde is not None:
                    sonde[1].close()
                connexion = sqlite3.connect(chemin, check_same_thread=False, isolation_level=None)
                sonde = _sondes[chemin] = (inode, connexion, threading.Lock())
    with sonde[2]:
        return inode, sonde[1].execute("PRAGMA data_version").fetchone()[0]


def locale(url: str) -> bool:
    """True when `version(url)` reads no table (SQLite file): cheap enough for the event loop."""
    return _chemin(db.normaliser_url(url)) is not None


def version(url: str) -> tuple:
    """A value that changes whenever data is committed to `url` (see the module docstring)."""
    url = db.normaliser_url(url)
    chemin = _chemin(url)
    if chemin is not None:
        return db.ecritures(url), _version_fichier(chemin)
    with db.session(url) as s:
        return db.ecritures(url), tuple(s.execute(_VERSION_BASE).one())


def fermer() -> None:
    """Close the probe connections (tests, end of process)."""
    with _verrou:
        for _, connexion, _ in _sondes.values():
            connexion.close()
        _sondes.clear()
        _chemins.clear()
