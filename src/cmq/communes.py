"""French communes, offline: INSEE code, name, postcodes, centre point; look-up by code or by name.

Data: `cmq/data/communes.csv.gz` (built by scripts/build_communes.py; sources and licences in
`cmq/data/README.md`): the current communes of the 101 départements, with the names of their
communes déléguées / associées (`noms_anciens`) and, when known, a point of the commune (GeoNames
locality, not the address of a building). Loaded once, on first use.

Names are compared by `cle_nom`: accents, case, hyphens and apostrophes ignored, "St"/"Ste" read as
"Saint"/"Sainte", "lez" as "lès", "CEDEX …" and trailing numbers dropped, "(Les)" moved to the front.
"""

import csv
import gzip
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import NamedTuple

from cmq import codes
from cmq.errors import IntrouvableError
from cmq.texte import ABREGES
from cmq.texte import mots as mots_du_texte

# Spelling variants read as one word: 'St' = 'Saint', 'lez' = 'lès' ('Saint-Christol-lès-Alès').
_ABREGES = ABREGES | {"sts": "saints", "stes": "saintes", "lez": "les"}
_CEDEX = re.compile(r"\bcedex\b.*$", re.IGNORECASE)
_ARTICLE_FINAL = re.compile(r"^(.*?)[\s,]*\((le|la|les|l'|l’)\)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Commune:
    """A current commune; latitude/longitude are None when no point is known."""

    code: str
    nom: str
    departement: str
    codes_postaux: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    noms_anciens: tuple[str, ...] = ()


def cle_nom(nom: str) -> str:
    """Matching key: 'ST ETIENNE CEDEX 2' -> 'saint etienne', 'Sables-d'Olonne (Les)' -> 'les sables d olonne'."""
    texte = _CEDEX.sub("", nom.strip())
    article = _ARTICLE_FINAL.match(texte)
    if article:
        texte = f"{article.group(2)} {article.group(1)}"
    mots = [_ABREGES.get(m, m) for m in mots_du_texte(texte)]
    while len(mots) > 1 and mots[-1].isdigit():  # 'Valence 9', 'Les Mureaux 78132'
        mots.pop()
    return " ".join(mots)


def _flottant(valeur: str) -> float | None:
    return float(valeur) if valeur else None


class _Index(NamedTuple):
    par_code: dict[str, Commune]
    par_nom: dict[str, list[Commune]]
    par_ancien_nom: dict[str, list[Commune]]
    par_code_postal: dict[str, list[Commune]]


@cache
def _index() -> _Index:
    """The communes indexed by code, current-name key, former-name key and postcode; read once."""
    fichier = resources.files("cmq").joinpath("data", "communes.csv.gz")
    index = _Index({}, defaultdict(list), defaultdict(list), defaultdict(list))
    with fichier.open("rb") as brut, gzip.open(brut, "rt", encoding="utf-8", newline="") as flux:
        for ligne in csv.DictReader(flux):
            commune = Commune(
                code=ligne["code_commune"],
                nom=ligne["nom"],
                departement=ligne["departement"],
                codes_postaux=tuple(ligne["codes_postaux"].split()),
                latitude=_flottant(ligne["latitude"]),
                longitude=_flottant(ligne["longitude"]),
                noms_anciens=tuple(n for n in ligne["noms_anciens"].split("|") if n),
            )
            index.par_code[commune.code] = commune
            index.par_nom[cle_nom(commune.nom)].append(commune)
            for ancien in {cle_nom(n) for n in commune.noms_anciens} - {cle_nom(commune.nom)}:
                index.par_ancien_nom[ancien].append(commune)
            for code_postal in commune.codes_postaux:
                index.par_code_postal[code_postal].append(commune)
    return _Index(*(dict(d) for d in index))


def toutes() -> tuple[Commune, ...]:
    """Every current commune, by code."""
    return tuple(sorted(_index().par_code.values(), key=lambda c: c.code))


def commune(code: str) -> Commune:
    """The commune with this INSEE code ('69123', '2A004'); CodeInvalide if malformed, IntrouvableError if unknown."""
    normalise = codes.normaliser_commune(code)
    try:
        return _index().par_code[normalise]
    except KeyError:
        raise IntrouvableError(f"commune « {code} » inconnue : aucune commune actuelle n'a ce code INSEE") from None


def candidats(nom: str, departement: str | None = None) -> list[Commune]:
    """Communes (of the département, when given) bearing this name now; if none, those that
    absorbed a commune of that name (commune déléguée or associée: 'Cherbourg-Octeville')."""
    index, cle = _index(), cle_nom(nom)
    dep = codes.normaliser_departement(departement) if departement else None
    for par_cle in (index.par_nom, index.par_ancien_nom):
        trouves = [c for c in par_cle.get(cle, ()) if dep is None or c.departement == dep]
        if trouves:
            return trouves
    return []


def departements_du_code_postal(code_postal: str) -> set[str]:
    """Départements a postcode may belong to ('69003' -> {'69'}, '20000' -> {'2A', '2B'}, '97400' -> {'974'}).

    978xx codes are CEDEX codes of La Réunion (Saint-Martin, not a département, uses 97150).
    """
    if code_postal.startswith("978"):
        return {"974"}
    if code_postal.startswith("97"):
        return {code_postal[:3]}
    if code_postal.startswith("20"):
        return {"2A", "2B"}
    return {code_postal[:2]}


def correspondances(nom: str, departement: str | None = None, code_postal: str | None = None) -> list[Commune]:
    """Every commune still matching the name once the département and postcode are applied.

    Homonyms are told apart by département, then by postcode (a CEDEX postcode, listed by no
    commune, only narrows to its département). A name unknown under its current or former form
    is also looked up among the communes served by the postcode whose name starts with it
    ('Saint-Ouen' + 93400 -> Saint-Ouen-sur-Seine).
    """
    cle = cle_nom(nom)
    if not cle:
        return []
    dep = codes.normaliser_departement(departement) if departement else None
    cp = (code_postal or "").strip() or None
    trouves = candidats(nom, dep)
    if cp:
        servis = [c for c in trouves if cp in c.codes_postaux]
        trouves = servis or [c for c in trouves if c.departement in departements_du_code_postal(cp)]
    if not trouves and cp:
        trouves = [
            c
            for c in _index().par_code_postal.get(cp, ())
            if (dep is None or c.departement == dep) and cle_nom(c.nom).startswith(cle + " ")
        ]
    return trouves


def chercher(nom: str, departement: str | None = None, code_postal: str | None = None) -> Commune | None:
    """The one commune matching the name (see `correspondances`), or None when none or several do:
    nothing is guessed. 'ST ETIENNE' -> Saint-Étienne; 'Saint-Denis' alone -> None (93 or 974)."""
    trouves = correspondances(nom, departement, code_postal)
    return trouves[0] if len(trouves) == 1 else None
