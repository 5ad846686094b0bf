"""The application factory of `cmq serve`: the API (`cmq.api`), the web pages (`cmq.web`) and the
static files, composed on one database. `cmq.api` and `cmq.web` do not import each other.

State read by the routes: `app.state.url` (database handle, `db.BaseDeDonnees`), `app.state.jeton`
(write token or None), `app.state.cache` (`CacheReponses`).
"""

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from cmq import __version__
from cmq.api import app as api
from cmq.api.cache import CacheReponses
from cmq.api.securite import jeton_configure
from cmq.store import db
from cmq.web import routes as web

TITRE = "cmq — Campus des Métiers et des Qualifications"


def creer_app(url: str | None = None, *, jeton: str | None = None) -> FastAPI:
    """The cmq web application on the database `url` (a URL or a `db.BaseDeDonnees`; default: the
    default database), opened once here and passed to the routes.

    `jeton`: token of the write endpoints (default: $CMQ_API_JETON; none = writing disabled).
    """
    app = FastAPI(
        title=TITRE,
        version=__version__,
        description=api.DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.url = db.ouvrir(url)
    app.state.jeton = jeton_configure(jeton)
    app.state.cache = CacheReponses()
    api.inclure(app)
    app.mount("/static", StaticFiles(directory=str(resources.files("cmq").joinpath("web", "static"))), name="static")
    web.inclure(app)  # after the API: its HTML error pages wrap the API's handlers for page paths
    return app
