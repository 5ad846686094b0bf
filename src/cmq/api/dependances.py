"""Shared route helpers: the database URL of the app and the documentation of error responses."""

from typing import Annotated

from fastapi import Depends, Request

from cmq.api.schemas import Probleme


async def url_base(requete: Request) -> str:
    """The database URL the app was created with (async: FastAPI runs a sync dependency in a thread)."""
    return requete.app.state.url


Url = Annotated[str, Depends(url_base)]


def erreurs(*statuts: int) -> dict[int | str, dict]:
    """OpenAPI documentation of problem+json error responses (see `app.documenter_problemes`)."""
    descriptions = {
        404: "Ressource introuvable.",
        422: "Paramètre ou corps de requête invalide.",
        503: "Base de données indisponible ou non initialisée.",
    }
    return {s: {"model": Probleme, "description": descriptions.get(s, "Erreur.")} for s in statuts}


LECTURE = erreurs(422, 503)
FICHE = erreurs(404, 422, 503)
