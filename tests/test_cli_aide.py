"""The CLI help screens are in French."""

from typer.testing import CliRunner

from cmq.cli import app


def test_aide_racine_en_francais():
    resultat = CliRunner().invoke(app, ["--help"])
    assert resultat.exit_code == 0
    assert "Affiche cette aide et quitte." in resultat.output
    assert "Commandes" in resultat.output
    assert "Show this message" not in resultat.output


def test_aide_sous_commande_en_francais():
    resultat = CliRunner().invoke(app, ["campus", "--help"])
    assert resultat.exit_code == 0
    assert "Affiche cette aide et quitte." in resultat.output
