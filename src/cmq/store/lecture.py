"""Read queries on the directory, returning `cmq.models` objects.

Every function takes an open ORM Session first (`with db.session(url) as s: ...`), so callers
(CLI, REST API, indicators) choose the transaction. The SQL is portable (SQLite, PostgreSQL).

Territory rule — a campus belongs to a territory when its seat or at least one of its member
establishments is in it:

* académie A: A is one of the campus's académies (`campus_academies`) or a member
  establishment belongs to académie A;
* département D: the seat commune (`code_commune_siege`) is in D or a member establishment
  is in D;
* région académique R: the campus's `region_academique` is R or a member establishment
  belongs to région académique R.

Label date rule — `actif_le=D` keeps the campuses whose label is valid on D: start date
missing or ≤ D, and end date missing or ≥ D (same as `Campus.actif_le`).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from cmq import codes, filieres, territoires
from cmq.errors import EntreeInvalide, IntrouvableError
from cmq.models import Campus, Etablissement, ImportEnregistre, Membre, Partenaire
from cmq.store.conversion import (
    campus_depuis_ligne,
    etablissement_depuis_ligne,
    import_depuis_ligne,
    membre_depuis_ligne,
    partenaire_depuis_ligne,
)
from cmq.store.tables import (
    Base,
    CampusAcademieTable,
    CampusTable,
    EtablissementTable,
    ImportTable,
    MembreTable,
    PartenaireTable,
)
from cmq.texte import normaliser, slug

C, CA, E, M = CampusTable, CampusAcademieTable, EtablissementTable, MembreTable


# --- Input checks ---------------------------------------------------------------------------


def _controler_page(limite: int | None, decalage: int) -> None:
    if limite is not None and limite < 0:
        raise EntreeInvalide(f"limite invalide : {limite} (entier positif ou nul attendu)")
    if decalage < 0:
        raise EntreeInvalide(f"décalage invalide : {decalage} (entier positif ou nul attendu)")


# --- Conditions -----------------------------------------------------------------------------


def _campus_avec_membre(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """Campus having at least one member establishment matching `condition`."""
    return C.id.in_(select(M.campus_id).join(E, E.uai == M.uai).where(condition))


def condition_actif_le(jour: date) -> ColumnElement[bool]:
    """Label valid on `jour` (bounds included; a missing bound does not restrict)."""
    return and_(
        or_(C.date_debut_label.is_(None), C.date_debut_label <= jour),
        or_(C.date_fin_label.is_(None), C.date_fin_label >= jour),
    )


def condition_academie(academie: str) -> ColumnElement[bool]:
    """Territory rule for an académie code."""
    return or_(
        C.id.in_(select(CA.campus_id).where(CA.academie == academie)), _campus_avec_membre(E.academie == academie)
    )


def condition_departement(departement: str) -> ColumnElement[bool]:
    """Territory rule for a département code (seat commune code starts with it)."""
    siege = func.substr(C.code_commune_siege, 1, len(departement)) == departement
    return or_(siege, _campus_avec_membre(E.departement == departement))


def condition_region_academique(region: str) -> ColumnElement[bool]:
    """Territory rule for a région académique (INSEE région code)."""
    return or_(C.region_academique == region, _campus_avec_membre(E.region_academique == region))


def _conditions_campus(filiere, region_academique, academie, departement, excellence, actif_le) -> list:
    conditions = []
    if filiere:
        conditions.append(C.filiere == filieres.get(filiere).code)
    if region_academique:
        conditions.append(
            condition_region_academique(territoires.verifier_code("region_academique", region_academique))
        )
    if academie:
        conditions.append(condition_academie(territoires.verifier_code("academie", academie)))
    if departement:
        conditions.append(condition_departement(territoires.verifier_code("departement", departement)))
    if excellence is not None:
        conditions.append(C.excellence == excellence)
    if actif_le is not None:
        conditions.append(condition_actif_le(actif_le))
    return conditions


# --- Campus ---------------------------------------------------------------------------------


def _academies(s: Session, ids: Iterable[str]) -> dict[str, list[str]]:
    ids = list(ids)
    resultat: dict[str, list[str]] = defaultdict(list)
    if ids:
        for campus_id, academie in s.execute(select(CA.campus_id, CA.academie).where(CA.campus_id.in_(ids))):
            resultat[campus_id].append(academie)
    return resultat


def _modeles_campus(s: Session, lignes: list[CampusTable]) -> list[Campus]:
    academies = _academies(s, (ligne.id for ligne in lignes))
    return [campus_depuis_ligne(ligne, academies.get(ligne.id, ())) for ligne in lignes]


def suggestions_campus(s: Session, texte: str, limite: int = 3) -> list[str]:
    """Identifiers of the campuses closest to `texte` (by id, rapidfuzz)."""
    ids = s.scalars(select(C.id)).all()
    trouves = process.extract(slug(texte), ids, scorer=fuzz.WRatio, limit=limite, score_cutoff=70)
    return [identifiant for identifiant, _score, _rang in trouves]


def _ligne_campus(s: Session, id: str) -> CampusTable:
    ligne = s.get(C, (id or "").strip().lower())
    if ligne is None:
        proches = suggestions_campus(s, id or "")
        aide = f". Vouliez-vous dire : {', '.join(proches)} ?" if proches else ""
        raise IntrouvableError(f"campus inconnu : {id}{aide}")
    return ligne


def campus(s: Session, id: str) -> Campus:
    """The campus `id`; IntrouvableError « campus inconnu : X » with close identifiers otherwise."""
    return _modeles_campus(s, [_ligne_campus(s, id)])[0]


def lister_campus(
    s: Session,
    *,
    filiere: str | None = None,
    region_academique: str | None = None,
    academie: str | None = None,
    departement: str | None = None,
    excellence: bool | None = None,
    actif_le: date | None = None,
    q: str | None = None,
    limite: int | None = None,
    decalage: int = 0,
) -> tuple[list[Campus], int]:
    """One page of campuses (sorted by id) and the total count matching the filters.

    Filière and territories are codes (callers resolve free text first: `cmq.filtres.codes`; an
    unknown code is refused, never guessed); territories follow the module's territory rule;
    `q` is an accent-insensitive search (every word) in name, acronym and seat town.
    """
    _controler_page(limite, decalage)
    conditions = _conditions_campus(filiere, region_academique, academie, departement, excellence, actif_le)
    if q and normaliser(q):
        mots = normaliser(q).split()
        candidats = s.execute(select(C.id, C.nom, C.sigle, C.ville_siege).where(*conditions).order_by(C.id))
        ids = [
            ligne.id
            for ligne in candidats
            if all(
                mot in normaliser(" ".join(filter(None, (ligne.nom, ligne.sigle, ligne.ville_siege)))) for mot in mots
            )
        ]
        page = ids[decalage:] if limite is None else ids[decalage : decalage + limite]
        lignes = s.scalars(select(C).where(C.id.in_(page)).order_by(C.id)).all() if page else []
        return _modeles_campus(s, list(lignes)), len(ids)
    total = s.scalar(select(func.count()).select_from(C).where(*conditions))
    requete = select(C).where(*conditions).order_by(C.id).offset(decalage)
    if limite is not None:
        requete = requete.limit(limite)
    return _modeles_campus(s, list(s.scalars(requete))), total


def campus_de_l_etablissement(s: Session, uai: str, date: date | None = None) -> list[Campus]:
    """Campuses of which the establishment is a member (label valid on `date` if given)."""
    code = codes.normaliser_uai(uai)
    requete = select(C).join(M, M.campus_id == C.id).where(M.uai == code).order_by(C.id)
    if date is not None:
        requete = requete.where(condition_actif_le(date))
    return _modeles_campus(s, list(s.scalars(requete)))


# --- Etablissements, membres, partenaires ----------------------------------------------------


def etablissement(s: Session, uai: str) -> Etablissement:
    """The establishment `uai` (validated first: CodeInvalide); IntrouvableError if absent."""
    code = codes.normaliser_uai(uai)
    ligne = s.get(E, code)
    if ligne is None:
        raise IntrouvableError(f"établissement inconnu : {code}")
    return etablissement_depuis_ligne(ligne)


def lister_etablissements(
    s: Session,
    *,
    departement: str | None = None,
    academie: str | None = None,
    region_academique: str | None = None,
    type: str | None = None,
    limite: int | None = None,
    decalage: int = 0,
) -> tuple[list[Etablissement], int]:
    """One page of establishments (sorted by UAI) and the total count; territories are codes
    (unknown code refused), `type` ignores case."""
    _controler_page(limite, decalage)
    conditions = []
    if departement:
        conditions.append(E.departement == territoires.verifier_code("departement", departement))
    if academie:
        conditions.append(E.academie == territoires.verifier_code("academie", academie))
    if region_academique:
        conditions.append(E.region_academique == territoires.verifier_code("region_academique", region_academique))
    if type:
        conditions.append(func.lower(E.type) == type.strip().lower())
    total = s.scalar(select(func.count()).select_from(E).where(*conditions))
    requete = select(E).where(*conditions).order_by(E.uai).offset(decalage)
    if limite is not None:
        requete = requete.limit(limite)
    return [etablissement_depuis_ligne(ligne) for ligne in s.scalars(requete)], total


def membres(s: Session, campus_id: str) -> list[tuple[Membre, Etablissement | None]]:
    """Members of a campus (support first, then by UAI) with their establishment if known."""
    ligne_campus = _ligne_campus(s, campus_id)
    support_d_abord = case((M.role == "support", 0), else_=1)
    requete = (
        select(M, E).outerjoin(E, E.uai == M.uai).where(M.campus_id == ligne_campus.id).order_by(support_d_abord, M.uai)
    )
    return [
        (membre_depuis_ligne(m), etablissement_depuis_ligne(e) if e is not None else None)
        for m, e in s.execute(requete)
    ]


def partenaires(s: Session, campus_id: str) -> list[Partenaire]:
    """Partners of a campus, sorted by name."""
    ligne_campus = _ligne_campus(s, campus_id)
    requete = select(PartenaireTable).where(PartenaireTable.campus_id == ligne_campus.id)
    return [partenaire_depuis_ligne(p) for p in s.scalars(requete.order_by(PartenaireTable.nom, PartenaireTable.id))]


# --- History, counts -------------------------------------------------------------------------


def imports(s: Session, limite: int = 50) -> list[ImportEnregistre]:
    """The last `limite` imports, newest first."""
    _controler_page(limite, 0)
    requete = select(ImportTable).order_by(ImportTable.debut.desc(), ImportTable.id.desc()).limit(limite)
    return [import_depuis_ligne(ligne) for ligne in s.scalars(requete)]


def compter(s: Session) -> dict[str, int]:
    """Number of rows of every table, by table name."""
    return {table.name: s.scalar(select(func.count()).select_from(table)) for table in Base.metadata.sorted_tables}
