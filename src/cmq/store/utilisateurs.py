"""Users who may write and their tokens: created, listed, revoked, authenticated.

A token is `cmq_<prefixe>_<secret>`: `prefixe` (12 hex digits) finds the row; the database keeps
only the Argon2id hash of the whole token (argon2-cffi's `PasswordHasher`, whose verification
compares in constant time). A verification costs about 50 ms: the successful ones are remembered
in this process (`CACHE_MAX`, keyed by the SHA-256 of the token and tied to the stored hash), but
the row is read again at every call, so a revocation, an expiry or new scopes apply at once.
A well-formed token whose prefix is unknown is still verified, against a decoy hash, so that its
answer takes as long as a wrong secret's; a malformed token is refused at once (its shape is no
secret). At most `CALCULS_MAX` hashes are computed at a time (64 MiB of memory each): a burst of
wrong tokens waits instead of exhausting the server's memory.
"""

import hashlib
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from difflib import get_close_matches
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cmq import perimetres as perimetres_
from cmq.errors import EntreeInvalide, IntrouvableError
from cmq.models import Acteur, Role, Utilisateur
from cmq.store.tables import PerimetreTable, UtilisateurTable

NOM_MAX = 200
CACHE_MAX = 1024
CALCULS_MAX = 4
_FORME = re.compile(r"cmq_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
_verifies: OrderedDict[str, str] = OrderedDict()  # sha256 of a token -> the hash it was verified against
_verrou = threading.Lock()
_calculs = threading.BoundedSemaphore(CALCULS_MAX)


@cache
def _hacheur() -> PasswordHasher:
    return PasswordHasher()  # Argon2id, RFC 9106 "low memory" parameters


@cache
def _leurre() -> str:
    """A hash no token matches, verified for unknown prefixes (same work as a wrong secret)."""
    return _hacher(secrets.token_urlsafe(32))


def _hacher(jeton: str) -> str:
    with _calculs:
        return _hacheur().hash(jeton)


def _utc(moment: datetime | None) -> datetime | None:
    """A stored moment in UTC (SQLite gives it back without its time zone, PostgreSQL in the session's)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def lire_nom(nom: str) -> str:
    """The name stripped: 1 to NOM_MAX printable characters, else EntreeInvalide."""
    nom = (nom or "").strip()
    if not nom or len(nom) > NOM_MAX or not nom.isprintable():
        cite = f"« {nom[:80]}{'…' if len(nom) > 80 else ''} »" if nom else "vide"
        raise EntreeInvalide(f"nom d'utilisateur {cite} invalide : 1 à {NOM_MAX} caractères imprimables attendus")
    return nom


def lire_role(role: Role | str) -> Role:
    """`administrateur` or `editeur`, else EntreeInvalide."""
    try:
        return Role(role)
    except ValueError:
        raise EntreeInvalide(f"rôle « {role} » inconnu : administrateur ou editeur") from None


def lire_perimetres(textes: Iterable[str]) -> tuple[str, ...]:
    """The scopes written as `perimetres.lire` prints them, without repeats; at least one."""
    lus = tuple(dict.fromkeys(str(perimetres_.lire(t)) for t in textes))
    if not lus:
        raise EntreeInvalide(f"au moins un périmètre est nécessaire ({perimetres_.FORMES})")
    return lus


def lire_expiration(jour: date | None, maintenant: datetime | None = None) -> datetime | None:
    """The moment a token given the expiry day `jour` stops working (0 h UTC that day); the day
    must come after today, else EntreeInvalide."""
    if jour is None:
        return None
    aujourdhui = (maintenant or datetime.now(UTC)).astimezone(UTC).date()
    if jour <= aujourdhui:
        raise EntreeInvalide(f"date d'expiration {jour} déjà atteinte : choisissez un jour après le {aujourdhui}")
    return datetime.combine(jour, time(0), tzinfo=UTC)


def _modele(s: Session, ligne: UtilisateurTable) -> Utilisateur:
    portee = s.scalars(
        select(PerimetreTable.perimetre)
        .where(PerimetreTable.utilisateur_id == ligne.id)
        .order_by(PerimetreTable.perimetre)
    ).all()
    return Utilisateur(
        id=ligne.id,
        nom=ligne.nom,
        role=ligne.role,
        perimetres=tuple(portee),
        relecture=ligne.relecture,
        cree_le=_utc(ligne.cree_le),
        expire_le=_utc(ligne.expire_le),
        revoque_le=_utc(ligne.revoque_le),
    )


def creer(
    s: Session,
    nom: str,
    role: Role | str,
    perimetres: Iterable[str],
    expire_le: date | None = None,
    relecture: bool = False,
    maintenant: datetime | None = None,
) -> tuple[Utilisateur, str]:
    """Add a user; returns them and their token (shown once: only its hash is kept).

    EntreeInvalide, nothing written: bad name, role, scope or expiry day, name already taken.
    """
    nom, role, portee = lire_nom(nom), lire_role(role), lire_perimetres(perimetres)
    moment = maintenant or datetime.now(UTC)
    expiration = lire_expiration(expire_le, moment)
    if s.scalar(select(UtilisateurTable.id).where(UtilisateurTable.nom == nom)) is not None:
        raise EntreeInvalide(f"l'utilisateur « {nom} » existe déjà (voir `cmq utilisateurs liste`)")
    prefixe = secrets.token_hex(6)
    while s.scalar(select(UtilisateurTable.id).where(UtilisateurTable.prefixe == prefixe)) is not None:
        prefixe = secrets.token_hex(6)
    jeton = f"cmq_{prefixe}_{secrets.token_urlsafe(32)}"
    ligne = UtilisateurTable(
        nom=nom,
        role=role.value,
        relecture=relecture,
        prefixe=prefixe,
        empreinte=_hacher(jeton),
        cree_le=moment,
        expire_le=expiration,
    )
    try:
        with s.begin_nested():
            s.add(ligne)
            s.flush()
            s.add_all(PerimetreTable(utilisateur_id=ligne.id, perimetre=p) for p in portee)
    except IntegrityError:  # written meanwhile by another process
        raise EntreeInvalide(f"l'utilisateur « {nom} » existe déjà (voir `cmq utilisateurs liste`)") from None
    return _modele(s, ligne), jeton


def lister(s: Session) -> list[Utilisateur]:
    """Every user, revoked ones included, by name."""
    return [_modele(s, ligne) for ligne in s.scalars(select(UtilisateurTable).order_by(UtilisateurTable.nom))]


def existe(s: Session) -> bool:
    """True once a user has been created (writing through the API is then possible)."""
    return s.scalar(select(UtilisateurTable.id).limit(1)) is not None


def revoquer(s: Session, nom: str, maintenant: datetime | None = None) -> Utilisateur:
    """Revoke a user's token at once. IntrouvableError (with close names) for an unknown name,
    EntreeInvalide if already revoked; nothing written then."""
    ligne = s.scalar(select(UtilisateurTable).where(UtilisateurTable.nom == (nom or "").strip()))
    if ligne is None:
        proches = get_close_matches(nom or "", s.scalars(select(UtilisateurTable.nom)).all(), n=3, cutoff=0.6)
        aide = f". Vouliez-vous dire : {', '.join(proches)} ?" if proches else " (voir `cmq utilisateurs liste`)"
        raise IntrouvableError(f"utilisateur inconnu : « {nom} »{aide}")
    if ligne.revoque_le is not None:
        raise EntreeInvalide(f"l'utilisateur « {ligne.nom} » est déjà révoqué (le {_utc(ligne.revoque_le):%Y-%m-%d})")
    ligne.revoque_le = maintenant or datetime.now(UTC)
    s.flush()
    return _modele(s, ligne)


def _verifier(jeton: str, empreinte: str) -> bool:
    """Argon2 verification of `jeton` against `empreinte`, remembered when it succeeds."""
    cle = hashlib.sha256(jeton.encode()).hexdigest()
    with _verrou:
        if _verifies.get(cle) == empreinte:
            _verifies.move_to_end(cle)
            return True
    try:
        with _calculs:
            _hacheur().verify(empreinte, jeton)
    except (VerificationError, InvalidHashError):
        return False
    with _verrou:
        _verifies[cle] = empreinte
        while len(_verifies) > CACHE_MAX:
            _verifies.popitem(last=False)
    return True


def a_la_forme(jeton: str) -> bool:
    """True if `jeton` is shaped as a user's token (`cmq_<12 hex>_<43 characters>`)."""
    return _FORME.fullmatch((jeton or "").strip()) is not None


def _valide(ligne: UtilisateurTable, maintenant: datetime | None) -> bool:
    moment = maintenant or datetime.now(UTC)
    return ligne.revoque_le is None and (ligne.expire_le is None or _utc(ligne.expire_le) > moment)


def authentifier(s: Session, jeton: str, maintenant: datetime | None = None) -> Acteur | None:
    """The actor of a user token; None when it is malformed, unknown, wrong, revoked or expired."""
    forme = _FORME.fullmatch((jeton or "").strip())
    if forme is None:
        return None
    jeton = forme.group(0)
    ligne = s.scalar(select(UtilisateurTable).where(UtilisateurTable.prefixe == forme.group(1)))
    if ligne is None:
        _verifier(jeton, _leurre())
        return None
    if not _verifier(jeton, ligne.empreinte) or not _valide(ligne, maintenant):
        return None
    return _modele(s, ligne).acteur()


def acteur(s: Session, utilisateur_id: int, maintenant: datetime | None = None) -> Acteur | None:
    """The actor of user `utilisateur_id` (a web session's), re-read: None if unknown, revoked or expired."""
    ligne = s.get(UtilisateurTable, utilisateur_id)
    return _modele(s, ligne).acteur() if ligne is not None and _valide(ligne, maintenant) else None


def est_jeton_serveur(jeton: str, jeton_serveur: str | None) -> bool:
    """True if `jeton` is the server's bootstrap token (`CMQ_API_JETON`), compared in constant time."""
    return bool(jeton_serveur) and secrets.compare_digest(
        jeton.strip().encode("utf-8", "surrogatepass"), jeton_serveur.encode("utf-8")
    )


# What the server's bootstrap token acts as: an administrator of France.
SERVEUR = Acteur(nom="administrateur (jeton du serveur)", role=Role.administrateur, perimetres=("france",))


def oublier() -> None:
    """Forget the remembered verifications (tests)."""
    with _verrou:
        _verifies.clear()
