"""Normalisation of campus names and free-text mentions, and typo-tolerant word look-up.

A text is cut into units: a place ("Occitanie", "HDF", "Pays de la Loire", "Toulouse": a
`cmq.territoires` territory) or a word, stemmed (plural, "-ique"/"-isme"/"-iste" so that
"touristique" and "tourisme" meet) and expanded when it is a trade acronym ("BTP"). Boilerplate
("CMQ", "CMQE", "Campus des métiers et des qualifications", "d'excellence", "campus", "label")
and stop words are dropped; glued names stay whole ("Aérocampus", found from "aéro campus" by prefix).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process

from cmq import territoires
from cmq.errors import EntreeInvalide, TerritoireInconnu
from cmq.texte import ABREGES, singulier
from cmq.texte import MOTS_VIDES as MOTS_VIDES_FRANCAIS
from cmq.texte import mots as mots_du_texte

MOTS_VIDES = MOTS_VIDES_FRANCAIS | {"region", "academie", "academique", "departement"}
BRUIT = frozenset({"cmq", "cmqe", "campus", "excellence", "label", "labellise", "labelise"})
# Given names: lycées are named after people ("lycée Jean Moulin"), so a given name tells no campus
# apart ("Campus Jean-Louis Martres" is found by "Martres"); they are dropped from mentions and names.
PRENOMS = frozenset(
    "jean louis marie pierre paul jacques charles victor jules henri rene andre francois joseph georges"
    " emile marcel michel antoine anne claude gustave albert robert edouard leon jeanne simone marguerite"
    " camille jacqueline germaine lucie auguste".split()
)
# Words that only count for the campuses whose name has them ("Campus des métiers de l'aéronautique").
MOTS_FAIBLES = frozenset({"metier", "qualification"})
# Boilerplate phrases, compared once stop words are gone ("campus des métiers et des qualifications").
FORMULES = (
    ("campus", "metiers", "qualifications"),
    ("c", "m", "q", "e"),
    ("c", "m", "q"),
    ("metiers", "qualifications"),
)
ABREVIATIONS = {
    "btp": ("batiment", "travaux", "publics"),
    "tp": ("travaux", "publics"),
    "aero": ("aeronautique",),
    "hcr": ("hotellerie", "cafe", "restauration"),
    **{abrege: (mot,) for abrege, mot in ABREGES.items()},
}
_SUFFIXES = (("istique", "is"), ("isme", "is"), ("iste", "is"), ("ique", ""))
_MAX_NGRAMME = 6  # "provence alpes cote d azur" has 6 tokens
SIM_PREFIXE = 0.85
SEUIL_FLOU = 80  # rapidfuzz ratio of a typo ("aeronotique")
LONG_PREFIXE, LONG_FLOU = 4, 5  # shortest word completed by prefix / corrected by fuzzy match
ROLE_LIEU = 0.3  # weight factor, in name forms, of place and town words (optional in a mention)
_PARENTHESES = re.compile(r"\(([^)]*)\)")


_RACINES: dict[str, str] = {}  # memo of `racine` (bounded): the words of mentions repeat


def racine(mot: str) -> str:
    """Stem of a normalised word: "industries" -> "industrie", "touristique" -> "touris"."""
    trouvee = _RACINES.get(mot)
    if trouvee is None:
        trouvee = _racine(mot)
        if len(_RACINES) < 100_000:
            _RACINES[mot] = trouvee
    return trouvee


def _racine(mot: str) -> str:
    mot = singulier(mot)
    for suffixe, remplacement in _SUFFIXES:
        if mot.endswith(suffixe) and len(mot) - len(suffixe) >= 4:
            return mot[: -len(suffixe)] + remplacement
    return mot


_DEBUTS_FORMULES = frozenset(formule[0] for formule in FORMULES)
_MOTS_FORMULES = tuple(frozenset(formule) for formule in FORMULES)


def _formule_possible(jetons: list[str]) -> bool:
    """Whether every word of some boilerplate phrase is among the tokens (else none can be found)."""
    if _DEBUTS_FORMULES.isdisjoint(jetons):  # no phrase can start: most mentions
        return False
    presents = set(jetons)
    return any(mots <= presents for mots in _MOTS_FORMULES)  # not "campus" alone


def _sans_formules(jetons: list[str]) -> list[str]:
    """Tokens without boilerplate phrases and noise words (stop words kept for place names)."""
    if not _formule_possible(jetons):
        return [j for j in jetons if j not in BRUIT]
    utiles = [i for i, j in enumerate(jetons) if j not in MOTS_VIDES]
    mots = [jetons[i] for i in utiles]
    retires: set[int] = set()
    k = 0
    while k < len(utiles):
        if mots[k] in _DEBUTS_FORMULES:
            for formule in FORMULES:
                n = len(formule)
                if tuple(mots[k : k + n]) == formule:
                    retires.update(utiles[k : k + n])
                    k += n
                    break
            else:
                k += 1
        else:
            k += 1
    # glued names stay whole: "aerocampus" is not "aero" (aéronautique)
    return [j for i, j in enumerate(jetons) if i not in retires and j not in BRUIT]


def mots_utiles(texte: str) -> list[str]:
    """Meaningful words, in order, unstemmed: "CMQ d'Excellence Aéro" -> ['aero']."""
    return [j for j in _sans_formules(mots_du_texte(texte)) if j not in MOTS_VIDES]


@lru_cache(maxsize=50_000)
def cle_alias(texte: str) -> str:
    """Key under which a mention is stored as an alias ("Campus BTP HDF" and "CMQ btp-hdf" -> "btp hdf")."""
    return " ".join(mots_utiles(texte))


def mots_du_nom(texte: str) -> list[str]:
    """Stems of the meaningful words of a text, acronyms expanded."""
    return [racine(m) for j in mots_utiles(texte) for m in ABREVIATIONS.get(j, (j,))]


class Unite(NamedTuple):
    """One unit of a mention: a place (`territoire`) or a word (stems: several for an acronym).

    A named tuple: the resolver keys its caches by unit, and a tuple is hashed and compared in C.
    """

    mots: tuple[str, ...]
    territoire: territoires.Territoire | None = None


class Mention(NamedTuple):
    """An analysed text: its units, a canonical form (cache key), its alias key (`cle_alias`) and the
    normalised text (`cmq.texte.normaliser`)."""

    forme: str
    unites: tuple[Unite, ...]
    cle: str = ""
    normalise: str = ""


@lru_cache(maxsize=1)
def _noms_de_lieux() -> frozenset[str]:
    """Every normalised name, alias and code `territoires.resoudre` knows (cheap pre-filter)."""
    return territoires.cles_connues()


_ABREGES_LIEUX = {m: ABREVIATIONS[m][0] for m in ("st", "ste")}


@lru_cache(maxsize=1)
def _debuts_de_lieux() -> dict[str, int]:
    """First word of every place name `_noms_de_lieux` holds -> the most words of such a name."""
    debuts: dict[str, int] = {}
    for cle in _noms_de_lieux():
        mots = cle.split()
        if mots:
            debuts[mots[0]] = max(debuts.get(mots[0], 0), len(mots))
    return debuts


@lru_cache(maxsize=50_000)
def _territoire(texte: str) -> territoires.Territoire | None:
    texte = " ".join(_ABREGES_LIEUX.get(m, m) for m in texte.split())
    if texte not in _noms_de_lieux():
        return None
    try:
        t = territoires.resoudre(texte)
    except (TerritoireInconnu, EntreeInvalide):
        return None
    return None if t.echelle == "france" else t


def _lieu(jetons: list[str], i: int, longueur: int) -> tuple[int, territoires.Territoire | None, str]:
    """Longest place name starting at token i, of `longueur` tokens at most: (number of tokens,
    territory, its tokens joined)."""
    for n in range(min(_MAX_NGRAMME, len(jetons) - i, longueur), 0, -1):
        fin = jetons[i + n - 1]
        if fin in MOTS_VIDES or (n == 1 and (len(fin) < 2 or fin.isdigit())):
            continue  # lone digits are ambiguous (région 84 / Vaucluse)
        texte = " ".join(jetons[i : i + n])
        t = _territoire(texte)
        if t is not None:
            return n, t, texte
    return 0, None, ""


# Memos of `analyser` (bounded): token -> its unit and form, None when the token is dropped; place
# name -> its unit and form. Words and places repeat across distinct mentions.
_UNITES_MOTS: dict[str, tuple[Unite, str] | None] = {}
_UNITES_LIEUX: dict[str, tuple[Unite, str]] = {}
_TAILLE_MEMO = 100_000


def _unite_mot(jeton: str) -> tuple[Unite, str] | None:
    """The unit of a word token and its form, None when it is dropped (memo `_UNITES_MOTS`)."""
    trouvee = None
    if jeton not in MOTS_VIDES and jeton not in PRENOMS:
        mots = tuple(racine(m) for m in ABREVIATIONS.get(jeton, (jeton,)))
        trouvee = Unite(mots), "+".join(mots)
    if len(_UNITES_MOTS) < _TAILLE_MEMO:
        _UNITES_MOTS[jeton] = trouvee
    return trouvee


def _unite_lieu(texte: str, t: territoires.Territoire) -> tuple[Unite, str]:
    trouvee = _UNITES_LIEUX.get(texte)
    if trouvee is None:
        mots = tuple(racine(j) for j in texte.split() if j not in MOTS_VIDES)
        trouvee = Unite(mots, t), f"@{t.echelle}:{t.code}:" + "+".join(mots)
        if len(_UNITES_LIEUX) < _TAILLE_MEMO:
            _UNITES_LIEUX[texte] = trouvee
    return trouvee


def analyser(texte: str) -> Mention:
    """Units of a text: "CMQ BTP Hauts-de-France" -> [word (batiment, travau, public), place région 32].

    Not cached by text (its words and places are, and the resolver caches scores by canonical
    form): a cache of distinct texts would only keep objects alive for the garbage collector to scan.
    """
    bruts = mots_du_texte(texte)
    colles = (  # "mobi campus"
        {a for a, b in itertools.pairwise(bruts) if b == "campus" and a not in MOTS_VIDES} if "campus" in bruts else ()
    )
    jetons = _sans_formules(bruts)
    unites: list[Unite] = []
    formes: list[str] = []
    debuts = _debuts_de_lieux()
    i = 0
    while i < len(jetons):
        jeton = jetons[i]
        # the longest place name starting with this token (0: none, the usual case)
        longueur = 0 if jeton in MOTS_VIDES else debuts.get(_ABREGES_LIEUX.get(jeton, jeton), 0)
        if longueur:
            n, t, lieu = _lieu(jetons, i, longueur)
            if t is not None:
                unite, forme = _unite_lieu(lieu, t)
                unites.append(unite)
                formes.append(forme)
                i += n
                continue
        trouvee = _UNITES_MOTS.get(jeton, False)
        if trouvee is False:
            trouvee = _unite_mot(jeton)
        if trouvee is not None:
            unite, forme = trouvee
            if jeton in colles:
                unite = Unite((jeton + "campus", *unite.mots))
                forme = "+".join(unite.mots)
            unites.append(unite)
            formes.append(forme)
        i += 1
    cle = " ".join([j for j in jetons if j not in MOTS_VIDES])  # = cle_alias(texte), from the same tokens
    return Mention(" ".join(formes), tuple(unites), cle, " ".join(bruts))


@dataclass(frozen=True, slots=True)
class Forme:
    """One way of naming a campus: (stem, role) pairs; role 1, or ROLE_LIEU for place and town words.

    `principale`: the name itself, an alternative name after " / ", or the sigle — not a
    parenthesised description nor computed initials.
    """

    mots: tuple[tuple[str, float], ...]
    principale: bool


def formes_du_nom(nom: str, sigle: str | None = None, ville: str | None = None) -> list[Forme]:
    """Name forms of a campus, distinct, the name outside parentheses first.

    A parenthesised place or town stays in the name, as a place ("Bois (Épinal)"); other
    parenthesised parts are separate forms ("Mobicampus (CMQ automobile et mobilités du futur)").
    """
    ville_mots = set(mots_du_nom(ville or ""))
    sigle_mots = tuple(mots_du_nom(sigle or ""))

    def paires(texte: str) -> list[tuple[str, float]]:
        return [
            (mot, ROLE_LIEU if u.territoire or mot in ville_mots else 1.0)
            for u in analyser(texte).unites
            for mot in u.mots
        ]

    morceaux = nom.split(" / ")
    coeur = paires(_PARENTHESES.sub(" ", morceaux[0]))
    formes: list[Forme] = []
    for partie in _PARENTHESES.findall(nom):
        p = paires(partie)
        if p and all(role < 1 for _, role in p):
            coeur += p
        elif p:
            formes.append(Forme(tuple(p), tuple(m for m, _ in p) == sigle_mots))
    formes.insert(0, Forme(tuple(coeur), True))
    formes += [Forme(tuple(paires(_PARENTHESES.sub(" ", m))), True) for m in morceaux[1:]]
    if sigle_mots:
        formes.append(Forme(tuple((m, 1.0) for m in sigle_mots), True))
    initiales = [m for m, role in coeur if role == 1.0]
    if len(initiales) >= 3:
        formes.append(Forme((("".join(m[0] for m in initiales), 1.0),), False))
    uniques: dict[tuple, Forme] = {}
    for f in formes:
        if f.mots and (f.mots not in uniques or f.principale):
            uniques[f.mots] = f
    return list(uniques.values())


class Lexique:
    """Typo-tolerant look-up of a word in a fixed vocabulary: [(rank, similarity 0–1)], cached."""

    def __init__(self, vocabulaire: tuple[str, ...]):
        self.vocabulaire = vocabulaire
        self._rang = {m: i for i, m in enumerate(vocabulaire)}
        self._prefixes: dict[str, list[int]] = {}
        for i, mot in enumerate(vocabulaire):
            for n in range(LONG_PREFIXE, len(mot)):
                self._prefixes.setdefault(mot[:n], []).append(i)
        self._cache: dict[str, tuple[tuple[int, float], ...]] = {}
        self._proches: dict[int, tuple[list[str], list[int]]] = {}

    def _de_longueur(self, n: int) -> tuple[list[str], list[int]]:
        """The vocabulary words a word of n letters may reach SEUIL_FLOU with, in vocabulary order, and
        their ranks: `fuzz.ratio` is at most 200 × min(n, m) / (n + m) for a word of m letters, so
        the others are below the cutoff and out of `extract`'s answer anyway (the order keeps its ties)."""
        proches = self._proches.get(n)
        if proches is None:
            rangs = [
                i for i, m in enumerate(self.vocabulaire) if 200 * min(n, len(m)) >= (SEUIL_FLOU - 0.5) * (n + len(m))
            ]
            proches = self._proches[n] = ([self.vocabulaire[i] for i in rangs], rangs)
        return proches

    def rang(self, mot: str) -> int | None:
        """Rank of an exact vocabulary word, None if absent."""
        return self._rang.get(mot)

    def __call__(self, mot: str) -> tuple[tuple[int, float], ...]:
        trouve = self._cache.get(mot)
        if trouve is None:
            trouve = self._chercher(mot)
            if len(self._cache) < 200_000:
                self._cache[mot] = trouve
        return trouve

    def _chercher(self, mot: str) -> tuple[tuple[int, float], ...]:
        if mot in self._rang:
            return ((self._rang[mot], 1.0),)
        sims: dict[int, float] = {}
        if len(mot) >= LONG_PREFIXE:
            for rang in self._prefixes.get(mot, ()):  # "cosmeto" -> "cosmetopharma"
                sims[rang] = SIM_PREFIXE
            for n in range(LONG_PREFIXE, len(mot)):  # "nautis" -> "nauti"
                if (rang := self._rang.get(mot[:n])) is not None:
                    sims[rang] = max(sims.get(rang, 0.0), SIM_PREFIXE)
        if len(mot) >= LONG_FLOU:
            mots, rangs = self._de_longueur(len(mot))
            for _, score, i in process.extract(mot, mots, scorer=fuzz.ratio, score_cutoff=SEUIL_FLOU, limit=3):
                rang = rangs[i]
                if len(self.vocabulaire[rang]) >= LONG_FLOU:
                    sims[rang] = max(sims.get(rang, 0.0), min(score, 95.0) / 100)
        return tuple(sorted(sims.items()))


def vider_cache() -> None:
    """Forget every cached analysis (benchmarks measure the cold path this way)."""
    for cache in (cle_alias, _territoire, _noms_de_lieux, _debuts_de_lieux):
        cache.cache_clear()
    for memo in (_RACINES, _UNITES_MOTS, _UNITES_LIEUX):
        memo.clear()


def lexique(vocabulaire: tuple[str, ...]) -> Lexique:
    """A look-up table over `vocabulaire` (sorted distinct stems)."""
    return Lexique(vocabulaire)
