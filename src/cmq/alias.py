"""User-confirmed aliases: a free-text mention that always means one campus (`cmq.resolve` uses them first).

A mention is stored under its key `cmq.mentions.cle_alias` (accents, case, punctuation, "CMQ",
"Campus des métiers et des qualifications" and stop words removed): "Campus BTP HDF" and
"cmq btp-hdf" are the same alias. Adding an alias whose key exists replaces its campus (the
previous campus is returned); an unknown campus is refused and nothing is written. Given an
`acteur`, a change needs their scope over the campus named and the campus it replaces
(`cmq.droits`, Interdit otherwise).

Every addition, move and removal is recorded in the history of changes, in the same transaction
(objet "alias", cle = the key; a move is its removal from the old campus then its creation in
the new one, so that each campus's history shows it).
"""

from datetime import UTC, datetime

from sqlalchemy import delete, select

from cmq import droits
from cmq.errors import EntreeInvalide, IntrouvableError
from cmq.mentions import cle_alias
from cmq.models import Acteur, Alias
from cmq.store import db, historique, lecture
from cmq.store.conversion import alias_depuis_ligne, alias_vers_dict
from cmq.store.ecriture import upsert
from cmq.store.tables import AliasTable

LONGUEUR_MAX = 300  # size of the `alias.texte` column
SOURCE_LOCALE = "ligne de commande : cmq alias"


def cle(texte: str) -> str:
    """The stored key of a mention; EntreeInvalide when nothing meaningful is left."""
    if not isinstance(texte, str) or not texte.strip():
        raise EntreeInvalide("alias vide : saisissez la mention à associer au campus (ex. « campus btp hdf »)")
    resultat = cle_alias(texte)
    if not resultat:
        raise EntreeInvalide(f"alias « {texte} » sans mot significatif (seulement « CMQ », « campus »…)")
    if len(resultat) > LONGUEUR_MAX:
        raise EntreeInvalide(
            f"alias trop long : {len(resultat)} caractères après normalisation (maximum {LONGUEUR_MAX})"
        )
    return resultat


def _noter(s, changements: list[historique.Nouveau], acteur: Acteur | None, source: str | None) -> None:
    historique.enregistrer(
        s, changements, acteur=acteur or historique.ACTEUR_LOCAL, source=source or SOURCE_LOCALE, operation="alias"
    )


def _decrire(alias: Alias) -> dict:
    return alias.model_dump(mode="json")


def ajouter(
    texte: str, campus_id: str, *, url: str | None = None, acteur: Acteur | None = None, source: str | None = None
) -> tuple[Alias, str | None]:
    """Map a mention to a campus; returns the alias and the campus it replaced (None if new).

    IntrouvableError « campus inconnu » (with close ids) when the campus does not exist.
    `acteur`, `source`: recorded in the history (default: the local command).
    """
    texte_cle = cle(texte)
    with db.session(url, ecriture=True) as s:
        campus = lecture.campus(s, campus_id)
        ligne = s.get(AliasTable, texte_cle)
        ancien = alias_depuis_ligne(ligne) if ligne is not None else None
        if acteur is not None:
            droits.verifier_plusieurs(s, acteur, {campus.id, *([ancien.campus_id] if ancien is not None else [])})
        remplace = ancien.campus_id if ancien is not None and ancien.campus_id != campus.id else None
        alias = Alias(texte=texte_cle, campus_id=campus.id, cree_le=datetime.now(UTC))
        upsert(s, AliasTable, [alias_vers_dict(alias)], ("texte",))
        if ancien is None or remplace:
            changements = [historique.Nouveau("alias", campus.id, texte_cle, None, _decrire(alias))]
            if ancien is not None:
                changements.insert(0, historique.Nouveau("alias", ancien.campus_id, texte_cle, _decrire(ancien), None))
            _noter(s, changements, acteur, source)
    return alias, remplace


def lister(*, url: str | None = None) -> list[Alias]:
    """Every alias, sorted by key."""
    with db.session(url) as s:
        return [alias_depuis_ligne(ligne) for ligne in s.scalars(select(AliasTable).order_by(AliasTable.texte))]


def supprimer(texte: str, *, url: str | None = None, acteur: Acteur | None = None, source: str | None = None) -> Alias:
    """Delete the alias of a mention (any spelling of it); IntrouvableError when there is none.

    `acteur`, `source`: recorded in the history (default: the local command)."""
    texte_cle = cle(texte)
    with db.session(url, ecriture=True) as s:
        ligne = s.get(AliasTable, texte_cle)
        if ligne is None:
            raise IntrouvableError(f"alias inconnu : « {texte_cle} » (voir `cmq alias liste`)")
        alias = alias_depuis_ligne(ligne)
        if acteur is not None:
            droits.verifier_plusieurs(s, acteur, [alias.campus_id])
        s.execute(delete(AliasTable).where(AliasTable.texte == texte_cle))
        _noter(s, [historique.Nouveau("alias", alias.campus_id, texte_cle, _decrire(alias), None)], acteur, source)
    return alias
