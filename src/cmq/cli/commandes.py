"""Top-level commands and the module defining each one, loaded only when the command is used.

Importing every command module costs about a second (SQLAlchemy, Alembic, numpy…); a command
only pays for what it needs. Each module exposes `enregistrer(app)`.
"""

import importlib
from functools import cache

import click
import typer

# Command name -> module of `cmq.cli` (order = order of the help screen).
COMMANDES: dict[str, str] = {
    "init": "init",
    "serve": "serve",
    "filieres": "filieres",
    "campus": "campus",
    "etablissement": "etablissement",
    "indicateurs": "indicateurs",
    "qualite": "qualite",
    "exporter": "exporter",
    "resoudre": "resolution",
    "alias": "resolution",
    "audit-demandes": "resolution",
    "importer": "importer",
    "imports": "historique",
    "glossaire": "glossaire",
    "verifier": "verifier",
    "sauvegarder": "sauvegarde",
    "restaurer": "sauvegarde",
}


@cache
def commandes_du_module(nom: str) -> dict[str, click.Command]:
    """The click commands that module `cmq.cli.<nom>` registers."""
    module = importlib.import_module(f"cmq.cli.{nom}")
    provisoire = typer.Typer(rich_markup_mode="rich")

    @provisoire.callback()
    def _groupe() -> None:  # a callback keeps typer from collapsing a lone command
        """Provisional group."""

    module.enregistrer(provisoire)
    return dict(typer.main.get_command(provisoire).commands)


def commande(nom: str) -> click.Command | None:
    """The top-level command `nom`, its module imported on first use."""
    module = COMMANDES.get(nom)
    return commandes_du_module(module).get(nom) if module else None
