"""`/api/campus/suggestions`: campus type-ahead for Orion's "Nom CMQ" field (`cmq.completion`).

Answers carry an ETag; a query string asked again is answered from memory by `cache.CacheURL`
(every keystroke of every user asks the same first prefixes) until the data change.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from cmq import completion
from cmq.api.cache import avec_etag, reponse_json
from cmq.api.dependances import LECTURE, Url

router = APIRouter(prefix="/api/campus", tags=["campus"])


@router.get(
    "/suggestions",
    response_model=completion.Suggestions,
    responses=LECTURE | {304: {"description": "Réponse inchangée (`If-None-Match`)."}},
    summary="Saisie semi-automatique d'un nom de campus",
)
async def suggerer(
    requete: Request,
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
    (région académique de l'UAI) et par la filière choisie ; texte vide : les campus du contexte d'abord.

    La réponse porte un `ETag` : avec `If-None-Match`, une réponse inchangée répond 304 sans corps."""
    # computed in the event loop: CPU only once the directory is in memory (a thread would cost more)
    resultat = completion.suggerer(q, uai or None, filiere or None, limite, url=url)
    return reponse_json(requete, *avec_etag(resultat.model_dump_json().encode()))
