"""Import of a local CSV or XLSX file (any kind of rows) through the shared pipeline."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from cmq import fichiers
from cmq.errors import FichierIllisible
from cmq.importation.colonnes import TYPES
from cmq.importation.pipeline import OptionsImport, Rapport, importer_tableau
from cmq.tableau import Tableau, feuilles, lire_par_lots
from cmq.texte import normaliser


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


def type_de_feuille(nom: str | None) -> str | None:
    """The kind of rows a sheet named after it holds, as cmq's own exports name them
    ("Campus", "Établissements", "Membres", "Partenaires"); None for any other name."""
    forme = normaliser(nom or "")
    return forme if forme in TYPES else None


def feuille_attendue(chemin: Path, type_import: str | None) -> str | None:
    """In a workbook of several sheets, the one named after the table to import: after `type_import`
    when given, else the first sheet named after a table (the "Campus" sheet of `cmq exporter campus`).
    None when there is no such sheet (`lire_tableau` then asks for --feuille)."""
    noms = feuilles(chemin)
    if len(noms) < 2:
        return None
    return next((nom for nom in noms if type_de_feuille(nom) and type_import in (None, type_de_feuille(nom))), None)


def importer_fichier(
    chemin: str | Path,
    options: OptionsImport | None = None,
    *,
    rapport: str | Path | None = None,
    feuille: str | None = None,
    source: str | None = None,
    **reglages: Any,
) -> Rapport:
    """Import a CSV/XLSX file (encoding, delimiter and sheet handled by `lire_par_lots`). Without
    `feuille`, a workbook's sheet named after the table is read (`feuille_attendue`), and a sheet's
    name gives the kind of rows when `type_import` is not given ("Établissements": etablissements).

    `options` (OptionsImport) or its fields by name (`reglages`; `correspondance` may be a JSON/YAML
    file). `rapport`: CSV of rejected rows in partial mode (default `<name>_rejets.csv` beside the
    file). `source`: label recorded in the history (default: the absolute path).
    """
    chemin = Path(chemin)
    options = OptionsImport.de(options, **reglages)
    rejets = fichiers.sortie_distincte(chemin, rapport or options.rapport_rejets or chemin_rejets(chemin))
    if options.progression:
        options.progression("lecture", 0, None)
    tableau = lire_par_lots(chemin, feuille=feuille or feuille_attendue(chemin, options.type_import))
    if options.type_import is None and type_de_feuille(tableau.feuille):
        options = replace(options, type_import=type_de_feuille(tableau.feuille))
    entier = isinstance(tableau, Tableau)  # else a large CSV file, read by batches during the import
    if options.progression and entier:
        options.progression("lecture", tableau.cadre.height, tableau.cadre.height)
    return importer_tableau(
        tableau,
        source=source or str(chemin.resolve()),
        # CSV: of the bytes read (by batches: known once read); XLSX: of the file
        somme_controle=None if not entier or tableau.somme_controle else somme_controle(chemin),
        options=replace(options, rapport_rejets=rejets),
    )
