"""The application factory of `cmq serve`: the API (`cmq.api`), the web pages (`cmq.web`) and the
static files, composed on one database. `cmq.api` and `cmq.web` do not import each other.

State read by the routes: `app.state.url` (database handle, `db.BaseDeDonnees`), `app.state.jeton`
(the server's write token or None; users' tokens are in the database), `app.state.cache`
(`CacheReponses`).
"""

from fastapi import FastAPI
from starlette.routing import Match

from cmq import __version__, indicateurs, resolve
from cmq.api import app as api
from cmq.api import routes_imports, routes_resolution, securite
from cmq.api.cache import CacheReponses
from cmq.api.securite import jeton_configure
from cmq.reponses.garde import GardeRequetes, Refus, avec_securite, corps_annonce
from cmq.store import db
from cmq.web import demandes, statiques
from cmq.web import routes as web

TITRE = "cmq — Campus des Métiers et des Qualifications"
CORPS_MAX = 1024 * 1024  # bytes: any JSON body of the API is far smaller
MARGE_MULTIPART = 1024 * 1024  # form fields and part headers around the imported file
LIMITES_CORPS = {
    "/api/imports": routes_imports.TAILLE_MAX + MARGE_MULTIPART,
    demandes.CHEMIN: demandes.TAILLE_MAX + MARGE_MULTIPART,
}


def _entete(scope: dict, nom: bytes) -> str | None:
    for cle, valeur in scope.get("headers", []):
        if cle.lower() == nom:
            return valeur.decode("latin-1")
    return None


def _autorisation(app: FastAPI):
    """`autoriser(scope)` of the guard: the token check of the write route the request goes to, if any
    (the API's routes that depend on `exiger_jeton`, matched on method and path); the actor it
    identifies is left in the request's state for the route (`securite.exiger_jeton`)."""
    par_methode: dict[str, list] = {}  # only these routes can match a request of that method
    for module in api.ROUTEURS:
        for route in module.router.routes:
            if securite.est_protegee(route):
                for methode in route.methods:
                    par_methode.setdefault(methode, []).append(route)

    async def autoriser(scope: dict) -> Refus | None:
        for route in par_methode.get(scope["method"], ()):
            correspondance, _ = route.matches(scope)
            if correspondance == Match.FULL:
                decision = await securite.decider(app.state.url, app.state.jeton, _entete(scope, b"authorization"))
                if isinstance(decision, Refus):
                    return decision
                scope["state"] = {**scope.get("state", {}), securite.CLE_ACTEUR: decision}
                return None
        return None

    return autoriser


def _limite(scope: dict) -> int:
    return LIMITES_CORPS.get(scope["path"].rstrip("/") or "/", CORPS_MAX)


def _servie_devant(scope: dict) -> bool:
    """A request answered in front of the middlewares (`ResolutionRapide`): no body announced (the
    guard counts bodies) and gzip not accepted (the compression would encode the answer)."""
    longueur, morcele = corps_annonce(scope)
    return longueur is None and not morcele and not statiques.accepte_gzip(scope)


def _finir_devant(debut: dict) -> dict:
    """The response start of an answer given in front of the middlewares, with the headers they
    add: the compression's `Vary`, then the guard's security headers."""
    return avec_securite(statiques.avec_vary(debut, statiques.DEJA_COMPRESSES))


def creer_app(url: str | None = None, *, jeton: str | None = None) -> FastAPI:
    """The cmq web application on the database `url` (a URL or a `db.BaseDeDonnees`; default: the
    default database), opened once here and passed to the routes.

    `jeton`: the server's token of the write endpoints (default: $CMQ_API_JETON); without it, only
    the tokens of the database's users are accepted (none: writing disabled).
    """
    app = FastAPI(
        title=TITRE,
        version=__version__,
        description=api.DESCRIPTION,
        docs_url=None,  # served by cmq.web from the vendored Swagger UI (works offline)
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.url = db.ouvrir(url)
    app.state.jeton = jeton_configure(jeton)
    app.state.cache = CacheReponses()
    api.inclure(app)
    statiques.monter(app)
    statiques.compresser(app)
    web.inclure(app)  # after the API: its HTML error pages wrap the API's handlers for page paths
    app.add_middleware(GardeRequetes, autoriser=_autorisation(app), limite=_limite)
    # outermost: plain resolutions answered before the guard and the compression (their cost is a
    # sixth of a resolution's), with their headers
    app.add_middleware(routes_resolution.ResolutionRapide, servir=_servie_devant, finir=_finir_devant)
    return app


def preparer(url: str | None = None) -> None:
    """Before serving (`cmq serve`): build what the first requests would otherwise wait for, the
    resolution index and the indicator snapshot (rebuilt later only when the data change)."""
    url = db.ouvrir(url)
    resolve.index(url)
    indicateurs.instantane(url)
