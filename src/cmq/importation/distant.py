"""Import of the rows of a remote portal (Opendatasoft, data.gouv.fr tabular API) through the pipeline."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from cmq.importation.pipeline import OptionsImport, Progression, Rapport, importer_lignes
from cmq.models import Provenance
from cmq.portails.datagouv import BASE_TABULAIRE, lire_datagouv
from cmq.portails.http import ClientHttp
from cmq.portails.lot import Lot
from cmq.portails.opendatasoft import lire_opendatasoft
from cmq.texte import slug


def colonnes_du_lot(lignes: list[dict[str, Any]]) -> list[str]:
    """Every field name met in the records, in order of first appearance."""
    return list(dict.fromkeys(cle for ligne in lignes for cle in ligne))


def rejets_par_defaut(nom: str) -> Path:
    """Report of rejected rows of a remote source: `<nom>_rejets.csv` in the current folder."""
    return Path.cwd() / f"{slug(nom) or 'import'}_rejets.csv"


def importer_lot(
    lot: Lot,
    options: OptionsImport | None = None,
    *,
    nom: str,
    rapport: str | Path | None = None,
    **reglages: Any,
) -> Rapport:
    """Import the rows of a fetched `Lot` (record n is "ligne n" in messages and reports).

    `options` (OptionsImport) or its fields by name (`reglages`); `rapport`: CSV of rejected rows
    in partial mode (default `<nom>_rejets.csv` in the current folder).
    """
    options = OptionsImport.de(options, **reglages)
    return importer_lignes(
        lot.lignes,
        colonnes=colonnes_du_lot(lot.lignes),
        source=lot.url,
        somme_controle=lot.somme_controle,
        options=replace(
            options,
            rapport_rejets=Path(rapport) if rapport else options.rapport_rejets or rejets_par_defaut(nom),
            provenance=Provenance(source_nom=nom, source_url=lot.url, date_recuperation=None),
        ),
    )


def importer_opendatasoft(
    portail: str,
    dataset: str,
    *,
    where: str | None = None,
    select: str | None = None,
    refine: list[str] | None = None,
    exclude: list[str] | None = None,
    client: ClientHttp | None = None,
    progression: Progression | None = None,
    **options: Any,
) -> Rapport:
    """Fetch every record of an Opendatasoft dataset, then import it (options of `importer_lot`)."""
    avancement = (lambda fait, total: progression("lecture", fait, total)) if progression else None
    lot = lire_opendatasoft(
        portail,
        dataset,
        where=where,
        select=select,
        refine=refine,
        exclude=exclude,
        progression=avancement,
        client=client,
    )
    return importer_lot(lot, nom=dataset, progression=progression, **options)


def importer_datagouv(
    resource_id: str,
    *,
    base: str = BASE_TABULAIRE,
    client: ClientHttp | None = None,
    progression: Progression | None = None,
    **options: Any,
) -> Rapport:
    """Fetch every row of a data.gouv.fr tabular resource, then import it (options of `importer_lot`)."""
    avancement = (lambda fait, total: progression("lecture", fait, total)) if progression else None
    lot = lire_datagouv(resource_id, base=base, progression=avancement, client=client)
    return importer_lot(lot, nom=resource_id, progression=progression, **options)
