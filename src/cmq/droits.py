"""Who may write what: the one check every write path (API, web, CLI acting for a user) calls.

An administrator or editor may change a campus (its fields, members, partners, aliases) when one
of their scopes covers it (`perimetres.couvre`) — the campus as stored *and* as it would become,
so nobody moves a campus out of, or into, a territory they do not hold. Creating users, accepting
or rejecting changes and file imports over several campuses are checked per campus too; managing
users needs an administrator of France.
"""

from collections.abc import Iterable

from sqlalchemy.orm import Session

from cmq import perimetres
from cmq.errors import Interdit, IntrouvableError
from cmq.models import Acteur, Campus, Role


def _perimetres(acteur: Acteur) -> list[perimetres.Perimetre]:
    return [perimetres.lire(p) for p in acteur.perimetres]


def _de_france(acteur: Acteur) -> bool:
    return any(p.echelle == perimetres.FRANCE for p in _perimetres(acteur))


def couvre_campus(acteur: Acteur, campus: Campus) -> bool:
    """True if one of the actor's scopes covers `campus` (its id, région académique, académies)."""
    return perimetres.couvre(_perimetres(acteur), campus.id, campus.region_academique, campus.academies)


def verifier_campus(s: Session, acteur: Acteur, campus_id: str, nouveau: Campus | None = None) -> None:
    """Interdit unless the actor's scopes cover the stored campus `campus_id` (if it exists) and
    `nouveau`, its state after the change (a creation or a move); nothing is read for France."""
    portee = _perimetres(acteur)
    if any(p.echelle == perimetres.FRANCE for p in portee):
        return
    from cmq.store import lecture  # after the France case: an import by the local command reads nothing

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
            if not _de_france(acteur):
                raise Interdit(
                    f"« {acteur.nom} » ne peut pas créer le campus « {campus_id} » par un import : "
                    "seul un administrateur de la France le peut"
                ) from None


def verifier_administrateur(acteur: Acteur) -> None:
    """Interdit unless the actor is an administrator of France (user management, whole imports)."""
    if acteur.role is not Role.administrateur or not _de_france(acteur):
        raise Interdit(f"« {acteur.nom} » n'est pas administrateur de la France : action réservée")
