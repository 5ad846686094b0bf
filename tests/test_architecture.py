"""The layering of the package (pyproject `[tool.importlinter]`): no upward import, no import cycle,
`cmq.api` and `cmq.web` independent of each other. Checked on the installed source by import-linter."""

from pathlib import Path

import grimp
from importlinter.cli import lint_imports

RACINE = Path(__file__).resolve().parent.parent


def test_contrats_d_imports_tenus(capsys):
    code = lint_imports(config_filename=str(RACINE / "pyproject.toml"), no_cache=True, no_logo=True)
    sortie = capsys.readouterr().out
    assert code == 0, sortie
    assert "2 kept, 0 broken" in sortie


def test_api_et_web_ne_s_importent_pas():
    graphe = grimp.build_graph("cmq")
    assert not graphe.chain_exists("cmq.api", "cmq.web", as_packages=True)
    assert not graphe.chain_exists("cmq.web", "cmq.api", as_packages=True)
    assert graphe.chain_exists("cmq.serveur", "cmq.api", as_packages=True)
    assert graphe.chain_exists("cmq.serveur", "cmq.web", as_packages=True)
