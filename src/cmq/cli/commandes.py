"""Top-level commands: the module defining each one, loaded only when the command runs, and the
one-line help the root help screen shows (kept here so that `cmq --help` imports no command).

Importing every command module costs about a second (SQLAlchemy, Alembic, numpy…); a command
only pays for what it needs. Each module exposes `enregistrer(app)`; tests/test_cli_aide.py
checks that each line below is the help of the command its module defines.
"""

import importlib
from functools import cache

import typer
from typer.core import TyperCommand

# Command name -> (module of `cmq.cli`, one-line help); order = order of the help screen.
COMMANDES: dict[str, tuple[str, str]] = {
    "init": (
        "init",
        "Crée ou met à jour la base, puis charge les lycées, les campus et leurs membres embarqués (sans doublon).",
    ),
    "serve": (
        "serve",
        "Sert l'API REST (documentation sur /docs) et les pages web sur la base ; l'initialise si besoin.",
    ),
    "filieres": (
        "filieres",
        "Les 12 filières des CMQ : liste, recherche par texte libre, normalisation d'un fichier, "
        "filières d'un domaine de formation (NSF).",
    ),
    "campus": (
        "campus",
        "Annuaire des campus : liste filtrée, fiche détaillée et modification (champs, membres, partenaires).",
    ),
    "relecture": ("relecture", "Changements en attente de relecture : liste, acceptation, rejet motivé."),
    "etablissement": (
        "etablissement",
        "Établissements (UAI) : fiche, liste filtrée, recherche par nom et rapprochement d'un fichier.",
    ),
    "indicateurs": (
        "indicateurs",
        "Indicateurs « Acteurs » des CMQ par territoire à une date (un campus compte dans un territoire si son "
        "siège ou l'un de ses établissements membres s'y trouve, et à une date si son label y est valide) ; "
        "[bold]evolution[/bold] : nombre de campus à la rentrée de chaque année.",
    ),
    "qualite": (
        "qualite",
        "Qualité des données : pour chaque champ (siège, coordonnées, dates du label, excellence, membres,\n"
        "sources), combien de campus l'ont, lesquels ne l'ont pas, et quels campus reposent sur un miroir,\n"
        "un agrégateur ou la presse plutôt que sur une page officielle.",
    ),
    "exporter": ("exporter", "Exporte le référentiel (CSV, JSON, XLSX, GeoJSON)."),
    "publier": (
        "publication",
        "Publie le référentiel en open data : campus, membres et partenaires (CSV, JSON), sièges et\n"
        "membres (GeoJSON), datapackage.json décrivant chaque champ, et les changements depuis la\n"
        "publication précédente. Même base, mêmes octets ; rien n'est écrit si rien n'a changé.",
    ),
    "resoudre": (
        "resolution",
        "Trouve le campus désigné par une mention libre (nomCmq d'Orion) : trouvé, ambigu ou inconnu.",
    ),
    "alias": (
        "resolution",
        "Alias confirmés : une mention (« campus btp hdf ») toujours associée au même campus.",
    ),
    "audit-demandes": (
        "resolution",
        "Audite un export de demandes (celui de la console de restitution d'Orion se lit sans option) :"
        " résout chaque « Nom CMQ », confronte la formation à la filière et signale les incohérences"
        " (entrée non modifiée).",
    ),
    "importer": (
        "importer",
        "Importe des campus, établissements, membres ou partenaires (fichier ou portail open data).",
    ),
    "imports": ("historique", "Historique des imports (le plus récent d'abord)."),
    "historique": (
        "historique",
        "Historique des changements d'un campus : qui, quand, quelle source, chaque champ avant et après.",
    ),
    "glossaire": ("glossaire", "Glossaire d'Orion : [bold]cmq glossaire cmq[/bold] affiche l'entrée « CMQ »."),
    "verifier": ("verifier", "Vérifie des codes (UAI, SIREN, SIRET, département, commune)."),
    "sauvegarder": (
        "sauvegarde",
        "Sauvegarde toute la base dans un fichier portable (ZIP de tables JSON Lines).",
    ),
    "restaurer": ("sauvegarde", "Restaure une sauvegarde dans une base vide (SQLite ou PostgreSQL)."),
    "utilisateurs": (
        "utilisateurs",
        "Utilisateurs autorisés à écrire : rôle, périmètres et jeton (API, ou ligne de commande avec CMQ_JETON).",
    ),
}


@cache
def commandes_du_module(nom: str) -> dict:
    """The click commands that module `cmq.cli.<nom>` registers."""
    module = importlib.import_module(f"cmq.cli.{nom}")
    provisoire = typer.Typer(rich_markup_mode="rich")

    @provisoire.callback()
    def _groupe() -> None:  # a callback keeps typer from collapsing a lone command
        """Provisional group."""

    module.enregistrer(provisoire)
    return dict(typer.main.get_command(provisoire).commands)


def commande(nom: str):
    """The top-level command `nom` (a click command), its module imported on first use."""
    module = COMMANDES.get(nom)
    return commandes_du_module(module[0]).get(nom) if module else None


def resume(nom: str) -> TyperCommand | None:
    """A stand-in for command `nom` carrying only its name and one-line help (help screen)."""
    if nom not in COMMANDES:
        return None
    aide = COMMANDES[nom][1]
    return TyperCommand(name=nom, help=aide, short_help=aide)
