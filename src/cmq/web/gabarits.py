"""The Jinja2 environment of the pages: templates folder, French formatting filters and globals."""

from datetime import date
from importlib import resources

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.templating import Jinja2Templates

from cmq import __version__, exports, filieres, saisie
from cmq.texte import MOIS, date_fr  # noqa: F401 (filters and globals of the templates)

ESPACE_FINE = "\u202f"  # narrow no-break space: French thousands separator


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
