"""`cmq indicateurs`, `cmq indicateurs evolution`, `cmq exporter`, `cmq glossaire cmq --avec-chiffres`
on the hand-built directory; every bad input: French message, exit 1, no file left behind."""

import csv
import io
import json
import os

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cmq.cli import app
from cmq.store import db
from tests.indicateurs_exemple import remplir

runner = CliRunner()


@pytest.fixture
def base(base_vide, monkeypatch):
    remplir(base_vide)
    db.fermer_tout()
    monkeypatch.setenv("COLUMNS", "250")
    return base_vide


def cmq(*arguments: str):
    return runner.invoke(app, list(arguments))


def ok(resultat):
    assert resultat.exit_code == 0, resultat.output
    return resultat


def lire_csv(texte: str, separateur: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(texte), delimiter=separateur))


def test_table_a_l_ecran(base):
    r = ok(cmq("indicateurs", "--echelle", "academie", "--date", "2025-09-01"))
    assert "Indicateurs CMQ au 2025-09-01" in r.stdout
    ligne_lyon = next(l for l in r.stdout.splitlines() if "│ Lyon " in l)
    assert "│ 3 " in ligne_lyon and "1 (33,3 %)" in ligne_lyon and "Numérique 1" in ligne_lyon
    assert "50,0 %" in ligne_lyon  # lycée coverage
    assert "┃ Code ┃ Territoire" in r.stdout
    assert sum("│" in l for l in r.stdout.splitlines()) == 30  # one row per académie


def test_csv_d_une_academie(base):
    r = ok(cmq("indicateurs", "--echelle", "academie", "--code", "10", "--date", "2025-09-01", "--format", "csv"))
    (ligne,) = lire_csv(r.stdout)
    assert (ligne["code"], ligne["nom"], ligne["nb_campus"], ligne["part_excellence"]) == ("10", "Lyon", "3", "0.3333")
    assert ligne["numerique-telecommunications"] == "1" and ligne["tourisme-gastronomie"] == "0"
    assert ligne["campus_ids"] == "cmq-aero-lyon|cmq-bois-grenoble|cmq-numerique-lyon"
    assert (ligne["nb_lycees"], ligne["couverture_lycees"]) == ("2", "0.5")


def test_json_par_nom_de_territoire(base):
    r = ok(
        cmq(
            "indicateurs",
            "--echelle",
            "region_academique",
            "--code",
            "auvergne rhone alpes",
            "--date",
            "2025-09-01",
            "--format",
            "json",
        )
    )
    (objet,) = json.loads(r.stdout)
    assert (objet["code"], objet["nb_campus"], objet["nb_etablissements_membres"]) == ("84", 3, 4)
    assert objet["campus_ids"] == ["cmq-aero-lyon", "cmq-bois-grenoble", "cmq-numerique-lyon"]


def test_fichiers_xlsx_md_et_csv_excel(base, tmp_path):
    dossier = tmp_path / "sorties"
    dossier.mkdir()
    xlsx, md, csv_fr = dossier / "ind.xlsx", dossier / "ind.md", dossier / "ind.csv"
    r = ok(cmq("indicateurs", "--echelle", "departement", "--date", "2025-09-01", "--format", "xlsx", "-o", str(xlsx)))
    assert f"101 territoire(s) au 2025-09-01 écrit(s) : {xlsx}" in r.stdout
    feuille = load_workbook(xlsx)["Indicateurs"]
    assert feuille.max_row == 102 and feuille["A1"].font.b and feuille.freeze_panes == "A2"
    rhone = next(row for row in feuille.iter_rows(values_only=True) if row[1] == "69")
    assert rhone[4] == 3 and isinstance(rhone[4], int)
    ok(cmq("indicateurs", "--date", "2025-09-01", "-o", str(md)))  # format from the extension
    texte = md.read_text(encoding="utf-8")
    assert texte.startswith("---\nType d'indicateur: Acteurs\n")
    assert "| Campus labellisés | 3 |" in texte
    ok(
        cmq(
            "indicateurs",
            "--echelle",
            "academie",
            "--code",
            "Grenoble",
            "--date",
            "2025-09-01",
            "--format",
            "csv",
            "--separateur",
            ";",
            "--bom",
            "-o",
            str(csv_fr),
        )
    )
    contenu = csv_fr.read_bytes()
    assert contenu.startswith(b"\xef\xbb\xbf")
    (ligne,) = lire_csv(contenu.decode("utf-8-sig"), ";")
    assert (ligne["nom"], ligne["part_excellence"], ligne["couverture_lycees"]) == ("Grenoble", "0,5", "1,0")
    assert sorted(p.name for p in dossier.iterdir()) == ["ind.csv", "ind.md", "ind.xlsx"]


def test_evolution(base):
    r = ok(cmq("indicateurs", "evolution", "--de", "2019", "--a", "2026", "--format", "csv"))
    assert [(l["annee"], l["date"], l["nb_campus"]) for l in lire_csv(r.stdout)] == [
        ("2019", "2019-09-01", "2"),
        ("2020", "2020-09-01", "3"),
        ("2021", "2021-09-01", "3"),
        ("2022", "2022-09-01", "3"),
        ("2023", "2023-09-01", "3"),
        ("2024", "2024-09-01", "3"),
        ("2025", "2025-09-01", "3"),
        ("2026", "2026-09-01", "4"),
    ]
    r = ok(cmq("indicateurs", "evolution", "--de", "2024", "--a", "2025", "--echelle", "academie", "--code", "Caen"))
    assert "Normandie" in r.stdout and "au 01/09 de chaque année" in r.stdout


def test_glossaire_avec_chiffres(base):
    r = ok(cmq("glossaire", "cmq", "--avec-chiffres", "--date", "2025-09-01"))
    assert r.stdout.startswith("---\nType d'indicateur: Acteurs\n")
    assert "## Chiffres au 2025-09-01 — France" in r.stdout
    assert "| Campus labellisés | 3 |" in r.stdout
    sans = ok(cmq("glossaire", "cmq"))
    assert "Chiffres" not in sans.stdout


def test_exporter_campus_geojson(base, tmp_path):
    chemin = tmp_path / "campus.geojson"
    r = ok(cmq("exporter", "campus", "--format", "geojson", "-o", str(chemin)))
    collection = json.loads(chemin.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    sieges = [f["properties"]["id"] for f in collection["features"] if f["properties"]["nature"] == "siege"]
    assert sieges == ["cmq-chimie-normandie", "cmq-numerique-lyon"]
    assert sum(f["properties"]["nature"] == "membre" for f in collection["features"]) == 6
    assert f"8 points écrits : {chemin}" in r.stdout
    assert "5 point(s) sans coordonnées ignoré(s) (2 membre(s), 3 siège(s) de campus)" in r.stderr


def test_exporter_indicateurs_xlsx_une_feuille_par_echelle(base, tmp_path):
    chemin = tmp_path / "indicateurs.xlsx"
    ok(cmq("exporter", "indicateurs", "--format", "xlsx", "--date", "2025-09-01", "-o", str(chemin)))
    classeur = load_workbook(chemin)
    assert classeur.sheetnames == ["France", "Régions académiques", "Académies", "Départements"]
    assert [classeur[n].max_row for n in classeur.sheetnames] == [2, 19, 31, 102]
    assert classeur["France"]["E2"].value == 3


def test_exporter_campus_xlsx_et_etablissements_csv(base, tmp_path):
    chemin = tmp_path / "campus.xlsx"
    ok(cmq("exporter", "campus", "--format", "xlsx", "-o", str(chemin)))
    classeur = load_workbook(chemin)
    assert classeur.sheetnames == ["Campus", "Membres"]
    assert (classeur["Campus"].max_row, classeur["Membres"].max_row) == (6, 9)
    r = ok(cmq("exporter", "etablissements"))
    assert len(lire_csv(r.stdout)) == 8
    r = ok(cmq("exporter", "membres", "--format", "json", "--date", "2025-09-01"))
    assert len(json.loads(r.stdout)) == 6


# --- Bad inputs ------------------------------------------------------------------------------------


def echec(resultat, message: str) -> None:
    assert resultat.exit_code == 1, resultat.output
    assert resultat.stderr.startswith("Erreur : ")
    assert message in resultat.stderr
    assert "Traceback" not in resultat.output
    assert resultat.stdout == ""


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["indicateurs", "--echelle", "canton"], "échelle inconnue : « canton »"),
        (["indicateurs", "--echelle", "academie", "--code", "Lyonn"], "Vouliez-vous dire : académie Lyon (10)"),
        (["indicateurs", "--echelle", "departement", "--code", "Atlantide"], "territoire inconnu (département)"),
        (
            ["indicateurs", "--date", "2025-02-30"],
            "date invalide : « 2025-02-30 » (format AAAA-MM-JJ attendu, ex. 2025-09-01)",
        ),
        (["indicateurs", "--format", "pdf"], "format non pris en charge : « pdf »"),
        (["indicateurs", "--format", "xlsx"], "le format xlsx s'écrit dans un fichier"),
        (["indicateurs", "--format", "table"], "le format table s'affiche à l'écran"),
        (
            ["indicateurs", "evolution", "--de", "2026", "--a", "2019"],
            "l'année de fin (2019) précède l'année de début (2026)",
        ),
        (["exporter", "campus", "--format", "docx"], "format non pris en charge : « docx »"),
        (["exporter", "indicateurs", "--format", "geojson"], "format geojson non disponible pour les indicateurs"),
        (["exporter", "campus", "--format", "csv", "--separateur", "|"], "séparateur « | » non pris en charge"),
        (["glossaire", "cmq", "--avec-chiffres", "--date", "2025-13-01"], "date invalide : « 2025-13-01 »"),
    ],
)
def test_entrees_invalides_rien_n_est_ecrit(base, tmp_path, arguments, message):
    cible = tmp_path / "sortie"
    cible.mkdir()
    avec_fichier = [*arguments, "-o", str(cible / "f.csv")] if arguments[0] != "glossaire" else arguments
    if "xlsx" in arguments and arguments[0] == "indicateurs":
        avec_fichier = arguments  # the error is precisely the missing -o
    echec(cmq(*avec_fichier), message)
    assert list(cible.iterdir()) == []


def test_dossier_de_sortie_absent(base, tmp_path):
    chemin = tmp_path / "absent" / "ind.csv"
    echec(cmq("indicateurs", "--format", "csv", "-o", str(chemin)), "n'existe pas")
    echec(cmq("exporter", "campus", "--format", "geojson", "-o", str(chemin)), "n'existe pas")
    assert not (tmp_path / "absent").exists()


def test_dossier_de_sortie_est_un_fichier(base, tmp_path):
    fichier = tmp_path / "pas-un-dossier"
    fichier.write_text("x")
    echec(cmq("exporter", "indicateurs", "--format", "csv", "-o", str(fichier / "ind.csv")), "n'existe pas")
    assert fichier.read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root écrit dans un dossier en lecture seule : cas couvert ci-dessus")
def test_dossier_de_sortie_non_accessible_en_ecriture(base, tmp_path):
    dossier = tmp_path / "lecture-seule"
    dossier.mkdir()
    dossier.chmod(0o500)
    try:
        echec(
            cmq("indicateurs", "--format", "json", "-o", str(dossier / "ind.json")),
            "dossier non accessible en écriture",
        )
        assert list(dossier.iterdir()) == []
    finally:
        dossier.chmod(0o700)


def test_fichier_existant_intact_apres_une_erreur(base, tmp_path):
    chemin = tmp_path / "ind.csv"
    chemin.write_text("ancien contenu")
    echec(
        cmq("indicateurs", "--echelle", "academie", "--code", "Atlantide", "--format", "csv", "-o", str(chemin)),
        "territoire inconnu",
    )
    assert chemin.read_text() == "ancien contenu"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_base_non_initialisee(tmp_path, monkeypatch):
    monkeypatch.setenv("CMQ_DATABASE_URL", f"sqlite:///{tmp_path / 'vide.db'}")
    echec(cmq("indicateurs"), "base non initialisée")
    echec(cmq("exporter", "campus"), "base non initialisée")
    assert list(tmp_path.iterdir()) == []
