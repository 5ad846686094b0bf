"""The root help screen (`cmq --help`, `cmq` alone) drawn with rich's Console, Panel and Table only.

typer draws help screens with its rich help module (`typer.rich_utils`), whose imports (rich's
Markdown, markdown-it, Pygments, tracebacks…) cost as much as the whole of `cmq version`. The root
help is the screen shown most often: this module draws it the same way (same layout, styles and
French titles as `francais` gives typer), so `cmq --help` stays close to `cmq version` in start-up
time. Subcommand help and errors still go through typer.

It only covers what the root group uses: options with their help text, commands with their
one-line help, rich markup. `afficher` returns False for anything else (arguments, defaults or
environment variables shown, required options, ranges, epilog, Markdown): typer then draws it.
tests/test_cli_scripts.py checks the screen is the one typer draws.
"""

import inspect
import os
import re
from collections import defaultdict

from rich.console import Console, group
from rich.highlighter import RegexHighlighter
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme
from typer.core import TyperArgument, TyperGroup, TyperOption

from cmq.cli.francais import TITRES, adapter_la_console

# Styles of typer.rich_utils (typer is pinned in pyproject.toml).
THEME = {
    "option": "bold cyan",
    "switch": "bold green",
    "negative_option": "bold magenta",
    "negative_switch": "bold red",
    "types": "bold yellow",
    "types_sep": "dim",
    "usage": "yellow",
}
STYLE_TYPES = "bold yellow"
STYLE_USAGE_COMMAND = "bold"
STYLE_DEPRECATED = "red"
STYLE_DEPRECATED_COMMAND = "dim"
STYLE_HELPTEXT = "dim"
STYLE_PANEL_BORDER = "dim"
STYLE_COMMANDS_FIRST_COLUMN = "bold cyan"
DEPRECATED_STRING = "(deprecated) "
PANNEAU = "rich_help_panel"
OPTIONS = TITRES["OPTIONS_PANEL_TITLE"]
COMMANDES = TITRES["COMMANDS_PANEL_TITLE"]
TABLEAU = {"show_lines": False, "leading": 0, "box": None, "pad_edge": False, "padding": (0, 1)}


class _Surlignage(RegexHighlighter):
    """typer's highlighters, but a text holding none of `indices` (every match of `highlights`
    holds one) is not searched: most help texts, and some patterns are then never compiled."""

    indices: tuple[str, ...] = ()

    def highlight(self, text: Text) -> None:
        if any(indice in text.plain for indice in self.indices):
            super().highlight(text)


class Surlignage(_Surlignage):
    indices = ("-", "<", "Usage: ")
    highlights = [
        r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
        r"(?P<types>\<[^\>]+\>)",
        r"(?P<usage>Usage: )",
    ]


class SurlignageNegatif(_Surlignage):
    indices = ("-",)
    highlights = [
        r"(^|\W)(?P<negative_switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<negative_option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
    ]


class SurlignageTypes(_Surlignage):
    indices = ("[", "<", "|", "]", ">")
    highlights = [
        r"^(?P<types_sep>(\[|<))",
        r"(?P<types_sep>\|)",
        r"(?P<types_sep>(\]|>))(\.\.\.)?$",
    ]


surligner, surligner_negatif, surligner_types = Surlignage(), SurlignageNegatif(), SurlignageTypes()


def _console() -> Console:
    def console_typer(stderr: bool = False) -> Console:
        forcer = True if os.getenv("GITHUB_ACTIONS") or os.getenv("FORCE_COLOR") or os.getenv("PY_COLORS") else None
        if os.getenv("_TYPER_FORCE_DISABLE_TERMINAL"):
            forcer = False
        largeur = os.getenv("TERMINAL_WIDTH")
        return Console(
            theme=Theme(THEME),
            highlighter=surligner,
            color_system="auto",
            force_terminal=forcer,
            width=int(largeur) if largeur else None,
            stderr=stderr,
        )

    return adapter_la_console(console_typer)()


# rich's emoji codes (`:smile:`) are looked up in a table whose import is 1/20 of `cmq version`:
# a text where no code can be found is read without it (same result).
_CODE_EMOJI = re.compile(r":\S*?:")


def _markup(texte: str, style: str = "") -> Text:
    return Text.from_markup(texte, style=style, emoji=bool(_CODE_EMOJI.search(texte)))


def _texte(texte: str, style: str = "") -> Text:
    texte = inspect.cleandoc(texte)
    if "\033[" in texte:
        return surligner(Text.from_ansi(texte, style=style))
    return surligner(_markup(texte, style=style))


@group()
def _aide(obj: TyperGroup):
    if obj.deprecated:
        yield Text(DEPRECATED_STRING, style=STYLE_DEPRECATED)
    premiere, *reste = inspect.cleandoc(obj.help or "").partition("\f")[0].split("\n\n")
    if not premiere.startswith("\b"):
        premiere = premiere.replace("\n", " ")
    yield _texte(premiere.strip())
    if reste:
        yield Text("")
        yield _texte("\n\n".join(reste), style=STYLE_HELPTEXT)


class _SansMesure:
    """`texte` in a table cell as typer's `Columns([texte])` is, without importing rich.columns or
    drawing a grid table around a single text: having no measure of its own, it gets the width
    the other columns leave (the text itself would widen them), and the text is wrapped to it."""

    def __init__(self, texte: Text | None):
        self.texte = texte

    def __rich_console__(self, console, options):
        if self.texte is not None:
            yield self.texte


def _aide_option(option: TyperOption) -> _SansMesure:
    paragraphes = [
        x.replace("\n", " ").strip() if not x.startswith("\b") else "{}\n".format(x.strip("\b\n"))
        for x in (option.help or "").split("\n\n")
    ]
    texte = "\n".join(paragraphes).strip()
    return _SansMesure(_texte(texte) if texte else None)


def _option_simple(option, ctx) -> bool:
    """An option this module draws like typer: no default, variable, range or `required` shown."""
    if not isinstance(option, TyperOption) or option.required:
        return False
    variable = option.envvar
    if variable is None and option.allow_from_autoenv and ctx.auto_envvar_prefix is not None and option.name:
        variable = True
    if variable and option.show_envvar:
        return False
    if isinstance(option.show_default, str) or option._get_number_range_help_str():
        return False
    return option._extract_default_help_str(ctx=ctx) is None or not (option.show_default or ctx.show_default)


def _panneau(console: Console, titre: str, tableau: Table) -> None:
    # crop=False: the panel is drawn exactly as wide as the console, there is nothing to crop
    console.print(Panel(tableau, border_style=STYLE_PANEL_BORDER, title=_markup(titre), title_align="left"), crop=False)


def _panneau_options(console: Console, titre: str, options: list[TyperOption], ctx) -> None:
    tableau = Table(highlight=True, show_header=False, expand=True, border_style=None, row_styles=None, **TABLEAU)
    for option in options:
        longues = [o for o in option.opts if "--" in o]
        courtes = [o for o in option.opts if "--" not in o]
        longues_neg = [o for o in option.secondary_opts if "--" in o]
        courtes_neg = [o for o in option.secondary_opts if "--" not in o]
        types = Text(style=STYLE_TYPES, overflow="fold")
        affichage = option.display_type_rich(ctx=ctx)
        if affichage is not None:
            types.append(affichage)
        tableau.add_row(
            surligner(",".join(longues)),
            surligner(",".join(courtes)),
            surligner_negatif(",".join(longues_neg)),
            surligner_negatif(",".join(courtes_neg)),
            surligner_types(types),
            _aide_option(option),
        )
    if options:
        _panneau(console, titre, tableau)


def _aide_commande(aide: str) -> Text:
    premier = inspect.cleandoc(aide).split("\n\n")[0]
    if premier.startswith("\b"):
        premier = premier.replace("\b\n", "")
    return _texte(premier.strip())


def _panneau_commandes(console: Console, titre: str, commandes: list, largeur: int) -> None:
    tableau = Table(highlight=False, show_header=False, expand=True, border_style=None, row_styles=None, **TABLEAU)
    tableau.add_column(style=STYLE_COMMANDS_FIRST_COLUMN, no_wrap=True, width=largeur)
    tableau.add_column("Description", justify="left", no_wrap=False, ratio=10)
    lignes, obsoletes = [], []
    for commande in commandes:
        nom = commande.name or ""
        if commande.deprecated:
            lignes.append([Text(nom, style=STYLE_DEPRECATED_COMMAND)])
            obsoletes.append(Text(DEPRECATED_STRING, style=STYLE_DEPRECATED))
        else:
            lignes.append([Text(nom)])
            obsoletes.append(None)
        lignes[-1].append(_aide_commande(commande.short_help or commande.help or ""))
    if any(obsoletes):
        lignes = [[*ligne, obsolete] for ligne, obsolete in zip(lignes, obsoletes, strict=True)]
    for ligne in lignes:
        tableau.add_row(*ligne)
    if tableau.row_count:
        _panneau(console, titre, tableau)


def afficher(groupe: TyperGroup, ctx) -> bool:
    """Print the help screen of `groupe` as typer would; False (nothing printed) if it uses
    something this module does not draw."""
    if groupe.rich_markup_mode != "rich" or groupe.epilog:
        return False
    parametres = [p for p in groupe.get_params(ctx) if not getattr(p, "hidden", False)]
    if any(isinstance(p, TyperArgument) or not _option_simple(p, ctx) for p in parametres):
        return False
    console = _console()  # crop=False below: each Padding is as wide as the console (see `_panneau`)
    console.print(Padding(surligner(groupe.get_usage(ctx)), 1), style=STYLE_USAGE_COMMAND, crop=False)
    if groupe.help:
        console.print(Padding(_aide(groupe), (0, 1, 1, 1)), crop=False)
    options: defaultdict[str, list[TyperOption]] = defaultdict(list)
    for option in parametres:
        options[getattr(option, PANNEAU, None) or OPTIONS].append(option)
    for titre in (OPTIONS, *(t for t in options if t != OPTIONS)):
        _panneau_options(console, titre, options.get(titre, []), ctx)
    commandes: defaultdict[str, list] = defaultdict(list)
    for nom in groupe.list_commands(ctx):
        commande = groupe.get_command(ctx, nom)
        if commande and not commande.hidden:
            commandes[getattr(commande, PANNEAU, None) or COMMANDES].append(commande)
    largeur = max((len(c.name or "") for liste in commandes.values() for c in liste), default=0)
    for titre in (COMMANDES, *(t for t in commandes if t != COMMANDES)):
        _panneau_commandes(console, titre, commandes.get(titre, []), largeur)
    return True
