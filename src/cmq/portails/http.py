"""Shared HTTP client for the portals: timeouts, bounded retries with backoff, French errors."""

from __future__ import annotations

import contextlib
import email.utils
import json
import math
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from cmq import __version__
from cmq.errors import EntreeInvalide, ErreurReseau, RefusPortail

# Statuses worth retrying: rate limiting and transient server failures.
REESSAYABLES = {429, 500, 502, 503, 504}

Params = dict[str, Any] | list[tuple[str, Any]] | None


def adresse_complete(url: str, params: Params = None) -> str:
    """The URL actually requested (query merged as httpx does), for messages and provenance."""
    adresse = httpx.URL(url)
    return str(adresse.copy_merge_params(params) if params else adresse)


def adresse_portail(base: str) -> str:
    """Check that `base` is an http(s) URL with a host; return it without trailing slash."""
    try:
        adresse = httpx.URL(base.strip())
    except (httpx.InvalidURL, TypeError) as erreur:
        raise EntreeInvalide(f"adresse de portail invalide : « {base} »") from erreur
    if adresse.scheme not in ("http", "https") or not adresse.host:
        raise EntreeInvalide(f"adresse de portail invalide : « {base} » (http:// ou https:// attendu)")
    return str(adresse).rstrip("/")


def segment(valeur: str, nature: str) -> str:
    """A dataset or resource id, checked and quoted for use as one URL path segment."""
    valeur = (valeur or "").strip()
    if not valeur:
        raise EntreeInvalide(f"{nature} vide")
    return quote(valeur, safe="")


def duree_retry_after(valeur: str | None) -> float | None:
    """Seconds to wait from a `Retry-After` header (seconds or HTTP date); None if absent/invalid."""
    if not valeur:
        return None
    valeur = valeur.strip()
    try:
        secondes = float(valeur)
    except ValueError:
        try:
            date = email.utils.parsedate_to_datetime(valeur)
        except (TypeError, ValueError, IndexError):
            return None
        if date.tzinfo is None:
            date = date.replace(tzinfo=UTC)
        secondes = (date - datetime.now(UTC)).total_seconds()
    if math.isnan(secondes):
        return None
    return max(0.0, secondes)


def _message_portail(reponse: httpx.Response) -> tuple[str | None, str | None]:
    """(error code, message) from an error body: Opendatasoft `error_code`/`message`, or `detail`."""
    try:
        corps = reponse.json()
    except ValueError:
        return None, None
    if not isinstance(corps, dict):
        return None, None
    code = corps.get("error_code") or corps.get("code")
    message = corps.get("message") or corps.get("detail") or corps.get("error")
    if message is None and isinstance(corps.get("errors"), list):
        message = " ; ".join(
            str(e.get("detail") or e.get("title") or e) if isinstance(e, dict) else str(e) for e in corps["errors"]
        )
    return (str(code) if code else None), (str(message) if message else None)


def _refus(reponse: httpx.Response, adresse: str) -> ErreurReseau:
    """The error for a non-retryable HTTP status, carrying the portal's own message."""
    statut = reponse.status_code
    code, message = _message_portail(reponse)
    if statut == 404:
        texte = "jeu de données introuvable (HTTP 404)"
    elif statut < 500:
        texte = f"le portail a refusé la requête (HTTP {statut}{', ' + code if code else ''})"
    else:
        texte = f"le portail a répondu par une erreur (HTTP {statut}{', ' + code if code else ''})"
    if message:
        texte += f" : {message}"
    texte += f" — {adresse}"
    if statut < 500:
        return RefusPortail(texte, statut=statut, code=code)
    return ErreurReseau(texte)


def _cause_transport(erreur: httpx.TransportError) -> str:
    """A short French reason for a transport failure."""
    if isinstance(erreur, httpx.TimeoutException):
        return "délai d'attente dépassé"
    if isinstance(erreur, httpx.ConnectError):
        return "connexion impossible"
    if isinstance(erreur, httpx.RemoteProtocolError):
        return "connexion coupée par le serveur (réponse absente ou tronquée)"
    if isinstance(erreur, (httpx.ReadError, httpx.WriteError)):
        return "connexion interrompue"
    return f"erreur réseau ({type(erreur).__name__} : {erreur})"


class ClientHttp:
    """GET with bounded retries, exponential backoff and jitter; `sommeil` is injectable for tests."""

    def __init__(
        self,
        *,
        timeout: float | httpx.Timeout = 30.0,
        tentatives: int = 4,
        attente_base: float = 0.5,
        attente_max: float = 30.0,
        sommeil: Callable[[float], None] = time.sleep,
    ):
        if tentatives < 1:
            raise EntreeInvalide("le nombre de tentatives doit être au moins 1")
        self.tentatives = tentatives
        self.attente_base = attente_base
        self.attente_max = attente_max
        self.sommeil = sommeil
        self._hasard = random.Random()
        self._client = httpx.Client(
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            trust_env=False,  # no proxies or .netrc from the environment
            follow_redirects=True,
            headers={"User-Agent": f"cmq/{__version__}", "Accept": "application/json, */*"},
        )

    def __enter__(self) -> ClientHttp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying connections."""
        self._client.close()

    def get_json(self, url: str, params: Params = None) -> tuple[Any, bytes]:
        """GET a JSON body: (decoded value, raw bytes). Invalid/truncated JSON is retried."""
        return self._get(url, params, decoder=True)

    def get_bytes(self, url: str, params: Params = None) -> bytes:
        """GET a body as raw bytes."""
        return self._get(url, params, decoder=False)[1]

    def attente(self, tentative: int, retry_after: float | None = None) -> float:
        """Delay before the next attempt: `Retry-After` if given, else exponential + jitter; capped."""
        if retry_after is not None:
            return min(retry_after, self.attente_max)
        delai = self.attente_base * 2 ** (tentative - 1)
        return min(self.attente_max, delai * (1 + self._hasard.uniform(0, 0.1)))

    def _get(self, url: str, params: Params, *, decoder: bool) -> tuple[Any, bytes]:
        try:
            adresse = adresse_complete(url, params)
        except httpx.InvalidURL as erreur:
            raise EntreeInvalide(f"adresse invalide : {url}") from erreur
        cause = ""
        for tentative in range(1, self.tentatives + 1):
            retry_after = None
            try:
                reponse = self._client.get(url, params=params)
            except httpx.TooManyRedirects as erreur:
                raise ErreurReseau(f"trop de redirections — {adresse}") from erreur
            except httpx.UnsupportedProtocol as erreur:
                raise EntreeInvalide(f"adresse non prise en charge : {adresse}") from erreur
            except httpx.TransportError as erreur:
                cause = _cause_transport(erreur)
            except httpx.DecodingError:
                cause = "réponse illisible (décompression impossible)"
            else:
                if reponse.status_code in REESSAYABLES:
                    cause = f"HTTP {reponse.status_code}"
                    if reponse.status_code == 429:
                        cause += " (trop de requêtes)"
                    retry_after = duree_retry_after(reponse.headers.get("Retry-After"))
                elif reponse.status_code >= 400:
                    raise _refus(reponse, adresse)
                elif not decoder:
                    return None, reponse.content
                else:
                    try:
                        return json.loads(reponse.content), reponse.content
                    except ValueError:  # includes UnicodeDecodeError
                        cause = "réponse JSON invalide ou tronquée"
            if tentative < self.tentatives:
                self.sommeil(self.attente(tentative, retry_after))
        pluriel = "s" if self.tentatives > 1 else ""
        raise ErreurReseau(f"échec de la requête après {self.tentatives} tentative{pluriel} : {cause} — {adresse}")


@contextlib.contextmanager
def client_ou_defaut(client: ClientHttp | None) -> Iterator[ClientHttp]:
    """Use the caller's client as is, or a default one closed at the end."""
    if client is not None:
        yield client
        return
    with ClientHttp() as nouveau:
        yield nouveau


def reponse_inattendue(detail: str, adresse: str) -> ErreurReseau:
    """The error for a body that does not have the documented shape."""
    return ErreurReseau(f"réponse inattendue du portail : {detail} — {adresse}")
