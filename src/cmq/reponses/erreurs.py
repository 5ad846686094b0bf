"""Errors as `application/problem+json` (RFC 9457) with a French `detail`.

Status codes: IntrouvableError 404; Interdit 403; EntreeInvalide (CodeInvalide, FiliereInconnue, NsfInconnu,
TerritoireInconnu), FichierIllisible and ErreurImport 422, ImportEnCours and Conflit 409 (a malformed value is a
validation error, like FastAPI's own); ErreurStockage 503; ErreurReseau 502; ErreurEcriture 500 (with its
message); any other CmqError 400;
request validation 422 listing every invalid parameter in `erreurs` (an unreadable body too); unexpected exceptions
500 « erreur interne » (logged with their traceback, never shown).
"""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from cmq.errors import (
    CmqError,
    Conflit,
    EntreeInvalide,
    ErreurEcriture,
    ErreurImport,
    ErreurReseau,
    ErreurStockage,
    FichierIllisible,
    ImportEnCours,
    Interdit,
    IntrouvableError,
)
from cmq.saisie import message_pydantic

TYPE_PROBLEME = "application/problem+json"
journal = logging.getLogger("cmq.api")

TITRES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Ressource introuvable",
    405: "Méthode non autorisée",
    406: "Format non disponible",
    409: "Conflit",
    413: "Contenu trop volumineux",
    415: "Type de contenu non pris en charge",
    422: "Données invalides",
    500: "Erreur interne",
    502: "Portail distant en erreur",
    503: "Service indisponible",
}

# Order matters: the first matching class gives the status.
STATUTS_CMQ: tuple[tuple[type[CmqError], int], ...] = (
    (IntrouvableError, 404),
    (Interdit, 403),  # outside the user's scope, or an administrator's action
    (ImportEnCours, 409),  # another import holds the lock: retry later
    (Conflit, 409),  # a change to review no longer matches the stored object
    (EntreeInvalide, 422),
    (FichierIllisible, 422),
    (ErreurImport, 422),
    (ErreurStockage, 503),
    (ErreurReseau, 502),
    (ErreurEcriture, 500),  # a server-side file could not be written (disk full, permissions)
    (CmqError, 400),
)

# French text of framework errors (Starlette/FastAPI raise them with English phrases).
MESSAGES_HTTP = {
    400: "corps illisible (JSON en UTF-8 ou formulaire multipart attendu)",
    404: "ressource introuvable : {chemin}",
    405: "méthode {methode} non autorisée sur {chemin}",
    406: "format de réponse non disponible",
    413: "contenu trop volumineux",
    415: "type de contenu non pris en charge",
}


class ProblemeHTTP(HTTPException):
    """An HTTP error raised by cmq itself: its `detail` is already French and is kept as is."""


def reponse_probleme(
    statut: int, detail: str, *, entetes: dict[str, str] | None = None, **extensions: Any
) -> JSONResponse:
    """A problem+json response: type, title, status, detail and optional extension members."""
    contenu = {
        "type": "about:blank",
        "title": TITRES.get(statut) or HTTPStatus(statut).phrase,
        "status": statut,
        "detail": detail,
        **extensions,
    }
    return JSONResponse(contenu, status_code=statut, media_type=TYPE_PROBLEME, headers=entetes)


MESSAGE_STOCKAGE = "base de données indisponible : le détail a été journalisé sur le serveur"


def message_public(erreur: CmqError) -> str:
    """The message shown to any reader: a storage error names no database user, host, port nor
    name (they go to the server's log), other errors are shown as they are."""
    if isinstance(erreur, ErreurStockage):
        return MESSAGE_STOCKAGE
    return str(erreur)


def statut_de(erreur: CmqError) -> int:
    """HTTP status of a cmq error (see the module docstring)."""
    return next(statut for classe, statut in STATUTS_CMQ if isinstance(erreur, classe))


# --- Validation errors in French ------------------------------------------------------------

_LIEUX = {"query": "paramètre", "path": "paramètre de chemin", "body": "champ", "header": "en-tête", "cookie": "cookie"}


def _nom(loc: tuple | list) -> tuple[str, str]:
    """(lieu, nom) of an error location: ("query", "limite"), ("body", "provenance.source_url")."""
    lieu = str(loc[0]) if loc else "body"
    nom = ".".join(str(x) for x in loc[1:]) or "(corps de la requête)"
    return lieu, nom


def erreurs_validation(erreurs: list[dict[str, Any]]) -> list[dict[str, str]]:
    """[{lieu, nom, message}] in French, one entry per invalid parameter or field."""
    sortie = []
    for erreur in erreurs:
        lieu, nom = _nom(erreur.get("loc") or ())
        sortie.append({"lieu": lieu, "nom": nom, "message": message_pydantic(erreur)})
    return sortie


def detail_validation(liste: list[dict[str, str]]) -> str:
    """One French sentence listing the invalid parameters."""
    morceaux = [f"{_LIEUX.get(e['lieu'], e['lieu'])} « {e['nom']} » : {e['message']}" for e in liste]
    pluriel = "s" if len(morceaux) > 1 else ""
    return f"requête invalide ({len(morceaux)} erreur{pluriel}) : " + " ; ".join(morceaux)


# --- Handlers ------------------------------------------------------------------------------------


async def _cmq(_requete: Request, erreur: CmqError) -> JSONResponse:
    statut = statut_de(erreur)
    if statut >= 500:
        journal.warning("erreur %s : %s", statut, erreur)
    return reponse_probleme(statut, message_public(erreur))


async def _validation(_requete: Request, erreur: RequestValidationError) -> JSONResponse:
    liste = erreurs_validation(list(erreur.errors()))
    return reponse_probleme(422, detail_validation(liste), erreurs=liste)


async def _http(requete: Request, erreur: HTTPException) -> JSONResponse:
    statut = erreur.status_code
    if statut == 400 and not isinstance(erreur, ProblemeHTTP):
        # FastAPI's "error parsing the body" (not UTF-8, broken multipart): a validation error like invalid JSON
        liste = [{"lieu": "body", "nom": "(corps de la requête)", "message": MESSAGES_HTTP[400]}]
        return reponse_probleme(422, detail_validation(liste), erreurs=liste)
    if isinstance(erreur, ProblemeHTTP):
        detail = str(erreur.detail)
    else:
        modele = MESSAGES_HTTP.get(statut, "erreur HTTP {statut}")
        detail = modele.format(chemin=requete.url.path, methode=requete.method, statut=statut)
    return reponse_probleme(statut, detail, entetes=getattr(erreur, "headers", None))


async def _interne(requete: Request, erreur: Exception) -> JSONResponse:
    # The server (uvicorn) logs the traceback itself when the exception is re-raised after this response.
    journal.error("erreur interne sur %s %s : %s", requete.method, requete.url.path, type(erreur).__name__)
    return reponse_probleme(500, "erreur interne : l'incident a été journalisé sur le serveur")


class RefusCaractereNul:
    """ASGI middleware: 422 for a path or query string holding a NUL character (%00), which no
    cmq value contains and PostgreSQL cannot store or compare."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope["query_string"]):
            liste = [
                {
                    "lieu": "query" if b"%00" in scope["query_string"] else "path",
                    "nom": "(adresse)",
                    "message": "caractère nul (%00) interdit",
                }
            ]
            await reponse_probleme(422, detail_validation(liste), erreurs=liste)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def installer(app: FastAPI) -> None:
    """Register every handler on the app."""
    app.add_exception_handler(CmqError, _cmq)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _interne)
    app.add_middleware(RefusCaractereNul)
