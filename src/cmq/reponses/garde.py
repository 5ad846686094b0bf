"""ASGI middleware guarding every request before its body is read, and the security headers.

`GardeRequetes`: first the authorisation, decided from the headers alone (a write without a valid
token is answered before one byte of its body is read; the check may read the database, hence
awaited); then the size: a `Content-Length` above
the route's limit is refused (413) at once, and a body without it (chunked) is counted while it
streams in: past the limit the client gets 413 and the application sees the connection closed.
Every response carries the security headers of `ENTETES_SECURITE`.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from cmq.reponses.erreurs import reponse_probleme

# Content-Security-Policy: only this server's own scripts, styles, fonts and images (data: for
# the DSFR icons and Leaflet's markers); no inline script, no framing, no plugin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
ENTETES_SECURITE: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


@dataclass(frozen=True)
class Refus:
    """An answer given without calling the application: status, French detail, extra headers."""

    statut: int
    detail: str
    entetes: dict[str, str] | None = None


Autorisation = Callable[[dict], Awaitable[Refus | None]]  # scope -> refusal, or None when allowed
Limite = Callable[[dict], int]  # scope -> largest body accepted, in bytes


class _CorpsTropGros(Exception):
    """Raised inside `receive` once the streamed body passes the limit."""


def _mo(octets: int) -> str:
    return f"{octets / (1024 * 1024):g} Mo"


def message_trop_gros(limite: int) -> str:
    """The French 413 detail."""
    return f"contenu trop volumineux : {_mo(limite)} au plus pour cette adresse"


def avec_securite(message: dict) -> dict:
    """The response start `message` with the security headers it does not set itself."""
    noms = {nom.lower() for nom, _ in message.get("headers", [])}
    entetes = list(message.get("headers", []))
    entetes += [(nom, valeur) for nom, valeur in ENTETES_SECURITE if nom not in noms]
    return {**message, "headers": entetes}


def _avec_entetes(send):
    async def envoyer(message):
        if message["type"] == "http.response.start":
            message = avec_securite(message)
        await send(message)

    return envoyer


class GardeRequetes:
    """See the module docstring. `autoriser(scope)` and `limite(scope)` are given by the app factory."""

    def __init__(self, app, *, autoriser: Autorisation, limite: Limite):
        self.app, self.autoriser, self.limite = app, autoriser, limite

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _avec_entetes(send)
        refus = await self.autoriser(scope)
        limite = self.limite(scope)
        longueur, morcele = corps_annonce(scope)
        if refus is None and longueur is not None and longueur > limite:
            refus = Refus(413, message_trop_gros(limite))
        if refus is not None:
            await _refuser(refus, scope, receive, send)
            return
        if morcele:
            await self._limiter(scope, receive, send, limite)
        else:  # no body, or one of `longueur` bytes at most (the server reads no more): nothing to count
            await self.app(scope, receive, send)

    async def _limiter(self, scope, receive, send, limite: int) -> None:
        """Count the body while it streams in; past `limite`, answer 413 and drop what the app sends."""
        etat = {"recus": 0, "demarre": False, "refuse": False}

        async def recevoir():
            message = await receive()
            if message["type"] == "http.request":
                etat["recus"] += len(message.get("body", b""))
                if etat["recus"] > limite and not etat["refuse"]:
                    if etat["demarre"]:
                        raise _CorpsTropGros
                    etat["refuse"] = True
                    await _refuser(Refus(413, message_trop_gros(limite)), scope, receive, send)
                if etat["refuse"]:
                    raise _CorpsTropGros
            return message

        async def envoyer(message):
            if etat["refuse"]:
                return  # the 413 is already sent: the app's answer to the aborted body is dropped
            if message["type"] == "http.response.start":
                etat["demarre"] = True
            await send(message)

        try:
            await self.app(scope, recevoir, envoyer)
        except Exception:
            if not etat["refuse"]:
                raise


def corps_annonce(scope) -> tuple[int | None, bool]:
    """(the Content-Length, None when absent or unreadable; True when a Transfer-Encoding is given:
    a body streamed without a length)."""
    longueur, morcele = None, False
    for nom, valeur in scope.get("headers", []):
        nom = nom.lower()
        if nom == b"content-length":
            try:
                longueur = int(valeur)
            except ValueError:
                longueur = None
        elif nom == b"transfer-encoding":
            morcele = True
    return longueur, morcele


async def _refuser(refus: Refus, scope, receive, send: Callable[[dict], Awaitable[None]]) -> None:
    """Answer without reading the body; the server closes the connection (body left unread)."""
    entetes = {**(refus.entetes or {}), "Connection": "close"}
    await reponse_probleme(refus.statut, refus.detail, entetes=entetes)(scope, receive, send)
