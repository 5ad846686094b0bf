"""Opendatasoft Explore API (v2.1 and v2.0): every record of a dataset, paged or exported."""

from __future__ import annotations

from typing import Any

from cmq.errors import EntreeInvalide
from cmq.portails.http import (
    ClientHttp,
    adresse_complete,
    adresse_portail,
    client_ou_defaut,
    reponse_inattendue,
    segment,
)
from cmq.portails.lot import Collecte, Lot, Progression

__all__ = ["LIMITE_RECORDS", "Lot", "lire_opendatasoft"]

# `offset + limit` must stay <= 10,000 on /records; past that only /exports can read everything.
LIMITE_RECORDS = 10_000
LIMITE_PAGE = 100
CHEMINS = {"2.1": "/api/explore/v2.1/catalog/datasets/", "2.0": "/api/v2/catalog/datasets/"}


def _filtres(where, select, refine, exclude) -> list[tuple[str, str]]:
    """Query parameters passed through as given (`refine`/`exclude` are repeatable)."""
    params = [("where", where)] if where else []
    if select:
        params.append(("select", select))
    params += [("refine", valeur) for valeur in refine or []]
    params += [("exclude", valeur) for valeur in exclude or []]
    return params


def _champs(element: Any, adresse: str, *, v20: bool) -> dict[str, Any]:
    """One record as a flat dict: v2.1 as is, v2.0 `{"record": {"fields": …}}` unwrapped."""
    if v20 and isinstance(element, dict) and isinstance(element.get("record"), dict):
        element = element["record"].get("fields")
    if not isinstance(element, dict):
        raise reponse_inattendue("enregistrement qui n'est pas un objet", adresse)
    return element


def _page(donnees: Any, adresse: str) -> tuple[int, list[dict[str, Any]]]:
    """(total_count, records) of a /records body; the shape (`results` or `records`) is detected."""
    if not isinstance(donnees, dict) or not isinstance(donnees.get("total_count"), int):
        raise reponse_inattendue("« total_count » absent", adresse)
    v20 = "results" not in donnees
    elements = donnees.get("records") if v20 else donnees["results"]
    if not isinstance(elements, list):
        raise reponse_inattendue("ni « results » ni « records »", adresse)
    return donnees["total_count"], [_champs(e, adresse, v20=v20) for e in elements]


def _exporter(client: ClientHttp, base: str, filtres, collecte: Collecte, *, v20: bool) -> None:
    """Read the whole dataset from `/exports/json` (a JSON array, no 10,000 limit)."""
    url = base + "/exports/json"
    donnees, corps = client.get_json(url, filtres)
    adresse = adresse_complete(url, filtres)
    if not isinstance(donnees, list):
        raise reponse_inattendue("l'export JSON n'est pas une liste", adresse)
    collecte.corps(adresse, corps)
    collecte.ajouter([_champs(e, adresse, v20=v20) for e in donnees])


def lire_opendatasoft(
    portail: str,
    dataset: str,
    *,
    where: str | None = None,
    select: str | None = None,
    refine: list[str] | None = None,
    exclude: list[str] | None = None,
    limit: int = LIMITE_PAGE,
    version: str = "2.1",
    progression: Progression | None = None,
    client: ClientHttp | None = None,
) -> Lot:
    """Every record of `dataset` on `portail` matching the filters, in portal order.

    Pages through `/records` (`limit` rows a page); when the portal announces more than
    10,000 records, switches to `/exports/json` before any offset would break the limit.
    """
    if version not in CHEMINS:
        raise EntreeInvalide(f"version d'API Opendatasoft inconnue : « {version} » (2.1 ou 2.0)")
    if not 1 <= limit <= LIMITE_PAGE:
        raise EntreeInvalide(f"taille de page invalide : {limit} (entre 1 et {LIMITE_PAGE})")
    base = adresse_portail(portail) + CHEMINS[version] + segment(dataset, "identifiant de jeu de données")
    filtres = _filtres(where, select, refine, exclude)
    collecte = Collecte(progression)
    with client_ou_defaut(client) as http:
        offset = 0
        while True:
            params = [*filtres, ("limit", min(limit, LIMITE_RECORDS - offset)), ("offset", offset)]
            donnees, corps = http.get_json(base + "/records", params)
            adresse = adresse_complete(base + "/records", params)
            total, lignes = _page(donnees, adresse)
            collecte.corps(adresse, corps)
            if collecte.total is None:
                collecte.total = total
                if total > LIMITE_RECORDS:
                    _exporter(http, base, filtres, collecte, v20=version == "2.0")
                    break
            collecte.ajouter(lignes)
            offset += len(lignes)
            if not lignes or offset >= collecte.total or offset >= LIMITE_RECORDS:
                break
    return collecte.lot()
