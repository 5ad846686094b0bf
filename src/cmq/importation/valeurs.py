"""Parsing of raw cell values (text from files, JSON values from portals) into typed values.

Every function takes one raw value, returns the typed value (None for an empty cell) or raises
EntreeInvalide with a French reason. Territory look-ups are cached: the same codes repeat
thousands of times in a directory.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from cmq import saisie, territoires
from cmq.errors import EntreeInvalide
from cmq.texte import normaliser, sans_accents

_SEPARATEURS_LISTE = re.compile(r"\s*[|;,/]\s*")
_DATE_FR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ANNEE = re.compile(r"(\d{4})(?:\.0+)?")
_DUREE = re.compile(r"(\d+)(?:[.,]0+)?\s*(?:ans?|annees?)?")


def texte(valeur: Any) -> str | None:
    """Trimmed text; None for an empty cell, None/NaN, or a blank string."""
    if valeur.__class__ is str:
        return valeur.strip() or None
    if valeur is None:
        return None
    if isinstance(valeur, float):
        if math.isnan(valeur):
            return None
        if valeur.is_integer():
            return str(int(valeur))
    if isinstance(valeur, (dict, list)):
        raise EntreeInvalide(f"valeur simple attendue, reçu : {valeur!r}")
    resultat = str(valeur).strip()
    return resultat or None


def booleen(valeur: Any) -> bool | None:
    """Oui/Non, true/false, 1/0, « Excellence »; empty -> None (unknown): `saisie.oui_non`."""
    return valeur if isinstance(valeur, bool) else saisie.oui_non(texte(valeur))


def nombre(valeur: Any, nom: str = "nombre") -> float | None:
    """A float, accepting a decimal comma."""
    if isinstance(valeur, (int, float)) and not isinstance(valeur, bool):
        return None if isinstance(valeur, float) and math.isnan(valeur) else float(valeur)
    brut = texte(valeur)
    if brut is None:
        return None
    try:
        return float(brut.replace(",", ".").replace(" ", ""))
    except ValueError:
        raise EntreeInvalide(f"{nom} invalide « {brut} » : nombre attendu") from None


def coordonnee(valeur: Any, nom: str, limite: float) -> float | None:
    """Latitude (limite 90) or longitude (limite 180), bounds checked."""
    try:
        resultat = float(valeur) if valeur.__class__ is str else nombre(valeur, nom)
    except ValueError:
        resultat = nombre(valeur, nom)
    if resultat is not None and not -limite <= resultat <= limite:
        raise EntreeInvalide(f"{nom} hors limites « {valeur} » : entre -{limite:g} et {limite:g} attendu")
    return resultat


def point(valeur: Any) -> tuple[float | None, float | None]:
    """(latitude, longitude) of a geo point: {"lon": …, "lat": …} or "lat, lon" or [lat, lon]."""
    if valeur is None or valeur == "":
        return None, None
    if isinstance(valeur, dict):
        lat, lon = valeur.get("lat"), valeur.get("lon", valeur.get("lng"))
    elif isinstance(valeur, (list, tuple)) and len(valeur) == 2:
        lat, lon = valeur
    else:
        brut = texte(valeur)
        if brut is None:
            return None, None
        morceaux = [m for m in re.split(r"\s*[,;]\s*|\s+", brut) if m]
        if len(morceaux) != 2:
            raise EntreeInvalide(f"point géographique invalide « {brut} » : « latitude, longitude » attendu")
        lat, lon = morceaux
    return coordonnee(lat, "latitude", 90), coordonnee(lon, "longitude", 180)


def jour(valeur: Any, nom: str = "date") -> date | None:
    """A date: ISO (2019-02-06, with or without time), French (06/02/2019) or a year alone (-> 1 January)."""
    if isinstance(valeur, datetime):
        return valeur.date()
    if isinstance(valeur, date):
        return valeur
    brut = texte(valeur)
    if brut is None:
        return None
    if (m := _ANNEE.fullmatch(brut)) and int(m.group(1)) >= date.min.year:  # not year 0000
        return date(int(m.group(1)), 1, 1)
    if m := _DATE_FR.fullmatch(brut):
        jour_, mois, annee = (int(g) for g in m.groups())
        try:
            return date(annee, mois, jour_)
        except ValueError:
            pass
    else:
        try:
            return datetime.fromisoformat(brut.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    raise EntreeInvalide(f"{nom} invalide « {brut} » : AAAA-MM-JJ, JJ/MM/AAAA ou année attendue")


def annee(valeur: Any) -> date | None:
    """A year (2019, "2019", 2019.0) -> 1 January of that year; a full date is accepted too."""
    return jour(valeur, "année de labellisation")


def fin_selon_duree(debut: date, valeur: Any) -> date | None:
    """End date of a label of `valeur` years starting on `debut`: debut + N years - 1 day (bounds included)."""
    brut = texte(valeur)
    if brut is None:
        return None
    m = _DUREE.fullmatch(sans_accents(brut).lower())
    if not m or not 0 < int(m.group(1)) <= date.max.year - debut.year:  # the end date must exist
        raise EntreeInvalide(f"durée du label invalide « {brut} » : nombre entier d'années attendu (ex. 5)")
    annees = int(m.group(1))
    try:
        anniversaire = debut.replace(year=debut.year + annees)
    except ValueError:  # 29 February
        anniversaire = debut.replace(year=debut.year + annees, day=28) + timedelta(days=1)
    return anniversaire - timedelta(days=1)


def liste(valeur: Any) -> list[str]:
    """Items of a multi-valued cell ("Lille|Amiens", "Lille, Amiens", JSON list)."""
    if isinstance(valeur, (list, tuple)):
        return [t for v in valeur if (t := texte(v))]
    brut = texte(valeur)
    return [m for m in _SEPARATEURS_LISTE.split(brut) if m] if brut else []


@lru_cache(maxsize=4096)
def region_academique(valeur: str) -> str:
    """Code of a région académique given by code ("84", 84) or name."""
    return territoires.region_academique(valeur).code


@lru_cache(maxsize=4096)
def academie(valeur: str) -> tuple[str, str]:
    """(code, région académique code) of an académie given by code ("09", "9") or name."""
    trouvee = territoires.academie(valeur.zfill(2) if valeur.isdigit() else valeur)
    return trouvee.code, trouvee.region_academique


@lru_cache(maxsize=4096)
def departement(valeur: str) -> tuple[str, str, str]:
    """(code, académie code, région académique code) of a département ("069", "2A", "974", "Rhône")."""
    trouve = territoires.departement(valeur)
    return trouve.code, trouve.academie, trouve.region_academique


def secteur(valeur: Any) -> str | None:
    """ "Public" -> "public", "Privé sous contrat" -> "privé"; other texts kept as given."""
    brut = texte(valeur)
    if brut is None:
        return None
    forme = normaliser(brut)
    if forme.startswith("public"):
        return "public"
    if forme.startswith("prive"):
        return "privé"
    return brut
