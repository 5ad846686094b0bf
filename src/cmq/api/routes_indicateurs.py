"""`/api/indicateurs`: « Acteurs » indicators of every territory of a scale (JSON, CSV or XLSX).

JSON answers are cached by request and data version (`cmq.api.cache`). The route is
asynchronous: a cache hit never leaves the event loop, nor does a new date computed from a
current in-memory snapshot (`indicateurs.instantane`): its rows are those of every other day with
the same valid campuses but for their date, so their JSON is kept once per set of valid campuses
and re-dated (`gabarit_json`, `dater`). Building the snapshot and exports run in worker threads.
"""

from datetime import date
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Query, Request, Response
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from cmq import indicateurs
from cmq.api import export, requete_simple
from cmq.api.cache import CacheReponses, avec_etag, envoyer_json, reponse_json
from cmq.api.dependances import LECTURE, Url
from cmq.errors import CmqError
from cmq.indicateurs import LigneIndicateurs, LigneIndicateursAu
from cmq.store import version as versions

CHEMIN = "/api/indicateurs"
router = APIRouter(prefix=CHEMIN, tags=["indicateurs"])

Echelle = Literal["france", "region_academique", "academie", "departement"]
ECHELLES = frozenset(get_args(Echelle))
LONGUEUR_CODE = 200  # max_length of `code`
LONGUEURS = {"echelle": 50, "code": LONGUEUR_CODE, "date": 10, "format": 10}  # parameters of a plain request
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
        str | None,
        Query(max_length=LONGUEUR_CODE, description="Un seul territoire de l'échelle (code ou nom) ; tous sinon."),
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
    cache = requete.app.state.cache
    if au is None and (corps := await depuis_instantane(cache, url, echelle, code, jour)) is not None:
        return reponse_json(requete, *corps)
    adaptateur = _JSON if au is None else _JSON_AU
    corps, balise = await cache.obtenir(
        url,
        ("indicateurs", echelle, code, jour, au),
        lambda: avec_etag(adaptateur.dump_json(indicateurs.indicateurs(echelle, code, jour, url=url, au=au))),
    )
    return reponse_json(requete, corps, balise)


async def depuis_instantane(
    cache: CacheReponses, url: str, echelle: str, code: str | None, jour: date
) -> tuple[bytes, str] | None:
    """The JSON body and ETag of the rows of `jour` from a current in-memory snapshot, computed in the
    event loop (no query); None when there is none (PostgreSQL, data changed) or the rows cannot be
    re-dated. CmqError (unknown territory) propagates."""
    instantane = indicateurs.instantane_courant(url) if versions.locale(url) else None
    if instantane is None:
        return None
    gabarit = await cache.obtenir(
        url,
        ("indicateurs-gabarit", echelle, code, instantane.actifs(jour)),
        lambda: gabarit_json(_JSON.dump_json(indicateurs.indicateurs(echelle, code, jour, url=url)), jour),
        lambda: True,
    )
    return None if gabarit is None else avec_etag(dater(gabarit, jour))


def _champ_date(jour: date) -> bytes:
    return b'"date":"' + jour.isoformat().encode() + b'"'


def gabarit_json(corps: bytes, jour: date) -> tuple[bytes, ...] | None:
    """The JSON rows of `jour` cut around their `date` field: the rows of any day with the same
    valid campuses are the same but for that field (`Instantane.lignes`). None if a row's date
    cannot be told apart (then the rows are serialised for each date)."""
    morceaux = tuple(corps.split(_champ_date(jour)))
    lignes = corps.count(b'{"echelle":')
    return morceaux if lignes and len(morceaux) == lignes + 1 else None


def dater(gabarit: tuple[bytes, ...], jour: date) -> bytes:
    """The JSON rows of `jour` from a `gabarit_json`."""
    return _champ_date(jour).join(gabarit)


def parametres_simples(scope: dict) -> tuple[str, str | None, date] | None:
    """(echelle, code, date) of a plain JSON request of CHEMIN, else None (the route answers).

    Plain (`requete_simple`): only `echelle`, `code`, `date` and `format=json`, each once; a known
    scale, a code within the route's bound, a date written AAAA-MM-JJ (default today)."""
    valeurs = requete_simple.parametres(scope, LONGUEURS)
    if valeurs is None or valeurs.get("echelle", "france") not in ECHELLES or valeurs.get("format", "json") != "json":
        return None
    jour = requete_simple.jour(valeurs["date"]) if "date" in valeurs else date.today()
    return None if jour is None else (valeurs.get("echelle", "france"), valeurs.get("code") or None, jour)


class IndicateursRapides:
    """ASGI middleware: a plain GET of CHEMIN (`parametres_simples`) answered from the in-memory
    snapshot (`depuis_instantane`) before FastAPI's routing and parameter machinery (most of the
    cost of a new date), with the route's answer, byte for byte; anything else goes to the route."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == CHEMIN:
            parametres = parametres_simples(scope)
            if parametres is not None:
                try:
                    corps = await depuis_instantane(scope["app"].state.cache, scope["app"].state.url, *parametres)
                except CmqError:  # an unknown territory: the route answers its problem
                    corps = None
                if corps is not None:
                    await envoyer_json(scope, send, *corps)
                    return
        await self.app(scope, receive, send)
