"""The databases a bench runs on (`--bases sqlite,postgresql`) and the side-by-side printing.

PostgreSQL is a throwaway server started once for the whole run, the same way as the tests'
(`scripts/pg_temporaire.py`: temporary folder, 127.0.0.1, fsync off — so the figures show the
engine and the driver, not the disk).
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Self

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `scripts` is importable from the repository root

from scripts.pg_temporaire import ServeurPostgres, serveur_temporaire

GENRES = ("sqlite", "postgresql")
AIDE = "bases à mesurer côte à côte, séparées par des virgules, parmi : sqlite, postgresql (serveur temporaire)"


def analyser(texte: str) -> list[str]:
    """`"sqlite,postgresql"` -> ["sqlite", "postgresql"]; ValueError naming an unknown base."""
    genres = [g.strip().lower() for g in texte.split(",") if g.strip()]
    if inconnus := [g for g in genres if g not in GENRES]:
        raise ValueError(f"base(s) inconnue(s) : {', '.join(inconnus)} (sqlite ou postgresql attendu)")
    if not genres:
        raise ValueError("aucune base donnée (sqlite, postgresql)")
    return list(dict.fromkeys(genres))


class Bases:
    """Context manager handing out new empty databases of each kind (`nouvelle(genre)` -> URL)."""

    def __init__(self, genres: list[str], dossier: Path):
        self.genres = genres
        self.dossier = dossier
        self._pile = ExitStack()
        self._serveur: ServeurPostgres | None = None
        self._n = 0

    def __enter__(self) -> Self:
        if "postgresql" in self.genres:
            self._serveur = self._pile.enter_context(serveur_temporaire())
        return self

    def __exit__(self, *exc: object) -> None:
        from cmq.store import db

        db.fermer_tout()
        self._pile.close()

    def nouvelle(self, genre: str) -> str:
        """URL of a new empty (not migrated) database."""
        self._n += 1
        if genre == "postgresql":
            return self._serveur.nouvelle_base("cmq_bench")
        return f"sqlite:///{self.dossier / f'bench-{self._n}.db'}"


def cote_a_cote(colonnes: list[str], lignes: list[tuple[str, dict[str, list[str]]]], genres: list[str]) -> None:
    """Print one row per measure and, for each base, the columns `colonnes` (values already formatted)."""
    largeur = max(len(libelle) for libelle, _ in lignes) + 2
    cellule = max(len(c) for c in colonnes) + 2
    bloc = cellule * len(colonnes)
    print(" " * largeur + "".join(f"{g:^{bloc}}" for g in genres))
    print(f"{'mesure':<{largeur}}" + "".join(f"{c:>{cellule}}" for _ in genres for c in colonnes))
    for libelle, valeurs in lignes:
        print(f"{libelle:<{largeur}}" + "".join(f"{v:>{cellule}}" for g in genres for v in valeurs[g]))
