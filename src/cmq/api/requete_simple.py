"""The parameters of a plain GET request, read by the ASGI middlewares that answer before FastAPI's
routing (`routes_resolution.ResolutionRapide`, `routes_indicateurs.IndicateursRapides`). Anything
not plain gives None: the route then validates the request and answers, errors included."""

import re
from collections.abc import Mapping
from datetime import date
from urllib.parse import parse_qsl

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parametres(scope: dict, longueurs: Mapping[str, int]) -> dict[str, str] | None:
    """The query parameters (decoded as Starlette does) when each is a key of `longueurs`, given
    once and no longer than its bound; else None."""
    valeurs: dict[str, str] = {}
    for cle, valeur in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True):
        if cle not in longueurs or cle in valeurs or len(valeur) > longueurs[cle]:
            return None
        valeurs[cle] = valeur
    return valeurs


def jour(texte: str) -> date | None:
    """A date written AAAA-MM-JJ, else None (other forms pydantic accepts go to the route)."""
    if not _DATE.fullmatch(texte):
        return None
    try:
        return date.fromisoformat(texte)
    except ValueError:
        return None
