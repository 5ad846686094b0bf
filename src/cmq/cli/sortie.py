"""What the commands print on stdout: rich tables on a terminal, tab-separated lines elsewhere.

On a terminal a table is drawn with rich at the terminal's width. When stdout is a pipe or a file
(`cmq campus liste | head`, `> fichier`), a table is its header line then one line per row, cells
separated by a tab (tabs and line breaks inside a cell become spaces), without title or frame,
and no line is ever wrapped or cut.
"""

import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

_ESPACES = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


def terminal() -> bool:
    """Whether stdout is a terminal (a pipe, a file or a test runner's capture are not)."""
    try:
        return sys.stdout.isatty()
    except ValueError:  # closed stream
        return False


class Ecran(Console):
    """A rich console whose closed pipe (`| head`) ends the command like any other write would:
    cmq's root group then exits quietly with status 0 (rich itself would exit with status 1)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def console() -> Console:
    """A console on the current stdout: the terminal's width, or no width limit elsewhere."""
    if terminal():
        return Ecran(soft_wrap=False)
    return Ecran(force_terminal=False, soft_wrap=True, width=100_000)


def _texte(valeur: Any) -> str:
    if valeur is None:
        return ""
    return valeur.plain if isinstance(valeur, Text) else str(valeur)


def cellule_tsv(valeur: Any) -> str:
    """A cell of a tab-separated line: plain text, on one line, without tab."""
    return _texte(valeur).translate(_ESPACES)


def ligne_tsv(cellules: Sequence[Any]) -> str:
    """Cells separated by tabs."""
    return "\t".join(cellule_tsv(v) for v in cellules)


class Tableau:
    """A table printed by a rich console: framed on a terminal, tab-separated lines elsewhere."""

    def __init__(self, titre: str | None, entetes: Sequence[Any], lignes: Sequence[Sequence[Any]], **options):
        self.titre, self.entetes, self.lignes, self.options = titre, entetes, lignes, options

    def table(self) -> Table:
        """The rich table."""
        table = Table(title=self.titre, title_justify="left", header_style="bold", **self.options)
        for entete in self.entetes:
            table.add_column(entete, overflow="fold")
        for ligne in self.lignes:
            table.add_row(*(v if isinstance(v, Text) else Text(_texte(v)) for v in ligne))
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if console.is_terminal:
            yield self.table()
            return
        rangs = (self.entetes, *self.lignes) if self.options.get("show_header", True) else self.lignes
        for ligne in rangs:  # bare segments: a rich Text would expand the tabs into spaces
            yield Segment(ligne_tsv(ligne))
            yield Segment.line()


def tableau(titre: str | None, entetes: Sequence[Any], lignes: Sequence[Sequence[Any]], **options) -> Tableau:
    """A table of plain values (None shown as empty); `options` go to rich's Table."""
    return Tableau(titre, entetes, lignes, **options)
