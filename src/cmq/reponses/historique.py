"""How a recorded change reads in French (CLI table, web « Historique » tab)."""

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cmq.models import Changement

ZONE = ZoneInfo("Europe/Paris")
ACTIONS = {
    "creation": "création",
    "modification": "modification",
    "suppression": "suppression",
    "restauration": "restauration",
}
OBJETS = {
    "campus": "campus",
    "membre": "membre (UAI)",
    "membre_nomme": "membre nommé",
    "partenaire": "partenaire",
    "alias": "alias",
    "base": "base entière",
}
VIDE = "—"


def en_clair(valeur: Any) -> str:
    """A field value: — for none, oui/non, a list joined by commas, an object as compact JSON."""
    if valeur is None or valeur == [] or valeur == "":
        return VIDE
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, list):
        return ", ".join(en_clair(v) for v in valeur)
    if isinstance(valeur, dict):
        return json.dumps({k: v for k, v in valeur.items() if v is not None}, ensure_ascii=False)
    return str(valeur)


def quand(moment: datetime) -> str:
    """The date and time in France: « 2026-03-04 06:06 »."""
    return f"{moment.astimezone(ZONE):%Y-%m-%d %H:%M}"


def objet(c: Changement) -> str:
    """« membre (UAI) 0690001B », « campus »."""
    nom = OBJETS.get(c.objet, c.objet)
    return nom if c.objet in ("campus", "base") or not c.cle else f"{nom} {c.cle}"


def champs(c: Changement, masques: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    """(field, before, after) of a change, in clear; `masques`: fields left out (the pages do not
    show a campus's `note`)."""
    return [(v.champ, en_clair(v.avant), en_clair(v.apres)) for v in c.champs if v.champ not in masques]


def est_restauration(c: Changement) -> bool:
    """True for a restore of the whole base (`store.historique.restauration`)."""
    return c.operation == "restauration" and c.objet == "base"


def restauration(c: Changement) -> str:
    """« restauration de cmq.zip (sauvegarde du 2026-01-15 10:30, 25 lignes, base remplacée) »."""
    valeurs = {v.champ: v.apres for v in c.champs}
    details = []
    if valeurs.get("cree_le"):
        details.append(f"sauvegarde du {quand(datetime.fromisoformat(valeurs['cree_le']))}")
    if valeurs.get("lignes") is not None:
        details.append(f"{valeurs['lignes']} lignes")
    if valeurs.get("remplacer"):
        details.append("base remplacée")
    return f"restauration de {c.source}" + (f" ({', '.join(details)})" if details else "")


def resume(c: Changement) -> str:
    """The fields on one line: « excellence : non → oui ; uai_support : — → 0692418D »; a restore
    in a sentence (`restauration`)."""
    if est_restauration(c):
        return restauration(c)
    return " ; ".join(f"{champ} : {avant} → {apres}" for champ, avant, apres in champs(c))


def est_lien(source: str) -> bool:
    """True when the source is an http(s) address (pages make it a link)."""
    return source.startswith(("http://", "https://"))
