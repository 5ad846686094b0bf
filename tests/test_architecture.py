"""The layering of the package (pyproject `[tool.importlinter]`): no upward import, no import cycle,
`cmq.api` and `cmq.web` independent of each other. Checked on the installed source by import-linter."""

import shutil
import subprocess
from pathlib import Path

import grimp
import pytest

RACINE = Path(__file__).resolve().parent.parent


def test_contrats_d_imports_tenus():
    lint = shutil.which("lint-imports")
    if lint is None:
        pytest.fail("lint-imports absent : installez les dépendances de dev (import-linter)", pytrace=False)
    resultat = subprocess.run([lint, "--no-cache"], cwd=RACINE, capture_output=True, text=True, timeout=120)
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr
    assert "2 kept, 0 broken" in resultat.stdout


def test_api_et_web_ne_s_importent_pas():
    graphe = grimp.build_graph("cmq")
    assert not graphe.chain_exists("cmq.api", "cmq.web", as_packages=True)
    assert not graphe.chain_exists("cmq.web", "cmq.api", as_packages=True)
    assert graphe.chain_exists("cmq.serveur", "cmq.api", as_packages=True)
    assert graphe.chain_exists("cmq.serveur", "cmq.web", as_packages=True)
