"""Shared helpers of the read-only commands: parse dates, label values, print table/TSV/CSV/JSON."""

import csv
import json
import sys
from collections.abc import Sequence
from datetime import date
from enum import Enum
from typing import Annotated, Any

import typer

from cmq import saisie, territoires
from cmq.cli.sortie import console, ligne_tsv, tableau
from cmq.ecrivain import cellule_csv
from cmq.errors import EntreeInvalide


class Format(str, Enum):
    """Output format of the listing commands; `table` is a framed table on a terminal and
    tab-separated lines when stdout is not a terminal (`sortie`), `tsv` is always the latter."""

    table = "table"
    tsv = "tsv"
    csv = "csv"
    json = "json"


FormatListe = Annotated[
    Format, typer.Option("--format", help="table (tabulations hors d'un terminal), tsv, csv ou json.")
]
FormatFiche = Annotated[Format, typer.Option("--format", help="table (tabulations hors d'un terminal) ou json.")]


def analyser_date(texte: str | None) -> date | None:
    """'2025-09-01' -> date (`saisie.date_iso`); None when not given."""
    return None if texte is None else saisie.date_iso(texte)


def refuser_csv(format: Format) -> None:
    """A detail sheet has no CSV or TSV form: EntreeInvalide."""
    if format in (Format.csv, Format.tsv):
        raise EntreeInvalide(f"format {format.value} non disponible pour une fiche : utilisez table ou json")


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


def sortir(
    format: Format,
    entetes: Sequence[str],
    lignes: Sequence[Sequence[Any]],
    objets: Any,
    titre: str | None = None,
    pied: str | None = None,
) -> None:
    """Print `lignes` as a table (title and footer on a terminal only), TSV or CSV (with `entetes`),
    or `objets` as JSON."""
    if format is Format.json:
        sys.stdout.write(json.dumps(objets, ensure_ascii=False, indent=2, default=str) + "\n")
    elif format is Format.csv:
        ecrivain = csv.writer(sys.stdout, lineterminator="\n")
        ecrivain.writerow(entetes)
        ecrivain.writerows([cellule_csv(v) for v in ligne] for ligne in lignes)  # formula injection neutralised
    elif format is Format.tsv:
        sys.stdout.write("".join(ligne_tsv(ligne) + "\n" for ligne in (entetes, *lignes)))
    else:
        sortie = console()
        sortie.print(tableau(titre, entetes, lignes))
        if pied and sortie.is_terminal:  # elsewhere, only the rows: `| wc -l`, `| cut -f1`
            sortie.print(pied)
