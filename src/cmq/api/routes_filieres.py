"""`/api/filieres`: the 12 filières and the free-text search (in memory, no database)."""

from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from cmq import filieres
from cmq.api.cache import etag, reponse_json
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
    requete: Request,
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
) -> Response:
    """Filières correspondant à un texte libre (accents, casse, ordre des mots, synonymes, fautes de frappe)."""
    return reponse_json(requete, *recherche_json(q, limite))


@lru_cache(maxsize=20_000)
def recherche_json(q: str, limite: int) -> tuple[bytes, str]:
    """The JSON body of a search and its ETag (the filières never change while the server runs: cached by text)."""
    decision = filieres.normalize(q)
    resultats = filieres.search(q, limit=limite)
    corps = (
        RechercheFilieres(q=q, statut=decision.statut, filiere=decision.filiere, resultats=resultats)
        .model_dump_json()
        .encode()
    )
    return corps, etag(corps)


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
