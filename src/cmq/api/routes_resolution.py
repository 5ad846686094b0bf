"""`/api/resolution`: the campus a free-text mention designates (`cmq.resolve`).

The route validates and documents the parameters; `ResolutionRapide`, an ASGI middleware, answers
the plain requests before FastAPI's routing and parameter machinery (most of a request's cost
next to the resolution itself), with the route's answer, byte for byte.
"""

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from cmq.api import requete_simple
from cmq.api.dependances import LECTURE, Url
from cmq.errors import CmqError
from cmq.resolve import Resolution, contexte, index_courant, resolve
from cmq.store import version as versions

CHEMIN = "/api/resolution"
LONGUEURS = {"nom": 500, "filiere": 500, "territoire": 200, "date": 10}  # max_length of each parameter

router = APIRouter(prefix=CHEMIN, tags=["résolution"])


@router.get("", response_model=Resolution, responses=LECTURE, summary="Résout une mention de campus en texte libre")
async def resoudre(
    url: Url,
    nom: Annotated[
        str,
        Query(
            min_length=1,
            max_length=LONGUEURS["nom"],
            description="Mention saisie.",
            examples=["Mobicampus", "CMQ BTP Lyon"],
        ),
    ],
    filiere: Annotated[
        str | None, Query(max_length=LONGUEURS["filiere"], description="Filière déclarée (code ou texte libre).")
    ] = None,
    territoire: Annotated[
        str | None, Query(max_length=LONGUEURS["territoire"], description="Territoire (code ou nom).")
    ] = None,
    jour: Annotated[date | None, Query(alias="date", description="Date de la mention (AAAA-MM-JJ).")] = None,
) -> Resolution:
    """Le campus désigné (statut « trouve »), les candidats (« ambigu ») ou « inconnu »."""
    arguments = (nom, filiere or None, territoire or None, jour)
    if versions.locale(url) and index_courant(url) is not None:  # a fraction of a millisecond: no thread
        resolution = resolve(*arguments, url=url)
    else:  # the index is (re)built from the database, or freshness needs a query
        resolution = await run_in_threadpool(resolve, *arguments, url=url)
    return Response(resolution.model_dump_json(), media_type="application/json")


def reponse_directe(scope: dict) -> bytes | None:
    """The body of the route's 200 answer to a plain GET of CHEMIN, or None for the route to answer.

    Plain: only known parameters, each once, `nom` given, lengths within the route's bounds, a date
    written AAAA-MM-JJ; the index current (SQLite: checked without a query, see `index_courant`);
    no error from `resolve` (an unknown filière or territory: the route answers its problem).
    """
    url = scope["app"].state.url
    index = index_courant(url) if versions.locale(url) else None
    if index is None:
        return None
    valeurs = requete_simple.parametres(scope, LONGUEURS)
    if valeurs is None or not valeurs.get("nom", "").strip():  # a blank name: the route's problem
        return None
    jour = valeurs.get("date")
    if jour is not None and (jour := requete_simple.jour(jour)) is None:
        return None
    try:  # what `resolve` does, on the index at hand
        resolution = index.resoudre(valeurs["nom"], contexte(valeurs.get("filiere"), valeurs.get("territoire"), jour))
    except CmqError:
        return None
    return resolution.model_dump_json().encode()


class ResolutionRapide:
    """ASGI middleware: a plain GET of CHEMIN answered by `reponse_directe`, the rest by the app.

    The API installs it in front of its router. The application factory installs a second one in
    front of every other middleware for the requests it can answer alone (`servir`), with the
    headers those middlewares would add (`finir`): the same answer without their cost.
    """

    def __init__(
        self, app, servir: Callable[[dict], bool] = lambda scope: True, finir: Callable[[dict], dict] = lambda m: m
    ):
        self.app, self.servir, self.finir = app, servir, finir

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == CHEMIN and self.servir(scope):
            corps = reponse_directe(scope)
            if corps is not None:
                entetes = [(b"content-length", str(len(corps)).encode()), (b"content-type", b"application/json")]
                await send(self.finir({"type": "http.response.start", "status": 200, "headers": entetes}))
                await send({"type": "http.response.body", "body": corps})
                return
        await self.app(scope, receive, send)
