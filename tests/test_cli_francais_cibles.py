"""cli/francais.py and the root group adapt typer/click internals: every target must still exist with
the same parameters, so that an upgrade of typer fails here, loudly, instead of printing English
(or a traceback) to users. typer and click are pinned in pyproject.toml to the tested range."""

import importlib
import importlib.metadata
import inspect
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from cmq.cli import francais

RACINE = Path(__file__).resolve().parents[1]


def _cible(module: str, attribut: str):
    module = francais._module_core() if module == "COEUR" else importlib.import_module(module)
    assert module is not None, "ni typer._click.core ni click.core"
    objet = module
    for nom in attribut.split("."):
        assert hasattr(objet, nom), f"{module.__name__}.{attribut} n'existe plus"
        objet = getattr(objet, nom)
    return objet


@pytest.mark.parametrize(("module", "attribut", "parametres"), francais.CIBLES, ids=lambda v: str(v))
def test_cli_francais_cibles(module, attribut, parametres):
    objet = _cible(module, attribut)
    if parametres is None:
        assert isinstance(objet, str)  # a fixed text of typer's help panels
        return
    original = inspect.unwrap(objet)
    assert tuple(inspect.signature(original).parameters) == parametres, f"{attribut} a changé de paramètres"


def test_adaptations_appliquees():
    """After `franciser()`, each function target is cmq's wrapper, and each text is in French."""
    import typer.rich_utils  # noqa: F401  (adapted at its first import)

    francais.franciser()
    for module, attribut, parametres in francais.CIBLES:
        objet = _cible(module, attribut)
        if parametres is None:
            assert objet == francais.TITRES[attribut.rsplit(".", 1)[-1]]
        else:
            assert getattr(objet, "_cmq", False), f"{attribut} n'est pas adapté"


def test_option_d_aide_drapeau_sans_valeur():
    """The help flag: typer skips coercion (and pydantic) only for a bool value."""
    import typer
    from typer.testing import CliRunner

    from cmq.cli import app

    groupe = typer.main.get_command(app)
    contexte = groupe.make_context("cmq", ["version"], resilient_parsing=True)
    option = groupe.get_help_option(contexte)
    assert (option.help, option.default, option.is_flag) == ("Affiche cette aide et quitte.", False, True)
    assert CliRunner().invoke(app, ["version"]).exit_code == 0


def test_methodes_de_groupe_redefinies():
    """GroupeCmq overrides these click Group methods: same names, same parameters."""
    from typer.core import TyperGroup

    attendus = {
        "list_commands": ("self", "ctx"),
        "get_command": ("self", "ctx", "cmd_name"),
        "resolve_command": ("self", "ctx", "args"),
        "invoke": ("self", "ctx"),
        "get_params": ("self", "ctx"),
        "parse_args": ("self", "ctx", "args"),
        "format_help": ("self", "ctx", "formatter"),
    }
    for nom, parametres in attendus.items():
        assert tuple(inspect.signature(getattr(TyperGroup, nom)).parameters) == parametres, nom
    assert tuple(inspect.signature(TyperGroup.make_context).parameters)[:4] == ("self", "info_name", "args", "parent")


def test_rich_tube_ferme():
    """cli/sortie.py and the help console replace rich's `Console.on_broken_pipe` (exit status 1)."""
    from rich.console import Console

    assert tuple(inspect.signature(Console.on_broken_pipe).parameters) == ("self",)


@pytest.mark.parametrize("paquet", ["typer", "click"])
def test_typer_et_click_bornes_a_l_intervalle_teste(paquet):
    projet = tomllib.loads((RACINE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    (exigence,) = [Requirement(d) for d in projet["dependencies"] if Requirement(d).name == paquet]
    assert any(s.operator == "<" for s in exigence.specifier), f"{paquet} sans borne supérieure"
    assert exigence.specifier.contains(importlib.metadata.version(paquet)), "version installée hors intervalle"
