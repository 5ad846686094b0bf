"""French HTML error pages for the web pages; `/api`, `/docs`, `/openapi.json` and `/static` keep the
API's `application/problem+json` answers.

`installer(app)` wraps the handlers the API registered (`cmq.reponses.erreurs.installer`): a page
request gets `erreur.html` with the status (unknown campus, UAI or filière 404; invalid date or
filter 400; database unavailable 503; unexpected error 500, logged, never detailed).
"""

import inspect
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from cmq.errors import CmqError
from cmq.reponses import erreurs as erreurs_api
from cmq.web.gabarits import GABARITS

journal = logging.getLogger("cmq.web")
PREFIXES_HORS_PAGES = ("/api", "/docs", "/openapi.json", "/static")
TITRES = {
    400: "Requête invalide",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    500: "Erreur interne",
    502: "Portail distant en erreur",
    503: "Service indisponible",
}
MESSAGE_INTERNE = "erreur interne : l'incident a été journalisé sur le serveur"


def est_page(requete: Request) -> bool:
    """True for a web page path (not the API, its documentation or a static file)."""
    chemin = requete.url.path
    return not any(chemin == p or chemin.startswith(p + "/") for p in PREFIXES_HORS_PAGES)


def page_erreur(requete: Request, statut: int, message: str) -> Response:
    """The French error page."""
    titre = TITRES.get(statut, "Erreur")
    contexte = {"statut": statut, "titre": titre, "message": message, "fil": [(titre, None)], "rubrique": None}
    return GABARITS.TemplateResponse(requete, "erreur.html", contexte, status_code=statut)


def statut_et_message(requete: Request, erreur: Exception) -> tuple[int, str]:
    """Status and French message of an exception raised while serving a page."""
    if isinstance(erreur, CmqError):
        statut = erreurs_api.statut_de(erreur)
        return (400 if statut == 422 else statut), erreurs_api.message_public(erreur)
    if isinstance(erreur, RequestValidationError):
        return 400, erreurs_api.detail_validation(erreurs_api.erreurs_validation(list(erreur.errors())))
    if isinstance(erreur, HTTPException):
        if erreur.status_code == 404:
            return 404, f"page introuvable : {requete.url.path}"
        modele = erreurs_api.MESSAGES_HTTP.get(erreur.status_code, "erreur HTTP {statut}")
        return erreur.status_code, modele.format(
            chemin=requete.url.path, methode=requete.method, statut=erreur.status_code
        )
    journal.error("erreur interne sur %s %s : %s", requete.method, requete.url.path, type(erreur).__name__)
    return 500, MESSAGE_INTERNE


def installer(app: FastAPI) -> None:
    """Serve French HTML errors on pages; delegate other paths to the handlers already registered."""
    for classe in (CmqError, RequestValidationError, HTTPException, Exception):
        precedent = app.exception_handlers.get(classe)

        async def gerer(requete: Request, erreur: Exception, precedent=precedent) -> Response:
            if est_page(requete) or precedent is None:
                statut, message = statut_et_message(requete, erreur)
                if statut >= 500 and isinstance(erreur, CmqError):
                    journal.warning("erreur %s : %s", statut, erreur)
                return page_erreur(requete, statut, message)
            reponse = precedent(requete, erreur)
            return await reponse if inspect.isawaitable(reponse) else reponse

        app.add_exception_handler(classe, gerer)
