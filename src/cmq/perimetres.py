"""Scopes of the people who curate the directory, and the one rule deciding what a scope covers.

A scope is written `france`, `region_academique:CODE`, `academie:CODE` or `campus:ID`, with
exact territory codes (`territoires.verifier_code`) and a campus identifier's shape. A campus is
covered by `france`, by its région académique, by any académie it lies in, or by its own id.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cmq.errors import EntreeInvalide

FRANCE = "france"
ECHELLES = ("region_academique", "academie", "campus")
_ID_CAMPUS = re.compile(r"[a-z0-9][a-z0-9-]{0,119}")
FORMES = "france, region_academique:CODE, academie:CODE ou campus:ID"


@dataclass(frozen=True, slots=True)
class Perimetre:
    """A parsed scope: `echelle` is "france" (code None), "region_academique", "academie" or "campus"."""

    echelle: str
    code: str | None = None

    def __str__(self) -> str:
        return FRANCE if self.code is None else f"{self.echelle}:{self.code}"


def lire(texte: str) -> Perimetre:
    """The scope written `texte`, else EntreeInvalide naming the accepted forms (no guessing)."""
    brut = texte.strip()
    if brut.lower() == FRANCE:
        return Perimetre(FRANCE)
    echelle, deux_points, code = brut.partition(":")
    echelle, code = echelle.strip().lower(), code.strip()
    if not deux_points or echelle not in ECHELLES or not code:
        raise EntreeInvalide(f"périmètre « {brut[:160]} » illisible : formes acceptées {FORMES}")
    if echelle == "campus":
        if not _ID_CAMPUS.fullmatch(code):
            raise EntreeInvalide(
                f"périmètre « {brut[:160]} » : identifiant de campus invalide (minuscules, chiffres et tirets)"
            )
        return Perimetre("campus", code)
    from cmq import territoires  # on first use: "france" (every local command) needs no territory table

    try:
        territoires.verifier_code(echelle, code)
    except EntreeInvalide as erreur:
        raise EntreeInvalide(f"périmètre « {brut[:160]} » : {erreur}") from None
    return Perimetre(echelle, code)


def couvre(
    perimetres: Iterable[Perimetre], campus_id: str, region_academique: str | None, academies: Iterable[str]
) -> bool:
    """True if one of `perimetres` covers the campus `campus_id` (its région académique and académies)."""
    academies = set(academies)
    for p in perimetres:
        if (
            p.echelle == FRANCE
            or (p.echelle == "campus" and p.code == campus_id)
            or (p.echelle == "region_academique" and p.code == region_academique)
            or (p.echelle == "academie" and p.code in academies)
        ):
            return True
    return False
