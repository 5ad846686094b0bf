"""Import of the rows of a remote portal (Opendatasoft, data.gouv.fr tabular API) through the pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cmq.importation.colonnes import charger_correspondance
from cmq.importation.pipeline import Progression, Rapport, importer_lignes
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
    *,
    nom: str,
    type_import: str | None = None,
    correspondance: str | Path | dict[str, str] | None = None,
    partiel: bool = False,
    rapport: str | Path | None = None,
    url: str | None = None,
    inclure_fermes: bool = False,
    progression: Progression | None = None,
) -> Rapport:
    """Import the rows of a fetched `Lot` (record n is "ligne n" in messages and reports)."""
    if correspondance is not None and not isinstance(correspondance, dict):
        correspondance = charger_correspondance(correspondance)
    return importer_lignes(
        lot.lignes,
        colonnes=colonnes_du_lot(lot.lignes),
        source=lot.url,
        somme_controle=lot.somme_controle,
        type_import=type_import,
        correspondance=correspondance,
        partiel=partiel,
        rapport_rejets=Path(rapport) if rapport else rejets_par_defaut(nom),
        url=url,
        inclure_fermes=inclure_fermes,
        provenance=Provenance(source_nom=nom, source_url=lot.url, date_recuperation=None),
        progression=progression,
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
