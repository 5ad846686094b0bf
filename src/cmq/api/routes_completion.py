"""`/api/campus/suggestions`: campus type-ahead for Orion's "Nom CMQ" field (`cmq.completion`)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from cmq import completion
from cmq.api.dependances import LECTURE, Url

router = APIRouter(prefix="/api/campus", tags=["campus"])


@router.get(
    "/suggestions",
    response_model=completion.Suggestions,
    responses=LECTURE,
    summary="Saisie semi-automatique d'un nom de campus",
)
async def suggerer(
    url: Url,
    q: Annotated[
        str, Query(max_length=200, description="Texte saisi (dès la première lettre).", examples=["plasti", "a"])
    ] = "",
    uai: Annotated[
        str | None, Query(max_length=20, description="UAI de l'établissement de la demande.", examples=["0310036W"])
    ] = None,
    filiere: Annotated[
        str | None, Query(max_length=500, description="Filière choisie (code ou libellé).", examples=["Tourisme"])
    ] = None,
    limite: Annotated[int, Query(ge=1, le=50, description="Nombre maximal de campus.")] = completion.LIMITE,
) -> Response:
    """Campus proposés pour le texte saisi, classés par le texte, par le territoire de l'établissement
    (région académique de l'UAI) et par la filière choisie ; texte vide : les campus du contexte d'abord."""
    # computed in the event loop: CPU only once the directory is in memory (a thread would cost more)
    resultat = completion.suggerer(q, uai or None, filiere or None, limite, url=url)
    return Response(resultat.model_dump_json(), media_type="application/json")
