"""Bearer token of the write endpoints (reads stay public); the token itself: `cmq.reponses.jeton`.

The server's token comes from `creer_app(jeton=…)` or the environment variable `CMQ_API_JETON`.
Answers: no token configured on the server → 503 (writing is disabled on this server, whatever
the client sends); no `Authorization: Bearer …` header → 401 with `WWW-Authenticate: Bearer`;
wrong token → 403. Tokens are compared in constant time (`secrets.compare_digest`).
"""

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cmq.reponses.erreurs import ProblemeHTTP
from cmq.reponses.garde import Refus
from cmq.reponses.jeton import VARIABLE_JETON, jeton_configure, refus_jeton

__all__ = ["VARIABLE_JETON", "exiger_jeton", "jeton_configure", "refus"]

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


def refus(attendu: str | None, autorisation: str | None) -> Refus | None:
    """The refusal of a write given the server token and the `Authorization` header, or None if allowed.

    Decided from the headers alone, so that `cmq.reponses.garde` answers before reading any body.
    """
    schema, _, valeur = (autorisation or "").strip().partition(" ")
    manquant = "jeton d'accès manquant : ajoutez l'en-tête « Authorization: Bearer <jeton> »"
    decision = refus_jeton(attendu, valeur if schema.lower() == "bearer" else None, manquant)
    if decision is not None and decision.statut == 401:
        return Refus(401, decision.detail, {"WWW-Authenticate": 'Bearer realm="cmq"'})
    return decision


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
