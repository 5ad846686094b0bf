"""Who may write what: the one check every write path (API, web, CLI acting for a user) calls.

An administrator or editor may change a campus (its fields, members, partners, aliases) when one
of their scopes covers it (`perimetres.couvre`) — the campus as stored *and* as it would become,
so nobody moves a campus out of, or into, a territory they do not hold. Creating users, accepting
or rejecting changes and file imports over several campuses are checked per campus too; managing
users needs an administrator of France.
"""

import hmac
from collections.abc import Iterable

from sqlalchemy.orm import Session

from cmq import perimetres
from cmq.errors import Interdit, IntrouvableError
from cmq.models import Acteur, Campus, Role
from cmq.store import lecture, utilisateurs


def _perimetres(acteur: Acteur) -> list[perimetres.Perimetre]:
    return [perimetres.lire(p) for p in acteur.perimetres]


def couvre_campus(acteur: Acteur, campus: Campus) -> bool:
    """True if one of the actor's scopes covers `campus` (its id, région académique, académies)."""
    return perimetres.couvre(_perimetres(acteur), campus.id, campus.region_academique, campus.academies)


def verifier_campus(s: Session, acteur: Acteur, campus_id: str, nouveau: Campus | None = None) -> None:
    """Interdit unless the actor's scopes cover the stored campus `campus_id` (if it exists) and
    `nouveau`, its state after the change (a creation or a move); nothing is read for France."""
    portee = _perimetres(acteur)
    if any(p.echelle == perimetres.FRANCE for p in portee):
        return
    try:
        stocke: Campus | None = lecture.campus(s, campus_id)
    except IntrouvableError:
        stocke = None
    for campus in (stocke, nouveau):
        if campus is not None and not perimetres.couvre(portee, campus.id, campus.region_academique, campus.academies):
            raise Interdit(
                f"« {acteur.nom} » ne peut pas modifier le campus « {campus.id} » : hors de son périmètre "
                f"({', '.join(acteur.perimetres)})"
            )
    if stocke is None and nouveau is None:
        raise IntrouvableError(f"campus inconnu : {campus_id}")


def verifier_plusieurs(s: Session, acteur: Acteur, campus_ids: Iterable[str]) -> None:
    """`verifier_campus` for each campus an import or a batch touches (the first refusal wins)."""
    for campus_id in sorted(set(campus_ids)):
        try:
            verifier_campus(s, acteur, campus_id)
        except IntrouvableError:
            if not any(p.echelle == perimetres.FRANCE for p in _perimetres(acteur)):
                raise Interdit(
                    f"« {acteur.nom} » ne peut pas créer le campus « {campus_id} » par un import : "
                    "seul un administrateur de la France le peut"
                ) from None


def verifier_administrateur(acteur: Acteur) -> None:
    """Interdit unless the actor is an administrator of France (user management, whole imports)."""
    if acteur.role is not Role.administrateur or perimetres.FRANCE not in acteur.perimetres:
        raise Interdit(f"« {acteur.nom} » n'est pas administrateur de la France : action réservée")


# The server's bootstrap token (`CMQ_API_JETON`) acts as this administrator of France.
SERVEUR = Acteur(nom="administrateur (jeton du serveur)", role=Role.administrateur, perimetres=(perimetres.FRANCE,))


def identifier(s: Session, jeton: str, jeton_serveur: str | None) -> Acteur | None:
    """The actor a token stands for: the server's token (constant-time comparison), a valid user's
    token (`store.utilisateurs`), or None."""
    jeton = jeton.strip()
    if not jeton:
        return None
    if jeton_serveur and hmac.compare_digest(jeton.encode("utf-8", "surrogatepass"), jeton_serveur.encode("utf-8")):
        return SERVEUR
    return utilisateurs.authentifier(s, jeton)


def acteur_utilisateur(s: Session, utilisateur_id: int) -> Acteur | None:
    """The actor of user `utilisateur_id` if still valid (neither revoked nor expired), else None."""
    return utilisateurs.acteur(s, utilisateur_id)
