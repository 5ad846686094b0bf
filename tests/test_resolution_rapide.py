"""The fast resolution path gives what the reference algorithm gives.

`Index.resoudre_lot` scores and decides every mention at once, with caches by word, unit, pair of
words and canonical form; `mentions.analyser`, `mentions.Lexique` and `filieres.code_normalise`
take shortcuts. The reference below is the algorithm one mention at a time, as it was written
before those shortcuts (kept here as the specification): on thousands of distinct mentions made
by bench/resolve.py's generator (misspellings, word orders, accents, abbreviations, places,
filière words…), with and without context, both give the same status, campus, candidates and
scores.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from cmq import filieres, mentions
from cmq.errors import EntreeInvalide
from cmq.mentions import LONG_FLOU, LONG_PREFIXE, MOTS_FAIBLES, SEUIL_FLOU, SIM_PREFIXE, Unite, analyser, cle_alias
from cmq.resolve import (
    BONUS_EXACT,
    MALUS_DATE,
    MALUS_FILIERE,
    MALUS_TERRITOIRE,
    MARGE,
    NB_CANDIDATS,
    POIDS_INCONNU,
    POIDS_LIEU,
    POIDS_P,
    POIDS_R,
    SEUIL_CANDIDAT,
    SEUIL_TROUVE,
    TAILLE_BLOC,
    Contexte,
    Fiche,
    Index,
    Lieux,
    contexte,
)
from cmq.texte import normaliser
from tests.asgi import appeler

BENCH = Path(__file__).parents[1] / "bench"


@pytest.fixture(scope="module")
def generateur():
    """bench/resolve.py (its generator of distinct mentions), with bench/ on the path for its imports."""
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_resolve", BENCH / "resolve.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


@pytest.fixture(scope="module")
def url_embarquee(tmp_path_factory) -> str:
    """A SQLite database initialised with the embedded directory."""
    from cmq.init import initialiser

    url = f"sqlite:///{tmp_path_factory.mktemp('rapide') / 'cmq.db'}"
    initialiser(url)
    return url


@pytest.fixture(scope="module")
def index_embarque(url_embarquee) -> Index:
    """The index of the embedded directory."""
    from cmq.resolve import index

    return index(url_embarquee)


# --- The reference: one mention at a time ----------------------------------------------------------


class Reference:
    """The scoring and decision of `cmq.resolve`, one mention at a time, on the same index data."""

    def __init__(self, idx: Index):
        self.idx, self.m = idx, idx._m
        self.vocabulaire = idx._lexique.vocabulaire
        self.rangs = {mot: i for i, mot in enumerate(self.vocabulaire)}
        self.memo: dict[str, tuple] = {}

    def lexique(self, mot: str) -> tuple[tuple[int, float], ...]:
        """Look-up over the whole vocabulary (no length buckets)."""
        if mot not in self.memo:
            self.memo[mot] = chercher(mot, self.vocabulaire, self.rangs)
        return self.memo[mot]

    def meilleur(self, mot: str) -> float:
        return max((sim for _, sim in self.lexique(mot)), default=0.0)

    def recoller(self, unites):
        sortie = []
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
                sim = self.meilleur(colle)
                if sim >= 0.9 and sim > max(self.meilleur(precedente.mots[0]), self.meilleur(u.mots[0])):
                    sortie[-1] = Unite((colle,))
                    continue
            sortie.append(u)
        return sortie

    def scores(self, texte: str) -> np.ndarray:
        m, n = self.m, len(self.idx.fiches)
        explique = np.zeros(n)
        total = np.zeros(n)
        couverts = np.zeros(m.idf.shape[0])
        for unite in self.recoller(analyser(texte).unites):
            correspondances = [c for mot in unite.mots for c in self.lexique(mot)]
            for rang, sim in correspondances:
                couverts[rang] = max(couverts[rang], sim)
            if unite.territoire is not None:
                dans = self.idx._dans_territoire(unite.territoire)
                rangs = [self.rangs.get(mot) for mot in unite.mots]
                if all(r is not None for r in rangs):
                    dans = np.maximum(dans, m.sac_nom[:, rangs].min(axis=1))
                explique += POIDS_LIEU * dans
                total += POIDS_LIEU
            elif not correspondances:
                total += POIDS_INCONNU
            else:
                rangs = [r for r, _ in correspondances]
                sims = np.array([s for _, s in correspondances])
                poids = float(m.idf[rangs].max())
                accord = (m.sac[:, rangs] * sims).max(axis=1)
                explique += poids * accord
                total += poids * (accord > 0) if set(unite.mots) <= MOTS_FAIBLES else poids
        if not total.any():
            return np.zeros(n)
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

    def ajuster(self, scores, c: Contexte, ecrite=None):
        idx = self.idx
        total = scores.astype(np.float64)
        if c.filiere or ecrite:
            total -= MALUS_FILIERE * (idx._filieres != (c.filiere or ecrite))
        if c.territoire is not None and c.territoire.echelle != "france":
            total -= MALUS_TERRITOIRE * (1 - idx._dans_territoire(c.territoire))
        if c.date is not None:
            total -= MALUS_DATE * np.array([not f.actif_le(c.date) for f in idx.fiches])
        return total

    def decider(self, texte: str, c: Contexte) -> tuple:
        """(statut, campus, [(candidate, score)], incoherent filière, motif, by alias)."""
        idx = self.idx
        scores = self.scores(texte)
        alias = idx.alias.get(cle_alias(texte)) if idx.alias else None
        if alias in idx.par_id:
            return (
                "trouve",
                alias,
                [(alias, 100.0)],
                bool(c.filiere and idx.par_id[alias].filiere != c.filiere),
                None,
                True,
            )
        libelle = {cle_alias(t): f.code for f in filieres.all() for t in (f.libelle, f.libelle_court)}.get(
            cle_alias(texte)
        )
        if libelle is not None and idx.fiches:
            r = idx._decider_libelle(texte, libelle, scores, c)
            return (
                r.statut,
                r.campus_id,
                [(x.campus_id, x.score) for x in r.candidats],
                r.filiere_incoherente,
                r.motif,
                False,
            )
        if not idx.fiches or not scores.any():
            return ("inconnu", None, [], False, None, False)
        try:
            decision = filieres.normalize(texte)
            ecrite = decision.filiere.code if decision.filiere is not None else None
        except EntreeInvalide:
            ecrite = None
        total = self.ajuster(scores, c, None if c.filiere else ecrite)
        ordre = np.argsort(-total, kind="stable")[:NB_CANDIDATS]
        premier = float(total[ordre[0]])
        second = float(total[ordre[1]]) if len(ordre) > 1 else 0.0

        def arrondi(v):
            return round(min(100.0, max(0.0, v)), 1)

        candidats = [(idx.fiches[r].id, arrondi(float(total[r]))) for r in ordre if total[r] >= SEUIL_CANDIDAT]
        if premier < SEUIL_CANDIDAT:
            statut = "inconnu"
        elif premier < SEUIL_TROUVE or premier - second < MARGE:
            statut = "ambigu" if len(candidats) >= 2 else "inconnu"
        else:
            statut = "trouve"
        choisi = candidats[0][0] if statut == "trouve" else None
        incoherente = bool(choisi and c.filiere and idx.par_id[choisi].filiere != c.filiere)
        return (statut, choisi, candidats, incoherente, None, False)


def chercher(mot: str, vocabulaire: tuple[str, ...], rangs: dict[str, int]) -> tuple[tuple[int, float], ...]:
    """The typo-tolerant look-up of `mentions.Lexique`, over the whole vocabulary."""
    if mot in rangs:
        return ((rangs[mot], 1.0),)
    sims: dict[int, float] = {}
    if len(mot) >= LONG_PREFIXE:
        for rang, autre in enumerate(vocabulaire):
            if len(autre) > len(mot) and autre.startswith(mot):
                sims[rang] = SIM_PREFIXE
        for n in range(LONG_PREFIXE, len(mot)):
            if (rang := rangs.get(mot[:n])) is not None:
                sims[rang] = max(sims.get(rang, 0.0), SIM_PREFIXE)
    if len(mot) >= LONG_FLOU:
        for _, score, rang in process.extract(mot, vocabulaire, scorer=fuzz.ratio, score_cutoff=SEUIL_FLOU, limit=3):
            if len(vocabulaire[rang]) >= LONG_FLOU:
                sims[rang] = max(sims.get(rang, 0.0), min(score, 95.0) / 100)
    return tuple(sorted(sims.items()))


def resume(r) -> tuple:
    return (
        r.statut,
        r.campus_id,
        [(c.campus_id, c.score) for c in r.candidats],
        r.filiere_incoherente,
        r.motif,
        r.via_alias,
    )


def comparer(obtenu: tuple, attendu: tuple, texte: str) -> None:
    """Same decision; candidate scores within 0.1 (sums in another order may round otherwise)."""
    assert obtenu[:2] == attendu[:2] and obtenu[3:] == attendu[3:], texte
    assert [c for c, _ in obtenu[2]] == [c for c, _ in attendu[2]], texte
    assert all(abs(a - b) <= 0.1 + 1e-9 for (_, a), (_, b) in zip(obtenu[2], attendu[2])), texte


# --- Tests ----------------------------------------------------------------------------------------------


def test_lot_identique_a_la_reference(index_embarque, generateur):
    """3,000 distinct generated mentions: `resoudre_lot` (all at once), then `resoudre` (one by one,
    caches warm) give the reference's decisions and text scores."""
    donnees = generateur.jeu(index_embarque.fiches, 3000, 11)
    textes = [t for t, _, _ in donnees]
    assert len(set(textes)) == len(textes)
    reference = Reference(index_embarque)
    attendus = [reference.decider(t, Contexte()) for t in textes]
    for r, attendu, t in zip(index_embarque.resoudre_lot(textes), attendus, textes, strict=True):
        comparer(resume(r), attendu, t)
    for t, attendu in zip(textes[:300], attendus, strict=False):
        comparer(resume(index_embarque.resoudre(t)), attendu, t)
    for obtenu, t in zip(index_embarque.scores_texte(textes[:500]), textes, strict=False):
        assert np.allclose(obtenu, reference.scores(t), atol=1e-3), t


def test_lot_avec_contextes_identique_a_la_reference(index_embarque, generateur):
    """Filière, territory and date contexts, mixed in one batch."""
    textes = [t for t, _, _ in generateur.jeu(index_embarque.fiches, 800, 12)]
    alea = random.Random(5)
    codes = [None, *filieres.codes()]
    contextes = [
        contexte(
            filiere=alea.choice(codes),
            territoire=alea.choice([None, "84", "Occitanie", "Lyon", "69", "Bretagne", "HDF", "FR"]),
            date=alea.choice([None, "2020-01-01", "2026-01-01"]),
        )
        for _ in textes
    ]
    reference = Reference(index_embarque)
    lot = index_embarque.resoudre_lot(textes, contextes)
    for r, t, c in zip(lot, textes, contextes, strict=True):
        comparer(resume(r), reference.decider(t, c), t)


def test_une_mention_seule_egale_a_la_meme_dans_un_bloc(index_embarque, generateur):
    """`resoudre` (one mention: `_calculer`, on the campuses it touches) and `resoudre_lot` (blocks:
    `_scores_lot`, numpy tables) give the same resolutions and text scores, to the bit, for
    distinct generated mentions with and without context; each path on its own index, so that
    neither reads a score the other computed."""
    textes = [t for t, _, _ in generateur.jeu(index_embarque.fiches, 2000, 13)]
    alea = random.Random(8)
    codes = [None, *filieres.codes()]
    contextes = [Contexte()] * 1000 + [
        contexte(
            filiere=alea.choice(codes),
            territoire=alea.choice([None, "84", "Occitanie", "Lyon", "Bretagne", "FR"]),
            date=alea.choice([None, "2020-01-01", "2026-01-01"]),
        )
        for _ in range(1000)
    ]
    seul, bloc = (Index(index_embarque.fiches, index_embarque.alias, index_embarque.membres) for _ in range(2))
    un_par_un = [seul.resoudre(t, c) for t, c in zip(textes, contextes, strict=True)]
    assert bloc.resoudre_lot(textes, contextes) == un_par_un
    assert sum(r.statut == "trouve" for r in un_par_un) > 1000  # real decisions, not empty ones
    lot = [analyser(t) for t in textes]
    scores = [seul._calculer(mention) for mention in lot]
    assert bloc._scores_lot(lot) == scores
    assert min(len(rangs) for rangs, _ in scores) == 0 < max(len(rangs) for rangs, _ in scores)


def test_caches_bornes_memes_resolutions(index_embarque, generateur, monkeypatch):
    """The index's caches are bounded (cleared when full): with tiny bounds, a list of distinct
    mentions gets the same resolutions as on an index whose caches never fill, and the caches stay
    within their bounds (text scores: one block's new forms may come at once)."""
    import cmq.resolve as module

    textes = [t for t, _, _ in generateur.jeu(index_embarque.fiches, 600, 17)]
    libre = Index(index_embarque.fiches, index_embarque.alias, index_embarque.membres)
    attendues = libre.resoudre_lot(textes)
    assert len(libre._lignes) > 50 and len(libre._infos) > 50  # the bounds below are reached
    monkeypatch.setattr(module, "TAILLE_CACHE", 40)
    monkeypatch.setattr(module, "TAILLE_LIGNES", 20)
    borne = Index(index_embarque.fiches, index_embarque.alias, index_embarque.membres)
    borne._lignes, borne._infos, borne._cache = TailleMax(), TailleMax(), TailleMax()
    assert borne.resoudre_lot(textes) == attendues
    assert [borne.resoudre(t) for t in textes] == attendues
    assert (borne._lignes.plus_grande, borne._infos.plus_grande) == (20, 40)
    assert 40 <= borne._cache.plus_grande <= TAILLE_BLOC  # a block's new forms are added together


class TailleMax(dict):
    """A dict that remembers the most entries it held."""

    plus_grande = 0

    def __setitem__(self, cle, valeur):
        super().__setitem__(cle, valeur)
        self.plus_grande = max(self.plus_grande, len(self))

    def update(self, *args, **kwargs):
        super().update(*args, **kwargs)
        self.plus_grande = max(self.plus_grande, len(self))


def test_campus_sans_forme_de_nom():
    """A campus whose name is only boilerplate ("CMQ") has no name form; placed last, it made every
    resolution fail (`np.maximum.reduceat` past the last form). It is found by its id; both paths
    agree."""
    code = "mobilite-aeronautique-transports-terrestres-et-maritimes"
    fiches = [Fiche("nautisme-bretagne", "Campus nautisme", code), Fiche("sans-nom", "CMQ", code)]
    textes = ["nautisme", "sans nom", "CMQ", "nautisme sans nom"]
    seul, bloc = Index(fiches), Index(fiches)
    assert bloc.resoudre_lot(textes) == [seul.resoudre(t) for t in textes]
    assert [(r.statut, r.campus_id) for r in seul.resoudre_lot(textes)] == [
        ("trouve", "nautisme-bretagne"),
        ("trouve", "sans-nom"),
        ("inconnu", None),
        ("inconnu", None),  # each campus explains half: one weak candidate (60), not a choice
    ]
    assert bloc.scores_texte(["nautisme"])[0][1] == 0.0 < bloc.scores_texte(["nautisme"])[0][0]


def test_libelles_alias_et_vides_dans_un_lot(index_embarque):
    """A bare filière label, an alias, nothing meaningful and a campus name in one batch."""
    idx = Index(index_embarque.fiches, alias={"btp hdf": "travaux-publics-bruay-la-buissiere"})
    reference = Reference(idx)
    textes = ["Tourisme, gastronomie", "Campus BTP HDF", "CMQ", "", "Mobicampus", "numérique", "cmq btp-hdf"]
    contextes = [
        Contexte(),
        Contexte(),
        Contexte(),
        Contexte(),
        Contexte(),
        contexte(territoire="Bretagne"),
        Contexte(),
    ]
    for r, t, c in zip(idx.resoudre_lot(textes, contextes), textes, contextes, strict=True):
        comparer(resume(r), reference.decider(t, c), t)
    assert idx.resoudre("Campus BTP HDF").via_alias


def test_mots_colles_en_chaine():
    """A glued word that is itself a part of a glued word ("eco construction" and "ecoconstruction
    durable"): its parts are covered in the order the reference propagates them."""
    lieux = Lieux(regions=frozenset({"84"}))
    fiches = [
        Fiche("a", "Campus éco construction", "infrastructures-batiment-eco-construction", "84", lieux),
        Fiche("b", "Campus écoconstruction durable", "infrastructures-batiment-eco-construction", "84", lieux),
        Fiche("c", "Campus éco tourisme", "tourisme-gastronomie", "84", lieux),
    ]
    idx = Index(fiches)
    m = idx._m
    rang = idx._lexique.rang
    assert rang("ecoconstructiondurable") in m.composantes and rang("ecoconstruction") in m.composantes
    assert set(m.portee(rang("ecoconstructiondurable"))) >= {rang("ecoconstruction"), rang("durable")}
    reference = Reference(idx)
    textes = ["ecoconstructiondurable", "eco construction durable", "ecoconstruction", "eco construction", "eco"]
    textes += ["ecoconstrucion durable", "ecotourisme", "construction durable", "durable"]
    for r, t in zip(idx.resoudre_lot(textes), textes, strict=True):
        comparer(resume(r), reference.decider(t, Contexte()), t)
        assert np.allclose(idx.scores_texte([t])[0], reference.scores(t), atol=1e-3), t


def test_index_vide_et_lot_vide():
    assert Index([]).resoudre_lot(["nautisme", ""])[0].statut == "inconnu"
    assert Index([]).resoudre_lot([]) == []
    with pytest.raises(ValueError):
        Index([]).resoudre_lot(["a", "b"], [Contexte()])


def test_analyse_porte_la_cle_d_alias_et_le_texte_normalise(generateur, index_embarque):
    textes = [t for t, _, _ in generateur.jeu(index_embarque.fiches, 2000, 13)]
    textes += ["", "  ", "CMQ", "Campus des métiers et des qualifications", "c.m.q. aéro", "St-Étienne", "mobi campus"]
    mentions.vider_cache()
    for t in textes:
        m = analyser(t)
        assert m.cle == cle_alias(t) and m.normalise == normaliser(t), t


def sans_formules(jetons: list[str]) -> list[str]:
    """Boilerplate phrases removed wherever they start among the meaningful tokens (the first of
    `FORMULES` that matches there), then noise words: `mentions._sans_formules` without shortcuts."""
    utiles = [i for i, j in enumerate(jetons) if j not in mentions.MOTS_VIDES]
    retires: set[int] = set()
    k = 0
    while k < len(utiles):
        for formule in mentions.FORMULES:
            if tuple(jetons[i] for i in utiles[k : k + len(formule)]) == formule:
                retires.update(utiles[k : k + len(formule)])
                k += len(formule)
                break
        else:
            k += 1
    return [j for i, j in enumerate(jetons) if i not in retires and j not in mentions.BRUIT]


JETONS = ["campus", "metiers", "qualifications", "c", "m", "q", "e", "des", "et", "cmq", "excellence", "aero", "lyon"]


@settings(max_examples=500, derandomize=True)
@given(st.lists(st.sampled_from(JETONS), max_size=12))
def test_formules_retirees_comme_la_reference(jetons):
    """Mentions with "campus" but not every word of a phrase skip the phrase search: same tokens."""
    assert mentions._sans_formules(jetons) == sans_formules(jetons)


@settings(max_examples=300, derandomize=True)
@given(st.text(alphabet="abcdeilmnorstuéè", min_size=1, max_size=16))
def test_lexique_egal_a_la_recherche_sur_tout_le_vocabulaire(index_embarque, mot):
    """Fuzzy look-up among the words of compatible length = look-up among all words."""
    lexique = index_embarque._lexique
    rangs = {m: i for i, m in enumerate(lexique.vocabulaire)}
    assert lexique._chercher(mot) == chercher(mot, lexique.vocabulaire, rangs)


def test_lexique_sur_les_mots_des_mentions(index_embarque, generateur):
    lexique = index_embarque._lexique
    rangs = {m: i for i, m in enumerate(lexique.vocabulaire)}
    mots = {
        w for t, _, _ in generateur.jeu(index_embarque.fiches, 2000, 14) for u in analyser(t).unites for w in u.mots
    }
    for mot in sorted(mots):
        assert lexique._chercher(mot) == chercher(mot, lexique.vocabulaire, rangs), mot


def test_code_normalise_egal_a_normalize(index_embarque, generateur):
    """The filière written in a mention, from its normalised text and cached by its meaningful words,
    is `filieres.normalize`'s."""
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_filieres", BENCH / "filieres.py")
        banc = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(banc)
    finally:
        sys.path.remove(str(BENCH))
    textes = [t for t, _, _ in generateur.jeu(index_embarque.fiches, 1500, 15)]
    textes += [cas[0] for cas in banc.jeu(3000, 15)] + [f.code for f in filieres.all()] + [" BTP ", "Numérique !"]
    for vider in (True, False):
        if vider:
            filieres.vider_cache()
        for t in textes:
            attendu = filieres.normalize(t).filiere
            assert filieres.code_normalise(t, normaliser(t)) == (attendu.code if attendu else None), t
    with pytest.raises(EntreeInvalide):
        filieres.code_normalise("  ", "")


def test_fraicheur_de_l_index(tmp_path):
    """The data version is read at most once per FRAICHEUR while the index is in use: a write of this
    process is seen at once, a commit from another connection (another process) within FRAICHEUR."""
    import sqlite3
    import time

    from cmq import alias
    from cmq.init import initialiser
    from cmq.resolve import FRAICHEUR, index, resolve

    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    initialiser(url)
    premier = index(url)
    assert index(url) is premier
    alias.ajouter("le campus des nuages", "mobicampus", url=url)  # this process: seen at once
    assert resolve("le campus des nuages", url=url).via_alias
    deuxieme = index(url)
    assert deuxieme is not premier
    with sqlite3.connect(tmp_path / "cmq.db") as autre:  # another connection, as another process would
        autre.execute("INSERT INTO alias (texte, campus_id) VALUES ('pluie', 'mobicampus')")
    time.sleep(2 * FRAICHEUR)
    assert index(url) is not deuxieme
    r = resolve("campus pluie", url=url)
    assert (r.campus_id, r.via_alias) == ("mobicampus", True)


# --- /api/resolution: the direct answer of ResolutionRapide is the route's -----------------------------

REQUETES = [
    "nom=Mobicampus",
    "nom=campus%20aeronotique%20ocitanie",
    "nom=CMQ+a%C3%A9ronautique&territoire=Occitanie",
    "nom=CMQ+a%C3%A9ronautique&territoire=84&date=2025-03-01",
    "nom=tourisme&filiere=Tourisme",
    "nom=tourisme&filiere=tourisme-gastronomie&date=",
    "nom=Tourisme%2C+gastronomie",
    "nom=zzz",
    "nom=CMQ",
    "nom=%20%20",  # blank: the route's problem
    "nom=",
    "",
    "nom=a&nom=b",  # repeated
    "nom=tourisme&inconnu=1",  # unknown parameter: ignored by the route
    "nom=tourisme&filiere=zzzz",  # unknown filière: 422
    "nom=tourisme&territoire=Atlantide",  # unknown territory: 422
    "nom=tourisme&date=2025-02-30",
    "nom=tourisme&date=20250301",
    "nom=tourisme&date=2025-03-01T00:00:00",
    "nom=" + "a" * 500,
    "nom=" + "a" * 501,
    "nom=tourisme&territoire=" + "b" * 201,
    "nom=%FF%FE",  # invalid UTF-8 percent-escapes
    "nom=caf%E9",  # latin-1 percent-escape
    "nom=%E2%80%99campus%E2%80%99",
]


def _appeler(app, chaine: str) -> tuple[int, list, bytes]:
    return appeler(app, "/api/resolution", chaine)


def test_reponse_directe_identique_a_la_route(url_embarquee, generateur, index_embarque, monkeypatch):
    from urllib.parse import quote

    from cmq.api import routes_resolution
    from cmq.serveur import creer_app

    app = creer_app(url_embarquee)
    requetes = REQUETES + [f"nom={quote(t)}" for t, _, _ in generateur.jeu(index_embarque.fiches, 150, 16)]
    directes = []
    vraie = routes_resolution.reponse_directe

    def espion(scope):
        corps = vraie(scope)
        directes.append(corps is not None)
        return corps

    monkeypatch.setattr(routes_resolution, "reponse_directe", espion)
    gzip = ((b"accept-encoding", b"gzip, deflate"),)  # answered by the one behind the compression
    rapides = [_appeler(app, q) for q in requetes]
    compresses = [appeler(app, "/api/resolution", q, gzip) for q in requetes]
    assert sum(directes) >= 2 * 150  # the plain ones were answered directly, with or without gzip
    monkeypatch.setattr(routes_resolution, "reponse_directe", lambda scope: None)
    for q, rapide, compresse in zip(requetes, rapides, compresses, strict=True):
        assert rapide == _appeler(app, q), q
        assert compresse == appeler(app, "/api/resolution", q, gzip), q
    assert any((b"content-encoding", b"gzip") in entetes for _, entetes, _ in compresses)  # long answers


def test_reponse_directe_devant_la_garde(url_embarquee):
    """The direct answer is given in front of every middleware, with their headers (security, Vary),
    but not to a request announcing a body: the guard refuses it as for any route."""
    from cmq.api.routes_resolution import ResolutionRapide
    from cmq.reponses.garde import ENTETES_SECURITE
    from cmq.serveur import CORPS_MAX, creer_app

    app = creer_app(url_embarquee)
    assert app.user_middleware[0].cls is ResolutionRapide
    statut, entetes, _ = _appeler(app, "nom=Mobicampus")
    assert statut == 200 and set(ENTETES_SECURITE) | {(b"vary", b"Accept-Encoding")} <= set(entetes)
    trop = ((b"content-length", str(CORPS_MAX + 1).encode()),)
    statut, _, corps = appeler(app, "/api/resolution", "nom=Mobicampus", trop)
    assert statut == 413 and "volumineux" in corps.decode()
