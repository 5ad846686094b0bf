"""Cache of costly JSON responses (indicators, campus pages, type-ahead), by request and data version.

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
from datetime import date
from hashlib import blake2b
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from cmq.errors import CmqError
from cmq.store import version as versions

TAILLE = 4096
OCTETS = 64 * 1024 * 1024  # bodies kept, in bytes, at most
DUREE = 60.0  # seconds
# JSON routes whose answers `CacheURL` keeps by exact URL.
CHEMINS_URL = frozenset({"/api/campus", "/api/campus/suggestions", "/api/filieres/recherche", "/api/indicateurs"})


async def version(url: str) -> tuple:
    """Data version of `url`, read in a worker thread when it needs a query."""
    if versions.locale(url):
        return versions.version(url)
    return await run_in_threadpool(versions.version, url)


def etag(corps: bytes) -> str:
    """Strong entity tag of a body."""
    return '"' + blake2b(corps, digest_size=12).hexdigest() + '"'


def avec_etag(corps: bytes) -> tuple[bytes, str]:
    """A body and its ETag."""
    return corps, etag(corps)


def _inchangee(demandees: str | None, balise: str) -> bool:
    """True when an `If-None-Match` value names the tag `balise` (or is `*`)."""
    return bool(demandees) and (demandees.strip() == "*" or balise in (t.strip() for t in demandees.split(",")))


def reponse_json(requete: Request, corps: bytes, balise: str) -> Response:
    """200 with the body and its ETag, or 304 when the client's `If-None-Match` names that tag."""
    entetes = {"ETag": balise, "Cache-Control": "no-cache"}
    if _inchangee(requete.headers.get("if-none-match"), balise):
        return Response(status_code=304, headers=entetes)
    return Response(corps, media_type="application/json", headers=entetes)


async def envoyer_json(scope, send, corps: bytes, balise: str) -> None:
    """`reponse_json` sent by an ASGI middleware: the same status, headers and body."""
    demandees = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"if-none-match"), None)
    entetes = [(b"etag", balise.encode()), (b"cache-control", b"no-cache")]
    if _inchangee(demandees, balise):
        await send({"type": "http.response.start", "status": 304, "headers": entetes})
        await send({"type": "http.response.body", "body": b""})
        return
    entetes += [(b"content-length", str(len(corps)).encode()), (b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": entetes})
    await send({"type": "http.response.body", "body": corps})


class CacheURL:
    """ASGI middleware: a repeated GET of a path in `chemins` is answered from memory, by exact query
    string and data version, before any parsing or validation.

    Only 200 answers carrying an ETag (those of `reponse_json`, built from validated parameters) are
    kept, in the app's `CacheReponses`; a new data version misses, so does any other query string
    (the route then validates it and answers, errors included, as usual), and so does a new day
    (a date left out means today).
    """

    def __init__(self, app, chemins: frozenset[str] = CHEMINS_URL):
        self.app, self.chemins = app, chemins

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in self.chemins:
            await self.app(scope, receive, send)
            return
        etat = scope["app"].state
        try:
            donnees = await version(etat.url)
        except CmqError:  # database unavailable: the route answers (503 through the error handlers)
            await self.app(scope, receive, send)
            return
        cle = ("url", scope["path"], scope["query_string"], date.today(), donnees)
        entree = etat.cache.lire(cle)
        if entree is not None:
            await envoyer_json(scope, send, *entree)
            return
        debut: dict = {}
        morceaux: list[bytes] = []

        async def retenir(message) -> None:
            if message["type"] == "http.response.start":
                debut.update(message)
            elif debut.get("status") == 200:
                morceaux.append(message.get("body", b""))
                balise = next((v.decode("latin-1") for k, v in debut.get("headers", ()) if k == b"etag"), None)
                if balise is not None and not message.get("more_body", False):
                    etat.cache.ranger(cle, (b"".join(morceaux), balise))
            await send(message)

        await self.app(scope, receive, retenir)


class CacheReponses:
    """JSON bodies by (database, key, data version); LRU, bounded (entries and bytes), expiring."""

    def __init__(self, taille: int = TAILLE, duree: float = DUREE, octets: int = OCTETS):
        self.taille, self.duree, self.octets = taille, duree, octets
        self._entrees: OrderedDict[Hashable, tuple[float, Any, int]] = OrderedDict()
        self._total = 0  # bytes of the bodies kept
        self._verrou = threading.Lock()  # guards _entrees
        self._calcul = threading.Lock()  # one computation at a time (they are CPU-bound anyway)

    def lire(self, cle: Hashable) -> Any:
        """The value kept under `cle`, or None (absent or expired)."""
        with self._verrou:
            entree = self._entrees.get(cle)
            if entree is None or time.monotonic() - entree[0] > self.duree:
                return None
            self._entrees.move_to_end(cle)
            return entree[1]

    def ranger(self, cle: Hashable, contenu: Any) -> None:
        """Keep `contenu` (a body, or a tuple starting with one) under `cle`; the oldest entries go."""
        corps = contenu[0] if isinstance(contenu, tuple) else contenu
        taille = len(corps) if isinstance(corps, bytes) else 0
        with self._verrou:
            ancienne = self._entrees.pop(cle, None)
            self._total += taille - (ancienne[2] if ancienne else 0)
            self._entrees[cle] = (time.monotonic(), contenu, taille)
            while len(self._entrees) > self.taille or (self._total > self.octets and len(self._entrees) > 1):
                self._total -= self._entrees.popitem(last=False)[1][2]

    def _calculer(self, cle: Hashable, calculer: Callable[[], Any]) -> Any:
        with self._calcul:
            contenu = self.lire(cle)
            if contenu is None:
                contenu = calculer()
                self.ranger(cle, contenu)
        return contenu

    async def obtenir(
        self, url: str, cle: Hashable, calculer: Callable[[], Any], sur_place: Callable[[], bool] | None = None
    ) -> Any:
        """The body (or any value) of `cle` for the current data of `url`, computed by `calculer` if
        needed: in a worker thread, or in the event loop when `sur_place()` says it is cheap."""
        complete = (url, cle, await version(url))
        contenu = self.lire(complete)
        if contenu is None:
            if sur_place is not None and sur_place():
                contenu = calculer()
                self.ranger(complete, contenu)
            else:
                contenu = await run_in_threadpool(self._calculer, complete, calculer)
        return contenu
