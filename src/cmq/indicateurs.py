"""« Acteurs » indicators of the CMQ, at any scale and any date.

Rules (the same as the read queries of `cmq.store.lecture`, checked by the tests):

* date rule — a campus counts at date D when its label is valid on D: start date missing or
  ≤ D, end date missing or ≥ D (bounds included, `lecture.condition_actif_le`);
* territory rule — a campus belongs to a territory when its seat or at least one of its member
  establishments is in it: académie = one of the campus's académies or a member's académie;
  département = seat commune code starting with it or a member's département; région académique
  = the campus's région académique or a member's; France = every campus;
* lycée — an establishment whose `type` denotes a lycée (`est_lycee`);
* `nb_etablissements_membres` — distinct establishments, member of a campus valid at D, located
  in the territory (France: every distinct member UAI, even one absent from the directory);
* `nb_lycees` — lycées of the directory located in the territory (France: all of them);
  `nb_lycees_membres` — those that are members of at least one campus valid at D;
  `couverture_lycees` = nb_lycees_membres / nb_lycees (None without lycée, and None when the
  territory has campuses but none with known members: an absence of data is not 0 %);
* completeness — `nb_campus_membres_connus`: campuses counted whose member data is known (at least
  one member, with or without UAI): member figures rest on them only ("membres connus pour N
  campus sur M"); `nb_campus_sans_date_debut`: campuses counted whose label start date is unknown
  (counted at every date before their end);
* `part_excellence` = nb_excellence / nb_campus (None with 0 campus); an unknown excellence is
  not counted in nb_excellence (and is not "no" either: the pages show it apart). Shares are
  rounded to 4 decimals.

The full table for every territory is computed from five queries (campuses valid at D, their
académies, memberships with the members' territory codes, the distinct establishment types, the
lycées grouped by territory), then aggregated in Python: never one query per territory. The
lycées are counted from the index (type, département, académie, région académique) alone, only
the ranges of the lycée types: at 1,000,000 establishments, a tenth of the index is read, never
the table (`lycees_par_territoire`); the members' establishments are found by key, one probe per
membership (`membres_et_lieux`). The work grows with the lycées and the memberships, not with
the other establishments of the directory.
"""

import threading
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, func, select, true
from sqlalchemy.orm import Session

from cmq import filieres, saisie, territoires
from cmq.errors import EntreeInvalide
from cmq.models import Campus
from cmq.store import db, etat_au, lecture, schema, version
from cmq.store.tables import (
    CampusAcademieTable,
    CampusTable,
    EtablissementTable,
    MembreTable,
)
from cmq.texte import normaliser

C, CA, E, M = CampusTable, CampusAcademieTable, EtablissementTable, MembreTable
JOUR_DE_RENTREE = "09-01"
DUREE_MAX_EVOLUTION = 100  # years
DECIMALES = 4

# Normalised `type` values that denote a lycée. SEP and SGT (sections attached to a lycée that
# already has its own UAI), EREA, CFA, MFR and écoles are not counted.
TYPES_LYCEE = frozenset({"lp", "lgt", "lpo", "legt", "lpa", "legta", "lycee"})


@lru_cache(maxsize=4096)
def est_lycee(type_etablissement: str | None) -> bool:
    """True for LP, LGT, LPO, LEGT, LPA, LEGTA and any type starting with "lycée" (case/accents ignored)."""
    if not type_etablissement:
        return False
    forme = normaliser(type_etablissement)
    return forme in TYPES_LYCEE or forme.startswith("lycee ")


class LigneIndicateurs(BaseModel):
    """Indicators of one territory at one date."""

    echelle: str
    code: str
    nom: str
    date: Date
    nb_campus: int
    nb_excellence: int
    part_excellence: float | None
    filieres: dict[str, int]  # the 12 filière codes, in the order of cmq.md, zeros kept
    nb_campus_membres_connus: int  # campuses counted whose members are known (the base of member figures)
    nb_campus_sans_date_debut: int  # campuses counted whose label start date is unknown
    nb_etablissements_membres: int
    nb_lycees: int
    nb_lycees_membres: int
    couverture_lycees: float | None
    campus_ids: list[str]


class TerritoireFiliere(BaseModel):
    """A territory where a filière has campuses."""

    echelle: str
    code: str
    nom: str
    nb_campus: int


class IndicateursFiliere(BaseModel):
    """The campuses of a filière valid at a date and the territories they belong to."""

    filiere: str
    libelle: str
    date: Date
    nb_campus: int
    nb_excellence: int
    campus: list[Campus]
    territoires: list[TerritoireFiliere]


class PointEvolution(BaseModel):
    """Number of campuses of a territory at the rentrée of one year."""

    annee: int
    date: Date
    echelle: str
    code: str
    nom: str
    nb_campus: int
    nb_campus_sans_date_debut: int  # of nb_campus: label start date unknown, counted every year


# --- Inputs -------------------------------------------------------------------------------------


def jour(valeur: Date | str | None = None) -> Date:
    """The date to compute at: today when None; a date; or an ISO text ('2025-09-01', `saisie.date_iso`)."""
    return Date.today() if valeur is None else saisie.date_iso(valeur)


def _territoires_demandes(echelle: str, code: str | None) -> list[territoires.Territoire]:
    if code is None or echelle == "france":
        return list(territoires.territoires(echelle))
    return [territoires.resoudre(code, echelle)]


# --- Loading ------------------------------------------------------------------------------------


@dataclass
class Appartenances:
    """Campuses valid at one date, the territories they belong to and their members' locations."""

    campus: dict[str, tuple[str, bool]] = field(default_factory=dict)  # id -> (filière, excellence)
    membres_connus: set[str] = field(default_factory=set)  # ids of campuses with member data
    sans_date_debut: set[str] = field(default_factory=set)  # ids of campuses without label start date
    par_territoire: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    membres: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    lycees_membres: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )

    def ids(self, echelle: str, code: str) -> set[str]:
        """Campus ids belonging to a territory."""
        return self.par_territoire[echelle].get(code, set())

    def ajouter_membre(self, campus_id: str, uai: str, lycee: bool, lieux: Iterable[tuple[str, str | None]]) -> None:
        """Record a membership: the campus belongs to each place of the member, which counts there."""
        for echelle, code in lieux:
            if code is None:
                continue
            self.par_territoire[echelle][code].add(campus_id)
            self.membres[echelle][code].add(uai)
            if lycee:
                self.lycees_membres[echelle][code].add(uai)


def membres_et_lieux(s: Session) -> Select:
    """campus_id, uai, type, département, académie, région académique of every membership (the
    establishment's columns None when its UAI is not in the directory); add conditions on `M`.

    PostgreSQL: each membership's establishment is looked up through its key (LEFT JOIN LATERAL,
    LIMIT 1 so the planner keeps it a per-row probe): with a plain join it hashes the memberships
    and reads the whole directory, a million rows for ten thousand memberships. SQLite probes the
    key's index either way.
    """
    if s.get_bind().dialect.name != "postgresql":
        colonnes = (E.type, E.departement, E.academie, E.region_academique)
        return select(M.campus_id, M.uai, *colonnes).outerjoin(E, E.uai == M.uai)
    lieu = select(E.type, E.departement, E.academie, E.region_academique).where(E.uai == M.uai).limit(1).lateral("lieu")
    return select(M.campus_id, M.uai, *lieu.c).select_from(M).outerjoin(lieu, true())


def appartenances(s: Session, jour_: Date) -> Appartenances:
    """Three queries: campuses valid at `jour_`, their académies, their members with territory codes."""
    actif = lecture.condition_actif_le(jour_)
    resultat = Appartenances()
    par = resultat.par_territoire
    requete = select(
        C.id, C.filiere, C.excellence, C.region_academique, C.code_commune_siege, C.date_debut_label
    ).where(actif)
    for campus_id, filiere, excellence, region, commune, debut in s.execute(requete):
        resultat.campus[campus_id] = (filiere, bool(excellence))
        if debut is None:
            resultat.sans_date_debut.add(campus_id)
        par["france"][territoires.CODE_FRANCE].add(campus_id)
        if region:
            par["region_academique"][region].add(campus_id)
        if commune:  # département = prefix of the commune code (2 or 3 characters: "69", "974")
            par["departement"][commune[:2]].add(campus_id)
            par["departement"][commune[:3]].add(campus_id)
    for campus_id, academie in s.execute(select(CA.campus_id, CA.academie).join(C, C.id == CA.campus_id).where(actif)):
        par["academie"][academie].add(campus_id)
    requete = membres_et_lieux(s).join(C, C.id == M.campus_id).where(actif)
    for campus_id, uai, type_, dep, acad, region in s.execute(requete):
        lieux = (
            ("france", territoires.CODE_FRANCE),
            ("region_academique", region),
            ("academie", acad),
            ("departement", dep),
        )
        resultat.ajouter_membre(campus_id, uai, est_lycee(type_), lieux)
    resultat.membres_connus = lecture.campus_avec_membres(s) & set(resultat.campus)
    return resultat


LOT_TYPES = 500  # lycée types per IN (…) of the count query


def types_etablissements(s: Session) -> list[str]:
    """Distinct non-null `type` values of the directory, in the database's order.

    A loose index scan (recursive query: each step is the smallest type above the previous one)
    on the index led by `type`: one seek per distinct type (a few dozen), not a read of the table.
    """
    types = select(func.min(E.type).label("type")).cte("types", recursive=True)
    suivant = select(E.type).where(E.type > types.c.type).order_by(E.type).limit(1).scalar_subquery()
    types = types.union_all(select(suivant).where(types.c.type.is_not(None)))
    return [t for t in s.scalars(select(types.c.type)) if t is not None]


def lycees_par_territoire(s: Session) -> dict[str, Counter]:
    """Number of lycées of the directory per scale and territory code.

    Only the lycée types are read: the distinct types first (`types_etablissements`), then the
    lycées grouped by (type, département, académie, région académique) from the ranges of those
    types in the index on these four columns (`tables.INDEX_TYPES`), already in GROUP BY order:
    neither the table nor the other types' entries are read, and nothing is sorted.
    """
    comptes: dict[str, Counter] = {echelle: Counter() for echelle in territoires.ECHELLES}
    lycees = [t for t in types_etablissements(s) if est_lycee(t)]
    for debut in range(0, len(lycees), LOT_TYPES):
        requete = (
            select(E.departement, E.academie, E.region_academique, func.count())
            .where(E.type.in_(lycees[debut : debut + LOT_TYPES]))
            .group_by(E.type, E.departement, E.academie, E.region_academique)
        )
        for dep, acad, region, nombre in s.execute(requete):
            for echelle, code in (
                ("france", territoires.CODE_FRANCE),
                ("region_academique", region),
                ("academie", acad),
                ("departement", dep),
            ):
                if code is not None:
                    comptes[echelle][code] += nombre
    return comptes


# --- Computation --------------------------------------------------------------------------------


def _part(numerateur: int, denominateur: int) -> float | None:
    return round(numerateur / denominateur, DECIMALES) if denominateur else None


def ligne(
    app: Appartenances, lycees: dict[str, Counter], territoire: territoires.Territoire, jour_: Date
) -> LigneIndicateurs:
    """The indicators of one territory from loaded data."""
    e, code = territoire.echelle, territoire.code
    ids = sorted(app.ids(e, code))
    par_filiere = Counter(app.campus[i][0] for i in ids)
    nb_excellence = sum(app.campus[i][1] for i in ids)
    nb_lycees = lycees[e].get(code, 0)
    nb_lycees_membres = len(app.lycees_membres[e].get(code, ()))
    connus = len(app.membres_connus.intersection(ids))
    inconnu = bool(ids) and not connus  # campuses, none with known members: no coverage figure
    return LigneIndicateurs(
        echelle=e,
        code=code,
        nom=territoire.nom,
        date=jour_,
        nb_campus=len(ids),
        nb_excellence=nb_excellence,
        part_excellence=_part(nb_excellence, len(ids)),
        filieres={f: par_filiere.get(f, 0) for f in filieres.codes()},
        nb_campus_membres_connus=connus,
        nb_campus_sans_date_debut=len(app.sans_date_debut.intersection(ids)),
        nb_etablissements_membres=len(app.membres[e].get(code, ())),
        nb_lycees=nb_lycees,
        nb_lycees_membres=nb_lycees_membres,
        couverture_lycees=None if inconnu else _part(nb_lycees_membres, nb_lycees),
        campus_ids=ids,
    )


def calculer(s: Session, jour_: Date, demandes: Sequence[territoires.Territoire]) -> list[LigneIndicateurs]:
    """Indicators of the given territories at `jour_`, from five queries whatever their number."""
    app = appartenances(s, jour_)
    lycees = lycees_par_territoire(s)
    return [ligne(app, lycees, t, jour_) for t in demandes]


# --- In-memory snapshot -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CampusInstantane:
    id: str
    filiere: str
    excellence: bool
    region: str | None
    commune: str | None
    debut: Date | None
    fin: Date | None
    academies: tuple[str, ...]
    membres: tuple[tuple[str, bool, str | None, str | None, str | None], ...]  # uai, lycée, dép., acad., région

    def actif_le(self, jour_: Date) -> bool:
        """Same rule as `lecture.condition_actif_le` (bounds included, a missing bound does not restrict)."""
        return (self.debut is None or self.debut <= jour_) and (self.fin is None or self.fin >= jour_)


class Instantane:
    """Label periods, académies, memberships and lycée counts of a database, held in memory.

    Indicators at any date are computed from it without a query (`calculer_instantane`): the
    campuses valid at a date are found by comparing their label periods, and the memberships of
    one set of valid campuses are aggregated once (a date only matters through that set).
    Built by `instantane(url)`, rebuilt when the database's data version changes. `lycees`: the
    lycée counts of another database (the directory at a past date: `instantane_au`).
    """

    TAILLE_PERIODES = 256  # aggregated sets of valid campuses kept

    def __init__(self, s: Session, lycees: dict[str, Counter] | None = None):
        academies: dict[str, list[str]] = defaultdict(list)
        for campus_id, academie in s.execute(select(CA.campus_id, CA.academie)):
            academies[campus_id].append(academie)
        membres: dict[str, list[tuple]] = defaultdict(list)
        for campus_id, uai, type_, dep, acad, region in s.execute(membres_et_lieux(s)):
            membres[campus_id].append((uai, est_lycee(type_), dep, acad, region))
        requete = select(
            C.id,
            C.filiere,
            C.excellence,
            C.region_academique,
            C.code_commune_siege,
            C.date_debut_label,
            C.date_fin_label,
        ).order_by(C.id)
        self.campus = [
            _CampusInstantane(
                campus_id,
                filiere,
                bool(excellence),
                region,
                commune,
                debut,
                fin,
                tuple(academies.get(campus_id, ())),
                tuple(membres.get(campus_id, ())),
            )
            for campus_id, filiere, excellence, region, commune, debut, fin in s.execute(requete)
        ]
        self.lycees = lycees if lycees is not None else lycees_par_territoire(s)
        self.avec_membres = lecture.campus_avec_membres(s)
        # Days where the set of valid campuses may change: a label starts, or ends the day before.
        self._bornes = sorted(
            {c.debut for c in self.campus if c.debut is not None}
            | {c.fin + timedelta(days=1) for c in self.campus if c.fin is not None and c.fin < Date.max}
        )
        self._actifs: dict[int, tuple[int, ...]] = {}  # interval between two bounds -> valid campuses
        self._periodes: dict[tuple[int, ...], Appartenances] = {}
        self._lignes: dict[tuple[tuple[int, ...], territoires.Territoire], LigneIndicateurs] = {}
        self._verrou = threading.Lock()

    def actifs(self, jour_: Date) -> tuple[int, ...]:
        """Ranks of the campuses whose label is valid at `jour_`: all a date changes in the indicators.
        The same between two bounds of label periods: found by bisection, computed once per interval."""
        intervalle = bisect_right(self._bornes, jour_)
        actifs = self._actifs.get(intervalle)
        if actifs is None:
            actifs = self._actifs[intervalle] = tuple(i for i, c in enumerate(self.campus) if c.actif_le(jour_))
        return actifs

    def appartenances(self, jour_: Date) -> Appartenances:
        """What `appartenances(s, jour_)` reads, from memory."""
        return self._agreger(self.actifs(jour_))

    def _agreger(self, actifs: tuple[int, ...]) -> Appartenances:
        with self._verrou:
            deja = self._periodes.get(actifs)
        if deja is not None:
            return deja
        resultat = Appartenances()
        par = resultat.par_territoire
        for echelle in territoires.ECHELLES:  # shared between threads: no key created by a later read
            for table in (par, resultat.membres, resultat.lycees_membres):
                table[echelle]
        for i in actifs:
            c = self.campus[i]
            resultat.campus[c.id] = (c.filiere, c.excellence)
            if c.debut is None:
                resultat.sans_date_debut.add(c.id)
            par["france"][territoires.CODE_FRANCE].add(c.id)
            if c.region:
                par["region_academique"][c.region].add(c.id)
            if c.commune:
                par["departement"][c.commune[:2]].add(c.id)
                par["departement"][c.commune[:3]].add(c.id)
            for academie in c.academies:
                par["academie"][academie].add(c.id)
            for uai, lycee, dep, acad, region in c.membres:
                lieux = (
                    ("france", territoires.CODE_FRANCE),
                    ("region_academique", region),
                    ("academie", acad),
                    ("departement", dep),
                )
                resultat.ajouter_membre(c.id, uai, lycee, lieux)
        resultat.membres_connus = self.avec_membres & set(resultat.campus)
        with self._verrou:
            if len(self._periodes) >= self.TAILLE_PERIODES:
                self._periodes.clear()
                self._lignes.clear()
            self._periodes[actifs] = resultat
        return resultat

    def lignes(self, jour_: Date, demandes: Sequence[territoires.Territoire]) -> list[LigneIndicateurs]:
        """`calculer` from memory: the rows of one set of valid campuses are built once, then dated."""
        actifs = self.actifs(jour_)
        app = None
        resultat = []
        for t in demandes:
            modele = self._lignes.get((actifs, t))
            if modele is None:
                app = app or self._agreger(actifs)
                modele = self._lignes[(actifs, t)] = ligne(app, self.lycees, t, jour_)
            resultat.append(modele if modele.date == jour_ else modele.model_copy(update={"date": jour_}))
        return resultat


def calculer_instantane(
    inst: Instantane, jour_: Date, demandes: Sequence[territoires.Territoire]
) -> list[LigneIndicateurs]:
    """`calculer` from a snapshot: the same rows, no query."""
    return inst.lignes(jour_, demandes)


_instantanes: dict[str, tuple[tuple, Instantane]] = {}
_verrou_instantanes = threading.Lock()


def instantane(url: str | None = None) -> Instantane:
    """The snapshot of a database (default: the default database), rebuilt when its data changed."""
    url = db.ouvrir(url, creer=False)
    signature = version.version(url) if url in _instantanes else None
    with _verrou_instantanes:
        deja = _instantanes.get(url)
    if deja is not None and deja[0] == signature:
        return deja[1]
    with schema.session_lecture(url) as s:
        signature = version.version(url)
        nouveau = Instantane(s)
    with _verrou_instantanes:
        _instantanes[url] = (signature, nouveau)
    return nouveau


def instantane_courant(url: str) -> Instantane | None:
    """The snapshot of `url` if its data has not changed since it was built, else None."""
    url = db.ouvrir(url)
    with _verrou_instantanes:
        deja = _instantanes.get(url)
    return deja[1] if deja is not None and deja[0] == version.version(url) else None


def vider_instantanes() -> None:
    """Forget every snapshot (benchmarks, tests)."""
    with _verrou_instantanes:
        _instantanes.clear()


def instantane_au(url: str | None, au: Date | None) -> Instantane:
    """The snapshot of the directory at the end of the day `au` (`store.etat_au`): its campuses and
    members rebuilt from the history, the lycées of the annuaire loaded now; `instantane(url)` for
    today or None."""
    base = etat_au.base_au(url, au) if au is not None else None
    if base is None:
        return instantane(url)
    if (deja := base.memo.get("instantane")) is None:
        lycees = instantane(url).lycees
        with db.session(base.url) as s:
            deja = base.memo["instantane"] = Instantane(s, lycees)
    return deja


class LigneIndicateursAu(LigneIndicateurs):
    """Indicators computed on the directory as it stood at the end of `au` (`?au=`, `--au`)."""

    au: Date
    note: str  # what the figure rests on


def _au(lignes: list[LigneIndicateurs], au: Date | None) -> list[LigneIndicateurs]:
    if au is None:
        return lignes
    note = etat_au.NOTE_ANNUAIRE.format(jour=au)
    return [LigneIndicateursAu(**lg.model_dump(), au=au, note=note) for lg in lignes]


def tous_les_territoires() -> list[territoires.Territoire]:
    """France, then the 18 régions académiques, 30 académies and 101 départements."""
    return [t for echelle in territoires.ECHELLES for t in territoires.territoires(echelle)]


def indicateurs(
    echelle: str,
    code: str | None = None,
    date: Date | str | None = None,
    *,
    url: str | None = None,
    au: Date | str | None = None,
) -> list[LigneIndicateurs]:
    """One row per territory of `echelle` (or only the territory `code`, a code or a name) at `date`
    (default `au`, else today); with `au`, on the directory as it stood at the end of that day
    (rows `LigneIndicateursAu`, with the note of what they rest on)."""
    au = None if au is None else jour(au)
    demandes = _territoires_demandes(echelle, code)
    jour_ = jour(date if date is not None else au)
    return _au(calculer_instantane(instantane_au(url, au), jour_, demandes), au)


def indicateurs_toutes_echelles(date: Date | str | None = None, *, url: str | None = None) -> list[LigneIndicateurs]:
    """Rows of France and of every territory of every scale (150 rows) at `date`."""
    return calculer_instantane(instantane(url), jour(date), tous_les_territoires())


def campus_de_l_etablissement(uai: str, date: Date | str | None = None, *, url: str | None = None) -> list[Campus]:
    """Campuses valid at `date` (default today) of which the establishment `uai` is a member."""
    jour_ = jour(date)
    with schema.session_lecture(url) as s:
        return lecture.campus_de_l_etablissement(s, uai, jour_)


def filiere(code_ou_texte: str, date: Date | str | None = None, *, url: str | None = None) -> IndicateursFiliere:
    """Campuses of a filière (code, label or free text) valid at `date` and their territories."""
    jour_ = jour(date)
    with schema.session_lecture(url) as s:
        code = filieres.code_de(code_ou_texte)
        campus, _ = lecture.lister_campus(s, filiere=code, actif_le=jour_)
        app = appartenances(s, jour_)
    ids = {c.id for c in campus}
    trouves = []
    for t in tous_les_territoires():
        if t.echelle != "france" and (n := len(app.ids(t.echelle, t.code) & ids)):
            trouves.append(TerritoireFiliere(echelle=t.echelle, code=t.code, nom=t.nom, nb_campus=n))
    return IndicateursFiliere(
        filiere=code,
        libelle=filieres.get(code).libelle,
        date=jour_,
        nb_campus=len(campus),
        nb_excellence=sum(bool(c.excellence) for c in campus),
        campus=campus,
        territoires=trouves,
    )


def _rentree(annee: int, jour_du_mois: str) -> Date:
    try:
        mois, jour_ = (int(x) for x in jour_du_mois.split("-"))
        return Date(annee, mois, jour_)
    except ValueError:
        raise EntreeInvalide(
            f"date impossible : {annee}-{jour_du_mois} (jour du mois MM-JJ attendu, ex. 09-01)"
        ) from None


def evolution(
    de: int,
    a: int,
    echelle: str = "france",
    code: str | None = None,
    *,
    jour_du_mois: str = JOUR_DE_RENTREE,
    url: str | None = None,
) -> list[PointEvolution]:
    """`nb_campus` at the rentrée (`jour_du_mois`, default 1 September) of every year from `de` to `a`
    included, for the territory `code` of `echelle`, or for every territory of the scale."""
    if a < de:
        raise EntreeInvalide(f"période invalide : l'année de fin ({a}) précède l'année de début ({de})")
    if a - de >= DUREE_MAX_EVOLUTION:
        raise EntreeInvalide(f"période trop longue : {a - de + 1} ans ({DUREE_MAX_EVOLUTION} au plus)")
    dates = [(annee, _rentree(annee, jour_du_mois)) for annee in range(de, a + 1)]
    demandes = _territoires_demandes(echelle, code)
    points = []
    inst = instantane(url)
    for annee, jour_ in dates:
        app = inst.appartenances(jour_)
        points += [
            PointEvolution(
                annee=annee,
                date=jour_,
                echelle=t.echelle,
                code=t.code,
                nom=t.nom,
                nb_campus=len(app.ids(t.echelle, t.code)),
                nb_campus_sans_date_debut=len(app.sans_date_debut & app.ids(t.echelle, t.code)),
            )
            for t in demandes
        ]
    return points


# --- Flat views ---------------------------------------------------------------------------------

COLONNES_DEBUT = ("echelle", "code", "nom", "date", "nb_campus", "nb_excellence", "part_excellence")
COLONNES_FIN = (
    "nb_campus_membres_connus",
    "nb_campus_sans_date_debut",
    "nb_etablissements_membres",
    "nb_lycees",
    "nb_lycees_membres",
    "couverture_lycees",
    "campus_ids",
)


def completude_membres(lg: LigneIndicateurs) -> str:
    """What member figures rest on: « membres connus pour 29 campus sur 91 »."""
    return f"membres connus pour {lg.nb_campus_membres_connus} campus sur {lg.nb_campus}"


def completude_dates(nb_sans_date: int, nb_campus: int) -> str:
    """What dated figures rest on: « 53 campus sur 91 sans date de début de label (comptés chaque année) »."""
    return f"{nb_sans_date} campus sur {nb_campus} sans date de début de label (comptés chaque année)"


def colonnes() -> list[str]:
    """Columns of the flat table: one per filière, named by its code, between the counts."""
    return [*COLONNES_DEBUT, *filieres.codes(), *COLONNES_FIN]


def vers_table(lignes: Sequence[LigneIndicateurs]) -> tuple[list[str], list[list[Any]]]:
    """(columns, rows) of typed values; `campus_ids` stays a list."""
    noms = colonnes()
    rangs = []
    for lg in lignes:
        valeurs = lg.model_dump()
        valeurs.update(valeurs.pop("filieres"))
        rangs.append([valeurs[c] for c in noms])
    return noms, rangs


def evolution_vers_table(points: Sequence[PointEvolution]) -> tuple[list[str], list[list[Any]]]:
    """(columns, rows) of an evolution."""
    noms = list(PointEvolution.model_fields)
    return noms, [[getattr(p, c) for c in noms] for p in points]
