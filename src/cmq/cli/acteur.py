"""Who a writing command acts as: the user whose token is in $CMQ_JETON, else the local administrator.

Without a token the command line acts as an administrator of France: whoever runs it holds the
database (its file, or its PostgreSQL password). With `CMQ_JETON=cmq_…` it acts as that user,
within their scopes (`cmq.droits`): a refused token or an action outside them ends with status 3.
The token is read from the environment only, never from an option (it would show in `ps`).
"""

from os import environ

from cmq.errors import Interdit
from cmq.models import Acteur
from cmq.store import db, historique

VARIABLE_JETON = "CMQ_JETON"
LOCAL = historique.ACTEUR_LOCAL  # the one local actor, also the default of imports and aliases
AIDE = (
    f"Sans la variable {VARIABLE_JETON}, la commande agit en administrateur de la France (elle tient la base) ;"
    f" avec {VARIABLE_JETON}=<jeton d'un utilisateur>, dans ses périmètres seulement (code de sortie 3 sinon)."
)


def acteur(url: str | None = None) -> Acteur:
    """The actor of this run on the database `url` (default: the chosen one); Interdit for a refused token."""
    jeton = environ.get(VARIABLE_JETON, "").strip()
    if not jeton:
        return LOCAL
    from cmq.store import utilisateurs  # Argon2 and the users' store: only for a token (start-up)

    with db.session(db.ouvrir(url, creer=False)) as s:
        trouve = utilisateurs.authentifier(s, jeton)
    if trouve is None:
        raise Interdit(f"jeton refusé (variable {VARIABLE_JETON}) : inconnu, révoqué ou expiré")
    return trouve
