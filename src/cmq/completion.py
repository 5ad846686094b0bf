"""Campus type-ahead for Orion's "Nom CMQ" field: campuses ranked by the typed text, by the
establishment's territory (from its UAI) and by the chosen filière, from the first letter typed.

Text: every typed word must start a word of the campus (name without boilerplate, sigle, seat town,
id; accent- and case-insensitive; the last word is the one being typed); the text score is the
typed share of the words it starts (1 for whole words; more on the campus's first distinctive
word). From `LONG_FLOU` letters the resolver's score (`cmq.resolve`: typos, acronyms, places)
counts too, so "plasti campus oyonax" still finds Plasticampus. Context: `BONUS_TERRITOIRE` for a
campus of the establishment's région académique, `BONUS_FILIERE` for a campus of the chosen
filière. An empty text lists the campuses by context.

Called on every keystroke: the ranking is cached per index (`resolve.index`, rebuilt when the data
version changes), so an answer costs a look-up once the prefix has been typed before.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from cmq import codes, filieres, resolve, territoires
from cmq.mentions import BRUIT, MOTS_VIDES
from cmq.store import db
from cmq.store.tables import EtablissementTable
from cmq.texte import normaliser

POIDS_TEXTE = 60.0
BONUS_TERRITOIRE = 25.0
BONUS_FILIERE = 15.0
LONG_FLOU = 4  # letters typed from which the resolver's fuzzy score counts
LIMITE = 10
BONUS_DEBUT = 0.25  # typed share added when the word typed starts the campus's first distinctive word
_FORMULE = frozenset({"metiers", "metier", "qualifications", "qualification"}) | BRUIT | MOTS_VIDES


class Suggestion(BaseModel):
    """A campus proposed for the typed text, with its score and why it ranks there."""

    model_config = ConfigDict(frozen=True)

    campus_id: str
    nom: str
    sigle: str | None = None
    filiere: str
    region_academique: str | None = None
    score: float
    meme_territoire: bool = False
    meme_filiere: bool = False


class Suggestions(BaseModel):
    """The answer of the type-ahead: what was understood of the context, and the ranked campuses."""

    q: str
    uai: str | None = None
    region_academique: str | None = None  # of the establishment, None when its UAI is not in the directory
    filiere: str | None = None
    suggestions: list[Suggestion]


_mots: dict[int, tuple[resolve.Index, list[tuple[str, ...]]]] = {}
_verrou = threading.Lock()


def _index(url: str | None) -> resolve.Index:
    """The resolution index of the database (follows the data version: an import is seen at once)."""
    return resolve.index(url)


def _mots_des_campus(index: resolve.Index) -> list[tuple[str, ...]]:
    """Searchable words of every campus of the index (computed once per index)."""
    with _verrou:
        deja = _mots.get(id(index))
        if deja is not None and deja[0] is index:
            return deja[1]
    mots = []
    for f in index.fiches:
        texte = " ".join(filter(None, (f.nom, f.sigle, f.ville, f.id.replace("-", " "))))
        mots.append(tuple(dict.fromkeys(m for m in normaliser(texte).split() if m not in _FORMULE)))
    with _verrou:
        if len(_mots) >= 8:
            _mots.clear()
        _mots[id(index)] = (index, mots)
    return mots


@lru_cache(maxsize=64)
def _dans_region(index: resolve.Index, region: str) -> tuple[bool, ...]:
    """Whether each campus of the index lies in the région académique `region`."""
    t = territoires.resoudre(region, "region_academique")
    return tuple(f.lieux.contient(t) for f in index.fiches)


def _region_de(index: resolve.Index, uai: str | None, url: str | None) -> tuple[str | None, str | None]:
    """(normalised UAI, its région académique in the directory or None); CodeInvalide for a bad UAI.

    Remembered with the index, which is rebuilt whenever an import changes the directory."""
    if uai is None or not uai.strip():
        return None, None
    code = codes.normaliser_uai(uai)
    regions = _regions_connues(index)
    if code not in regions:
        with db.session(url) as s:
            region = s.scalar(select(EtablissementTable.region_academique).where(EtablissementTable.uai == code))
        with _verrou:
            if len(regions) >= 100_000:
                regions.clear()
            regions[code] = region
    return code, regions[code]


@lru_cache(maxsize=8)
def _regions_connues(index: resolve.Index) -> dict[str, str | None]:
    """UAI -> région académique already read, for one index."""
    return {}


def _part_tapee(mots: list[str], campus: tuple[str, ...]) -> float:
    """Mean typed share of the campus words the typed words start (+`BONUS_DEBUT` on the campus's first
    word: "plasti" → Plasticampus before "… de la plasturgie"); 0 when one typed word starts none."""
    parts = [
        max((len(m) / len(w) + BONUS_DEBUT * (j == 0) for j, w in enumerate(campus) if w.startswith(m)), default=0.0)
        for m in mots
    ]
    return min(1.0, sum(parts) / len(parts)) if parts and min(parts) > 0 else 0.0


def suggerer(
    q: str = "",
    uai: str | None = None,
    filiere: str | None = None,
    limite: int = LIMITE,
    url: str | None = None,
) -> Suggestions:
    """Campuses for the typed text `q`, best first (see the module docstring)."""
    index = _index(url)
    code_uai, region = _region_de(index, uai, url)
    code_filiere = filieres.code_de(filiere) if filiere and filiere.strip() else None
    resultats = _classer(index, q, region, code_filiere)
    return Suggestions(
        q=q, uai=code_uai, region_academique=region, filiere=code_filiere, suggestions=list(resultats[:limite])
    )


@lru_cache(maxsize=20_000)
def _classer(index: resolve.Index, q: str, region: str | None, code_filiere: str | None) -> tuple[Suggestion, ...]:
    """Every matching campus, ranked (cached: a type-ahead asks the same prefixes again and again)."""
    forme = normaliser(q)
    tapes = forme.split()
    tapes = [m for m in tapes[:-1] if m not in _FORMULE] + [m for m in tapes[-1:] if m not in BRUIT]
    flou = index.scores_texte([q])[0] / 100 if len(forme.replace(" ", "")) >= LONG_FLOU else None
    dans = _dans_region(index, region) if region is not None else None
    resultats = []
    for i, (f, mots) in enumerate(zip(index.fiches, _mots_des_campus(index), strict=True)):
        texte = _part_tapee(tapes, mots) if tapes else 0.0
        if flou is not None:
            texte = max(texte, float(flou[i]) if flou[i] >= resolve.SEUIL_CANDIDAT / 100 else 0.0)
        if tapes and texte == 0:
            continue
        local = bool(dans and dans[i])
        meme = code_filiere is not None and f.filiere == code_filiere
        score = POIDS_TEXTE * min(texte, 1.0) + BONUS_TERRITOIRE * local + BONUS_FILIERE * meme
        resultats.append(
            Suggestion(
                campus_id=f.id,
                nom=f.nom,
                sigle=f.sigle,
                filiere=f.filiere,
                region_academique=f.region_academique,
                score=round(score, 1),
                meme_territoire=local,
                meme_filiere=meme,
            )
        )
    resultats.sort(key=lambda s: (-s.score, s.nom))
    return tuple(resultats)
