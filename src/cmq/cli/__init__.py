"""`cmq` command line: a thin layer over the library (one module per command group).

Start-up is kept small: a command imports only its own module (`commandes`), the help screen
imports none, and typer's rich help module is loaded only for subcommand help and errors
(`francais`); the root help screen is drawn without it (`aide_racine`).
"""

import atexit
import gc
import os
import sys
from difflib import get_close_matches

import typer
from typer.core import TyperGroup

from cmq.cli.francais import franciser
from cmq.errors import CmqError

franciser()


def tuyau_ferme() -> None:
    """The reader of stdout went away (`| head`): send what is still buffered to /dev/null, so that
    the interpreter's last flush neither fails nor prints on stderr."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (output captured by a test runner)
        pass


def choisir_base(base: str | None) -> None:
    """The database of every command of this run (the environment is left alone). Without --base
    the store is not imported (start-up cost), only reset if an earlier run chose one."""
    if base:
        from cmq.store import db

        db.choisir(base)
    elif "cmq.store.db" in sys.modules:
        sys.modules["cmq.store.db"].choisir(None)


def lire_option_base(ctx, args: list[str]) -> list[str]:
    """The root options without `--base URL` / `--base=URL`, whose value is chosen (`choisir_base`)."""
    reste = list(args)
    base = None
    i = 0
    while i < len(reste) and reste[i].startswith("-") and reste[i] != "--":  # options before the command
        option, egal, valeur = reste[i].partition("=")
        if option != "--base":
            i += 1
            continue
        if not egal:
            if i + 1 == len(reste):
                ctx.fail("Option '--base' requires an argument.")
            valeur = reste.pop(i + 1)
        del reste[i]
        base = valeur or base
    choisir_base(base)
    return reste


def afficher_erreur(erreur: CmqError) -> None:
    """A CmqError shown to the user as one French line on stderr, without traceback."""
    typer.secho(f"Erreur : {erreur}", err=True, fg="red")


class GroupeCmq(TyperGroup):
    """Root group: loads command modules on demand (`commandes`), shows their one-line help without
    loading them, turns every CmqError raised by a command into a clean exit, and ends quietly with
    status 0 when the reader of its output goes away (`cmq campus liste | head -1`)."""

    _aide_seule = False

    def get_params(self, ctx):
        # `--base` is read by `parse_args`; typer would check its value with pydantic, whose import
        # is a third of `cmq version`. It stays declared on `racine` for the help screen.
        return [p for p in super().get_params(ctx) if p.name != "base" or self._aide_seule]

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        return super().parse_args(ctx, lire_option_base(ctx, args))

    def list_commands(self, ctx) -> list[str]:
        from cmq.cli.commandes import COMMANDES

        return [*super().list_commands(ctx), *COMMANDES]

    def get_command(self, ctx, cmd_name: str):
        trouvee = super().get_command(ctx, cmd_name)
        if trouvee is not None:
            return trouvee
        from cmq.cli.commandes import commande, resume

        return resume(cmd_name) if self._aide_seule else commande(cmd_name)

    def make_context(self, info_name, args, parent=None, **extra):
        try:  # the root help is printed while the arguments are parsed
            return super().make_context(info_name, args, parent=parent, **extra)
        except BrokenPipeError:
            tuyau_ferme()
            raise typer.Exit(0) from None
        except Exception as erreur:
            # `cmq` alone: the help is already printed; typer would import its rich help module
            # only to print nothing more (start-up cost, see `aide_racine`). Same exit status.
            if type(erreur).__name__ == "NoArgsIsHelpError" and parent is None:
                raise typer.Exit(erreur.exit_code) from None
            raise

    def format_help(self, ctx, formatter) -> None:
        self._aide_seule = True  # the help screen lists commands: one-line help, no module import
        try:
            if ctx.parent is None:  # root help: drawn without typer's rich help module (start-up)
                from cmq.cli import aide_racine

                if aide_racine.afficher(self, ctx):
                    return
            super().format_help(ctx, formatter)
        finally:
            self._aide_seule = False

    def resolve_command(self, ctx, args: list[str]):
        try:
            return super().resolve_command(ctx, args)
        except Exception as erreur:  # click's UsageError: suggest among the lazily loaded commands too
            message = getattr(erreur, "message", None)
            if args and isinstance(message, str) and "Did you mean" not in message:
                proches = get_close_matches(args[0], self.list_commands(ctx))
                if proches:
                    erreur.message = f"{message.rstrip('.')}. Did you mean {', '.join(map(repr, proches))}?"
            raise

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CmqError as erreur:
            # typer >= 0.29 vendors click: a click.ClickException would escape as a traceback
            afficher_erreur(erreur)
            raise typer.Exit(erreur.exit_code) from erreur
        except UnicodeDecodeError as erreur:  # last line of defence for unreadable input
            afficher_erreur(CmqError(f"fichier illisible (encodage) : {erreur.reason}"))
            raise typer.Exit(1) from erreur
        except BrokenPipeError:
            tuyau_ferme()
            raise typer.Exit(0) from None


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
    # `base` is read by GroupeCmq.parse_args (lire_option_base): declared here for the help screen.


@app.command("version")
def version() -> None:
    """Affiche la version de cmq."""
    from cmq import __version__

    typer.echo(__version__)


def regler_ramasse_miettes() -> None:
    """Collect cyclic garbage less often, as mypy does (`gc.set_threshold(200_000, 30, 30)`): a command
    allocates many objects that live until its end (modules, rows, indexes), and the default
    threshold runs a collection every 700 of them (a tenth of an import of the annuaire). Only the
    console script sets it; the library leaves the interpreter's settings alone."""
    gc.set_threshold(200_000, 30, 30)


def main() -> None:
    """Console-script entry point: runs the command, then ends the process (`terminer`)."""
    regler_ramasse_miettes()
    try:
        code = app(standalone_mode=True)
    except SystemExit as fin:
        code = fin.code
    try:
        sys.stdout.flush()  # what is still buffered: a closed pipe must show here, not at exit
    except BrokenPipeError:
        tuyau_ferme()
        code = 0
    terminer(code)


def terminer(code: int | str | None) -> None:
    """End the process as `sys.exit(code)` does, without the interpreter's teardown.

    Freeing every module and object at exit takes 0.1-0.2 s once the store, polars and pydantic
    are loaded (a fifth of an import of the annuaire). What a normal exit does that matters is
    done first: the database connections are closed (SQLite checkpoints its WAL), the `atexit`
    handlers run (temporary directories, logging) and stdout/stderr are flushed. mypy ends the
    same way (`util.hard_exit`). Only the console script calls this; the library never does.
    """
    if code is None or isinstance(code, int):
        statut = code or 0
    else:  # sys.exit("message"): the message on stderr, status 1
        print(code, file=sys.stderr)
        statut = 1
    if "cmq.store.db" in sys.modules:
        sys.modules["cmq.store.db"].fermer_tout()
    atexit._run_exitfuncs()
    for flux in (sys.stdout, sys.stderr):
        try:
            flux.flush()
        except (OSError, ValueError):  # closed pipe or stream: nothing more can be written
            pass
    os._exit(statut)
