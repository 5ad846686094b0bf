"""Resolution of free-text campus mentions (Orion's `nomCmq`) to directory ids.

Normalisation (`mentions`): accents, case, punctuation, boilerplate ("CMQ", "Campus des métiers et
des qualifications", "d'excellence"), stop words, plurals and a few suffixes ("touristique" and
"tourisme" share a root), trade acronyms ("BTP"); places ("Occitanie", "HDF", "Toulouse", "Pays de
la Loire") become territory units.

Scoring (`Index`): every campus is a bag of words (name, acronym, parenthesised parts, sigle,
seat town, id) and a few name forms. Words are matched exactly, by prefix, glued ("cosmeto
pharma" = "cosmetopharma") or with a typo (rapidfuzz `fuzz.ratio` ≥ 80, cached per word). The
text score is 100 × (0.9 P + 0.1 R): P = share of the mention explained by the campus (words
weighted by rarity across campuses, a territory unit explained when the campus lies in it), R =
share of the campus's best name form covered by the mention (places and towns count little);
`BONUS_EXACT` when the mention is exactly a name form (P = R = 1), so that "Métiers d'art et
patrimoine" is told from "Patrimoines, métiers d'art et tourisme".
Context then separates close campuses: a campus loses `MALUS_FILIERE` when a filière is given and
it has another one, `MALUS_TERRITOIRE` when a territory is given and it lies outside, `MALUS_DATE`
when a date is given and its label is not valid that day.

A filière written in the mention ("campus tourisme lyon") counts as a given filière for the
ranking (the malus, not the incoherence flag) when no filière is given.

Decision: best score below `SEUIL_CANDIDAT` → "inconnu"; below `SEUIL_TROUVE` or less than
`MARGE` ahead of the second → "ambigu" (no campus chosen) when at least two candidates remain,
"inconnu" otherwise (a lone weak candidate is listed, not chosen); otherwise "trouve". A bare
filière label ("Tourisme, gastronomie", "Numérique") names no campus (`motif`
"libelle_de_filiere"): it is "trouve" only when the given territory holds a single campus of that
filière, else "ambigu" among that filière's campuses. A user-confirmed alias (`cmq.alias`) wins
over everything (score 100). `index(url)` caches one Index per
database, rebuilt when campuses, members, imports or aliases change.

Speed: what a unit (word, place) explains and weighs for every campus is computed once per index
and cached (`Index._info`), as are word look-ups, pairs of words to glue and the text scores of a
canonical form. One mention (the API, `resolve`) is scored in Python on the few campuses it touches
(`Index._calculer`, about 10 of 91); a list (`Index.resoudre_lot`) by blocks of TAILLE_BLOC on
numpy tables (`Index._scores_lot`). Both add the units of a mention in its order in float64 (Python
floats, numpy arrays: the same IEEE sums) and end with the same `_score_texte`, so that they give
the same scores to the bit; the decision (`Index._decider`) is one for both
(tests/test_resolution_rapide.py checks both paths against each other and against the reference
algorithm, one mention at a time).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from functools import lru_cache
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from cmq import filieres, mentions, saisie, territoires
from cmq.errors import EntreeInvalide
from cmq.mentions import (
    LONG_FLOU,
    MOTS_FAIBLES,
    Mention,
    Unite,
    analyser,
    cle_alias,
    formes_du_nom,
    lexique,
    mots_du_nom,
)
from cmq.store import db, tables, version

SEUIL_TROUVE = 75.0  # best score needed to choose a campus
SEUIL_CANDIDAT = 50.0  # below this best score the mention is "inconnu"
MARGE = 8.0  # lead needed over the second campus
MALUS_FILIERE = 12.0
MALUS_TERRITOIRE = 15.0
MALUS_DATE = 20.0
POIDS_P, POIDS_R = 0.9, 0.1
BONUS_EXACT = MARGE  # the mention is exactly one of the campus's name forms
POIDS_LIEU = 3.0  # weight of a territory unit of the mention
POIDS_INCONNU = 0.5  # weight of a mention word that no campus contains (noise: "lycée", a person…)
NB_CANDIDATS = 5
TAILLE_CACHE = 50_000  # text scores kept per index (real exports repeat the same spellings)
TAILLE_LIGNES = TAILLE_CACHE // 2  # rows of `_ligne` (2 × campuses float64 each: 36 MB at most for 91 campuses)
TAILLE_BLOC = 256  # mentions of a list scored together

Statut = Literal["trouve", "ambigu", "inconnu"]


class Candidat(BaseModel):
    """A campus the mention may designate, with its score (0–100)."""

    model_config = ConfigDict(frozen=True)

    campus_id: str
    nom: str
    score: float
    filiere: str
    region_academique: str | None = None


class Resolution(BaseModel):
    """Outcome for one mention; `campus_id`/`campus_nom` are set only when `statut` is "trouve"."""

    model_config = ConfigDict(frozen=True)

    texte: str
    statut: Statut
    campus_id: str | None = None
    campus_nom: str | None = None
    score: float = 0.0
    candidats: list[Candidat] = []
    filiere_incoherente: bool = False
    via_alias: bool = False
    motif: str | None = None  # "libelle_de_filiere": the mention is a filière's label, not a campus name


# --- Directory in memory --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lieux:
    """Territory codes of a campus: région(s) académique(s), académies, départements (seat and members)."""

    regions: frozenset[str] = frozenset()
    academies: frozenset[str] = frozenset()
    departements: frozenset[str] = frozenset()

    def contient(self, t: territoires.Territoire) -> bool:
        """Territory rule of `cmq.store.lecture`, falling back on the wider scale when a campus lacks a code."""
        if t.echelle == "france":
            return True
        if t.echelle == "region_academique":
            return t.code in self.regions
        if t.echelle == "academie":
            region = _academie(t.code).region_academique
            return t.code in self.academies or (not self.academies and region in self.regions)
        d = _departement(t.code)
        return (
            t.code in self.departements
            or d.academie in self.academies
            or (not self.academies and d.region_academique in self.regions)
        )


@lru_cache(maxsize=1)
def _par_code() -> tuple[dict[str, territoires.Academie], dict[str, territoires.Departement]]:
    return {a.code: a for a in territoires.academies()}, {d.code: d for d in territoires.departements()}


def _academie(code: str) -> territoires.Academie:
    """`territoires.academie` of a territory's code, by dictionary (the directory is read with canonical codes)."""
    trouvee = _par_code()[0].get(code)
    return trouvee if trouvee is not None else territoires.academie(code)


def _departement(code: str) -> territoires.Departement:
    trouve = _par_code()[1].get(code)
    return trouve if trouve is not None else territoires.departement(code)


@dataclass(frozen=True, slots=True)
class Fiche:
    """What the index keeps of a campus."""

    id: str
    nom: str
    filiere: str
    region_academique: str | None = None
    lieux: Lieux = Lieux()
    debut: Date | None = None
    fin: Date | None = None
    sigle: str | None = None
    ville: str | None = None

    def actif_le(self, jour: Date) -> bool:
        return not ((self.debut and jour < self.debut) or (self.fin and jour > self.fin))


@dataclass(frozen=True, slots=True)
class Contexte:
    """What is known besides the text: filière code, territory, date."""

    filiere: str | None = None
    territoire: territoires.Territoire | None = None
    date: Date | None = None


def _departement_de_commune(code: str | None) -> str | None:
    """Département of an INSEE commune code ("97411" -> "974", "2A004" -> "2A", "69123" -> "69")."""
    if not code:
        return None
    return code[:3] if code.startswith("97") else code[:2]


Scores = tuple[tuple[int, ...], tuple[float, ...]]  # text scores: the campuses touched (by rank), their scores


@dataclass(frozen=True, slots=True)
class _Part:
    """What a unit of a mention brings to the campuses' scores."""

    couvre: tuple[tuple[int, float], ...]  # the words of the name forms it covers, with their similarity
    explique: tuple[tuple[int, float], ...]  # what it explains of each campus (those above 0)
    poids: float  # what it weighs for the campuses of `pour` (0 for the others), default every campus
    pour: frozenset[int] | None = None  # a weak word: the campuses it matches


@dataclass
class _Matrices:
    """Dense campus × vocabulary tables (the vocabulary holds a few hundred stems)."""

    sac: np.ndarray  # campus × word: 1 if the word belongs to the campus (name, sigle, town, id)
    sac_nom: np.ndarray  # campus × word: 1 if the word is in the campus's name
    formes: np.ndarray  # form × word: weight of the word in the form
    principales: list[bool]  # form: True for a name, an alternative name or a sigle
    debuts: np.ndarray  # first form of each campus (forms are grouped by campus)
    idf: np.ndarray  # rarity of each word across campuses
    composantes: dict[int, tuple[int, int]] = field(default_factory=dict)  # glued word -> its two parts
    # Derived, for `Index._calculer` and `Index._scores_lot`:
    sac_mots: np.ndarray = field(init=False)  # word × campus (`sac` transposed, rows gathered by word)
    longueurs: np.ndarray = field(init=False)  # weight of each form (denominator of its coverage)
    campus_des_formes: list[int] = field(init=False)  # the campus of each form
    avec_formes: np.ndarray = field(init=False)  # the campuses that have a name form
    masque_principales: np.ndarray = field(init=False)  # `principales` as 1.0 / 0.0
    longueurs_liste: list[float] = field(init=False)  # `longueurs` as a list (`Index._calculer`)
    # The forms of each word (a word is in a few forms): ([form], [its weight in the form]).
    formes_des_mots: list[tuple[list[int], list[float]]] = field(init=False)
    portees: dict[int, tuple[int, ...]] = field(init=False, default_factory=dict)  # memo of `portee`

    def __post_init__(self) -> None:
        self.sac_mots = np.ascontiguousarray(self.sac.T)
        self.longueurs = np.maximum(self.formes.sum(axis=1), 1e-6)
        nombres = np.diff(self.debuts, append=len(self.formes))  # the number of forms of each campus
        self.campus_des_formes = np.repeat(np.arange(len(self.debuts)), nombres).tolist()
        self.avec_formes = np.flatnonzero(nombres)
        self.masque_principales = np.array(self.principales, dtype=np.float64)
        self.longueurs_liste = self.longueurs.tolist()
        self.formes_des_mots = []
        for colonne in self.formes.T:
            formes = np.flatnonzero(colonne)
            self.formes_des_mots.append((formes.tolist(), colonne[formes].tolist()))

    def portee(self, rang: int) -> tuple[int, ...]:
        """The words a match of word `rang` covers: itself and, for a glued word, its parts (glued
        words lend their similarity to their parts in the order of `composantes`)."""
        if rang not in self.composantes:
            return (rang,)
        portee = self.portees.get(rang)
        if portee is None:
            atteints = {rang}
            for colle, (a, b) in self.composantes.items():
                if colle in atteints:
                    atteints.update((a, b))
            portee = self.portees[rang] = tuple(sorted(atteints))
        return portee


def _couverture(numerateurs, longueurs):
    """Coverage of name forms: the sum of their covered words' terms over their weight (float64
    arrays or Python numbers, the same IEEE division)."""
    return numerateurs / longueurs


def _score_texte(explique, poids, rappel, exacte, maximum=np.maximum):
    """Text scores, element by element: float64 arrays of any shape (`maximum` np.maximum) or
    Python numbers (`maximum` max), the same IEEE operations. P = explained / weight, R = coverage
    of the best name form (`_couverture`), 100 × (POIDS_P P + POIDS_R R), plus BONUS_EXACT when P
    is 1 and a main name form is covered whole (`exacte`)."""
    precision = explique / maximum(poids, 1e-6)
    score = 100 * (POIDS_P * precision + POIDS_R * rappel)
    return score + BONUS_EXACT * ((precision > 0.999) & exacte)


class Index:
    """The directory in memory, ready to score thousands of mentions."""

    def __init__(
        self,
        fiches: Sequence[Fiche],
        alias: dict[str, str] | None = None,
        membres: dict[str, frozenset[str]] | None = None,
    ):
        self.fiches = list(fiches)
        self.par_id = {f.id: f for f in self.fiches}
        self._rang = {f.id: i for i, f in enumerate(self.fiches)}
        self.alias = dict(alias or {})
        self.membres = dict(membres or {})
        self._filieres = np.array([f.filiere for f in self.fiches], dtype=object)
        self._lexique, self._m = self._construire()
        self._cache: dict[str, Scores] = {}  # text scores by canonical form
        self._dans: dict[territoires.Territoire, np.ndarray] = {}
        self._dans_listes: dict[territoires.Territoire, list[bool]] = {}
        self._hors_filieres: dict[str, list[bool]] = {}  # `_hors_filiere`
        self._lieux_expliques: dict[Unite, np.ndarray] = {}
        self._meilleurs: dict[str, float] = {}  # `_meilleur`
        self._colles: dict[str, float] = {}  # `_meilleur_colle`
        self._collages: dict[tuple[str, str], Unite | None] = {}  # `_recoller`
        self._infos: dict[Unite, _Part] = {}  # `_info`
        self._lignes: dict[Unite, np.ndarray] = {}  # `_ligne`
        self._apports: dict[tuple[int, float], tuple] = {}  # `_apport`
        self._candidats: dict[tuple[int, float], Candidat] = {}
        self._longs = [mot for mot in self._lexique.vocabulaire if len(mot) >= LONG_FLOU]
        self._longs_par_longueur: dict[int, list[str]] = {}
        self._verrou = threading.Lock()

    def _construire(self):
        """Vocabulary, bags of words and name forms of every campus."""
        sacs: list[set[str]] = []
        noms: list[set[str]] = []
        formes = []
        debuts: list[int] = []
        collages: dict[str, tuple[str, str]] = {}
        for f in self.fiches:
            debuts.append(len(formes))
            parties = formes_du_nom(f.nom, f.sigle, f.ville)
            nom = {mot for partie in parties for mot, _ in partie.mots}
            sac = nom | set(mots_du_nom(f.ville or "")) | set(mots_du_nom(f.id.replace("-", " ")))
            for partie in parties:
                mots = [m for m, _ in partie.mots]
                for a, b in itertools.pairwise(mots):  # "eco construction" is also written "ecoconstruction"
                    collages[a + b] = (a, b)
                    sac.add(a + b)
            sacs.append(sac)
            noms.append(nom)
            formes.extend(parties)
        vocabulaire = sorted(set().union(*sacs)) if sacs else []
        rang = {mot: i for i, mot in enumerate(vocabulaire)}

        def matrice(ensembles: list[set[str]]) -> np.ndarray:
            m = np.zeros((len(ensembles), len(vocabulaire)), dtype=np.float64)
            for i, e in enumerate(ensembles):
                m[i, [rang[mot] for mot in e]] = 1.0
            return m

        sac = matrice(sacs)
        idf = np.log1p(len(sacs) / np.maximum(sac.sum(axis=0), 1))
        poids = np.zeros((len(formes), len(vocabulaire)), dtype=np.float64)
        for i, forme in enumerate(formes):
            for mot, role in forme.mots:
                poids[i, rang[mot]] = max(poids[i, rang[mot]], idf[rang[mot]] * role)
        composantes = {rang[c]: (rang[a], rang[b]) for c, (a, b) in collages.items()}
        principales = [f.principale for f in formes]
        matrices = _Matrices(sac, matrice(noms), poids, principales, np.array(debuts, dtype=np.intp), idf, composantes)
        return lexique(tuple(vocabulaire)), matrices

    # -- loading

    @classmethod
    def charger(cls, s: Session) -> Index:
        """Read campuses, académies, members (with their territories) and aliases from the store."""
        A, E, M = tables.CampusAcademieTable, tables.EtablissementTable, tables.MembreTable
        academies: dict[str, set[str]] = {}
        for campus_id, academie in s.execute(select(A.campus_id, A.academie)):
            academies.setdefault(campus_id, set()).add(academie)
        membres: dict[str, set[str]] = {}
        autour: dict[str, list[tuple]] = {}
        requete = select(M.campus_id, M.uai, E.region_academique, E.academie, E.departement).outerjoin(
            E, E.uai == M.uai
        )
        for campus_id, uai, region, academie, departement in s.execute(requete):
            membres.setdefault(campus_id, set()).add(uai)
            autour.setdefault(campus_id, []).append((region, academie, departement))
        fiches = []
        for c in s.scalars(select(tables.CampusTable).order_by(tables.CampusTable.id)):
            proches = autour.get(c.id, [])
            lieux = Lieux(
                regions=frozenset(filter(None, [c.region_academique, *(r for r, _, _ in proches)])),
                academies=frozenset(filter(None, [*academies.get(c.id, ()), *(a for _, a, _ in proches)])),
                departements=frozenset(
                    filter(None, [_departement_de_commune(c.code_commune_siege), *(d for _, _, d in proches)])
                ),
            )
            fiches.append(
                Fiche(
                    c.id,
                    c.nom,
                    c.filiere,
                    c.region_academique,
                    lieux,
                    c.date_debut_label,
                    c.date_fin_label,
                    c.sigle,
                    c.ville_siege,
                )
            )
        requete = select(tables.AliasTable.texte, tables.AliasTable.campus_id)
        alias = {texte: campus_id for texte, campus_id in s.execute(requete)}
        return cls(fiches, alias, {k: frozenset(v) for k, v in membres.items()})

    # -- scoring

    def _dans_territoire(self, t: territoires.Territoire) -> np.ndarray:
        """1.0 for the campuses lying in territory `t` (cached)."""
        vecteur = self._dans.get(t)
        if vecteur is None:
            vecteur = np.array([f.lieux.contient(t) for f in self.fiches], dtype=np.float64)
            self._dans[t] = vecteur
        return vecteur

    def _dans_liste(self, t: territoires.Territoire) -> list[bool]:
        """`_dans_territoire` as booleans (cached)."""
        liste = self._dans_listes.get(t)
        if liste is None:
            liste = self._dans_listes[t] = (self._dans_territoire(t) > 0).tolist()
        return liste

    def _meilleur(self, mot: str) -> float:
        """The best similarity of `mot` with a word of the vocabulary, 0 when none is close (cached)."""
        meilleur = self._meilleurs.get(mot)
        if meilleur is None:
            meilleur = max((sim for _, sim in self._lexique(mot)), default=0.0)
            if len(self._meilleurs) < TAILLE_CACHE:
                self._meilleurs[mot] = meilleur
        return meilleur

    def _meilleur_colle(self, colle: str, exact: bool = False) -> float:
        """`_meilleur(colle)` when it is 0.9 or more, else some value below 0.9 (all `_recoller` needs).

        0.9 is reached only by the word itself (1.0) or a typo of a word of 5 letters or more
        (`fuzz.ratio` ≥ 90: no shorter word gets there from a word of 5 letters or more, so the
        best such word is among the lexicon's 3 best): one `extractOne` with a high cutoff instead
        of a full look-up, and no lexicon entry for a pair of words that is seldom seen again.
        `exact`: only 1.0 matters (the caller needs more than a typo's 0.95).
        """
        if exact:
            return 1.0 if self._lexique.rang(colle) is not None else 0.0
        trouve = self._colles.get(colle)
        if trouve is None:
            if self._lexique.rang(colle) is not None:
                trouve = 1.0
            elif len(colle) >= LONG_FLOU:
                mots = self._longs_de_longueur(len(colle))
                meilleur = process.extractOne(colle, mots, scorer=fuzz.ratio, score_cutoff=90) if mots else None
                trouve = min(meilleur[1], 95.0) / 100 if meilleur is not None else 0.0
            else:
                trouve = 0.0
            if len(self._colles) < TAILLE_CACHE:
                self._colles[colle] = trouve
        return trouve

    def _longs_de_longueur(self, n: int) -> list[str]:
        """The vocabulary words of LONG_FLOU letters or more a word of n letters may reach a
        `fuzz.ratio` of 90 with (at most 200 × min(n, m) / (n + m) for a word of m letters)."""
        mots = self._longs_par_longueur.get(n)
        if mots is None:
            mots = self._longs_par_longueur[n] = [m for m in self._longs if 200 * min(n, len(m)) >= 89.5 * (n + len(m))]
        return mots

    def _recoller(self, unites: tuple[Unite, ...]) -> list[Unite]:
        """Join two adjacent words written apart when the directory has them glued ("cosmeto pharma")."""
        sortie: list[Unite] = []
        for u in unites:
            if (
                sortie
                and u.territoire is None
                and len(u.mots) == 1
                and sortie[-1].territoire is None
                and len(sortie[-1].mots) == 1
            ):
                paire = (sortie[-1].mots[0], u.mots[0])
                collee = self._collages.get(paire, False)
                if collee is False:
                    collee = self._coller(*paire)
                    if len(self._collages) < TAILLE_CACHE:
                        self._collages[paire] = collee
                if collee is not None:
                    sortie[-1] = collee
                    continue
            sortie.append(u)
        return sortie

    def _coller(self, a: str, b: str) -> Unite | None:
        """The glued word of `a` and `b` as one unit when the directory has it and it matches better
        than either word alone, else None."""
        separes = max(self._meilleur(a), self._meilleur(b))
        # a glued word scores 1.0 when exact, at most 0.95 otherwise: most pairs need no look-up
        if separes < 1.0 and (sim := self._meilleur_colle(a + b, exact=separes >= 0.95)) >= 0.9 and sim > separes:
            return Unite((a + b,))
        return None

    def _info(self, unite: Unite) -> _Part:
        """What a unit brings to the score of each campus (cached), see `_Part`.

        A word explains its rarity (`idf`, the best of its matches) times its best similarity with
        the campus's words and weighs that rarity (weak words: only for the campuses they match); a
        place explains and weighs POIDS_LIEU; a word no campus has weighs POIDS_INCONNU.
        """
        info = self._infos.get(unite)
        if info is None:
            m = self._m
            correspondances = [c for mot in unite.mots for c in self._lexique(mot)]
            couvre = tuple((w, s) for r, s in correspondances for w in m.portee(r))
            pour = None
            if unite.territoire is not None:
                explique, poids = self._lieu_explique(unite), POIDS_LIEU
            elif not correspondances:
                explique, poids = np.zeros(len(self.fiches)), POIDS_INCONNU
            else:
                if len(correspondances) == 1:  # the usual case: the same values without gathering
                    rang, sim = correspondances[0]
                    rarete, accord = m.idf[rang], m.sac_mots[rang] * sim
                else:
                    rangs = np.array([r for r, _ in correspondances], dtype=np.intp)
                    sims = np.array([s for _, s in correspondances])
                    rarete = m.idf[rangs].max()
                    accord = (m.sac_mots[rangs] * sims[:, None]).max(axis=0)
                explique, poids = rarete * accord, float(rarete)
                if set(unite.mots) <= MOTS_FAIBLES:
                    pour = frozenset(np.flatnonzero(accord).tolist())
            touches = np.flatnonzero(explique)
            info = _Part(couvre, tuple(zip(touches.tolist(), explique[touches].tolist(), strict=True)), poids, pour)
            with self._verrou:
                if len(self._infos) >= TAILLE_CACHE:
                    self._infos.clear()
                self._infos[unite] = info
        return info

    def _lieu_explique(self, unite: Unite) -> np.ndarray:
        """What a place unit explains of each campus: POIDS_LIEU for the campuses in the territory or
        whose name holds the place's words, else 0 (cached)."""
        vecteur = self._lieux_expliques.get(unite)
        if vecteur is None:
            dans = self._dans_territoire(unite.territoire)
            rangs = [self._lexique.rang(mot) for mot in unite.mots]
            if all(r is not None for r in rangs):  # the place is written in the campus's name
                dans = np.maximum(dans, self._m.sac_nom[:, rangs].min(axis=1))
            vecteur = POIDS_LIEU * dans
            self._lieux_expliques[unite] = vecteur
        return vecteur

    def _calculer(self, mention: Mention) -> Scores:
        """Text scores (0–100) of the campuses an analysed mention touches (the others score 0).

        Per unit of the mention (after `_recoller`, see `_info`), added in the mention's order: what
        it explains of each campus and what it weighs. The coverage of each name form (`_termes`),
        then `_score_texte`. Only the campuses a unit explains or a covered form belongs to are
        computed (about 10 of 91), with Python floats: no numpy call.
        """
        parts = [self._info(u) for u in self._recoller(mention.unites)]
        if not parts:
            return (), ()
        expliques: dict[int, float] = {}
        for part in parts:
            for rang, valeur in part.explique:
                deja = expliques.get(rang)
                expliques[rang] = valeur if deja is None else deja + valeur
        numerateurs: dict[int, float] = {}
        for forme, terme in zip(*self._termes(parts), strict=True):
            numerateurs[forme] = numerateurs.get(forme, 0.0) + terme
        m = self._m
        rappels: dict[int, float] = {}
        exactes: set[int] = set()  # campuses a main name form of which the mention covers whole
        for forme, numerateur in numerateurs.items():
            couverture = _couverture(numerateur, m.longueurs_liste[forme])
            rang = m.campus_des_formes[forme]
            if couverture > rappels.get(rang, 0.0):
                rappels[rang] = couverture
            if couverture > 0.999 and m.principales[forme]:
                exactes.add(rang)
        rangs = sorted(expliques.keys() | rappels.keys())
        faibles = [part.pour for part in parts if part.pour is not None]
        poids: dict[tuple[bool, ...], float] = {}  # by the weak words a campus matches: its weight
        scores = []
        for rang in rangs:
            cas = tuple(rang in pour for pour in faibles) if faibles else ()
            total = poids.get(cas)
            if total is None:
                total = 0.0
                for part in parts:
                    if part.pour is None or rang in part.pour:
                        total += part.poids
                poids[cas] = total
            scores.append(_score_texte(expliques.get(rang, 0.0), total, rappels.get(rang, 0.0), rang in exactes, max))
        return tuple(rangs), tuple(scores)

    def _termes(self, parts: Sequence[_Part]) -> tuple[list[int], list[float]]:
        """The coverage terms of a mention: for each word of the name forms its units cover (in
        vocabulary order), with its best similarity, the forms it is in and its weighted similarity
        in each (`_apport`). Summed per form, over the form's weight: its coverage (`_couverture`)."""
        meilleures: dict[int, float] = {}
        for part in parts:
            for rang, sim in part.couvre:
                if sim > meilleures.get(rang, -1.0):
                    meilleures[rang] = sim
        formes: list[int] = []
        termes: list[float] = []
        apports = self._apports
        for rang in sorted(meilleures):
            apport = apports.get((rang, meilleures[rang]))
            if apport is None:
                apport = self._apport(rang, meilleures[rang])
            formes += apport[0]
            termes += apport[1]
        return formes, termes

    def _scores_lot(self, lot: Sequence[Mention]) -> list[Scores]:
        """`_calculer` for a block of mentions at once, on mention × campus numpy tables: the units of
        every mention added position after position (the same float64 sums in the same order), the
        coverage sums in the same order (`np.bincount`), the same `_score_texte`: the same scores as
        one mention alone (tests/test_resolution_rapide.py checks it), at a fraction of the cost per
        mention for a long list."""
        m, nb, nb_campus = self._m, len(lot), len(self.fiches)
        if not nb_campus:
            return [((), ())] * nb
        unites = [self._recoller(mention.unites) for mention in lot]
        parts = [[self._info(u) for u in rangee] for rangee in unites]
        sommes = np.zeros((nb, 2 * nb_campus))  # explained, then weight
        for k in range(max(map(len, parts), default=0)):
            lignes = [i for i, rangee in enumerate(parts) if len(rangee) > k]
            sommes[lignes] += np.array([self._ligne(unites[i][k], parts[i][k]) for i in lignes])
        nb_formes = len(m.longueurs)
        formes: list[int] = []
        termes: list[float] = []
        par_ligne = []
        for rangee in parts:
            f, t = self._termes(rangee)
            formes += f
            termes += t
            par_ligne.append(len(f))
        # form × mention: the forms of a campus are then consecutive rows, reduced a whole row at a time
        cases = np.array(formes, dtype=np.intp) * nb + np.repeat(np.arange(nb), par_ligne)
        numerateurs = np.bincount(cases, weights=termes, minlength=nb_formes * nb).reshape(nb_formes, nb)
        couverture = _couverture(numerateurs, m.longueurs[:, None])
        rappel = np.zeros((nb, nb_campus))
        exacte = np.zeros((nb, nb_campus), dtype=bool)
        if len(m.avec_formes):  # max over the forms of each campus that has some
            debuts = m.debuts[m.avec_formes]
            rappel[:, m.avec_formes] = np.maximum.reduceat(couverture, debuts, axis=0).T
            principales = couverture * m.masque_principales[:, None]
            exacte[:, m.avec_formes] = (np.maximum.reduceat(principales, debuts, axis=0) > 0.999).T
        scores = _score_texte(sommes[:, :nb_campus], sommes[:, nb_campus:], rappel, exacte)
        lignes, colonnes = np.nonzero(scores)
        valeurs = scores[lignes, colonnes].tolist()
        colonnes = colonnes.tolist()
        bornes = np.searchsorted(lignes, np.arange(nb + 1)).tolist()
        return [(tuple(colonnes[a:b]), tuple(valeurs[a:b])) for a, b in itertools.pairwise(bornes)]

    def _ligne(self, unite: Unite, part: _Part) -> np.ndarray:
        """What unit `unite` (`part`) explains of every campus, then what it weighs for each, as one
        row (cached)."""
        ligne = self._lignes.get(unite)
        if ligne is None:
            n = len(self.fiches)
            ligne = np.zeros(2 * n)
            if part.explique:
                rangs, valeurs = zip(*part.explique, strict=True)
                ligne[list(rangs)] = valeurs
            if part.pour is None:
                ligne[n:] = part.poids
            else:
                ligne[[n + r for r in part.pour]] = part.poids
            with self._verrou:
                if len(self._lignes) >= TAILLE_LIGNES:
                    self._lignes.clear()
                self._lignes[unite] = ligne
        return ligne

    def _apport(self, rang: int, sim: float) -> tuple[tuple[int, ...], tuple[float, ...]]:
        """The forms word `rang` is in and, for each, its similarity times its weight in the form
        (cached)."""
        formes, poids_formes = self._m.formes_des_mots[rang]
        apport = tuple(formes), tuple(sim * p for p in poids_formes)
        if len(self._apports) < TAILLE_CACHE:
            self._apports[(rang, sim)] = apport
        return apport

    def _scores(self, mention: Mention) -> Scores:
        """`_calculer`, cached by canonical form (distinct texts often share one: case, accents, "CMQ"…)."""
        scores = self._cache.get(mention.forme)
        if scores is None:
            scores = self._calculer(mention)
            self._garder({mention.forme: scores})
        return scores

    def _scores_bloc(self, lot: Sequence[Mention]) -> list[Scores]:
        """`_scores` of many mentions: those not cached computed together (`_scores_lot`)."""
        trouves = [self._cache.get(mention.forme) for mention in lot]
        manquantes = list(dict.fromkeys(x.forme for x, s in zip(lot, trouves, strict=True) if s is None))
        if manquantes:
            premieres = {x.forme: x for x in reversed(lot)}
            a_calculer = [premieres[f] for f in manquantes]
            calcul = self._scores_lot(a_calculer) if len(a_calculer) > 1 else [self._calculer(a_calculer[0])]
            calcules = dict(zip(manquantes, calcul, strict=True))
            self._garder(calcules)
            trouves = [s if s is not None else calcules[x.forme] for x, s in zip(lot, trouves, strict=True)]
        return trouves  # type: ignore[return-value]  # every mention scored

    def _garder(self, scores: dict[str, Scores]) -> None:
        """Cache text scores by canonical form (bounded)."""
        with self._verrou:
            if len(self._cache) + len(scores) > TAILLE_CACHE:
                self._cache.clear()
            self._cache.update(scores)

    def _dense(self, scores: Scores) -> np.ndarray:
        """The text scores of every campus, 0 for those not touched."""
        vecteur = np.zeros(len(self.fiches), dtype=np.float64)
        vecteur[list(scores[0])] = scores[1]
        return vecteur

    def scores_texte(self, textes: Sequence[str]) -> list[np.ndarray]:
        """Text score of every campus for each mention (cached by normalised form)."""
        return [self._dense(scores) for scores in self._scores_bloc([analyser(t) for t in textes])]

    def _penaliser(
        self, rangs: Sequence[int], scores: Sequence[float], contexte: Contexte, filiere: str | None
    ) -> list[float]:
        """Text scores of the campuses `rangs` minus the context penalties (see the module docstring),
        deducted in the order filière (`filiere`), territory, date (float64)."""
        t = contexte.territoire
        dans = self._dans_liste(t) if t is not None and t.echelle != "france" else None
        autre = self._hors_filiere(filiere) if filiere else None
        jour = contexte.date
        if autre is None and dans is None and jour is None:  # nothing to deduct
            return list(scores)
        totaux = []
        for rang, score in zip(rangs, scores, strict=True):
            if autre is not None and autre[rang]:
                score -= MALUS_FILIERE
            if dans is not None and not dans[rang]:
                score -= MALUS_TERRITOIRE
            if jour is not None and not self.fiches[rang].actif_le(jour):
                score -= MALUS_DATE
            totaux.append(score)
        return totaux

    def _hors_filiere(self, code: str) -> list[bool]:
        """True for the campuses of another filière than `code` (cached)."""
        liste = self._hors_filieres.get(code)
        if liste is None:
            liste = [f.filiere != code for f in self.fiches]
            if len(self._hors_filieres) < 100:  # the 12 codes; a caller's unknown code is not kept
                self._hors_filieres[code] = liste
        return liste

    def _inactifs(self, jour: Date) -> np.ndarray:
        """True for the campuses whose label is not valid on `jour`."""
        return np.array([not f.actif_le(jour) for f in self.fiches])

    def _candidat(self, rang: int, score: float) -> Candidat:
        score = round(min(100.0, max(0.0, score)), 1)
        candidat = self._candidats.get((rang, score))
        if candidat is None:  # frozen: one object per campus and score
            f = self.fiches[rang]
            candidat = Candidat(
                campus_id=f.id, nom=f.nom, score=score, filiere=f.filiere, region_academique=f.region_academique
            )
            if len(self._candidats) < TAILLE_CACHE:
                self._candidats[(rang, score)] = candidat
        return candidat

    def decider(self, texte: str, scores: np.ndarray, contexte: Contexte = Contexte()) -> Resolution:
        """The decision for one mention from the text scores of every campus and its context."""
        scores = np.asarray(scores, dtype=np.float64)
        touches = np.flatnonzero(scores)
        return self._decider(
            texte, analyser(texte), (tuple(touches.tolist()), tuple(scores[touches].tolist())), contexte
        )

    def _decider(self, texte: str, mention: Mention, scores: Scores, contexte: Contexte) -> Resolution:
        """The decision for an analysed mention from its text scores and its context: an alias, a
        bare filière label, nothing, or the ranking of the campuses (`_classer`)."""
        campus_alias = self.alias.get(mention.cle) if self.alias else None
        if campus_alias in self.par_id:
            candidat = self._candidat(self._rang[campus_alias], 100.0)
            return self._resolution(texte, "trouve", candidat, [candidat], contexte, via_alias=True)
        libelle = _libelles().get(mention.cle)
        if libelle is not None and self.fiches:
            return self._decider_libelle(texte, libelle, self._dense(scores), contexte)
        if not scores[0]:  # nothing of a campus written
            return self._resolution(texte, "inconnu", None, [], contexte)
        return self._classer(texte, scores, contexte, contexte.filiere or _filiere_ecrite(texte, mention))

    def _classer(self, texte: str, scores: Scores, contexte: Contexte, filiere: str | None) -> Resolution:
        """The campuses the mention touches ranked by score minus the context penalties (`filiere`:
        the given one, else the one written in the mention), best first, ties by rank; the status
        from the best two (see the module docstring).

        The other campuses score 0 minus their penalties: never candidates, and the status does not
        depend on them (a best score of SEUIL_TROUVE or more is at least MARGE ahead of them).
        """
        rangs = scores[0]
        classement = sorted(zip((-v for v in self._penaliser(rangs, scores[1], contexte, filiere)), rangs, strict=True))
        premier = -classement[0][0]
        second = -classement[1][0] if len(classement) > 1 else 0.0
        candidats = [self._candidat(r, -v) for v, r in classement[:NB_CANDIDATS] if -v >= SEUIL_CANDIDAT]
        if premier < SEUIL_CANDIDAT:
            statut: Statut = "inconnu"
        elif premier < SEUIL_TROUVE or premier - second < MARGE:
            statut = "ambigu" if len(candidats) >= 2 else "inconnu"  # one weak candidate is not a choice
        else:
            statut = "trouve"
        meilleur = candidats[0] if candidats else self._candidat(classement[0][1], premier)
        return self._resolution(texte, statut, meilleur, candidats, contexte)

    def _decider_libelle(self, texte: str, code: str, scores: np.ndarray, contexte: Contexte) -> Resolution:
        """A bare filière label: its campuses in the context's territory; "trouve" only when there is one."""
        garder = self._filieres == code
        if contexte.date is not None:
            garder &= ~self._inactifs(contexte.date)
        local = contexte.territoire is not None and contexte.territoire.echelle != "france"
        if local and (garder & (self._dans_territoire(contexte.territoire) > 0)).any():
            garder &= self._dans_territoire(contexte.territoire) > 0
        else:
            local = False  # no campus of that filière in the territory: the national ones, never chosen
        rangs = np.flatnonzero(garder).tolist()
        classement = sorted(
            zip(
                (-v for v in self._penaliser(rangs, scores[rangs].tolist(), contexte, contexte.filiere)),
                rangs,
                strict=True,
            )
        )
        candidats = [self._candidat(r, -v) for v, r in classement[:NB_CANDIDATS]]
        statut: Statut = "trouve" if local and len(rangs) == 1 else "ambigu" if len(rangs) >= 2 else "inconnu"
        meilleur = candidats[0] if candidats else None
        resolution = self._resolution(texte, statut, meilleur, candidats, contexte)
        return resolution.model_copy(update={"motif": "libelle_de_filiere"})

    @staticmethod
    def _resolution(
        texte: str,
        statut: Statut,
        meilleur: Candidat | None,
        candidats: list[Candidat],
        contexte: Contexte,
        via_alias: bool = False,
    ) -> Resolution:
        choisi = meilleur if statut == "trouve" else None
        return Resolution.model_validate(  # faster than the keyword constructor and model_construct (pydantic 2.x)
            {
                "texte": texte,
                "statut": statut,
                "campus_id": choisi and choisi.campus_id,
                "campus_nom": choisi and choisi.nom,
                "score": meilleur.score if meilleur else 0.0,
                "candidats": candidats,
                "filiere_incoherente": bool(choisi and contexte.filiere and choisi.filiere != contexte.filiere),
                "via_alias": via_alias,
            }
        )

    def resoudre(self, texte: str, contexte: Contexte = Contexte()) -> Resolution:
        """Resolve one mention."""
        mention = analyser(texte)
        return self._decider(texte, mention, self._scores(mention), contexte)

    def resoudre_lot(self, textes: Sequence[str], contextes: Sequence[Contexte] | None = None) -> list[Resolution]:
        """Resolve many mentions (one context each, default none), by blocks of TAILLE_BLOC whose
        text scores are computed together (`_scores_bloc`; small blocks: the analyses of a block are
        freed before the garbage collector moves them to its oldest generation)."""
        contextes = contextes or [Contexte()] * len(textes)
        if len(contextes) != len(textes):
            raise ValueError("un contexte par mention")
        resolutions: list[Resolution] = []
        for debut in range(0, len(textes), TAILLE_BLOC):
            bloc = textes[debut : debut + TAILLE_BLOC]
            lot = [analyser(t) for t in bloc]
            scores = self._scores_bloc(lot)
            resolutions += map(self._decider, bloc, lot, scores, contextes[debut : debut + TAILLE_BLOC])
        return resolutions


def _filiere_ecrite(texte: str, mention: Mention) -> str | None:
    """`filiere_ecrite(texte)` from the analysed mention (its normalised text is at hand)."""
    return filieres.code_normalise(texte, mention.normalise) if texte.strip() else None


@lru_cache(maxsize=1)
def _libelles() -> dict[str, str]:
    """Meaningful words of each filière's label and short label -> filière code."""
    return {cle_alias(t): f.code for f in filieres.all() for t in (f.libelle, f.libelle_court)}


@lru_cache(maxsize=50_000)
def libelle_de_filiere(texte: str) -> str | None:
    """The filière whose label (or short label) the mention merely repeats ("CMQ Tourisme, gastronomie")."""
    return _libelles().get(cle_alias(texte))


@lru_cache(maxsize=50_000)
def filiere_ecrite(texte: str) -> str | None:
    """The filière a mention clearly names ("campus tourisme lyon" -> tourisme), else None."""
    try:
        decision = filieres.normalize(texte)
    except EntreeInvalide:
        return None
    return decision.filiere.code if decision.filiere is not None else None


# --- Index cache and public API ---------------------------------------------------------------


FRAICHEUR = 0.005  # seconds an index is reused, after its data version was read, without reading it again

_index: dict[str, tuple[tuple, Index, float]] = {}  # url -> (data version, index, when it was read)
_verrou_index = threading.Lock()


def _recent(url: db.BaseDeDonnees) -> Index | None:
    """The cached index of `url` when its data version was read less than FRAICHEUR ago and this
    process has not written to `url` since (its own writes are counted, so always seen at once)."""
    deja = _index.get(url)
    if deja is not None and time.monotonic() - deja[2] < FRAICHEUR and deja[0][0] == db.ecritures(url):
        return deja[1]
    return None


def _verifie(url: db.BaseDeDonnees) -> tuple[tuple, tuple | None]:
    """(current data version of `url`, the cached entry), the entry's reading time renewed when its
    version is the current one."""
    lu_le = time.monotonic()
    signature = version.version(url)
    with _verrou_index:
        deja = _index.get(url)
        if deja is not None and deja[0] == signature:
            deja = _index[url] = (signature, deja[1], lu_le)
    return signature, deja


def index(url: str | None = None) -> Index:
    """The index of a database (default: the default database), rebuilt when its data changed.

    Freshness costs no query on SQLite (`cmq.store.version`): the change counter of this process
    and the file's data version, bumped by any commit, from any process. The data version is read
    at most once every FRAICHEUR (5 ms) while the index is in use: the writes of this process are
    seen at once, those of other processes within 5 ms (less than a process takes to commit, exit
    and have a request answered), and the check costs almost nothing per call.
    """
    url = db.ouvrir(url)
    recent = _recent(url)
    if recent is not None:
        return recent
    lu_le = time.monotonic()
    signature, deja = _verifie(url)
    if deja is not None and deja[0] == signature:
        return deja[1]
    with db.session(url) as s:
        nouveau = Index.charger(s)
    with _verrou_index:
        _index[url] = (signature, nouveau, lu_le)
    return nouveau


def index_courant(url: str) -> Index | None:
    """The cached index of `url` if its data has not changed since it was built, else None (no query
    on SQLite: a caller may then resolve without leaving its thread)."""
    url = db.ouvrir(url)
    recent = _recent(url)
    if recent is not None:
        return recent
    signature, deja = _verifie(url)
    return deja[1] if deja is not None and deja[0] == signature else None


def vider_cache() -> None:
    """Forget every index and every cached analysis of a text, filière matches included (benchmarks
    measure the cold path this way, tests)."""
    with _verrou_index:
        _index.clear()
    mentions.vider_cache()
    filieres.vider_cache()
    for cache in (libelle_de_filiere, filiere_ecrite, _libelles):
        cache.cache_clear()


def contexte(filiere: str | None = None, territoire: str | None = None, date: Date | str | None = None) -> Contexte:
    """Validated context: filière code or free text, territory code or name, date (ISO text accepted)."""

    if isinstance(date, str):
        date = saisie.date_iso(date)
    return Contexte(
        filiere=filieres.code_de(filiere) if filiere and filiere.strip() else None,
        territoire=territoires.resoudre(territoire) if territoire and territoire.strip() else None,
        date=date,
    )


def resolve(
    nom: str,
    filiere: str | None = None,
    territoire: str | None = None,
    date: Date | str | None = None,
    *,
    url: str | None = None,
) -> Resolution:
    """The campus a free-text mention designates ("trouve"), or the candidates ("ambigu"), or "inconnu".

    `filiere` (code or free text) and `territoire` (code or name) raise FiliereInconnue /
    TerritoireInconnu when unreadable; `date` puts campuses whose label is valid that day ahead.
    """
    if not isinstance(nom, str) or not nom.strip():
        raise EntreeInvalide("mention de campus vide : saisissez un nom de campus")
    return index(url).resoudre(nom, contexte(filiere, territoire, date))
