"""`cmq verifier …`: table of results, exit code, French messages."""

import pytest
from typer.testing import CliRunner

from cmq.cli import app

runner = CliRunner()
LARGE = {"COLUMNS": "200"}  # wide error panel: the message on one line


def _lancer(*arguments: str):
    return runner.invoke(app, ["verifier", *arguments])


def _lignes(sortie: str) -> list[list[str]]:
    """The rows of the table (tab-separated off a terminal), header first."""
    return [ligne.split("\t") for ligne in sortie.splitlines()]


ENTETE = ["Code", "Résultat", "Forme normalisée ou motif"]


def test_uai_tous_valides():
    resultat = _lancer("uai", "0312696M", " 0693734j ", "0592926K")
    assert resultat.exit_code == 0, resultat.output
    assert _lignes(resultat.stdout) == [
        ENTETE,
        ["0312696M", "valide", "0312696M"],
        [" 0693734j ", "valide", "0693734J"],
        ["0592926K", "valide", "0592926K"],
    ]
    assert resultat.stderr == ""


def test_uai_invalides_code_de_sortie_et_resume():
    resultat = _lancer("uai", "0312696M", "0312696A", "0312696I", "031269M", "[red]x")
    assert resultat.exit_code == 1
    assert _lignes(resultat.stdout) == [
        ENTETE,
        ["0312696M", "valide", "0312696M"],
        ["0312696A", "invalide", "lettre de contrôle « A », « M » attendue"],
        ["0312696I", "invalide", "lettre de contrôle « I », « M » attendue"],
        ["031269M", "invalide", "7 chiffres puis une lettre attendus (ex. 0312696M)"],
        ["[red]x", "invalide", "7 chiffres puis une lettre attendus (ex. 0312696M)"],  # not read as markup
    ]
    assert resultat.stderr.strip() == "4 code(s) UAI invalide(s) sur 5"


def test_siret_reels_et_la_poste():
    resultat = _lancer("siret", "130 025 265 00013", "21750001600019", "35600000000048")
    assert resultat.exit_code == 0, resultat.output
    assert _lignes(resultat.stdout) == [
        ENTETE,
        ["130 025 265 00013", "valide", "13002526500013"],
        ["21750001600019", "valide", "21750001600019"],
        ["35600000000048", "valide", "35600000000048"],
    ]


def test_siret_invalides():
    resultat = _lancer("siret", "13002526500014", "1300252650001", "35600000000014", "03002526520013")
    assert resultat.exit_code == 1
    assert _lignes(resultat.stdout) == [
        ENTETE,
        ["13002526500014", "invalide", "clé de contrôle (Luhn) incorrecte"],
        ["1300252650001", "invalide", "14 chiffres attendus"],
        ["35600000000014", "invalide", "somme des chiffres non multiple de 5 (La Poste)"],
        ["03002526520013", "invalide", "SIREN « 030025265 » (9 premiers chiffres) incorrect"],
    ]
    assert resultat.stderr.strip() == "4 code(s) SIRET invalide(s) sur 4"


def test_siren_departement_commune():
    assert _lancer("siren", "130025265", "356000000").exit_code == 0
    resultat = _lancer("departement", "069", "2a", "974", "20")
    assert resultat.exit_code == 1
    assert _lignes(resultat.stdout) == [
        ENTETE,
        ["069", "valide", "69"],
        ["2a", "valide", "2A"],
        ["974", "valide", "974"],
        ["20", "invalide", "01 à 95 (sans 20), 2A, 2B ou 971 à 976 attendu"],
    ]
    assert resultat.stderr.strip() == "1 code(s) département invalide(s) sur 4"


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
