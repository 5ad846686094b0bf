"""data.gouv.fr tabular API: every row of a CSV resource, following `links.next`."""

from __future__ import annotations

from typing import Any

import httpx

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

__all__ = ["BASE_TABULAIRE", "Lot", "lire_datagouv"]

BASE_TABULAIRE = "https://tabular-api.data.gouv.fr"
TAILLE_PAGE_MAX = 50


def _page(donnees: Any, adresse: str) -> tuple[int, list[dict[str, Any]], Any]:
    """(meta.total, rows without `__id`, links.next) of one page, shape checked."""
    if not isinstance(donnees, dict) or not isinstance(donnees.get("data"), list):
        raise reponse_inattendue("« data » absent", adresse)
    meta, liens = donnees.get("meta"), donnees.get("links") or {}
    if not isinstance(meta, dict) or not isinstance(meta.get("total"), int) or not isinstance(liens, dict):
        raise reponse_inattendue("« meta.total » absent", adresse)
    if not all(isinstance(ligne, dict) for ligne in donnees["data"]):
        raise reponse_inattendue("ligne qui n'est pas un objet", adresse)
    lignes = [{k: v for k, v in ligne.items() if k != "__id"} for ligne in donnees["data"]]
    return meta["total"], lignes, liens.get("next")


def _suivante(adresse: str, suivant: Any, origine: httpx.URL) -> str:
    """Absolute URL of the next page; it must stay on the portal the caller gave."""
    if not isinstance(suivant, str) or not suivant:
        raise reponse_inattendue("« links.next » invalide", adresse)
    try:
        url = httpx.URL(adresse).join(suivant)
    except httpx.InvalidURL as erreur:
        raise reponse_inattendue(f"« links.next » invalide ({suivant})", adresse) from erreur
    if (url.scheme, url.host, url.port) != (origine.scheme, origine.host, origine.port):
        raise reponse_inattendue(f"page suivante hors du portail ({url})", adresse)
    return str(url)


def lire_datagouv(
    resource_id: str,
    *,
    base: str = BASE_TABULAIRE,
    page_size: int = TAILLE_PAGE_MAX,
    progression: Progression | None = None,
    client: ClientHttp | None = None,
) -> Lot:
    """Every row of the tabular resource `resource_id` (the `__id` column dropped), in order.

    Follows `links.next` until null and checks that `meta.total` rows were read.
    """
    if not 1 <= page_size <= TAILLE_PAGE_MAX:
        raise EntreeInvalide(f"taille de page invalide : {page_size} (entre 1 et {TAILLE_PAGE_MAX})")
    portail = adresse_portail(base)
    url: str | None = f"{portail}/api/resources/{segment(resource_id, 'identifiant de ressource')}/data/"
    params: list[tuple[str, Any]] | None = [("page", 1), ("page_size", page_size)]
    collecte = Collecte(progression)
    vues: set[str] = set()
    with client_ou_defaut(client) as http:
        while url is not None:
            adresse = adresse_complete(url, params)
            if adresse in vues:
                raise reponse_inattendue("la page suivante a déjà été lue", adresse)
            vues.add(adresse)
            donnees, corps = http.get_json(url, params)
            total, lignes, suivant = _page(donnees, adresse)
            collecte.corps(adresse, corps)
            if collecte.total is None:
                collecte.total = total
            collecte.ajouter(lignes)
            if suivant is None or not lignes:
                break
            url, params = _suivante(adresse, suivant, httpx.URL(portail)), None
    return collecte.lot()
