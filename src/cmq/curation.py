"""Editing a campus by hand: its fields, its members, its partners — checked, traced, or queued.

Every operation names who acts (`Acteur`) and the `source` it rests on (a URL or a document
reference, required). In one transaction: the campus must exist, the actor's scopes must cover it
(`droits.verifier_campus`), the new state is validated by the models (one rule for every path:
UAI, SIRET, http(s) links, label dates), then either written with its history entry
(`operation="edition"`), or, for an actor whose changes are reviewed (`acteur.relecture`), only
recorded « à valider » (before = stored, after = proposed) for `cmq.relecture`. Any error: nothing
is written. A change that changes nothing is neither written nor recorded (`inchange`).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from cmq import codes, droits, organisations
from cmq.errors import EntreeInvalide, IntrouvableError
from cmq.models import Acteur, Campus, Changement, Membre, MembreNomme, Partenaire, RoleMembre, lien_web
from cmq.saisie import date_iso, oui_non, raison_validation
from cmq.store import db, edition, historique, lecture
from cmq.store.tables import EtablissementTable
from cmq.texte import normaliser

CHAMPS_CAMPUS = (
    "nom",
    "sigle",
    "excellence",
    "ville_siege",
    "code_commune_siege",
    "latitude",
    "longitude",
    "date_debut_label",
    "date_fin_label",
    "reference_arrete",
    "site_web",
    "uai_support",
    "description",
    "note",
)
LONGUEUR_SOURCE = 2000
_SCHEMA = re.compile(r"^\s*([a-z][a-z0-9+.-]*):", re.I)
_SCHEMAS_DANGEREUX = {"javascript", "data", "vbscript", "file"}
_INCONNU = {"inconnu", "inconnue", "non renseigne", "non renseignee", "?"}


@dataclass(frozen=True)
class Resultat:
    """What an edition did: `applique`, `a_valider` (queued for review) or `inchange`, the changes
    recorded, and notes for the user (a UAI absent from the loaded directory…)."""

    statut: str
    changements: list[Changement] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)


def verifier_source(source: str | None) -> str:
    """The source of a change, stripped; EntreeInvalide when empty, too long or a non-http(s) link."""
    if source is None or not str(source).strip():
        raise EntreeInvalide(
            "source obligatoire : indiquez l'adresse (https://…) ou la référence du document qui justifie le changement"
        )
    source = str(source).strip()
    if len(source) > LONGUEUR_SOURCE:
        raise EntreeInvalide(f"source trop longue : {len(source)} caractères (maximum {LONGUEUR_SOURCE})")
    schema = _SCHEMA.match(source)
    if "://" in source or (schema and schema.group(1).lower() in _SCHEMAS_DANGEREUX):
        try:
            lien_web(source)
        except ValueError as erreur:
            raise EntreeInvalide(f"source refusée : {erreur}") from None
    return source


def _valider(classe, donnees: dict[str, Any], quoi: str):
    try:
        return classe.model_validate(donnees)
    except ValidationError as erreur:
        raise EntreeInvalide(f"{quoi} refusé : {raison_validation(erreur.errors())}") from None


Preparer = Callable[[Session, Campus], tuple[list[historique.Nouveau], Campus | None, list[str]]]


def _editer(url: str | None, acteur: Acteur, source: str, campus_id: str, preparer: Preparer) -> Resultat:
    """The common path of every operation (module docstring); `preparer` validates and returns the
    changes, the campus as it would become (None: unchanged) and notes."""
    source = verifier_source(source)
    try:
        with db.session(url, ecriture=True) as s:
            campus = lecture.campus(s, campus_id)
            droits.verifier_campus(s, acteur, campus.id)
            nouveaux, campus_modifie, notes = preparer(s, campus)
            if campus_modifie is not None:
                droits.verifier_campus(s, acteur, campus.id, campus_modifie)
            statut = "a_valider" if acteur.relecture else "applique"
            ids = historique.enregistrer(s, nouveaux, acteur=acteur, source=source, operation="edition", statut=statut)
            if not ids:
                return Resultat("inchange", [], notes)
            if statut == "applique":
                for n in nouveaux:
                    edition.appliquer(s, n.objet, campus.id, n.cle, n.apres)
            changements = historique.par_ids(s, ids)
    except (DataError, IntegrityError) as erreur:  # e.g. a value longer than its PostgreSQL column
        raise EntreeInvalide(
            "changement refusé par la base de données (texte trop long pour sa colonne ou caractère nul) : "
            + str(erreur.orig).strip().splitlines()[0]
        ) from None
    return Resultat(statut, changements, notes)


# --- Campus fields ----------------------------------------------------------------------------


def _valeur_campus(champ: str, valeur: Any) -> Any:
    if isinstance(valeur, str) and not valeur.strip():
        return None
    if champ == "excellence":
        if isinstance(valeur, str) and normaliser(valeur) in _INCONNU:
            return None
        return oui_non(valeur)
    if champ in ("date_debut_label", "date_fin_label") and isinstance(valeur, str | date):
        return date_iso(valeur)
    return valeur


def campus_modifie(campus: Campus, champs: dict[str, Any]) -> Campus:
    """`campus` with `champs` replaced (editable fields only: CHAMPS_CAMPUS), validated by `Campus`."""
    if not champs:
        raise EntreeInvalide(f"aucun champ à modifier (champs modifiables : {', '.join(CHAMPS_CAMPUS)})")
    inconnus = sorted(set(champs) - set(CHAMPS_CAMPUS))
    if inconnus:
        raise EntreeInvalide(
            f"champ(s) non modifiable(s) : {', '.join(inconnus)} (champs modifiables : {', '.join(CHAMPS_CAMPUS)})"
        )
    valeurs = {champ: _valeur_campus(champ, valeur) for champ, valeur in champs.items()}
    return _valider(Campus, {**campus.model_dump(), **valeurs}, f"campus « {campus.id} »")


def modifier_campus(
    campus_id: str, champs: dict[str, Any], *, acteur: Acteur, source: str, url: str | None = None
) -> Resultat:
    """Change fields of a campus (label dates, excellence — None: unknown —, seat, site, texts)."""

    def preparer(s: Session, campus: Campus):
        nouveau = campus_modifie(campus, champs)
        avant, apres = historique.decrire_campus(campus), historique.decrire_campus(nouveau)
        return [historique.Nouveau("campus", campus.id, campus.id, avant, apres)], nouveau, []

    return _editer(url, acteur, source, campus_id, preparer)


# --- Members ----------------------------------------------------------------------------------


def _role(role: str | None, libelle_role: str | None) -> tuple[str, str | None]:
    """(role, wording): a role code (support, membre, partenaire) or the source's wording of it."""
    if role is None or not str(role).strip():
        return RoleMembre.membre.value, libelle_role
    if str(role).strip() in {r.value for r in RoleMembre}:
        return str(role).strip(), libelle_role
    return organisations.role_de(role), libelle_role or str(role).strip()


def ajouter_membre(
    campus_id: str,
    *,
    acteur: Acteur,
    source: str,
    uai: str | None = None,
    nom: str | None = None,
    nature: str | None = None,
    role: str | None = None,
    libelle_role: str | None = None,
    commune: str | None = None,
    source_url: str | None = None,
    url: str | None = None,
) -> Resultat:
    """Add (or update) a member: an establishment by its UAI — absent from the loaded directory, it
    is kept « hors annuaire » like an import does — or an organisation by its name."""
    uai = uai.strip() if uai and uai.strip() else None
    nom = nom.strip() if nom and nom.strip() else None
    if (uai is None) == (nom is None):
        raise EntreeInvalide("indiquez soit l'UAI de l'établissement membre, soit le nom de l'organisation (un seul)")
    role, libelle_role = _role(role, libelle_role)

    def preparer(s: Session, campus: Campus):
        notes = []
        if uai is not None:
            code = codes.normaliser_uai(uai)
            membre = _valider(
                Membre,
                {
                    "campus_id": campus.id,
                    "uai": code,
                    "role": role,
                    "libelle_role": libelle_role,
                    "source_url": source_url,
                },
                f"membre {code}",
            )
            objet, cle = "membre", code
            if s.get(EtablissementTable, code) is None:
                notes.append(f"UAI {code} absent de l'annuaire chargé : membre gardé « hors annuaire »")
        else:
            donnees = {"campus_id": campus.id, "nom": nom, "role": role, "libelle_role": libelle_role}
            donnees |= {"nature": nature or organisations.nature_de(nom), "commune": commune, "source_url": source_url}
            membre = _valider(MembreNomme, donnees, f"membre « {nom} »")
            objet, cle = "membre_nomme", membre.nom
        avant = edition.etat(s, objet, campus.id, cle)
        return [historique.Nouveau(objet, campus.id, cle, avant, membre.model_dump(mode="json"))], None, notes

    return _editer(url, acteur, source, campus_id, preparer)


def _trouver(s: Session, objets: tuple[str, ...], campus: Campus, texte: str) -> tuple[str, str] | None:
    """(objet, key) of the member or partner `texte` designates: a UAI, an exact name, or a name
    written otherwise (case, accents)."""
    if "membre" in objets and codes.est_uai(texte):
        code = codes.normaliser_uai(texte)
        if edition.etat(s, "membre", campus.id, code) is not None:
            return "membre", code
    noms = []
    if "membre_nomme" in objets:
        noms += [("membre_nomme", m.nom) for m in lecture.membres_nommes(s, campus.id)]
    if "partenaire" in objets:
        noms += [("partenaire", p.nom) for p in lecture.partenaires(s, campus.id)]
    exact = [n for n in noms if n[1] == texte]
    proches = exact or [n for n in noms if normaliser(n[1]) == normaliser(texte)]
    return proches[0] if len(proches) == 1 else None


def _retirer(campus_id: str, texte: str, objets: tuple[str, ...], quoi: str, **commun) -> Resultat:
    texte = (texte or "").strip()
    if not texte:
        raise EntreeInvalide(f"{quoi} à retirer non indiqué")

    def preparer(s: Session, campus: Campus):
        trouve = _trouver(s, objets, campus, texte)
        if trouve is None:
            raise IntrouvableError(f"« {texte} » n'est pas {quoi} du campus « {campus.id} »")
        objet, cle = trouve
        return [historique.Nouveau(objet, campus.id, cle, edition.etat(s, objet, campus.id, cle), None)], None, []

    return _editer(commun["url"], commun["acteur"], commun["source"], campus_id, preparer)


def retirer_membre(campus_id: str, uai_ou_nom: str, *, acteur: Acteur, source: str, url: str | None = None) -> Resultat:
    """Remove a member: an establishment by its UAI, or an organisation by its name."""
    return _retirer(campus_id, uai_ou_nom, ("membre", "membre_nomme"), "membre", acteur=acteur, source=source, url=url)


# --- Partners ---------------------------------------------------------------------------------


def ajouter_partenaire(
    campus_id: str,
    nom: str,
    *,
    acteur: Acteur,
    source: str,
    nature: str | None = None,
    siret: str | None = None,
    url: str | None = None,
) -> Resultat:
    """Add (or update) a partner by its name; its SIRET, when given, must be valid (Luhn)."""
    siret = codes.normaliser_siret(siret) if siret and siret.strip() else None

    def preparer(s: Session, campus: Campus):
        donnees = {"campus_id": campus.id, "nom": nom, "nature": nature or "autre", "siret": siret}
        partenaire = _valider(Partenaire, donnees, f"partenaire « {nom} »")
        avant = edition.etat(s, "partenaire", campus.id, partenaire.nom)
        apres = partenaire.model_dump(mode="json")
        return [historique.Nouveau("partenaire", campus.id, partenaire.nom, avant, apres)], None, []

    return _editer(url, acteur, source, campus_id, preparer)


def retirer_partenaire(campus_id: str, nom: str, *, acteur: Acteur, source: str, url: str | None = None) -> Resultat:
    """Remove a partner by its name."""
    return _retirer(campus_id, nom, ("partenaire",), "partenaire", acteur=acteur, source=source, url=url)
