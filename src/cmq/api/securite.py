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

from cmq.reponses.erreurs import ProblemeHTTP

VARIABLE_JETON = "CMQ_API_JETON"

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


async def exiger_jeton(
    requete: Request,
    identifiants: HTTPAuthorizationCredentials | None = Depends(_porteur),
) -> None:
    """Dependency of every write endpoint (see the module docstring)."""
    attendu: str | None = requete.app.state.jeton
    if not attendu:
        raise ProblemeHTTP(
            503, f"écriture désactivée : aucun jeton n'est configuré sur ce serveur (variable {VARIABLE_JETON})"
        )
    if identifiants is None or not identifiants.credentials:
        raise ProblemeHTTP(
            401,
            "jeton d'accès manquant : ajoutez l'en-tête « Authorization: Bearer <jeton> »",
            headers={"WWW-Authenticate": 'Bearer realm="cmq"'},
        )
    if not secrets.compare_digest(identifiants.credentials.encode("utf-8"), attendu.encode("utf-8")):
        raise ProblemeHTTP(403, "jeton d'accès refusé")
