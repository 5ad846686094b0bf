"""Import of a local CSV or XLSX file (any kind of rows) through the shared pipeline."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cmq.errors import FichierIllisible
from cmq.importation.colonnes import charger_correspondance
from cmq.importation.pipeline import Progression, Rapport, importer_tableau
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
    return chemin.with_name(f"{chemin.stem}_rejets.csv")


def importer_fichier(
    chemin: str | Path,
    *,
    type_import: str | None = None,
    correspondance: str | Path | dict[str, str] | None = None,
    partiel: bool = False,
    rapport: str | Path | None = None,
    feuille: str | None = None,
    url: str | None = None,
    inclure_fermes: bool = False,
    source: str | None = None,
    progression: Progression | None = None,
) -> Rapport:
    """Import a CSV/XLSX file (encoding, delimiter and sheet handled by `lire_tableau`).

    `correspondance`: a {"Colonne": "champ"} dict or a JSON/YAML file holding one.
    `rapport`: CSV of rejected rows in partial mode (default `<name>_rejets.csv` beside the file).
    `source`: label recorded in the history (default: the absolute path).
    """
    chemin = Path(chemin)
    if correspondance is not None and not isinstance(correspondance, dict):
        correspondance = charger_correspondance(correspondance)
    if progression:
        progression("lecture", 0, None)
    tableau = lire_tableau(chemin, feuille=feuille)
    if progression:
        progression("lecture", tableau.cadre.height, tableau.cadre.height)
    return importer_tableau(
        tableau,
        source=source or str(chemin.resolve()),
        somme_controle=tableau.somme_controle or somme_controle(chemin),  # CSV: of the bytes read
        type_import=type_import,
        correspondance=correspondance,
        partiel=partiel,
        rapport_rejets=Path(rapport) if rapport else chemin_rejets(chemin),
        url=url,
        inclure_fermes=inclure_fermes,
        progression=progression,
    )
