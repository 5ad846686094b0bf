"""Cache of costly JSON responses (indicators, campus pages), by request and data version.

Data version: `cmq.store.version` — the change counter of this process and, for SQLite, the
file's `PRAGMA data_version` (no table read, so a hit never leaves the event loop); for other
databases one cheap query, run in a worker thread. Entries also expire after `DUREE` seconds
(a bound on staleness in the rare cases the version misses a change) and at most `TAILLE` are
kept. A miss is computed once, in a worker thread: concurrent requests for the same key wait for it.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from hashlib import blake2b
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from cmq.store import version as versions

TAILLE = 512
DUREE = 60.0  # seconds


async def version(url: str) -> tuple:
    """Data version of `url`, read in a worker thread when it needs a query."""
    if versions.locale(url):
        return versions.version(url)
    return await run_in_threadpool(versions.version, url)


def etag(corps: bytes) -> str:
    """Strong entity tag of a body."""
    return '"' + blake2b(corps, digest_size=12).hexdigest() + '"'


def reponse_json(requete: Request, corps: bytes, balise: str) -> Response:
    """200 with the body and its ETag, or 304 when the client's `If-None-Match` names that tag."""
    entetes = {"ETag": balise, "Cache-Control": "no-cache"}
    demandees = requete.headers.get("if-none-match")
    if demandees and (demandees.strip() == "*" or balise in (t.strip() for t in demandees.split(","))):
        return Response(status_code=304, headers=entetes)
    return Response(corps, media_type="application/json", headers=entetes)


class CacheReponses:
    """JSON bodies by (database, key, data version); LRU, bounded, expiring."""

    def __init__(self, taille: int = TAILLE, duree: float = DUREE):
        self.taille, self.duree = taille, duree
        self._entrees: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._verrou = threading.Lock()  # guards _entrees
        self._calcul = threading.Lock()  # one computation at a time (they are CPU-bound anyway)

    def _lire(self, cle: Hashable) -> Any:
        with self._verrou:
            entree = self._entrees.get(cle)
            if entree is None or time.monotonic() - entree[0] > self.duree:
                return None
            self._entrees.move_to_end(cle)
            return entree[1]

    def _calculer(self, cle: Hashable, calculer: Callable[[], Any]) -> Any:
        with self._calcul:
            contenu = self._lire(cle)
            if contenu is None:
                contenu = calculer()
                with self._verrou:
                    self._entrees[cle] = (time.monotonic(), contenu)
                    while len(self._entrees) > self.taille:
                        self._entrees.popitem(last=False)
        return contenu

    async def obtenir(self, url: str, cle: Hashable, calculer: Callable[[], Any]) -> Any:
        """The body (or any value) of `cle` for the current data of `url`, computed by `calculer`
        (in a thread) if needed."""
        complete = (url, cle, await version(url))
        contenu = self._lire(complete)
        if contenu is None:
            contenu = await run_in_threadpool(self._calculer, complete, calculer)
        return contenu

    def vider(self) -> None:
        """Forget every entry."""
        with self._verrou:
            self._entrees.clear()
