"""`/api/glossaire`: the packaged glossary entries, in the shape of Orion's API."""

from typing import Annotated

from fastapi import APIRouter, Path

from cmq import glossaire
from cmq.api.dependances import erreurs
from cmq.glossaire import EntreeGlossaire

router = APIRouter(prefix="/api/glossaire", tags=["glossaire"])


@router.get("", response_model=list[str], summary="Entrées du glossaire")
async def lister() -> list[str]:
    """Identifiants (slugs) des entrées disponibles."""
    return glossaire.entrees()


@router.get("/{slug}", response_model=EntreeGlossaire, responses=erreurs(404), summary="Une entrée du glossaire")
async def voir(
    slug: Annotated[str, Path(max_length=200, description="Identifiant de l'entrée.", examples=["cmq"])],
) -> EntreeGlossaire:
    """L'entrée `slug` comme l'API d'Orion : `{title, type, createdBy, status, content, icon, slug}`."""
    return glossaire.entree(slug)
