"""Test helper: XLSX workbooks written with openpyxl, one sheet per entry, in order."""

from pathlib import Path

import openpyxl


def classeur(chemin: Path, feuilles: dict[str, list[list]]) -> Path:
    """Write `{sheet name: rows}` to `chemin` (an empty list gives an empty sheet)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for nom, lignes in feuilles.items():
        ws = wb.create_sheet(nom)
        for ligne in lignes:
            ws.append(ligne)
    wb.save(chemin)
    return chemin
