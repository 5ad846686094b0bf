"""One object of a campus as the history records it, read and written by its key.

An object is a campus (`cle` None), a member by UAI (`membre`, `cle` = UAI), a member known by
name (`membre_nomme`, `cle` = its name) or a partner (`partenaire`, `cle` = its name); its state
is its model's `model_dump(mode="json")`, None when it does not exist. `appliquer` writes a state
(or deletes the object for None) inside the caller's transaction.
"""

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cmq.errors import IntrouvableError
from cmq.models import CONTEXTE_STOCKE, Campus, Membre, MembreNomme, Partenaire
from cmq.store import ecriture, historique, lecture
from cmq.store.conversion import (
    membre_depuis_ligne,
    membre_nomme_depuis_ligne,
    membre_nomme_vers_dict,
    membre_vers_dict,
    partenaire_depuis_ligne,
    partenaire_vers_dict,
)
from cmq.store.tables import MembreNommeTable, MembreTable, PartenaireTable

OBJETS = ("campus", "membre", "membre_nomme", "partenaire")

# objet -> (table, key column, model, row -> model, model -> row)
_PAR_OBJET = {
    "membre": (MembreTable, MembreTable.uai, Membre, membre_depuis_ligne, membre_vers_dict),
    "membre_nomme": (
        MembreNommeTable,
        MembreNommeTable.nom,
        MembreNomme,
        membre_nomme_depuis_ligne,
        membre_nomme_vers_dict,
    ),
    "partenaire": (PartenaireTable, PartenaireTable.nom, Partenaire, partenaire_depuis_ligne, partenaire_vers_dict),
}


def _verifier(objet: str) -> None:
    if objet not in OBJETS:
        raise ValueError(f"objet inconnu : {objet}")


def etat(s: Session, objet: str, campus_id: str, cle: str | None) -> dict[str, Any] | None:
    """The stored state of an object (its model's JSON dump), None when it does not exist."""
    _verifier(objet)
    if objet == "campus":
        try:
            return historique.decrire_campus(lecture.campus(s, campus_id))
        except IntrouvableError:
            return None
    table, colonne, _modele, depuis_ligne, _vers = _PAR_OBJET[objet]
    ligne = s.scalars(select(table).where(table.campus_id == campus_id, colonne == cle)).first()
    return None if ligne is None else depuis_ligne(ligne).model_dump(mode="json")


def modele(objet: str, donnees: dict[str, Any]) -> Campus | Membre | MembreNomme | Partenaire:
    """The model of a recorded state (values as stored: links written before checks are kept)."""
    _verifier(objet)
    classe = Campus if objet == "campus" else _PAR_OBJET[objet][2]
    return classe.model_validate(donnees, context=CONTEXTE_STOCKE)


def appliquer(s: Session, objet: str, campus_id: str, cle: str | None, apres: dict[str, Any] | None) -> None:
    """Write the state `apres` of an object (None: delete it); a campus is never deleted here."""
    _verifier(objet)
    if objet == "campus":
        if apres is None:
            raise ValueError("suppression d'un campus non prise en charge par l'édition")
        ecriture.ecrire_campus(s, [modele(objet, apres)])
        return
    table, colonne, _modele, _depuis, vers_dict = _PAR_OBJET[objet]
    if apres is None:
        s.execute(delete(table).where(table.campus_id == campus_id, colonne == cle))
        return
    ligne = vers_dict(modele(objet, apres))
    if objet == "membre":
        ecriture.ecrire_membres(s, [ligne])
    elif objet == "membre_nomme":
        ecriture.ecrire_membres_nommes(s, [ligne])
    else:
        ecriture.ecrire_partenaires(s, [ligne])
