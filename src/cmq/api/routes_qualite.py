"""`/api/qualite`: completeness of each field of the directory and kinds of sources (`cmq.qualite`)."""

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from cmq import qualite
from cmq.api.dependances import LECTURE, Url
from cmq.qualite import RapportQualite

router = APIRouter(prefix="/api/qualite", tags=["qualité"])


@router.get("", response_model=RapportQualite, responses=LECTURE, summary="Qualité des données")
async def rapport(url: Url) -> RapportQualite:
    """Pour chaque champ (siège, coordonnées, dates du label, excellence, membres, source) : combien de
    campus l'ont et lesquels ne l'ont pas ; genre de chaque source (officielle, site du campus, miroir ou
    agrégateur, presse ou autre, absente) et campus reposant sur une source non officielle."""
    return await run_in_threadpool(qualite.qualite, url)
