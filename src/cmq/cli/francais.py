"""French wording for what typer/click print themselves: help panels, `--help`, usage errors."""

import importlib
import re

AIDE = "Affiche cette aide et quitte."
TITRES = {
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commandes",
    "ERRORS_PANEL_TITLE": "Erreur",
    "ABORTED_TEXT": "Interrompu.",
    "DEFAULT_STRING": "[défaut : {}]",
    "REQUIRED_LONG_STRING": "[obligatoire]",
    "ENVVAR_STRING": "[variable d'environnement : {}]",
    "RICH_HELP": "Essayez [blue]'{command_path} {help_option}'[/] pour l'aide.",
}

# English usage errors of click/typer and their French wording, applied in order.
TRADUCTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(motif), texte)
    for motif, texte in (
        (r"Missing argument '(.+?)'\.", r"argument manquant : « \1 »."),
        (r"Missing option '(.+?)'\.", r"option manquante : « \1 »."),
        (r"Missing parameter: (\S+)", r"paramètre manquant : \1"),
        (r"No such option: (\S+)", r"option inconnue : \1"),
        (r"No such command '(.+?)'\.", r"commande inconnue : « \1 »."),
        (r"Got unexpected extra argument(?:\(s\)|s)? \((.+)\)", r"argument(s) en trop : \1"),
        (r"Option '(.+?)' requires an argument\.", r"l'option « \1 » attend une valeur."),
        (r"Invalid value for '(.+?)': ", r"valeur invalide pour « \1 » : "),
        (r"Value error, ", ""),
        (r"'(.+?)' is not one of (.+)\.", r"« \1 » ne fait pas partie des choix possibles : \2."),
        (r"Input should be a valid integer[^\n]*", "nombre entier attendu."),
        (r"Input should be a valid number[^\n]*", "nombre attendu."),
        (r"Input should be a valid date[^\n]*", "date attendue (AAAA-MM-JJ)."),
        (r"Input should be a valid boolean[^\n]*", "booléen attendu (oui/non)."),
        (r"\(Possible options: (.+?)\)", r"(options proches : \1)"),
        (r"Did you mean (.+?)\?", r"Vouliez-vous dire \1 ?"),
    )
)


def traduire_erreur(message: str) -> str:
    """French wording of a click/typer usage error (unknown parts are left as they are)."""
    for motif, texte in TRADUCTIONS:
        message = motif.sub(texte, message)
    return message


def _module_core():
    """typer >= 0.29 vendors click as `typer._click`; older versions use click itself."""
    for nom in ("typer._click.core", "click.core"):
        try:
            return importlib.import_module(nom)
        except ImportError:
            continue
    return None


def _traduire_les_erreurs(rich_utils) -> None:
    formater = rich_utils.rich_format_error
    if getattr(formater, "_cmq", False):
        return

    def rich_format_error(erreur) -> None:
        origine = erreur.format_message
        erreur.format_message = lambda: traduire_erreur(origine())
        formater(erreur)

    rich_format_error._cmq = True
    rich_utils.rich_format_error = rich_format_error


def _traduire_l_aide(core) -> None:
    origine = core.Command.get_help_option
    if getattr(origine, "_cmq", False):
        return

    def get_help_option(self, ctx):
        option = origine(self, ctx)
        if option is not None:
            option.help = AIDE
        return option

    get_help_option._cmq = True
    core.Command.get_help_option = get_help_option


def franciser() -> None:
    """Translate typer's help panels, the `--help` text and usage errors (idempotent)."""
    from typer import rich_utils

    for nom, texte in TITRES.items():
        if hasattr(rich_utils, nom):
            setattr(rich_utils, nom, texte)
    _traduire_les_erreurs(rich_utils)
    core = _module_core()
    if core is not None:
        _traduire_l_aide(core)
