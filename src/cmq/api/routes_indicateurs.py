"""`/api/indicateurs`: « Acteurs » indicators of every territory of a scale (JSON, CSV or XLSX).

JSON answers are cached by request and data version (`cmq.api.cache`). The route is
asynchronous: a cache hit never leaves the event loop, nor does a new date computed from a
current in-memory snapshot (`indicateurs.instantane`); building the snapshot and exports run in
worker threads.
"""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from cmq import indicateurs
from cmq.api import export
from cmq.api.cache import avec_etag, reponse_json
from cmq.api.dependances import LECTURE, Url
from cmq.indicateurs import LigneIndicateurs, LigneIndicateursAu
from cmq.store import version as versions

router = APIRouter(prefix="/api/indicateurs", tags=["indicateurs"])

Echelle = Literal["france", "region_academique", "academie", "departement"]
_JSON = TypeAdapter(list[LigneIndicateurs])
_JSON_AU = TypeAdapter(list[LigneIndicateursAu])


@router.get(
    "",
    response_model=list[LigneIndicateurs] | list[LigneIndicateursAu],
    responses=LECTURE | export.REPONSES_INDICATEURS,
    summary="Indicateurs « Acteurs » par territoire",
)
async def lister(
    requete: Request,
    url: Url,
    echelle: Annotated[Echelle, Query(description="Échelle des territoires.")] = "france",
    code: Annotated[
        str | None, Query(max_length=200, description="Un seul territoire de l'échelle (code ou nom) ; tous sinon.")
    ] = None,
    jour: Annotated[date | None, Query(alias="date", description="Date de calcul (défaut : aujourd'hui).")] = None,
    format: Annotated[export.FormatIndicateurs, Query(description="json, csv ou xlsx.")] = "json",
    au: Annotated[
        date | None,
        Query(
            description="Calcul sur l'annuaire tel qu'il était à la fin de ce jour (AAAA-MM-JJ) : campus et membres "
            "reconstitués depuis l'historique, établissements tels que chargés aujourd'hui ; `date` vaut alors `au` "
            "par défaut. Chaque ligne porte `au` et `note`."
        ),
    ] = None,
) -> Response:
    """Une ligne par territoire : campus, excellence, filières, établissements membres, couverture des lycées.

    Règles : un campus compte à la date D si son label est valide ce jour-là ; un territoire compte
    les campus dont le siège ou au moins un établissement membre s'y trouve.
    """
    jour = jour or au or date.today()
    code = code or None
    if format != "json":
        lignes = await run_in_threadpool(indicateurs.indicateurs, echelle, code, jour, url=url, au=au)
        return await run_in_threadpool(export.indicateurs, lignes, format, echelle=echelle, jour=jour)
    adaptateur = _JSON if au is None else _JSON_AU
    corps, balise = await requete.app.state.cache.obtenir(
        url,
        ("indicateurs", echelle, code, jour, au),
        lambda: avec_etag(adaptateur.dump_json(indicateurs.indicateurs(echelle, code, jour, url=url, au=au))),
        # From a current in-memory snapshot a new date costs a fraction of a millisecond: no thread.
        lambda: au is None and versions.locale(url) and indicateurs.instantane_courant(url) is not None,
    )
    return reponse_json(requete, corps, balise)
