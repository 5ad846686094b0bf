"""Import of a local CSV or XLSX file (any kind of rows) through the shared pipeline."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from cmq import fichiers
from cmq.errors import FichierIllisible
from cmq.importation.pipeline import OptionsImport, Rapport, importer_tableau
from cmq.tableau import lire_tableau


def somme_controle(chemin: Path) -> str:
    """sha256 of a file's bytes (hex)."""
    empreinte = hashlib.sha256()
    try:
        with open(chemin, "rb") as flux:
            for bloc in iter(lambda: flux.read(1 << 20), b""):
                empreinte.update(bloc)
    except OSError as erreur:
        raise FichierIllisible(f"fichier illisible « {chemin} » : {erreur.strerror or erreur}") from None
    return empreinte.hexdigest()


def chemin_rejets(chemin: Path) -> Path:
    """Default report of rejected rows: `<name>_rejets.csv` beside the input file."""
    return fichiers.a_cote(chemin, "_rejets", ".csv")


def importer_fichier(
    chemin: str | Path,
    options: OptionsImport | None = None,
    *,
    rapport: str | Path | None = None,
    feuille: str | None = None,
    source: str | None = None,
    **reglages: Any,
) -> Rapport:
    """Import a CSV/XLSX file (encoding, delimiter and sheet handled by `lire_tableau`).

    `options` (OptionsImport) or its fields by name (`reglages`; `correspondance` may be a JSON/YAML
    file). `rapport`: CSV of rejected rows in partial mode (default `<name>_rejets.csv` beside the
    file). `source`: label recorded in the history (default: the absolute path).
    """
    chemin = Path(chemin)
    options = OptionsImport.de(options, **reglages)
    rejets = fichiers.sortie_distincte(chemin, rapport or options.rapport_rejets or chemin_rejets(chemin))
    if options.progression:
        options.progression("lecture", 0, None)
    tableau = lire_tableau(chemin, feuille=feuille)
    if options.progression:
        options.progression("lecture", tableau.cadre.height, tableau.cadre.height)
    return importer_tableau(
        tableau,
        source=source or str(chemin.resolve()),
        somme_controle=tableau.somme_controle or somme_controle(chemin),  # CSV: of the bytes read
        options=replace(options, rapport_rejets=rejets),
    )
