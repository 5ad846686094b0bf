"""`/api/resolution`: the campus a free-text mention designates (`cmq.resolve`)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from cmq.api.dependances import LECTURE, Url
from cmq.resolve import Resolution, index_courant, resolve
from cmq.store import version as versions

router = APIRouter(prefix="/api/resolution", tags=["résolution"])


@router.get("", response_model=Resolution, responses=LECTURE, summary="Résout une mention de campus en texte libre")
async def resoudre(
    url: Url,
    nom: Annotated[
        str, Query(min_length=1, max_length=500, description="Mention saisie.", examples=["Mobicampus", "CMQ BTP Lyon"])
    ],
    filiere: Annotated[str | None, Query(max_length=500, description="Filière déclarée (code ou texte libre).")] = None,
    territoire: Annotated[str | None, Query(max_length=200, description="Territoire (code ou nom).")] = None,
    jour: Annotated[date | None, Query(alias="date", description="Date de la mention (AAAA-MM-JJ).")] = None,
) -> Resolution:
    """Le campus désigné (statut « trouve »), les candidats (« ambigu ») ou « inconnu »."""
    arguments = (nom, filiere or None, territoire or None, jour)
    if versions.locale(url) and index_courant(url) is not None:  # a fraction of a millisecond: no thread
        resolution = resolve(*arguments, url=url)
    else:  # the index is (re)built from the database, or freshness needs a query
        resolution = await run_in_threadpool(resolve, *arguments, url=url)
    return Response(resolution.model_dump_json(), media_type="application/json")
