"""Shared helpers of the read-only commands: parse dates, label values, print table/CSV/JSON."""

import csv
import json
import sys
from collections.abc import Sequence
from datetime import date
from enum import Enum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cmq import saisie, territoires
from cmq.ecrivain import cellule_csv
from cmq.errors import EntreeInvalide


class Format(str, Enum):
    """Output format of the listing commands."""

    table = "table"
    csv = "csv"
    json = "json"


FormatListe = Annotated[Format, typer.Option("--format", help="table, csv ou json.")]
FormatFiche = Annotated[Format, typer.Option("--format", help="table ou json.")]


def analyser_date(texte: str | None) -> date | None:
    """'2025-09-01' -> date (`saisie.date_iso`); None when not given."""
    return None if texte is None else saisie.date_iso(texte)


def refuser_csv(format: Format) -> None:
    """A detail sheet has no CSV form: EntreeInvalide."""
    if format is Format.csv:
        raise EntreeInvalide("format csv non disponible pour une fiche : utilisez table ou json")


def oui_non(valeur: bool | None) -> str:
    """'oui' / 'non' / 'non renseigné' (`saisie.en_clair`)."""
    return saisie.en_clair(valeur)


def periode_label(debut: date | None, fin: date | None) -> str:
    """French label period: 'du 2019-01-01 au 2024-12-31', 'depuis …', 'jusqu'au …'."""
    if debut and fin:
        return f"du {debut} au {fin}"
    if debut:
        return f"depuis le {debut}"
    if fin:
        return f"jusqu'au {fin} (début non publié)"
    return "dates non publiées"


def nom_territoire(nature: str, code: str | None) -> str:
    """'Lyon (10)' for ("academie", "10"); the bare code if unknown; 'non renseigné' if empty."""
    if not code:
        return "non renseigné"
    nom = territoires.nom(nature, code)
    return f"{nom} ({code})" if nom else code


def console() -> Console:
    """A console on the current stdout (width from $COLUMNS when set)."""
    return Console(soft_wrap=False)


def tableau(titre: str | None, entetes: Sequence[str], lignes: Sequence[Sequence[Any]]) -> Table:
    """A rich table of plain values (None shown as empty)."""
    table = Table(title=titre, title_justify="left", header_style="bold")
    for entete in entetes:
        table.add_column(entete, overflow="fold")
    for ligne in lignes:
        table.add_row(*("" if v is None else str(v) for v in ligne))
    return table


def sortir(
    format: Format,
    entetes: Sequence[str],
    lignes: Sequence[Sequence[Any]],
    objets: Any,
    titre: str | None = None,
    pied: str | None = None,
) -> None:
    """Print `lignes` as a rich table or CSV (with `entetes`), or `objets` as JSON."""
    if format is Format.json:
        sys.stdout.write(json.dumps(objets, ensure_ascii=False, indent=2, default=str) + "\n")
    elif format is Format.csv:
        ecrivain = csv.writer(sys.stdout, lineterminator="\n")
        ecrivain.writerow(entetes)
        ecrivain.writerows([cellule_csv(v) for v in ligne] for ligne in lignes)  # formula injection neutralised
    else:
        sortie = console()
        sortie.print(tableau(titre, entetes, lignes))
        if pied:
            sortie.print(pied)
