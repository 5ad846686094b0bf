"""Bearer tokens of the write endpoints (reads stay public): who writes, before any body is read.

Two kinds of token are accepted: the server's own (`creer_app(jeton=…)` or the environment
variable `CMQ_API_JETON`, compared in constant time), which acts as an administrator of France,
and the tokens of the users of the database (`cmq utilisateurs ajouter`, `store.utilisateurs`),
which act within their scopes (`cmq.droits`, checked by each route: 403 outside).
Answers: neither a server token nor any user in the database → 503 (writing is disabled on this
server, whatever the client sends); no `Authorization: Bearer …` header → 401 with
`WWW-Authenticate: Bearer`; a token that is neither → 403.

`identifier` decides; the guard of `cmq.serveur` calls it before reading the body and leaves the
actor in the request's state, where `exiger_jeton` (the dependency of every write route) takes it.
"""

from os import environ
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from cmq.errors import CmqError, ErreurStockage
from cmq.models import Acteur
from cmq.reponses.erreurs import ProblemeHTTP, message_public
from cmq.reponses.garde import Refus
from cmq.store import db, utilisateurs

VARIABLE_JETON = "CMQ_API_JETON"
CLE_ACTEUR = "cmq_acteur"  # key of the actor in the request's state (scope["state"])
ACTEUR_SERVEUR = utilisateurs.SERVEUR

_porteur = HTTPBearer(
    auto_error=False,
    scheme_name="jeton",
    description=(
        f"Jeton du serveur (variable d'environnement {VARIABLE_JETON}) ou jeton d'un utilisateur "
        "(`cmq utilisateurs ajouter`), limité à ses périmètres."
    ),
)

REPONSES_ECRITURE = {
    401: {"description": "Jeton manquant (en-tête « Authorization: Bearer <jeton> »)."},
    403: {"description": "Jeton refusé (inconnu, révoqué ou expiré), ou campus hors des périmètres de l'utilisateur."},
    503: {"description": f"Écriture désactivée : ni jeton du serveur ({VARIABLE_JETON}) ni utilisateur dans la base."},
}


def jeton_configure(jeton: str | None = None) -> str | None:
    """The server token: `jeton` if given, else $CMQ_API_JETON; None when empty or unset."""
    valeur = jeton if jeton is not None else environ.get(VARIABLE_JETON)
    if valeur is None or not valeur.strip():
        return None
    return valeur.strip()


def _base(url: str, action):
    """`action(session)` on the database; its failures become a 503 refusal (no coordinates shown)."""
    try:
        with db.session(url) as s:
            return action(s)
    except SQLAlchemyError as erreur:
        return Refus(503, message_public(db.erreur_stockage(url, erreur)))
    except CmqError as erreur:
        return Refus(503 if isinstance(erreur, ErreurStockage) else 400, message_public(erreur))


def identifier(url: str, attendu: str | None, autorisation: str | None) -> Acteur | Refus:
    """The actor of a write given the server token `attendu` and the `Authorization` header, or the
    refusal (module docstring). Reads the users table (blocking: call it from a thread)."""
    schema, _, valeur = (autorisation or "").strip().partition(" ")
    valeur = valeur.strip()
    porteur = schema.lower() == "bearer" and bool(valeur)
    if not attendu:
        ouverte = _base(url, utilisateurs.existe)
        if isinstance(ouverte, Refus):
            return ouverte
        if not ouverte:
            return Refus(
                503,
                f"écriture désactivée : aucun jeton n'est configuré sur ce serveur (variable {VARIABLE_JETON}) "
                "et la base n'a aucun utilisateur (`cmq utilisateurs ajouter`)",
            )
    if not porteur:
        return Refus(
            401,
            "jeton d'accès manquant : ajoutez l'en-tête « Authorization: Bearer <jeton> »",
            {"WWW-Authenticate": 'Bearer realm="cmq"'},
        )
    if utilisateurs.est_jeton_serveur(valeur, attendu):
        return ACTEUR_SERVEUR
    refus = Refus(403, "jeton d'accès refusé (inconnu, révoqué ou expiré)")
    if not utilisateurs.a_la_forme(valeur):  # no user's token: the database is not read
        return refus
    acteur = _base(url, lambda s: utilisateurs.authentifier(s, valeur))
    return refus if acteur is None else acteur


async def decider(url: str, attendu: str | None, autorisation: str | None) -> Acteur | Refus:
    """`identifier` in a worker thread (an Argon2 verification takes ~50 ms)."""
    return await run_in_threadpool(identifier, url, attendu, autorisation)


def est_protegee(route) -> bool:
    """True if the route (FastAPI APIRoute) depends on `exiger_jeton`."""
    dependant = getattr(route, "dependant", None)
    return dependant is not None and any(d.call is exiger_jeton for d in dependant.dependencies)


async def exiger_jeton(
    requete: Request,
    identifiants: HTTPAuthorizationCredentials | None = Depends(_porteur),
) -> Acteur:
    """Dependency of every write endpoint: the actor the guard identified (the same `identifier`
    is called here if the request did not go through it)."""
    acteur = requete.scope.get("state", {}).get(CLE_ACTEUR)
    if acteur is None:
        autorisation = f"Bearer {identifiants.credentials}" if identifiants is not None else None
        acteur = await decider(requete.app.state.url, requete.app.state.jeton, autorisation)
        if isinstance(acteur, Refus):
            raise ProblemeHTTP(acteur.statut, acteur.detail, headers=acteur.entetes)
    return acteur


ActeurCourant = Annotated[Acteur, Depends(exiger_jeton)]
