"""The JSON API under `/api`: its routers, its French problem+json errors and its OpenAPI document.

`inclure(app)` attaches them to the application that `cmq.serveur.creer_app` builds.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from cmq.api import (
    routes_alias,
    routes_campus,
    routes_completion,
    routes_edition,
    routes_etablissements,
    routes_filieres,
    routes_glossaire,
    routes_imports,
    routes_indicateurs,
    routes_qualite,
    routes_relecture,
    routes_resolution,
)
from cmq.api.cache import CacheURL
from cmq.api.schemas import Probleme
from cmq.reponses import erreurs

ROUTEURS = (
    routes_filieres,
    routes_completion,  # before routes_campus: "/api/campus/suggestions" is not a campus id
    routes_campus,
    routes_edition,
    routes_etablissements,
    routes_indicateurs,
    routes_qualite,
    routes_resolution,
    routes_glossaire,
    routes_imports,
    routes_alias,
    routes_relecture,
)

DESCRIPTION = """Référentiel des Campus des Métiers et des Qualifications : filières, campus, établissements,
indicateurs « Acteurs », résolution de mentions en texte libre, glossaire.

Les lectures sont publiques. Les écritures (imports, campus, alias) demandent l'en-tête
`Authorization: Bearer <jeton>` : le jeton du serveur (variable `CMQ_API_JETON`, administrateur de
la France) ou celui d'un utilisateur (`cmq utilisateurs ajouter`), limité à ses périmètres
(France, région académique, académie ou campus). Sans en-tête 401 ; jeton inconnu, révoqué ou
expiré, ou campus hors des périmètres de l'utilisateur 403 (rien n'est écrit) ; serveur sans jeton
ni utilisateur 503 (écriture désactivée). Chaque modification d'un campus (champs, membres,
partenaires) cite sa `source` et entre dans l'historique ; celle d'un auteur relu attend sa
validation (202, `/api/relecture`). Les erreurs sont au format `application/problem+json`
avec un `detail` en français ; un paramètre invalide répond 422."""


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


def inclure(app: FastAPI) -> None:
    """Attach the API routers, their problem+json error handlers and the OpenAPI document."""
    erreurs.installer(app)
    for module in ROUTEURS:
        app.include_router(module.router)
    app.add_middleware(routes_indicateurs.IndicateursRapides)  # new dates answered before the routing
    app.add_middleware(CacheURL)  # repeated campus pages served before parsing their parameters
    app.add_middleware(routes_resolution.ResolutionRapide)  # plain resolutions answered before the routing

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = documenter_problemes(
                get_openapi(title=app.title, version=app.version, description=DESCRIPTION, routes=app.routes)
            )
        return app.openapi_schema

    app.openapi = openapi
