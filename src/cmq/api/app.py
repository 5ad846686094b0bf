"""The FastAPI application: JSON API under `/api`, OpenAPI at `/docs`, static files at `/static`.

`/` and the other page paths are left to the web pages: when the module `cmq.web.routes` exists,
`creer_app` calls its `inclure(app)` after the API routers are attached (it may read
`app.state.url`, the database URL, `app.state.jeton` and `app.state.cache`, a `CacheReponses`).
"""

import importlib
import importlib.util
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

from cmq import __version__
from cmq.api import (
    erreurs,
    routes_alias,
    routes_campus,
    routes_etablissements,
    routes_filieres,
    routes_glossaire,
    routes_imports,
    routes_indicateurs,
    routes_resolution,
)
from cmq.api.cache import CacheReponses
from cmq.api.schemas import Probleme
from cmq.api.securite import jeton_configure
from cmq.store import db

ROUTEURS = (
    routes_filieres,
    routes_campus,
    routes_etablissements,
    routes_indicateurs,
    routes_resolution,
    routes_glossaire,
    routes_imports,
    routes_alias,
)
MODULE_WEB = "cmq.web.routes"

DESCRIPTION = """Référentiel des Campus des Métiers et des Qualifications : filières, campus, établissements,
indicateurs « Acteurs », résolution de mentions en texte libre, glossaire.

Les lectures sont publiques. Les écritures (imports, campus, alias) demandent l'en-tête
`Authorization: Bearer <jeton>` (jeton du serveur : variable `CMQ_API_JETON`) : sans en-tête 401,
jeton refusé 403, serveur sans jeton 503 (écriture désactivée). Les erreurs sont au format
`application/problem+json` avec un `detail` en français ; un paramètre invalide répond 422."""


def _dossier_statique():
    """The packaged `cmq/web/static` folder, or None if absent."""
    dossier = resources.files("cmq").joinpath("web", "static")
    return dossier if dossier.is_dir() else None


def _module_web():
    """The web pages module if installed (written separately), else None."""
    try:
        trouve = importlib.util.find_spec(MODULE_WEB)
    except ModuleNotFoundError:
        return None
    return importlib.import_module(MODULE_WEB) if trouve is not None else None


def documenter_problemes(schema: dict[str, Any]) -> dict[str, Any]:
    """Error responses (status ≥ 400) are documented as `application/problem+json` with the
    `Probleme` schema, FastAPI's default validation error (HTTPValidationError) included."""
    composants = schema.setdefault("components", {}).setdefault("schemas", {})
    composants.setdefault("Probleme", Probleme.model_json_schema(ref_template="#/components/schemas/{model}"))
    for chemin in schema.get("paths", {}).values():
        for operation in chemin.values():
            for statut, reponse in operation.get("responses", {}).items():
                contenu = reponse.get("content", {})
                if statut[:1] in "45" and "application/json" in contenu:
                    contenu.pop("application/json")
                    contenu[erreurs.TYPE_PROBLEME] = {"schema": {"$ref": "#/components/schemas/Probleme"}}
    for inutile in ("HTTPValidationError", "ValidationError"):
        composants.pop(inutile, None)
    return schema


def creer_app(url: str | None = None, *, jeton: str | None = None) -> FastAPI:
    """The cmq web application on the database `url` (default: `db.url_par_defaut()`).

    `jeton`: token of the write endpoints (default: $CMQ_API_JETON; none = writing disabled).
    """
    app = FastAPI(
        title="cmq — Campus des Métiers et des Qualifications",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.url = url or db.url_par_defaut()
    app.state.jeton = jeton_configure(jeton)
    app.state.cache = CacheReponses()
    erreurs.installer(app)
    for module in ROUTEURS:
        app.include_router(module.router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = documenter_problemes(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi
    statique = _dossier_statique()
    if statique is not None:
        app.mount("/static", StaticFiles(directory=str(statique)), name="static")
    web = _module_web()
    if web is not None:
        web.inclure(app)
    return app
