"""`cmq verifier …`: table of results, exit code, French messages."""

import pytest
from typer.testing import CliRunner

from cmq.cli import app

runner = CliRunner()
LARGE = {"COLUMNS": "200"}  # wide table: no wrapped cells


def _lancer(*arguments: str):
    return runner.invoke(app, ["verifier", *arguments], env=LARGE)


def _ligne(sortie: str, code: str) -> str:
    """The table row whose first cell is `code` (rich may pad it)."""
    return next(l for l in sortie.splitlines() if l.startswith("│") and l.split("│")[1].strip() == code.strip())


def test_uai_tous_valides():
    resultat = _lancer("uai", "0312696M", " 0693734j ", "0592926K")
    assert resultat.exit_code == 0, resultat.output
    assert "│ valide   │ 0312696M " in _ligne(resultat.stdout, "0312696M")
    assert "│ valide   │ 0693734J" in _ligne(resultat.stdout, "0693734j")
    assert "invalide" not in resultat.stdout
    assert resultat.stderr == ""


def test_uai_invalides_code_de_sortie_et_resume():
    resultat = _lancer("uai", "0312696M", "0312696A", "0312696I", "031269M", "[red]x")
    assert resultat.exit_code == 1
    assert "│ invalide │ lettre de contrôle « A », « M » attendue" in _ligne(resultat.stdout, "0312696A")
    assert "lettre de contrôle « I », « M » attendue" in _ligne(resultat.stdout, "0312696I")
    assert "7 chiffres puis une lettre attendus" in _ligne(resultat.stdout, "031269M")
    assert "7 chiffres puis une lettre attendus" in _ligne(resultat.stdout, "[red]x")  # not read as markup
    assert "│ valide   │ 0312696M" in _ligne(resultat.stdout, "0312696M")
    assert resultat.stderr.strip() == "4 code(s) UAI invalide(s) sur 5"


def test_siret_reels_et_la_poste():
    resultat = _lancer("siret", "130 025 265 00013", "21750001600019", "35600000000048")
    assert resultat.exit_code == 0, resultat.output
    assert "│ valide   │ 13002526500013" in _ligne(resultat.stdout, "130 025 265 00013")
    assert "│ valide   │ 35600000000048" in _ligne(resultat.stdout, "35600000000048")


def test_siret_invalides():
    resultat = _lancer("siret", "13002526500014", "1300252650001", "35600000000014", "03002526520013")
    assert resultat.exit_code == 1
    assert "clé de contrôle (Luhn) incorrecte" in _ligne(resultat.stdout, "13002526500014")
    assert "14 chiffres attendus" in _ligne(resultat.stdout, "1300252650001")
    assert "somme des chiffres non multiple de 5 (La Poste)" in _ligne(resultat.stdout, "35600000000014")
    assert "SIREN « 030025265 » (9 premiers chiffres) incorrect" in _ligne(resultat.stdout, "03002526520013")
    assert resultat.stderr.strip() == "4 code(s) SIRET invalide(s) sur 4"


def test_siren_departement_commune():
    assert _lancer("siren", "130025265", "356000000").exit_code == 0
    resultat = _lancer("departement", "069", "2a", "974", "20")
    assert resultat.exit_code == 1
    assert "│ valide   │ 69" in _ligne(resultat.stdout, "069")
    assert "│ valide   │ 2A" in _ligne(resultat.stdout, "2a")
    assert "01 à 95 (sans 20), 2A, 2B ou 971 à 976 attendu" in _ligne(resultat.stdout, "20")
    assert resultat.stderr.strip() == "1 code(s) département invalide(s) sur 4"
    resultat = _lancer("commune", "69123", "2A004", "97411", "20004")
    assert resultat.exit_code == 1
    assert "département « 20 » inconnu" in _ligne(resultat.stdout, "20004")
    assert resultat.stderr.strip() == "1 code(s) commune INSEE invalide(s) sur 4"


@pytest.mark.parametrize("genre", ["uai", "siren", "siret", "departement", "commune"])
def test_aucun_code_erreur_d_usage(genre, tmp_path):
    avant = sorted(tmp_path.iterdir())
    resultat = runner.invoke(app, ["verifier", genre], env=LARGE)
    assert resultat.exit_code == 2
    assert "au moins un code" in resultat.stderr and "à vérifier est attendu" in resultat.stderr
    assert resultat.stdout == ""
    assert sorted(tmp_path.iterdir()) == avant


def test_genre_inconnu():
    resultat = _lancer("iban", "FR76")
    assert resultat.exit_code == 2
    assert resultat.stdout == ""
