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


def compresser(app: FastAPI) -> None:
    """gzip the answers (pages, API, static files) when the client accepts it."""
    app.add_middleware(GZipMiddleware, minimum_size=TAILLE_MIN_GZIP, exclude_content_types=DEJA_COMPRESSES)
