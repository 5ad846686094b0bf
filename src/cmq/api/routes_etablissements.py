"""`/api/etablissements/{uai}`: an establishment and the campuses it belongs to."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from cmq.api.dependances import FICHE, Url
from cmq.api.schemas import EtablissementDetail
from cmq.store import db, lecture

router = APIRouter(prefix="/api/etablissements", tags=["établissements"])


@router.get("/{uai}", response_model=EtablissementDetail, responses=FICHE, summary="Fiche d'un établissement")
def voir(
    url: Url,
    uai: Annotated[str, Path(max_length=20, description="Code UAI (7 chiffres et une lettre).", examples=["0690010L"])],
    jour: Annotated[
        date | None,
        Query(alias="date", description="Campus dont le label est valide à cette date (défaut : aujourd'hui)."),
    ] = None,
) -> EtablissementDetail:
    """Un établissement (UAI) et les campus dont il est membre à la date demandée."""
    with db.session(url) as s:
        etablissement = lecture.etablissement(s, uai)
        campus = lecture.campus_de_l_etablissement(s, etablissement.uai, jour or date.today())
    return EtablissementDetail(**etablissement.model_dump(), campus=campus)
