"""Static files of the pages (`/static`): `Cache-Control` on every file, gzip for the text ones.

Vendored libraries and boundaries (`vendor/`, `geo/`) change only with a new version of cmq: cached
a week; cmq's own scripts and styles an hour. Both keep the ETag/Last-Modified revalidation of
Starlette. `compresser(app)` adds gzip to every answer of the application except formats that are
already compressed (fonts, images, XLSX).
"""

from importlib import resources

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

CACHE_BIBLIOTHEQUES = "public, max-age=604800"
CACHE_CMQ = "public, max-age=3600"
DEJA_COMPRESSES = (
    "text/event-stream",
    "font/woff",
    "font/woff2",
    "image/png",
    "image/jpeg",
    "image/x-icon",
    "application/zip",
    "application/gzip",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
TAILLE_MIN_GZIP = 1000  # bytes: smaller answers go out as they are


class Statiques(StaticFiles):
    """StaticFiles with a `Cache-Control` header."""

    def file_response(self, full_path, stat_result, scope: Scope, status_code: int = 200) -> Response:
        reponse = super().file_response(full_path, stat_result, scope, status_code)
        bibliotheque = any(f"/static/{dossier}/" in scope["path"] for dossier in ("vendor", "geo"))
        reponse.headers["Cache-Control"] = CACHE_BIBLIOTHEQUES if bibliotheque else CACHE_CMQ
        return reponse


def monter(app: FastAPI) -> None:
    """Serve the static folder of the pages under /static."""
    dossier = resources.files("cmq").joinpath("web", "static")
    app.mount("/static", Statiques(directory=str(dossier)), name="static")


def accepte_gzip(scope: Scope) -> bool:
    """True when the client's Accept-Encoding names gzip (Starlette's rule)."""
    return any(nom.lower() == b"accept-encoding" and b"gzip" in valeur for nom, valeur in scope["headers"])


def _exclu(entetes: dict[bytes, bytes], exclus: tuple[str, ...]) -> bool:
    """Already encoded, or of a type left uncompressed (Starlette's rule: the type or its `x/*`)."""
    if b"content-encoding" in entetes:
        return True
    type_ = entetes.get(b"content-type", b"").partition(b";")[0].strip().lower().decode("latin-1")
    return type_ in exclus or f"{type_.partition('/')[0]}/*" in exclus


def avec_vary(message: dict, exclus: tuple[str, ...]) -> dict:
    """The response start `message` with `Accept-Encoding` added to its `Vary` header, unless excluded."""
    entetes = {nom.lower(): valeur for nom, valeur in message.get("headers", [])}
    vary = entetes.get(b"vary")
    if _exclu(entetes, exclus) or (vary is not None and b"accept-encoding" in vary.lower()):
        return message
    autres = [(nom, valeur) for nom, valeur in message.get("headers", []) if nom.lower() != b"vary"]
    valeur = b"Accept-Encoding" if vary is None else vary + b", Accept-Encoding"
    return {**message, "headers": [*autres, (b"vary", valeur)]}


class Compression(GZipMiddleware):
    """Starlette's GZipMiddleware for the clients that accept gzip. For the others the answer goes
    out as the application sends it, with `Vary: Accept-Encoding` (`avec_vary`): Starlette's identity
    path buffers and inspects every message, a sizeable part of a small API answer's cost."""

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or accepte_gzip(scope):
            await super().__call__(scope, receive, send)
            return

        async def envoyer(message) -> None:
            if message["type"] == "http.response.start":
                message = avec_vary(message, self.exclude_content_types)
            await send(message)

        await self.app(scope, receive, envoyer)


def compresser(app: FastAPI) -> None:
    """gzip the answers (pages, API, static files) when the client accepts it."""
    app.add_middleware(Compression, minimum_size=TAILLE_MIN_GZIP, exclude_content_types=DEJA_COMPRESSES)
