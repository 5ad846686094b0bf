"""The 12 CMQ filières (source: the CMQ glossary entry, `data/glossaire/cmq.md`) and free-text search.

`search` / `normalize` resolve what users type ("BTP", "aero", "numerqiue", "Campus Tourisme Nice")
to a filière: accent-, case-, punctuation- and word-order-insensitive, with synonyms, prefixes and
typo tolerance (rapidfuzz). Texts are cut into words (stop words and noise such as "campus" or "CMQ"
dropped, plural "s"/"x" removed); each word is matched to the vocabulary exactly, by prefix (4 letters
or more), or within 1 edit per 5 letters (`rapidfuzz.process` with the OSA distance). A filière scores
100 × the similarity of its best fully matched term (label, part of the label, keyword), minus up to
`PENALITE` for the share of the text's words it does not explain; a term only partly matched, or
inside a longer matched term of another filière ("construction" in "construction navale"), scores
40 to 85. The vocabulary is built at import; decisions are cached by raw text and by normalised words
(`vider_cache` empties the caches).
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict
from rapidfuzz import process
from rapidfuzz.distance import OSA

from cmq.errors import EntreeInvalide, FiliereInconnue
from cmq.texte import MOTS_VIDES, normaliser, singulier, slug
from cmq.texte import mots as mots_du_texte

_URL = "https://www.education.gouv.fr/"


class Filiere(BaseModel):
    """One of the 12 filières: stable code, exact label, official page, short label, synonyms."""

    model_config = ConfigDict(frozen=True)

    code: str
    libelle: str
    url: str
    libelle_court: str
    mots_cles: tuple[str, ...] = ()


def _lire() -> tuple[Filiere, ...]:
    """The 12 filières of `data/filieres.json` (order, labels and pages of the glossary entry)."""
    with resources.files("cmq").joinpath("data", "filieres.json").open(encoding="utf-8") as flux:
        lignes = json.load(flux)
    return tuple(
        Filiere(
            code=slug(ligne["libelle"]),
            libelle=ligne["libelle"],
            url=_URL + ligne["page"],
            libelle_court=ligne["libelle_court"],
            mots_cles=tuple(ligne["mots_cles"]),
        )
        for ligne in lignes
    )


# Order and labels exactly as in cmq.md; keywords: usual words of the trade, each in one filière only
# (checked by the tests). Provenance: src/cmq/data/README.md.
FILIERES: tuple[Filiere, ...] = _lire()

_PAR_CODE = {f.code: f for f in FILIERES}


def all() -> tuple[Filiere, ...]:
    """The 12 filières, in the order of the glossary entry."""
    return FILIERES


def codes() -> tuple[str, ...]:
    """The 12 codes, in order."""
    return tuple(f.code for f in FILIERES)


def get(code: str) -> Filiere:
    """The filière with this code; FiliereInconnue (listing the valid codes) otherwise."""
    try:
        return _PAR_CODE[code.strip().lower()]
    except (KeyError, AttributeError):
        raise FiliereInconnue(f"filière inconnue : « {code} ». Codes valides : {', '.join(codes())}") from None


# --- Free-text search -------------------------------------------------------------------------------

Motif = Literal["code", "libellé", "mot-clé"]
Statut = Literal["normalise", "ambigu", "inconnu"]

SEUIL = 65.0  # best score needed to normalise
MARGE = 10.0  # lead needed over the second filière
SEUIL_CANDIDAT = 50.0  # below this best score the text is "inconnu"
PENALITE = 25.0  # deduction × share of the text's words the filière does not explain
_PARTIEL = (40.0, 45.0)  # partly matched term: base + slope × matched share
_PREFIXE = 85.0  # similarity of a prefix match ("aero" -> "aeronautique")
_LONG_PREFIXE, _LONG_FLOU = 4, 4  # shortest word completed by prefix / corrected by fuzzy match
_MOTS_VIDES = MOTS_VIDES | frozenset("ou cmq campu campus filiere metier qualification excellence".split())


class Resultat(BaseModel):
    """One candidate filière for a text: score 0–100 and what matched (motif, terme)."""

    model_config = ConfigDict(frozen=True)

    filiere: Filiere
    score: float
    motif: Motif
    terme: str


class Normalisation(BaseModel):
    """The filière of a text when it is clear (`statut` "normalise"), else None and the candidates."""

    model_config = ConfigDict(frozen=True)

    filiere: Filiere | None
    score: float
    statut: Statut
    candidats: tuple[Resultat, ...]


@dataclass(frozen=True, slots=True)
class _Terme:
    rang: int  # index in FILIERES
    motif: Motif
    texte: str  # as written (label, keyword)
    mots: tuple[str, ...]


def _mot(mot: str) -> str:
    """Root of one normalised word, "" for a stop word ("Aérocampus" -> "aero")."""
    if mot.endswith("campus") and len(mot) > 8:
        mot = mot[:-6]
    racine = singulier(mot)
    return "" if racine in _MOTS_VIDES else racine


_TAILLE_MEMO = 100_000  # entries kept by each memo of this module


def _garder(memo: dict, cle, valeur):
    """`valeur`, kept in `memo` under `cle` while the memo holds fewer than _TAILLE_MEMO entries."""
    if len(memo) < _TAILLE_MEMO:
        memo[cle] = valeur
    return valeur


_RACINES: dict[str, str] = {}  # memo of _mot (bounded)


def _mots(forme: str) -> tuple[str, ...]:
    """Meaningful words of a normalised text: sorted roots, without stop words nor duplicates."""
    racines = set()
    for mot in forme.split():
        racine = _RACINES.get(mot)
        if racine is None:
            racine = _garder(_RACINES, mot, _mot(mot))
        if racine:
            racines.add(racine)
    return tuple(sorted(racines))


def _vocabulaire() -> tuple[list[_Terme], dict[str, list[int]], dict[str, tuple[str, ...]]]:
    """Terms of every filière, the word -> terms index and the prefix -> words table."""
    termes: list[_Terme] = []
    vus: set[tuple[int, tuple[str, ...]]] = set()

    def ajouter(rang: int, motif: Motif, texte: str, mots: tuple[str, ...]) -> None:
        if mots and (rang, mots) not in vus:
            vus.add((rang, mots))
            termes.append(_Terme(rang, motif, texte, mots))

    for rang, f in enumerate(FILIERES):
        entrees = [("libellé", f.libelle), *(("libellé", p) for p in f.libelle.split(","))]
        entrees += [("libellé", f.libelle_court), *(("mot-clé", m) for m in f.mots_cles)]
        for motif, texte in entrees:
            ordre = [r for mot in mots_du_texte(texte) if (r := _mot(mot))]
            ajouter(rang, motif, texte.strip(), tuple(sorted(set(ordre))))
            if len(ordre) == 2:  # glued spelling: "ecoconstruction", "bienetre"
                ajouter(rang, motif, texte.strip(), (singulier("".join(ordre)),))
    index: dict[str, list[int]] = defaultdict(list)
    for i, terme in enumerate(termes):
        for mot in terme.mots:
            index[mot].append(i)
    prefixes: dict[str, set[str]] = defaultdict(set)
    for mot in index:
        for n in range(_LONG_PREFIXE, len(mot)):
            prefixes[mot[:n]].add(mot)
    return termes, dict(index), {p: tuple(sorted(m)) for p, m in prefixes.items()}


_TERMES, _INDEX, _PREFIXES = _vocabulaire()


def _tolerance(n: int) -> int:
    """Typos fixed in a word of n letters: 1 edit (OSA: swap counts as one) up to 9 letters, then 1 per 5."""
    return max(1, n // 5)


def _par_longueur() -> dict[int, tuple[str, ...]]:
    """Vocabulary words whose length is within the tolerance of a word of n letters."""
    longueurs = range(_LONG_FLOU, max(map(len, _INDEX)) + 10)
    return {n: tuple(m for m in sorted(_INDEX) if abs(len(m) - n) <= _tolerance(n)) for n in longueurs}


_PROCHES = _par_longueur()


def _corriger(mot: str) -> tuple[tuple[str, float], ...]:
    """Vocabulary words a text word stands for, with their similarity (100: exact). Memo: `_CORRECTIONS`."""
    if mot in _INDEX:
        return ((mot, 100.0),)
    if len(mot) >= _LONG_PREFIXE and mot in _PREFIXES:
        return tuple((m, _PREFIXE) for m in _PREFIXES[mot])
    if len(mot) >= _LONG_FLOU:
        trouve = process.extractOne(
            mot, _PROCHES.get(len(mot), ()), scorer=OSA.distance, processor=None, score_cutoff=_tolerance(len(mot))
        )
        if trouve is not None:
            vocable, distance, _ = trouve
            return ((vocable, round(100 * (1 - distance / max(len(mot), len(vocable))), 1)),)
    return ()


_RANG = tuple(t.rang for t in _TERMES)
_TAILLE = tuple(len(t.mots) for t in _TERMES)


_Corrections = tuple[tuple[str, float], ...]  # what `_corriger` gives for one word
_CORRECTIONS: dict[str, _Corrections] = {}  # memo of `_corriger` (bounded), filled by `_corrections`


def _evaluer(mots: tuple[str, ...], cle: tuple[tuple[_Corrections, ...], int] | None = None) -> tuple[Resultat, ...]:
    """Every filière matching these sorted words, best first (`cle`: their `_corrections` and
    number, when the caller holds them)."""
    exact = _EXACTS.get(mots)
    if exact is not None:
        return exact
    return _calculer(*cle) if cle is not None else _calculer(_corrections(mots), len(mots))


def _corrections(mots: tuple[str, ...]) -> tuple[_Corrections, ...]:
    """What each word stands for (`_corriger`), in order; the words that match nothing left out."""
    corrections = []
    for mot in mots:
        correction = _CORRECTIONS.get(mot)
        if correction is None:
            correction = _garder(_CORRECTIONS, mot, _corriger(mot))
        if correction:
            corrections.append(correction)
    return tuple(corrections)


def _calculer(corrections: tuple[_Corrections, ...], nombre: int) -> tuple[Resultat, ...]:
    """The uncached match of a text of `nombre` words that stand for `corrections` (`_corrections`):
    text words -> vocabulary words -> terms -> one score per filière. A word that matches nothing
    only counts in `nombre`, the share of the text left unexplained."""
    termes: dict[int, list] = {}  # term -> [similarity sum, words found, bitmask of text positions]
    vus: set[str] = set()
    bit = 1
    for correction in corrections:
        for vocable, sim in correction:
            if vocable not in vus:  # two words of the text may stand for one vocabulary word
                vus.add(vocable)
                for t in _INDEX[vocable]:
                    a = termes.get(t)
                    if a is None:
                        termes[t] = [sim, 1, bit]
                    else:
                        a[0] += sim
                        a[1] += 1
                        a[2] |= bit
        bit <<= 1
    rangs_par_bits: dict[int, set[int]] = {}  # text positions of a full term -> the filières having one there
    for t, a in termes.items():
        if a[1] == _TAILLE[t]:
            rangs_par_bits.setdefault(a[2], set()).add(_RANG[t])
    plusieurs = len(set().union(*rangs_par_bits.values())) > 1  # else no term can be inside another filière's
    dedans: dict[tuple[int, int], bool] = {}  # (filière, positions) -> inside another filière's full term

    def interieur(rang: int, bits: int) -> bool:
        cle = (rang, bits)
        if cle not in dedans:
            dedans[cle] = any(
                b != bits and b & bits == bits and (len(rangs) > 1 or rang not in rangs)
                for b, rangs in rangs_par_bits.items()
            )
        return dedans[cle]

    complets: dict[int, tuple[float, int, int]] = {}  # filière -> (similarity, size, term) of its best term
    explique: dict[int, int] = {}  # filière -> bitmask of the text positions its full terms use
    meilleurs: dict[int, tuple[float, int]] = {}  # filière -> (score, term)
    for t, (somme, trouves, bits) in termes.items():
        rang, taille = _RANG[t], _TAILLE[t]
        part = somme / taille
        if trouves == taille:
            if not (plusieurs and interieur(rang, bits)):
                explique[rang] = explique.get(rang, 0) | bits
                c = complets.get(rang)
                if c is None or (part, taille) > c[:2]:
                    complets[rang] = (part, taille, t)
                continue
            part /= 2  # inside a longer term of another filière ("construction" in "construction navale")
        score = _PARTIEL[0] + _PARTIEL[1] * part / 100
        m = meilleurs.get(rang)
        if m is None or score > m[0]:
            meilleurs[rang] = (score, t)
    for rang, (part, _, t) in complets.items():
        score = part - PENALITE * (nombre - explique[rang].bit_count()) / nombre
        m = meilleurs.get(rang)
        if m is None or score >= m[0]:
            meilleurs[rang] = (score, t)
    classement = sorted((-round(score, 1), rang, t) for rang, (score, t) in meilleurs.items())
    return tuple(_resultat(rang, -score, t) for score, rang, t in classement)


@lru_cache(maxsize=20_000)
def _resultat(rang: int, score: float, t: int) -> Resultat:
    """Shared immutable result (pydantic construction is the costly part of a cold match)."""
    terme = _TERMES[t]
    return Resultat(filiere=FILIERES[rang], score=score, motif=terme.motif, terme=terme.texte)


_EXACTS = {t.mots: _calculer(_corrections(t.mots), len(t.mots)) for t in _TERMES}  # the vocabulary's own terms


def _verifier(texte: object) -> str:
    if not isinstance(texte, str):
        raise EntreeInvalide(f"texte attendu pour une filière, reçu : {type(texte).__name__}")
    if not texte.strip():
        raise EntreeInvalide("texte vide : saisissez un libellé, un code ou un mot-clé de filière")
    return texte


def _classer(texte: str) -> tuple[Resultat, ...]:
    """Candidates of a raw text: an exact code first, then the word-level match."""
    resultats = _evaluer(_mots(normaliser(texte)))
    code = texte.strip().lower()
    if code in _PAR_CODE:
        exact = Resultat(filiere=_PAR_CODE[code], score=100.0, motif="code", terme=code)
        return (exact, *(r for r in resultats if r.filiere.code != code))
    return resultats


def search(texte: str, limit: int = 5) -> list[Resultat]:
    """Filières matching a free text, best first (at most `limit`); [] when nothing matches."""
    if not isinstance(limit, int) or limit < 1:
        raise EntreeInvalide(f"limite invalide : {limit} (entier ≥ 1 attendu)")
    return list(_classer(_verifier(texte))[:limit])


def _choisir(candidats: tuple[Resultat, ...]) -> tuple[Filiere | None, Statut]:
    """ "normalise" when the best candidate is high enough and well ahead of the second."""
    premier = candidats[0] if candidats else None
    second = candidats[1].score if len(candidats) > 1 else 0.0
    if premier is None or premier.score < SEUIL_CANDIDAT:
        return None, "inconnu"
    if premier.score >= SEUIL and premier.score - second >= MARGE:
        return premier.filiere, "normalise"
    return None, "ambigu"


def _decider(candidats: tuple[Resultat, ...]) -> Normalisation:
    candidats = candidats[:5]
    filiere, statut = _choisir(candidats)
    score = candidats[0].score if candidats else 0.0
    return Normalisation(filiere=filiere, score=score, statut=statut, candidats=candidats)


@lru_cache(maxsize=200_000)
def _decision(mots: tuple[str, ...]) -> Normalisation:
    """Decision for a normalised text (its sorted meaningful words): the cache real data hits most."""
    return _decider(_evaluer(mots))


@lru_cache(maxsize=200_000)
def _normaliser(texte: str) -> Normalisation:
    """Decision for a raw text (cached too: it skips the accent stripping)."""
    if texte.strip().lower() in _PAR_CODE:
        return _decider(_classer(texte))
    return _decision(_mots(normaliser(texte)))


def normalize(texte: str) -> Normalisation:
    """The filière of a free text when the best match is clear, else None with the candidates.

    >>> normalize("BTP").filiere.code
    'infrastructures-batiment-eco-construction'
    >>> normalize("services").statut
    'ambigu'
    """
    return _normaliser(_verifier(texte))


_CODES_CHOISIS: dict[tuple[tuple[_Corrections, ...], int], str | None] = {}  # memo of `code_normalise` (bounded)


def code_normalise(texte: str, forme: str) -> str | None:
    """The code of `normalize(texte).filiere` (None when it is None), for a caller that already holds
    `forme`, the text normalised by `cmq.texte.normaliser` (the campus resolver does): no accent
    stripping again, no decision object built.

    Cached by what `_calculer` reads: what the words stand for (`_corrections`) and their number.
    So texts that differ by words that match nothing (places, names, typos beyond repair) or by
    typos corrected to the same vocabulary word share one result.
    """
    if _verifier(texte).strip().lower() in _PAR_CODE:
        filiere = normalize(texte).filiere
        return filiere.code if filiere is not None else None
    mots = _mots(forme)
    cle = (_corrections(mots), len(mots))
    code = _CODES_CHOISIS.get(cle, False)
    if code is not False:
        return code
    filiere, _ = _choisir(_evaluer(mots, cle)[:5])
    code = filiere.code if filiere is not None else None
    if len(_CODES_CHOISIS) >= _TAILLE_MEMO:
        _CODES_CHOISIS.clear()
    _CODES_CHOISIS[cle] = code
    return code


def code_de(texte: str) -> str:
    """The code of the filière a code, label or free text designates; FiliereInconnue naming the
    candidates when the text is ambiguous, the close codes (or the valid ones) when unknown."""
    resultat = normalize(texte)
    if resultat.filiere is not None:
        return resultat.filiere.code
    texte = texte.strip()
    candidats = ", ".join(dict.fromkeys(c.filiere.code for c in resultat.candidats[:3]))
    if resultat.statut == "ambigu":
        raise FiliereInconnue(f"filière ambiguë « {texte} » : candidates {candidats}")
    suite = f" : proches {candidats}" if candidats else f". Codes valides : {', '.join(codes())}"
    raise FiliereInconnue(f"filière inconnue « {texte} »{suite}")


def vider_cache() -> None:
    """Forget every cached result (benchmarks measure the cold path this way)."""
    for cache in (_normaliser, _decision, _resultat, _suggestions):
        cache.cache_clear()
    _RACINES.clear()
    _CODES_CHOISIS.clear()
    _CORRECTIONS.clear()


# --- Type-ahead -------------------------------------------------------------------------------------

_PREFIXE_BASE, _PREFIXE_PENTE = 40.0, 45.0  # label word completed from a prefix: base + slope × typed share


def _mots_libelles() -> tuple[tuple[str, ...], ...]:
    """Normalised words of each filière's label and short label (stop words dropped), in order."""
    return tuple(
        tuple(dict.fromkeys(m for m in normaliser(f"{f.libelle} {f.libelle_court}").split() if m not in _MOTS_VIDES))
        for f in FILIERES
    )


_MOTS_LIBELLES = _mots_libelles()


def _par_prefixe(mots: list[str]) -> dict[int, float]:
    """Filière rank -> score when every typed word starts a word of its label ("mob", "a", "transition e")."""
    scores: dict[int, float] = {}
    for rang, libelle in enumerate(_MOTS_LIBELLES):
        parts = [max((len(m) / len(w) for w in libelle if w.startswith(m)), default=0.0) for m in mots]
        if min(parts) > 0:
            scores[rang] = round(_PREFIXE_BASE + _PREFIXE_PENTE * sum(parts) / len(parts), 1)
    return scores


@lru_cache(maxsize=20_000)
def _suggestions(texte: str) -> tuple[Resultat, ...]:
    forme = normaliser(texte)
    if not forme:
        return tuple(Resultat(filiere=f, score=100.0, motif="libellé", terme=f.libelle) for f in FILIERES)
    mots = forme.split()
    mots = [m for m in mots[:-1] if m not in _MOTS_VIDES] + mots[-1:]  # the last word is being typed
    meilleurs = {r.filiere.code: r for r in _classer(texte)}
    for rang, score in _par_prefixe(mots).items():
        f = FILIERES[rang]
        if f.code not in meilleurs or meilleurs[f.code].score < score:
            meilleurs[f.code] = Resultat(filiere=f, score=score, motif="libellé", terme=f.libelle)
    ordre = {f.code: i for i, f in enumerate(FILIERES)}
    return tuple(sorted(meilleurs.values(), key=lambda r: (-r.score, ordre[r.filiere.code])))


def suggerer(texte: str = "", limit: int = 12) -> list[Resultat]:
    """Type-ahead over the 12 filières, best first: all 12 in glossary order for an empty text; every
    filière with a label word starting with each typed word (from one letter, accent- and
    case-insensitive); plus what `search` finds (synonyms, acronyms, typos)."""
    if not isinstance(texte, str):
        raise EntreeInvalide(f"texte attendu pour une filière, reçu : {type(texte).__name__}")
    if not isinstance(limit, int) or limit < 1:
        raise EntreeInvalide(f"limite invalide : {limit} (entier ≥ 1 attendu)")
    return list(_suggestions(texte)[:limit])
