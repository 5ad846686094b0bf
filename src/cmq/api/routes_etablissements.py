"""`/api/etablissements/{uai}`: an establishment and the campuses it belongs to; `/recherche`: by name."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from cmq.api.dependances import FICHE, LECTURE, Url
from cmq.api.schemas import CandidatEtablissement, EtablissementDetail, RechercheEtablissements
from cmq.rapprochement import IndexEtablissements
from cmq.store import db, lecture

router = APIRouter(prefix="/api/etablissements", tags=["établissements"])


@router.get(
    "/recherche", response_model=RechercheEtablissements, responses=LECTURE, summary="Recherche d'un établissement"
)
async def rechercher(
    url: Url,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=500,
            description="Nom tel qu'il est écrit (même abrégé), UAI ou commune.",
            examples=["LP Branly (Amiens)", "0801336T", "Amiens"],
        ),
    ],
    commune: Annotated[str | None, Query(max_length=200, description="Commune ou code postal.")] = None,
    limite: Annotated[int, Query(ge=1, le=50, description="Nombre maximal de candidats.")] = 10,
) -> RechercheEtablissements:
    """Établissements de l'annuaire correspondant à un nom, un UAI ou une commune, du plus probable au moins."""

    def chercher() -> list:
        return IndexEtablissements.de_la_base_en_cache(url).chercher(q, commune, limite)

    candidats = await run_in_threadpool(chercher)
    resultats = [
        CandidatEtablissement(**{c: getattr(x, c) for c in CandidatEtablissement.model_fields}) for x in candidats
    ]
    return RechercheEtablissements(q=q, commune=commune, resultats=resultats)


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
