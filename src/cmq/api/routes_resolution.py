"""`/api/resolution`: the campus a free-text mention designates (`cmq.resolve`)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from cmq.api.dependances import LECTURE, Url
from cmq.resolve import Resolution, resolve

router = APIRouter(prefix="/api/resolution", tags=["résolution"])


@router.get("", response_model=Resolution, responses=LECTURE, summary="Résout une mention de campus en texte libre")
def resoudre(
    url: Url,
    nom: Annotated[
        str, Query(min_length=1, max_length=500, description="Mention saisie.", examples=["Mobicampus", "CMQ BTP Lyon"])
    ],
    filiere: Annotated[str | None, Query(max_length=500, description="Filière déclarée (code ou texte libre).")] = None,
    territoire: Annotated[str | None, Query(max_length=200, description="Territoire (code ou nom).")] = None,
    jour: Annotated[date | None, Query(alias="date", description="Date de la mention (AAAA-MM-JJ).")] = None,
) -> Resolution:
    """Le campus désigné (statut « trouve »), les candidats (« ambigu ») ou « inconnu »."""
    return resolve(nom, filiere or None, territoire or None, jour, url=url)
