"""Sign-in of the editing pages: a signed session cookie, and the CSRF token of every form.

Signing in with a token (a user's, or the server's `CMQ_API_JETON`) sets the cookie `cmq_session`:
HttpOnly, SameSite=Strict, Secure when the page is served over https, signed and dated with
itsdangerous (the secret: $CMQ_SECRET_SESSION, else drawn at start-up, so sessions end with the
process), valid 8 hours. It holds who signed in (a user's id, or a digest of the server token)
and the session's CSRF token — never a token itself. Each request re-reads the user: a revoked or
expired user, or a changed server token, ends the session at once.

Every form that writes carries the CSRF token in a hidden field `csrf`, compared in constant time
with the session's; the sign-in form, before any session, uses a signed cookie of its own
(`cmq_csrf`, double submit). SameSite=Strict and the CSP's `form-action 'self'` stand behind.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from os import environ
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from cmq.errors import Interdit
from cmq.models import Acteur
from cmq.store import db, utilisateurs

COOKIE = "cmq_session"
COOKIE_CSRF = "cmq_csrf"
DUREE = 8 * 3600  # seconds
DUREE_CSRF = 3600
VARIABLE_SECRET = "CMQ_SECRET_SESSION"
_SEL = "cmq.web.session"


MESSAGE_CSRF = "formulaire expiré ou envoyé d'ailleurs : rechargez la page et recommencez"


@dataclass(frozen=True, slots=True)
class Session:
    """A live session: who acts, and the CSRF token its forms carry."""

    acteur: Acteur
    csrf: str


def _signataire(requete: Request) -> URLSafeTimedSerializer:
    etat = requete.app.state
    if getattr(etat, "signataire_session", None) is None:
        secret = environ.get(VARIABLE_SECRET, "").strip() or secrets.token_urlsafe(32)
        etat.signataire_session = URLSafeTimedSerializer(secret, salt=_SEL)
    return etat.signataire_session


def _empreinte(jeton: str) -> str:
    return hashlib.sha256(jeton.encode("utf-8", "surrogatepass")).hexdigest()


def _securise(requete: Request) -> bool:
    return requete.url.scheme == "https"


def _poser(reponse: Response, requete: Request, nom: str, valeur: str, duree: int) -> None:
    reponse.set_cookie(
        nom, valeur, max_age=duree, path="/", httponly=True, samesite="strict", secure=_securise(requete)
    )


def lire(requete: Request) -> Session | None:
    """The session of this request, or None (no cookie, bad signature, too old, user no longer valid);
    read once per request."""
    if "session_web" not in requete.state._state:
        requete.state.session_web = _lire(requete)
    return requete.state.session_web


def ou_connexion(requete: Request, retour: str | None = None) -> Session | RedirectResponse:
    """The session, or a redirection (303) to /connexion that comes back to this page (a GET) or to
    `retour` (a form's page: a POST address cannot be opened again)."""
    session = lire(requete)
    if session is not None:
        return session
    suivant = requete.url.path if requete.method == "GET" or retour is None else retour
    return RedirectResponse("/connexion?suivant=" + quote(suivant, safe="/"), status_code=303)


def _lire(requete: Request) -> Session | None:
    brut = requete.cookies.get(COOKIE)
    if not brut:
        return None
    try:
        contenu = _signataire(requete).loads(brut, max_age=DUREE)
    except BadSignature:
        return None
    if not isinstance(contenu, dict) or not isinstance(contenu.get("csrf"), str):
        return None
    serveur = requete.app.state.jeton
    if contenu.get("serveur"):
        valide = serveur is not None and hmac.compare_digest(str(contenu["serveur"]), _empreinte(serveur))
        return Session(utilisateurs.SERVEUR, contenu["csrf"]) if valide else None
    utilisateur = contenu.get("utilisateur")
    if not isinstance(utilisateur, int):
        return None
    with db.session(requete.app.state.url) as s:
        acteur = utilisateurs.acteur(s, utilisateur)
    return Session(acteur, contenu["csrf"]) if acteur is not None else None


def identifier(requete: Request, jeton: str) -> Acteur | None:
    """The actor a token typed in a form stands for: the server's token, a valid user's token, or None."""
    if utilisateurs.est_jeton_serveur(jeton, requete.app.state.jeton):
        return utilisateurs.SERVEUR
    if not utilisateurs.a_la_forme(jeton):  # no user's token: the database is not read
        return None
    with db.session(requete.app.state.url) as s:
        return utilisateurs.authentifier(s, jeton)


def ouvrir(requete: Request, reponse: Response, jeton: str) -> Acteur | None:
    """Check `jeton`; if valid, set the session cookie on `reponse` and return the actor."""
    acteur = identifier(requete, jeton)
    if acteur is None:
        return None
    contenu = {"csrf": secrets.token_urlsafe(32)}
    if acteur.utilisateur_id is None:
        contenu["serveur"] = _empreinte(jeton)
    else:
        contenu["utilisateur"] = acteur.utilisateur_id
    _poser(reponse, requete, COOKIE, _signataire(requete).dumps(contenu), DUREE)
    reponse.delete_cookie(COOKIE_CSRF, path="/")
    return acteur


def fermer(reponse: Response) -> None:
    """End the session (the cookie is removed)."""
    reponse.delete_cookie(COOKIE, path="/")


def jeton_connexion(requete: Request) -> str:
    """The CSRF token of the sign-in form: the one of its cookie if still valid, else a new one."""
    return _csrf_connexion(requete) or secrets.token_urlsafe(32)


def poser_jeton_connexion(requete: Request, reponse: Response, jeton: str) -> None:
    """Set (or refresh) the sign-in form's signed CSRF cookie."""
    _poser(reponse, requete, COOKIE_CSRF, _signataire(requete).dumps(jeton), DUREE_CSRF)


def _csrf_connexion(requete: Request) -> str | None:
    brut = requete.cookies.get(COOKIE_CSRF)
    try:
        valeur = _signataire(requete).loads(brut, max_age=DUREE_CSRF) if brut else None
    except BadSignature:
        return None
    return valeur if isinstance(valeur, str) else None


def _egaux(attendu: str | None, recu: object) -> bool:
    return bool(attendu) and isinstance(recu, str) and hmac.compare_digest(attendu.encode(), recu.encode())


def verifier_connexion(requete: Request, recu: object) -> None:
    """Interdit unless the sign-in form's `csrf` field matches its cookie."""
    if not _egaux(_csrf_connexion(requete), recu):
        raise Interdit(MESSAGE_CSRF)


def verifier(session: Session, recu: object) -> None:
    """Interdit unless a form's `csrf` field matches the session's token."""
    if not _egaux(session.csrf, recu):
        raise Interdit(MESSAGE_CSRF)
