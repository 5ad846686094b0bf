"""The one writer of CSV and XLSX tables: exports, reports (`_rejets.csv`, audits), API and CLI output.

A table is `colonnes` and `lignes` (sequences of values, or mappings by column name). Cells:
None -> "", booleans "true"/"false", dates ISO 8601, lists "a|b"; with `;` as delimiter floats use
a decimal comma (French Excel).

CSV formula injection (OWASP): a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
return is written with a leading `'`, so that a spreadsheet shows it as text instead of running it.
Numbers are not text: a typed int/float (-3.5) is written as is, and so is a text cell that is a
plain decimal number ("-3.5", "+33", "-1,55"), which a spreadsheet reads as a number, not a formula.
XLSX cells keep their type; a text is always stored as a string, never as a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

from cmq.errors import EntreeInvalide, ErreurEcriture
from cmq.fichiers import ecriture_atomique

SEPARATEURS = (",", ";", "\t")
DECLENCHEURS = ("=", "+", "-", "@", "\t", "\r")
_NOMBRE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
LARGEUR_MAX = 60
_INTERDITS_FEUILLE = str.maketrans({c: "-" for c in "[]:*?/\\"})

Ligne = Mapping[str, Any] | Sequence[Any]
Table = tuple[Sequence[str], Iterable[Ligne]]


def texte(valeur: Any, virgule: bool = False) -> str:
    """A cell as text: '' for None, 'true'/'false', ISO dates, lists joined with '|'."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "true" if valeur else "false"
    if isinstance(valeur, float) and virgule:
        return repr(valeur).replace(".", ",")
    if isinstance(valeur, date):
        return valeur.isoformat()
    if isinstance(valeur, list | tuple | set):
        return "|".join(texte(v) for v in valeur)
    return str(valeur)


def neutraliser(cellule: str) -> str:
    """`cellule` prefixed with `'` when a spreadsheet would take it for a formula (see module doc)."""
    if cellule.startswith(DECLENCHEURS) and not _NOMBRE.fullmatch(cellule):
        return "'" + cellule
    return cellule


def cellule_csv(valeur: Any, virgule: bool = False) -> str:
    """A CSV cell: typed numbers as they are, any text neutralised."""
    if isinstance(valeur, int | float) and not isinstance(valeur, bool):
        return texte(valeur, virgule)
    return neutraliser(texte(valeur, virgule))


def valeurs(colonnes: Sequence[str], ligne: Ligne) -> list[Any]:
    """The values of a row in column order (a mapping is read by column name)."""
    return [ligne.get(c) for c in colonnes] if isinstance(ligne, Mapping) else list(ligne)


def verifier_separateur(separateur: str) -> str:
    if separateur not in SEPARATEURS:
        raise EntreeInvalide(f"séparateur « {separateur} » non pris en charge (attendu : « ; », « , » ou tabulation)")
    return separateur


def ecrire_csv(flux: IO[str], colonnes: Sequence[str], lignes: Iterable[Ligne], *, separateur: str = ",") -> None:
    """Write the table to a text stream opened with newline="" (`\\r\\n` line ends, RFC 4180)."""
    virgule = verifier_separateur(separateur) == ";"
    ecrivain = csv.writer(flux, delimiter=separateur)
    ecrivain.writerow([neutraliser(str(c)) for c in colonnes])
    ecrivain.writerows([cellule_csv(v, virgule) for v in valeurs(colonnes, ligne)] for ligne in lignes)


def csv_octets(colonnes: Sequence[str], lignes: Iterable[Ligne], *, separateur: str = ",", bom: bool = False) -> bytes:
    """The table as CSV in UTF-8 (BOM optional)."""
    tampon = io.StringIO(newline="")
    ecrire_csv(tampon, colonnes, lignes, separateur=separateur)
    return tampon.getvalue().encode("utf-8-sig" if bom else "utf-8")


def nom_feuille(nom: str) -> str:
    """A valid sheet name: forbidden characters replaced, 31 characters at most."""
    return (nom.translate(_INTERDITS_FEUILLE).strip("'") or "Feuille")[:31]


def ecrire_xlsx(flux: IO[bytes], feuilles: Mapping[str, Table]) -> None:
    """A workbook, one sheet per table: typed cells, bold frozen header, column widths."""
    from openpyxl import Workbook  # slow import, only needed here
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if not feuilles:
        raise EntreeInvalide("aucune table à écrire dans le classeur")
    classeur = Workbook(write_only=True)
    gras = Font(bold=True)
    for nom, (colonnes, lignes) in feuilles.items():
        feuille = classeur.create_sheet(nom_feuille(nom))
        feuille.freeze_panes = "A2"
        rangs = [[_valeur_xlsx(v) for v in valeurs(colonnes, ligne)] for ligne in lignes]
        for j, colonne in enumerate(colonnes, start=1):
            largeur = max([len(str(colonne))] + [len(texte(r[j - 1])) for r in rangs[:1000] if j <= len(r)])
            feuille.column_dimensions[get_column_letter(j)].width = min(largeur + 2, LARGEUR_MAX)
        entete = []
        for colonne in colonnes:
            cellule = _cellule_xlsx(feuille, str(colonne))
            cellule.font = gras
            entete.append(cellule)
        feuille.append(entete)
        for rang in rangs:
            feuille.append([_cellule_xlsx(feuille, v) for v in rang])
    classeur.save(flux)


def xlsx_octets(feuilles: Mapping[str, Table]) -> bytes:
    """The workbook of `ecrire_xlsx` as bytes."""
    tampon = io.BytesIO()
    ecrire_xlsx(tampon, feuilles)
    return tampon.getvalue()


def _valeur_xlsx(valeur: Any) -> Any:
    if isinstance(valeur, list | tuple | set):
        return texte(valeur)
    return valeur


def _cellule_xlsx(feuille, valeur: Any):
    """A write-only cell: dates formatted as dates, texts always stored as text (never a formula)."""
    from openpyxl.cell import WriteOnlyCell

    cellule = WriteOnlyCell(feuille, value=valeur)
    if isinstance(valeur, date):
        cellule.number_format = "yyyy-mm-dd"
    elif isinstance(valeur, str) and valeur.startswith("="):
        cellule.data_type = "s"  # text, never a formula
    return cellule


EXTENSIONS_CSV = (".csv", ".txt", ".tsv")


def ecrire_tableau(
    chemin: Path | str,
    colonnes: Sequence[str],
    lignes: Iterable[Ligne],
    *,
    separateur: str = ",",
    bom: bool = False,
    feuille: str = "Données",
) -> Path:
    """Write a CSV (UTF-8, optional BOM) or XLSX file, by its extension, atomically; returns its path."""
    chemin = Path(chemin)
    suffixe = chemin.suffix.lower()
    if suffixe == ".xlsx":
        with ecriture_atomique(chemin, "wb") as flux:
            ecrire_xlsx(flux, {feuille: (colonnes, lignes)})
    elif suffixe in EXTENSIONS_CSV:
        verifier_separateur(separateur)
        with ecriture_atomique(chemin, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as flux:
            ecrire_csv(flux, colonnes, lignes, separateur=separateur)
    else:
        raise ErreurEcriture(
            f"{chemin.name} : extension « {suffixe or '(aucune)'} » non prise en charge pour l'écriture "
            f"(attendu : {', '.join((*EXTENSIONS_CSV, '.xlsx'))})"
        )
    return chemin
