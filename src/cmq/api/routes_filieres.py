"""`/api/filieres`: the 12 filières and the free-text search (in memory, no database)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from cmq import filieres
from cmq.api.dependances import erreurs
from cmq.api.schemas import RechercheFilieres
from cmq.errors import FiliereInconnue, IntrouvableError
from cmq.filieres import Filiere

router = APIRouter(prefix="/api/filieres", tags=["filières"])


@router.get("", response_model=list[Filiere], summary="Les 12 filières")
async def lister() -> tuple[Filiere, ...]:
    """Les 12 filières des CMQ, dans l'ordre de l'entrée de glossaire."""
    return filieres.all()


@router.get(
    "/recherche",
    response_model=RechercheFilieres,
    responses=erreurs(422),
    summary="Recherche d'une filière en texte libre",
)
async def rechercher(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=500,
            description="Texte saisi par un utilisateur.",
            examples=["BTP", "aero", "Campus Tourisme Nice"],
        ),
    ],
    limite: Annotated[int, Query(ge=1, le=12, description="Nombre maximal de candidats.")] = 5,
) -> RechercheFilieres:
    """Filières correspondant à un texte libre (accents, casse, ordre des mots, synonymes, fautes de frappe)."""
    decision = filieres.normalize(q)
    return RechercheFilieres(
        q=q, statut=decision.statut, filiere=decision.filiere, resultats=filieres.search(q, limit=limite)
    )


@router.get("/{code}", response_model=Filiere, responses=erreurs(404), summary="Une filière")
async def voir(
    code: Annotated[
        str,
        Path(max_length=200, description="Code de la filière.", examples=["infrastructures-batiment-eco-construction"]),
    ],
) -> Filiere:
    """La filière de ce code."""
    try:
        return filieres.get(code)
    except FiliereInconnue as erreur:  # a resource path: unknown is "not found"
        raise IntrouvableError(str(erreur)) from None
