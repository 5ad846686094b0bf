"""French wording for what typer/click print themselves: help panels, `--help`, usage errors;
and help screens that suit a pipe (not cut at 80 columns, a closed pipe ends quietly).

These are adaptations of typer/click internals (typer is pinned in pyproject.toml); every target
is listed in `CIBLES` and checked by tests/test_cli_francais.py, so an upgrade that moves one
fails the suite instead of turning the messages back to English.
"""

import importlib
import importlib.util
import os
import re
import sys
from collections.abc import Callable
from types import ModuleType

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
        (r"Option '(.+?)' requires (\d+) arguments\.", r"l'option « \1 » attend \2 valeurs."),
        (r"Option '(.+?)' does not take a value\.", r"l'option « \1 » ne prend pas de valeur."),
        (r"Argument '(.+?)' takes (\d+) values\.", r"l'argument « \1 » attend \2 valeurs."),
        (r"Invalid value: ", "valeur invalide : "),
        (r"Value '(.*?)' is not a valid \w+\.", r"« \1 » n'est pas une valeur valide."),
        (r"Invalid value for '(.+?)': ", r"valeur invalide pour « \1 » : "),
        (r"Value error, ", ""),
        (r"'(.+?)' is not one of (.+)\.", r"« \1 » ne fait pas partie des choix possibles : \2."),
        (r"Input should be a valid integer[^\n]*", "nombre entier attendu."),
        (r"Input should be a valid number[^\n]*", "nombre attendu."),
        (r"Input should be a valid date[^\n]*", "date attendue (AAAA-MM-JJ)."),
        (r"Input should be a valid boolean[^\n]*", "booléen attendu (oui/non)."),
        (r"Input should be less than or equal to (-?[\d.]*\d)\.?", r"valeur au plus égale à \1 attendue."),
        (r"Input should be greater than or equal to (-?[\d.]*\d)\.?", r"valeur au moins égale à \1 attendue."),
        (r"Input should be less than (-?[\d.]*\d)\.?", r"valeur strictement inférieure à \1 attendue."),
        (r"Input should be greater than (-?[\d.]*\d)\.?", r"valeur strictement supérieure à \1 attendue."),
        (r"\(Possible options: (.+?)\)", r"(options proches : \1)"),
        (r"Did you mean (.+?)\?", r"Vouliez-vous dire \1 ?"),
    )
)


# Value types shown in the help panels (`<int>`…), in French; a flag takes no value: none shown.
TYPES = {
    "str": "texte",
    "int": "entier",
    "float": "nombre",
    "bool": "oui/non",
    "Path": "chemin",
    "path": "chemin",
    "file": "fichier",
    "directory": "dossier",
    "datetime": "date",
    "int range": "entier",
    "float range": "nombre",
}
_TYPE = re.compile(r"<([^<>|]+)>")


def traduire_type(affichage: str | None) -> str | None:
    """`<int>` -> `<entier>`; other labels (choices, metavars) unchanged."""
    if affichage is None:
        return None
    return _TYPE.sub(lambda m: f"<{TYPES.get(m[1], m[1])}>", affichage)


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


def _envelopper(proprietaire, nom: str, fabrique) -> None:
    """Replace `proprietaire.nom` by `fabrique(original)`, once: `franciser()` may run again."""
    origine = getattr(proprietaire, nom)
    if getattr(origine, "_cmq", False):
        return
    remplacante = fabrique(origine)
    remplacante._cmq = True
    remplacante.__wrapped__ = origine  # inspect.unwrap(): the original, for the tests of CIBLES
    setattr(proprietaire, nom, remplacante)


def _traduire_les_erreurs(formater):
    def rich_format_error(erreur) -> None:
        origine = erreur.format_message
        erreur.format_message = lambda: traduire_erreur(origine())
        formater(erreur)

    return rich_format_error


USAGE = (("Usage:", "Utilisation :"), ("COMMAND [ARGS]...", "COMMANDE [ARGUMENTS]..."))


def traduire_usage(texte: str) -> str:
    """`Usage: cmq [OPTIONS] COMMAND [ARGS]...` -> `Utilisation : cmq [OPTIONS] COMMANDE [ARGUMENTS]...`."""
    for anglais, francais in USAGE:
        texte = texte.replace(anglais, francais, 1)
    return texte


def _traduire_l_usage(origine):
    def get_usage(self, ctx) -> str:
        return traduire_usage(origine(self, ctx))

    return get_usage


def _traduire_l_aide(origine):
    def get_help_option(self, ctx):
        option = origine(self, ctx)
        if option is not None:
            option.help = AIDE
            # A flag that is not given is False: typer then skips checking it with pydantic,
            # whose import would be a third of the start-up of `cmq version`.
            if option.default is None:
                option.default = False
        return option

    return get_help_option


def _traduire_les_types(origine):
    """typer >= 0.26 shows `<type>` in the help panels: French labels, none for a flag."""

    def display_type_rich(self, ctx):
        if getattr(self, "is_bool_flag", False):
            return None
        return traduire_type(origine(self, ctx))

    return display_type_rich


# Width of the help screens when stdout is not a terminal (rich would use 80 columns and cut
# option names: `--region-academi…`); $COLUMNS or $TERMINAL_WIDTH still win.
LARGEUR_AIDE_HORS_TERMINAL = 120


def _tuyau_ferme() -> None:
    raise BrokenPipeError  # rich would exit with status 1: cmq's root group ends with status 0


def _adapter_la_console(origine):
    def _get_rich_console(stderr: bool = False):
        console = origine(stderr=stderr)
        if not console.is_terminal and not (os.environ.get("COLUMNS") or os.environ.get("TERMINAL_WIDTH")):
            console.width = LARGEUR_AIDE_HORS_TERMINAL
        console.on_broken_pipe = _tuyau_ferme
        return console

    return _get_rich_console


adapter_la_console = _adapter_la_console  # also for the root help screen (`aide_racine`)


def _franciser_rich_utils(rich_utils: ModuleType) -> None:
    for nom, texte in TITRES.items():
        if hasattr(rich_utils, nom):
            setattr(rich_utils, nom, texte)
    _envelopper(rich_utils, "rich_format_error", _traduire_les_erreurs)
    _envelopper(rich_utils, "_get_rich_console", _adapter_la_console)


class _ApresImport:
    """Import hook (sys.meta_path): runs `adapter(module)` right after module `nom` is first loaded."""

    def __init__(self, nom: str, adapter: Callable[[ModuleType], None]):
        self.nom, self.adapter = nom, adapter

    def find_spec(self, nom, chemin=None, cible=None):
        if nom != self.nom:
            return None
        sys.meta_path.remove(self)  # one shot; also keeps find_spec below from finding this hook
        spec = importlib.util.find_spec(nom)
        if spec is not None and spec.loader is not None:
            executer = spec.loader.exec_module

            def exec_module(module: ModuleType) -> None:
                executer(module)
                self.adapter(module)

            spec.loader.exec_module = exec_module
        return spec


def apres_import(nom: str, adapter: Callable[[ModuleType], None]) -> None:
    """`adapter(module)` now if module `nom` is loaded, else as soon as something imports it."""
    if nom in sys.modules:
        adapter(sys.modules[nom])
    elif not any(isinstance(c, _ApresImport) and c.nom == nom for c in sys.meta_path):
        sys.meta_path.insert(0, _ApresImport(nom, adapter))


# Every typer/click internal adapted here: (module, attribute, parameters of the original).
# `COEUR` is the module of click's Command class (typer >= 0.29 vendors click).
CIBLES: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    *(("typer.rich_utils", nom, None) for nom in TITRES),
    ("typer.rich_utils", "rich_format_error", ("self",)),
    ("typer.rich_utils", "_get_rich_console", ("stderr",)),
    ("typer.core", "_TyperParameter.display_type_rich", ("self", "ctx")),
    ("typer.core", "TyperOption.display_type_rich", ("self", "ctx")),
    ("COEUR", "Command.get_help_option", ("self", "ctx")),
    ("COEUR", "Command.get_usage", ("self", "ctx")),
)


def franciser() -> None:
    """Translate typer's help panels, the `--help` text and usage errors (idempotent).

    typer imports its rich help module (and rich's Markdown, Pygments…) only to show help or an
    error: it is adapted when first imported, so `cmq version` does not pay for it.
    """
    apres_import("typer.rich_utils", _franciser_rich_utils)
    from typer import core as core_typer

    for classe in (getattr(core_typer, "_TyperParameter", None), getattr(core_typer, "TyperOption", None)):
        if classe is not None and hasattr(classe, "display_type_rich"):
            _envelopper(classe, "display_type_rich", _traduire_les_types)
    core = _module_core()
    if core is not None:
        _envelopper(core.Command, "get_help_option", _traduire_l_aide)
        _envelopper(core.Command, "get_usage", _traduire_l_usage)
