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

Decision: best score below `SEUIL_CANDIDAT` → "inconnu"; below `SEUIL_TROUVE` or less than
`MARGE` ahead of the second → "ambigu" (no campus chosen); otherwise "trouve". A user-confirmed
alias (`cmq.alias`) wins over everything (score 100). `index(url)` caches one Index per
database, rebuilt when campuses, members, imports or aliases change.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from cmq import filieres, mentions, saisie, territoires
from cmq.errors import EntreeInvalide
from cmq.mentions import (
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
            region = territoires.academie(t.code).region_academique
            return t.code in self.academies or (not self.academies and region in self.regions)
        d = territoires.departement(t.code)
        return (
            t.code in self.departements
            or d.academie in self.academies
            or (not self.academies and d.region_academique in self.regions)
        )


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


@dataclass
class _Matrices:
    """Dense campus × vocabulary tables (the vocabulary holds a few hundred stems)."""

    sac: np.ndarray  # campus × word: 1 if the word belongs to the campus (name, sigle, town, id)
    sac_nom: np.ndarray  # campus × word: 1 if the word is in the campus's name
    formes: np.ndarray  # form × word: weight of the word in the form
    principales: np.ndarray  # form: True for a name, an alternative name or a sigle
    debuts: np.ndarray  # first form of each campus (forms are grouped by campus)
    idf: np.ndarray  # rarity of each word across campuses
    composantes: dict[int, tuple[int, int]] = field(default_factory=dict)  # glued word -> its two parts


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
        self._cache: dict[str, np.ndarray] = {}
        self._dans: dict[territoires.Territoire, np.ndarray] = {}
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
            m = np.zeros((len(ensembles), len(vocabulaire)), dtype=np.float32)
            for i, e in enumerate(ensembles):
                m[i, [rang[mot] for mot in e]] = 1.0
            return m

        sac = matrice(sacs)
        idf = np.log1p(len(sacs) / np.maximum(sac.sum(axis=0), 1)).astype(np.float32)
        poids = np.zeros((len(formes), len(vocabulaire)), dtype=np.float32)
        for i, forme in enumerate(formes):
            for mot, role in forme.mots:
                poids[i, rang[mot]] = max(poids[i, rang[mot]], idf[rang[mot]] * role)
        composantes = {rang[c]: (rang[a], rang[b]) for c, (a, b) in collages.items()}
        principales = np.array([f.principale for f in formes], dtype=bool)
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
            vecteur = np.array([f.lieux.contient(t) for f in self.fiches], dtype=np.float32)
            self._dans[t] = vecteur
        return vecteur

    def _meilleur(self, mot: str) -> float:
        correspondances = self._lexique(mot)
        return max((sim for _, sim in correspondances), default=0.0)

    def _recoller(self, unites: tuple[Unite, ...]) -> list[Unite]:
        """Join two adjacent words written apart when the directory has them glued ("cosmeto pharma")."""
        sortie: list[Unite] = []
        for u in unites:
            precedente = sortie[-1] if sortie else None
            if (
                u.territoire is None
                and len(u.mots) == 1
                and precedente is not None
                and precedente.territoire is None
                and len(precedente.mots) == 1
            ):
                colle = precedente.mots[0] + u.mots[0]
                sim = self._meilleur(colle)
                if sim >= 0.9 and sim > max(self._meilleur(precedente.mots[0]), self._meilleur(u.mots[0])):
                    sortie[-1] = Unite((colle,))
                    continue
            sortie.append(u)
        return sortie

    def _score_texte(self, mention: Mention) -> np.ndarray:
        """Text score (0–100) of every campus for one analysed mention (see the module docstring)."""
        m = self._m
        explique = np.zeros(len(self.fiches), dtype=np.float32)
        total = np.zeros(len(self.fiches), dtype=np.float32)  # weight of the mention, per campus
        couverts = np.zeros(m.idf.shape[0], dtype=np.float32)  # best match of each vocabulary word
        for unite in self._recoller(mention.unites):
            correspondances = [c for mot in unite.mots for c in self._lexique(mot)]
            for rang, sim in correspondances:
                couverts[rang] = max(couverts[rang], sim)
            if unite.territoire is not None:
                dans = self._dans_territoire(unite.territoire)
                rangs = [self._lexique.rang(mot) for mot in unite.mots]
                if all(r is not None for r in rangs):  # the place is written in the campus's name
                    dans = np.maximum(dans, m.sac_nom[:, rangs].min(axis=1))
                explique += POIDS_LIEU * dans
                total += POIDS_LIEU
            elif not correspondances:
                total += POIDS_INCONNU
            else:
                rangs = [r for r, _ in correspondances]
                sims = np.array([s for _, s in correspondances], dtype=np.float32)
                poids = float(m.idf[rangs].max())
                accord = (m.sac[:, rangs] * sims).max(axis=1)
                explique += poids * accord
                total += poids * (accord > 0) if set(unite.mots) <= MOTS_FAIBLES else poids
        if not total.any():
            return np.zeros(len(self.fiches), dtype=np.float32)
        for colle, (a, b) in m.composantes.items():
            if couverts[colle]:
                couverts[a] = max(couverts[a], couverts[colle])
                couverts[b] = max(couverts[b], couverts[colle])
        couverture = (m.formes @ couverts) / np.maximum(m.formes.sum(axis=1), 1e-6)
        rappel = np.maximum.reduceat(couverture, m.debuts)
        exacte = np.maximum.reduceat(np.where(m.principales, couverture, 0), m.debuts) > 0.999
        precision = explique / np.maximum(total, 1e-6)
        exact = (precision > 0.999) & exacte
        return 100 * (POIDS_P * precision + POIDS_R * rappel) + BONUS_EXACT * exact

    def scores_texte(self, textes: Sequence[str]) -> list[np.ndarray]:
        """Text score of every campus for each mention (cached by normalised form)."""
        resultats = []
        for texte in textes:
            mention = analyser(texte)
            with self._verrou:
                scores = self._cache.get(mention.forme)
            if scores is None:
                scores = self._score_texte(mention) if self.fiches else np.zeros(0, dtype=np.float32)
                with self._verrou:
                    if len(self._cache) >= TAILLE_CACHE:
                        self._cache.clear()
                    self._cache[mention.forme] = scores
            resultats.append(scores)
        return resultats

    def _ajuster(self, scores: np.ndarray, contexte: Contexte) -> np.ndarray:
        """Text scores minus the context penalties (see the module docstring)."""
        total = scores.astype(np.float64)
        if contexte.filiere:
            total -= MALUS_FILIERE * (self._filieres != contexte.filiere)
        if contexte.territoire is not None and contexte.territoire.echelle != "france":
            total -= MALUS_TERRITOIRE * (1 - self._dans_territoire(contexte.territoire))
        if contexte.date is not None:
            total -= MALUS_DATE * np.array([not f.actif_le(contexte.date) for f in self.fiches])
        return total

    def _candidat(self, rang: int, score: float) -> Candidat:
        f = self.fiches[rang]
        return Candidat.model_construct(
            campus_id=f.id,
            nom=f.nom,
            score=round(min(100.0, max(0.0, score)), 1),
            filiere=f.filiere,
            region_academique=f.region_academique,
        )

    def decider(self, texte: str, scores: np.ndarray, contexte: Contexte = Contexte()) -> Resolution:
        """The decision for one mention from its text scores and its context."""
        campus_alias = self.alias.get(cle_alias(texte)) if self.alias else None
        if campus_alias in self.par_id:
            candidat = self._candidat(self._rang[campus_alias], 100.0)
            return self._resolution(texte, "trouve", candidat, [candidat], contexte, via_alias=True)
        if not self.fiches or not scores.any():
            return self._resolution(texte, "inconnu", None, [], contexte)
        total = self._ajuster(scores, contexte)
        ordre = np.argsort(-total, kind="stable")[:NB_CANDIDATS]
        premier = float(total[ordre[0]])
        second = float(total[ordre[1]]) if len(ordre) > 1 else 0.0
        candidats = [self._candidat(int(r), float(total[r])) for r in ordre if total[r] >= SEUIL_CANDIDAT]
        if premier < SEUIL_CANDIDAT:
            statut: Statut = "inconnu"
        elif premier < SEUIL_TROUVE or premier - second < MARGE:
            statut = "ambigu"
        else:
            statut = "trouve"
        meilleur = candidats[0] if candidats else self._candidat(int(ordre[0]), premier)
        return self._resolution(texte, statut, meilleur, candidats, contexte)

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
        return Resolution.model_construct(
            texte=texte,
            statut=statut,
            campus_id=choisi and choisi.campus_id,
            campus_nom=choisi and choisi.nom,
            score=meilleur.score if meilleur else 0.0,
            candidats=candidats,
            filiere_incoherente=bool(choisi and contexte.filiere and choisi.filiere != contexte.filiere),
            via_alias=via_alias,
        )

    def resoudre(self, texte: str, contexte: Contexte = Contexte()) -> Resolution:
        """Resolve one mention."""
        return self.decider(texte, self.scores_texte([texte])[0], contexte)

    def resoudre_lot(self, textes: Sequence[str], contextes: Sequence[Contexte] | None = None) -> list[Resolution]:
        """Resolve many mentions (one context each, default none)."""
        contextes = contextes or [Contexte()] * len(textes)
        return [self.decider(t, sc, c) for t, sc, c in zip(textes, self.scores_texte(textes), contextes, strict=True)]


# --- Index cache and public API ---------------------------------------------------------------


_index: dict[str, tuple[tuple, Index]] = {}
_verrou_index = threading.Lock()


def index(url: str | None = None) -> Index:
    """The index of a database (default: the default database), rebuilt when its data changed.

    Freshness costs no query on SQLite (`cmq.store.version`): the change counter of this process
    and the file's data version, bumped by any commit, from any process.
    """
    url = db.ouvrir(url)
    signature = version.version(url)
    with _verrou_index:
        deja = _index.get(url)
    if deja is not None and deja[0] == signature:
        return deja[1]
    with db.session(url) as s:
        nouveau = Index.charger(s)
    with _verrou_index:
        _index[url] = (signature, nouveau)
    return nouveau


def index_courant(url: str) -> Index | None:
    """The cached index of `url` if its data has not changed since it was built, else None (no query
    on SQLite: a caller may then resolve without leaving its thread)."""
    url = db.ouvrir(url)
    with _verrou_index:
        deja = _index.get(url)
    return deja[1] if deja is not None and deja[0] == version.version(url) else None


def vider_cache() -> None:
    """Forget every index and every cached analysis of a text (benchmarks, tests)."""
    with _verrou_index:
        _index.clear()
    mentions.vider_cache()


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
