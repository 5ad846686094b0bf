"""The Jinja2 environment of the pages: templates folder, French formatting filters and globals."""

from datetime import date
from importlib import resources

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.templating import Jinja2Templates

from cmq import __version__, droits, exports, filieres, saisie
from cmq.reponses import historique
from cmq.texte import MOIS, date_fr  # noqa: F401 (filters and globals of the templates)
from cmq.web import session

NOTICES = {  # ?notice= after an editing form, shown on the page it redirects to
    "modifie": "Modification enregistrée.",
    "a_valider": "Modification enregistrée « à valider » : elle sera appliquée quand un administrateur l'acceptera.",
    "accepte": "Changement accepté et appliqué.",
    "rejete": "Changement rejeté.",
    "inchange": "Aucun changement : les valeurs saisies étaient déjà celles du référentiel.",
}
ESPACE_FINE = "\u202f"  # narrow no-break space: French thousands separator


def date_saisie(jour: date | None) -> str:
    """Value of a date field of a form: 'JJ/MM/AAAA', '' when None."""
    return "" if jour is None else f"{jour.day:02d}/{jour.month:02d}/{jour.year}"


def periode_label(debut: date | None, fin: date | None) -> str:
    """Label period in words. A start on 1 January is a year-only date of the sources (recorded as
    1 January, see the curation notes): shown as the year alone, « depuis 2016 »."""
    annee_seule = debut is not None and (debut.month, debut.day) == (1, 1)
    if debut and fin:
        return f"de {debut.year} au {date_fr(fin)}" if annee_seule else f"du {date_fr(debut)} au {date_fr(fin)}"
    if debut:
        return f"depuis {debut.year}" if annee_seule else f"depuis le {date_fr(debut)}"
    if fin:
        return f"jusqu’au {date_fr(fin)} (début non publié)"
    return "dates non publiées"


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
    env.filters.update(
        date_fr=date_fr,
        date_saisie=date_saisie,
        nombre=nombre,
        pourcentage=exports.pourcentage,
        oui_non=saisie.en_clair,
        changement_quand=lambda c: historique.quand(c.quand),
        changement_objet=historique.objet,
        changement_action=lambda c: historique.ACTIONS.get(c.action, c.action),
        changement_champs=lambda c: historique.champs(c, masques=("note",)),  # as the campus page
        changement_restauration=lambda c: historique.restauration(c) if historique.est_restauration(c) else "",
        est_lien=historique.est_lien,
    )
    env.globals.update(periode=periode_label)
    env.globals.update(version=__version__, filiere=filieres.get, aujourdhui=date.today)
    env.globals.update(session_web=session.lire, peut_modifier=droits.couvre_campus, notices=NOTICES)
    return env


GABARITS = Jinja2Templates(env=_environnement())
