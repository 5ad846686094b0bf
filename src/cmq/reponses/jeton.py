"""The server's write token, shared by the API (`Authorization: Bearer …` header, `cmq.api.securite`)
and the web forms that write or process uploads (a `jeton` form field, `cmq.web`).

The token comes from `creer_app(jeton=…)` or the environment variable `CMQ_API_JETON`. Refusals: no
token configured on the server → 503 (whatever the client sends); no token sent → 401; wrong token
→ 403. Tokens are compared in constant time (`secrets.compare_digest`).
"""

import secrets
from os import environ

from cmq.reponses.garde import Refus

VARIABLE_JETON = "CMQ_API_JETON"


def jeton_configure(jeton: str | None = None) -> str | None:
    """The server token: `jeton` if given, else $CMQ_API_JETON; None when empty or unset."""
    valeur = jeton if jeton is not None else environ.get(VARIABLE_JETON)
    if valeur is None or not valeur.strip():
        return None
    return valeur.strip()


def refus_jeton(attendu: str | None, jeton: str | None, manquant: str) -> Refus | None:
    """The refusal of a token sent by the client (`manquant`: the 401 message), or None if allowed."""
    if not attendu:
        return Refus(
            503, f"écriture désactivée : aucun jeton n'est configuré sur ce serveur (variable {VARIABLE_JETON})"
        )
    valeur = (jeton or "").strip()
    if not valeur:
        return Refus(401, manquant)
    if not secrets.compare_digest(valeur.encode("utf-8", "surrogatepass"), attendu.encode("utf-8")):
        return Refus(403, "jeton d'accès refusé")
    return None
