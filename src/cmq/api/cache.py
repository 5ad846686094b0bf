"""Cache of costly JSON responses (indicators), by request and data version.

Data version: for SQLite, the size, modification time and inode of the database file and of its
WAL journal — every commit, by any process, changes them; it costs two `stat` calls, so a hit
never touches the database. For other databases, one cheap query (last import id, number of
imports, campuses and memberships): every import (CLI or API, even refused) and every campus
written through the API add a history entry. Entries also expire after `DUREE` seconds (a bound
on staleness in the rare cases the version misses a change) and at most `TAILLE` are kept. A miss
is computed once, in a worker thread: concurrent requests for the same key wait for it.
"""

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from cmq.store import db
from cmq.store.tables import CampusTable, ImportTable, MembreTable

TAILLE = 512
DUREE = 60.0  # seconds

_VERSION = select(
    select(func.max(ImportTable.id)).scalar_subquery(),
    select(func.count()).select_from(ImportTable).scalar_subquery(),
    select(func.count()).select_from(CampusTable).scalar_subquery(),
    select(func.count()).select_from(MembreTable).scalar_subquery(),
)


_chemin_sqlite = lru_cache(maxsize=64)(db.chemin_sqlite)


def _etat(chemin: Path) -> tuple[int, int, int] | None:
    try:
        infos = os.stat(chemin)
    except FileNotFoundError:
        return None
    return infos.st_size, infos.st_mtime_ns, infos.st_ino


def version_fichier(chemin: Path) -> tuple:
    """Version of a SQLite database file: state of the file and of its WAL journal."""
    return _etat(chemin), _etat(chemin.with_name(chemin.name + "-wal"))


def version_base(url: str) -> tuple:
    """Version read from the database itself (see the module docstring)."""
    with db.session(url) as s:
        return tuple(s.execute(_VERSION).one())


class CacheReponses:
    """JSON bodies by (database, key, data version); LRU, bounded, expiring."""

    def __init__(self, taille: int = TAILLE, duree: float = DUREE):
        self.taille, self.duree = taille, duree
        self._entrees: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self._verrou = threading.Lock()  # guards _entrees
        self._calcul = threading.Lock()  # one computation at a time (they are CPU-bound anyway)

    def _lire(self, cle: Hashable) -> bytes | None:
        with self._verrou:
            entree = self._entrees.get(cle)
            if entree is None or time.monotonic() - entree[0] > self.duree:
                return None
            self._entrees.move_to_end(cle)
            return entree[1]

    def _calculer(self, cle: Hashable, calculer: Callable[[], bytes]) -> bytes:
        with self._calcul:
            contenu = self._lire(cle)
            if contenu is None:
                contenu = calculer()
                with self._verrou:
                    self._entrees[cle] = (time.monotonic(), contenu)
                    while len(self._entrees) > self.taille:
                        self._entrees.popitem(last=False)
        return contenu

    async def obtenir(self, url: str, cle: Hashable, calculer: Callable[[], bytes]) -> bytes:
        """The body of `cle` for the current data of `url`, computed by `calculer` (in a thread) if needed."""
        chemin = _chemin_sqlite(url)
        version = version_fichier(chemin) if chemin is not None else await run_in_threadpool(version_base, url)
        complete = (url, cle, version)
        contenu = self._lire(complete)
        if contenu is None:
            contenu = await run_in_threadpool(self._calculer, complete, calculer)
        return contenu
