"""`cmq` command line: a thin layer over the library (one module per command group)."""

import sys
from difflib import get_close_matches

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

    def show(self, file=None) -> None:
        click.secho(f"Erreur : {self.format_message()}", err=True, fg="red")


class GroupeCmq(TyperGroup):
    """Root group: loads command modules on demand (`commandes`) and turns every CmqError raised
    by a command into a clean exit."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from cmq.cli.commandes import COMMANDES

        return [*super().list_commands(ctx), *COMMANDES]

    def get_command(self, ctx: click.Context, cmd_name: str):
        from cmq.cli.commandes import commande

        return super().get_command(ctx, cmd_name) or commande(cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        try:
            return super().resolve_command(ctx, args)
        except Exception as erreur:  # click's UsageError: suggest among the lazily loaded commands too
            message = getattr(erreur, "message", None)
            if args and isinstance(message, str) and "Did you mean" not in message:
                proches = get_close_matches(args[0], self.list_commands(ctx))
                if proches:
                    erreur.message = f"{message.rstrip('.')}. Did you mean {', '.join(map(repr, proches))}?"
            raise

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
        None,
        "--base",
        metavar="URL",
        help="Base de données (sinon $CMQ_DATABASE_URL, sinon cmq.db du dossier de données).",
    ),
) -> None:
    """Référentiel et indicateurs des Campus des Métiers et des Qualifications (CMQ)."""
    # The database is chosen once here for every command (the environment is left alone). Without
    # --base the store is not imported (start-up cost), only reset if an earlier run chose one.
    if base:
        from cmq.store import db

        db.choisir(base)
    elif "cmq.store.db" in sys.modules:
        sys.modules["cmq.store.db"].choisir(None)


@app.command("version")
def version() -> None:
    """Affiche la version de cmq."""
    from cmq import __version__

    typer.echo(__version__)


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
