"""`Lot`: the raw rows fetched from a portal, with their provenance and checksum."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cmq.errors import ErreurReseau

Progression = Callable[[int, int | None], None]


@dataclass
class Lot:
    """What a fetch returns: flat records in portal order, announced total, provenance."""

    lignes: list[dict[str, Any]]
    total: int | None
    url: str
    somme_controle: str


class Collecte:
    """Accumulates pages into a `Lot`: rows, first URL, sha256 of every raw body, progress."""

    def __init__(self, progression: Progression | None = None):
        self.lignes: list[dict[str, Any]] = []
        self.total: int | None = None
        self.url: str | None = None
        self._empreinte = hashlib.sha256()
        self._progression = progression

    def corps(self, url: str, corps: bytes) -> None:
        """Record one raw body received from `url` (the first URL is kept as provenance)."""
        if self.url is None:
            self.url = url
        self._empreinte.update(corps)

    def ajouter(self, lignes: list[dict[str, Any]]) -> None:
        """Append one page of rows and report progress."""
        self.lignes.extend(lignes)
        if self._progression is not None:
            self._progression(len(self.lignes), self.total)

    def lot(self) -> Lot:
        """The finished `Lot`; ErreurReseau if fewer (or more) rows than announced were read."""
        if self.total is not None and len(self.lignes) != self.total:
            raise ErreurReseau(
                f"réponse incomplète : {len(self.lignes)} lignes reçues sur {self.total} "
                f"annoncées par le portail ({self.url})"
            )
        return Lot(self.lignes, self.total, self.url or "", self._empreinte.hexdigest())
