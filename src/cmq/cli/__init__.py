"""`cmq` command line: a thin layer over the library (one module per command group)."""

import os
import sys

import click
import typer
from typer.core import TyperGroup

from cmq.cli.francais import franciser
from cmq.errors import CmqError

franciser()


class ErreurCli(click.ClickException):
    """A CmqError shown to the user as one French line, without traceback."""

    def __init__(self, erreur: CmqError):
        super().__init__(str(erreur))
        self.exit_code = erreur.exit_code

    def show(self, file=None) -> None:  # noqa: D102 - click API
        click.secho(f"Erreur : {self.format_message()}", err=True, fg="red")


class GroupeCmq(TyperGroup):
    """Root group turning every CmqError raised by a command into a clean exit."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CmqError as erreur:
            # typer >= 0.29 vendors click: a click.ClickException would escape as a traceback
            ErreurCli(erreur).show()
            raise typer.Exit(erreur.exit_code) from erreur
        except UnicodeDecodeError as erreur:  # last line of defence for unreadable input
            ErreurCli(CmqError(f"fichier illisible (encodage) : {erreur.reason}")).show()
            raise typer.Exit(1) from erreur


app = typer.Typer(
    cls=GroupeCmq,
    name="cmq",
    help="Référentiel et indicateurs des Campus des Métiers et des Qualifications (CMQ).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


@app.callback()
def racine(
    base: str | None = typer.Option(
        None, "--base", metavar="URL", help="Base de données (sinon $CMQ_DATABASE_URL, sinon cmq.db du dossier de données)."
    ),
) -> None:
    """Référentiel et indicateurs des Campus des Métiers et des Qualifications (CMQ)."""
    if base:
        os.environ["CMQ_DATABASE_URL"] = base


@app.command("version")
def version() -> None:
    """Affiche la version de cmq."""
    from cmq import __version__

    typer.echo(__version__)


def _enregistrer() -> None:
    """Attach every command group; each module exposes `enregistrer(app)`."""
    from cmq.cli import commandes

    for module in commandes.MODULES:
        module.enregistrer(app)


_enregistrer()


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
