"""Bearer token of the write endpoints (reads stay public).

The server's token comes from `creer_app(jeton=…)` or the environment variable `CMQ_API_JETON`.
Answers: no token configured on the server → 503 (writing is disabled on this server, whatever
the client sends); no `Authorization: Bearer …` header → 401 with `WWW-Authenticate: Bearer`;
wrong token → 403. Tokens are compared in constant time (`secrets.compare_digest`).
"""

import secrets
from os import environ

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cmq.models import Acteur
from cmq.reponses.erreurs import ProblemeHTTP
from cmq.reponses.garde import Refus

VARIABLE_JETON = "CMQ_API_JETON"
ADMINISTRATEUR_SERVEUR = Acteur(nom="administrateur (jeton du serveur)", role="administrateur")

_porteur = HTTPBearer(
    auto_error=False,
    scheme_name="jeton",
    description=f"Jeton d'écriture du serveur (variable d'environnement {VARIABLE_JETON}).",
)

REPONSES_ECRITURE = {
    401: {"description": "Jeton manquant (en-tête « Authorization: Bearer <jeton> »)."},
    403: {"description": "Jeton refusé."},
    503: {"description": f"Écriture désactivée : aucun jeton configuré sur le serveur ({VARIABLE_JETON})."},
}


def jeton_configure(jeton: str | None = None) -> str | None:
    """The server token: `jeton` if given, else $CMQ_API_JETON; None when empty or unset."""
    valeur = jeton if jeton is not None else environ.get(VARIABLE_JETON)
    if valeur is None or not valeur.strip():
        return None
    return valeur.strip()


def refus(attendu: str | None, autorisation: str | None) -> Refus | None:
    """The refusal of a write given the server token and the `Authorization` header, or None if allowed.

    Decided from the headers alone, so that `cmq.reponses.garde` answers before reading any body.
    """
    if not attendu:
        return Refus(
            503, f"écriture désactivée : aucun jeton n'est configuré sur ce serveur (variable {VARIABLE_JETON})"
        )
    schema, _, valeur = (autorisation or "").strip().partition(" ")
    valeur = valeur.strip()
    if schema.lower() != "bearer" or not valeur:
        return Refus(
            401,
            "jeton d'accès manquant : ajoutez l'en-tête « Authorization: Bearer <jeton> »",
            {"WWW-Authenticate": 'Bearer realm="cmq"'},
        )
    if not secrets.compare_digest(valeur.encode("utf-8", "surrogatepass"), attendu.encode("utf-8")):
        return Refus(403, "jeton d'accès refusé")
    return None


def est_protegee(route) -> bool:
    """True if the route (FastAPI APIRoute) depends on `exiger_jeton`."""
    dependant = getattr(route, "dependant", None)
    return dependant is not None and any(d.call is exiger_jeton for d in dependant.dependencies)


async def exiger_jeton(
    requete: Request,
    identifiants: HTTPAuthorizationCredentials | None = Depends(_porteur),
) -> None:
    """Dependency of every write endpoint (see the module docstring); the middleware of
    `cmq.serveur` applies the same `refus` before the body is read."""
    autorisation = f"Bearer {identifiants.credentials}" if identifiants is not None else None
    probleme = refus(requete.app.state.jeton, autorisation)
    if probleme is not None:
        raise ProblemeHTTP(probleme.statut, probleme.detail, headers=probleme.entetes)


def acteur(requete: Request) -> Acteur:
    """Who writes through this request (recorded in the history): the holder of the server's token,
    the only writer so far (write routes depend on `exiger_jeton`)."""
    return ADMINISTRATEUR_SERVEUR
