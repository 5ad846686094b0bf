"""The Jinja2 environment of the pages: templates folder, French formatting filters and globals."""

from datetime import date
from importlib import resources

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.templating import Jinja2Templates

from cmq import __version__, exports, filieres, saisie

MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
ESPACE_FINE = "\u202f"  # narrow no-break space: French thousands separator


def date_fr(jour: date | None, vide: str = "—") -> str:
    """'1er septembre 2025', or `vide` when None."""
    if jour is None:
        return vide
    quantieme = "1er" if jour.day == 1 else str(jour.day)
    return f"{quantieme} {MOIS[jour.month - 1]} {jour.year}"


def nombre(valeur: float | None) -> str:
    """An integer with French digit grouping ('5 028'), '—' for None."""
    if valeur is None:
        return "—"
    return f"{valeur:,}".replace(",", ESPACE_FINE)


def _environnement() -> Environment:
    dossier = resources.files("cmq").joinpath("web", "templates")
    env = Environment(
        loader=FileSystemLoader(str(dossier)),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(date_fr=date_fr, nombre=nombre, pourcentage=exports.pourcentage, oui_non=saisie.en_clair)
    env.globals.update(version=__version__, filiere=filieres.get, aujourdhui=date.today)
    return env


GABARITS = Jinja2Templates(env=_environnement())
