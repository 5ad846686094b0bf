"""`cmq campus`, `cmq etablissement` and `cmq imports` on a real SQLite file; bad inputs change nothing."""

import csv
import io
import json
import os
import socket

import pytest
from typer.testing import CliRunner

from cmq.cli import app
from cmq.store import db
from tests.annuaire_exemple import UAI_ABSENT, UAI_ARDECHE, UAI_LYON, remplir
from tests.postgres import empreinte_base

runner = CliRunner()


@pytest.fixture
def base(base_vide, monkeypatch):
    """The example directory in `base_vide`; wide terminal so rich tables are not folded."""
    remplir(base_vide)
    db.fermer_tout()
    monkeypatch.setenv("COLUMNS", "250")
    return base_vide


empreinte = empreinte_base  # every row of every table (+ the file on SQLite)


def cmq(*arguments: str):
    return runner.invoke(app, list(arguments))


def erreur(resultat, message: str) -> None:
    assert resultat.exit_code == 1, resultat.output
    assert f"Erreur : {message}" in resultat.stderr
    assert "Traceback" not in resultat.output


# --- campus liste ----------------------------------------------------------------------------


def test_campus_liste_table(base):
    r = cmq("campus", "liste")
    assert r.exit_code == 0, r.output
    for identifiant in ("cmq-aero-alpes", "cmq-chimie-rouen", "cmq-numerique-lyon", "cmq-tourisme-nice"):
        assert identifiant in r.stdout
    assert "Campus Numérique Lyon Métropole" in r.stdout
    assert "non renseigné" in r.stdout  # excellence of cmq-aero-alpes
    assert "du 2020-01-01 au 2024-12-31" in r.stdout
    assert "4 campus affiché(s) sur 4." in r.stdout


def test_campus_liste_filtres_par_noms_en_csv(base):
    r = cmq("campus", "liste", "--academie", "Grenoble", "--actif-le", "2025-01-01", "--format", "csv")
    assert r.exit_code == 0, r.output
    lignes = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [ligne["id"] for ligne in lignes] == ["cmq-aero-alpes", "cmq-tourisme-nice"]
    assert lignes[0]["academies"] == "08|10"
    assert (lignes[0]["excellence"], lignes[1]["excellence"]) == ("", "non")  # unknown stays empty
    assert lignes[0]["source_url"] == "https://exemple.gouv.fr/aero"


@pytest.mark.parametrize(
    ("options", "attendus"),
    [
        (["--filiere", "Numérique"], ["cmq-numerique-lyon"]),
        (["--region-academique", "Normandie"], ["cmq-chimie-rouen"]),
        (["--departement", "Ardèche"], ["cmq-tourisme-nice"]),
        (["--excellence"], ["cmq-chimie-rouen", "cmq-numerique-lyon"]),
        (["--non-excellence"], ["cmq-tourisme-nice"]),
        (["--q", "cote d'azur"], ["cmq-tourisme-nice"]),
        (["--limite", "1"], ["cmq-aero-alpes"]),
    ],
)
def test_campus_liste_json(base, options, attendus):
    r = cmq("campus", "liste", *options, "--format", "json")
    assert r.exit_code == 0, r.output
    assert [c["id"] for c in json.loads(r.stdout)] == attendus


def test_campus_liste_date_invalide(base):
    avant = empreinte(base)
    erreur(cmq("campus", "liste", "--actif-le", "2025-13-01"), "date invalide : « 2025-13-01 »")
    assert empreinte(base) == avant


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--academie", "Atlantide"], "territoire inconnu (académie) : « Atlantide »"),
        (["--filiere", "xyzzy"], "filière inconnue « xyzzy »"),
        (["--departement", "99"], "territoire inconnu (département) : « 99 »"),
        (["--limite", "-3"], "limite invalide : -3"),
    ],
)
def test_campus_liste_filtres_invalides(base, options, message):
    avant = empreinte(base)
    erreur(cmq("campus", "liste", *options), message)
    assert empreinte(base) == avant


# --- campus voir ----------------------------------------------------------------------------


def test_campus_voir_fiche_complete(base):
    r = cmq("campus", "voir", "cmq-numerique-lyon")
    assert r.exit_code == 0, r.output
    sortie = r.stdout
    for attendu in (
        "Numérique, télécommunications (numerique-telecommunications)",
        "Excellence",
        "oui",
        "du 2020-01-01 au 2024-12-31",
        "Lyon (69123)",
        "Auvergne-Rhône-Alpes (84)",
        "Lyon (10)",
        "Arrêté du 3 janvier 2020",
        "data.gouv.fr — https://www.data.gouv.fr/fr/datasets/cmq/",
        "Membres (2)",
        UAI_LYON,
        "Lycée La Martinière Diderot",
        "Lyon 1er",
        "support",
        UAI_ABSENT,
        "absent de l'annuaire",
        "Partenaires (2)",
        "Orange",
        "entreprise",
        "38012986600006",
        "Inria Lyon",
        "laboratoire",
    ):
        assert attendu in sortie, attendu
    assert sortie.index(UAI_LYON) < sortie.index(UAI_ABSENT)  # support first


def test_campus_voir_excellence_non_renseignee_et_json(base):
    r = cmq("campus", "voir", "cmq-aero-alpes")
    assert r.exit_code == 0 and "non renseigné" in r.stdout and "dates non publiées" in r.stdout
    assert "Grenoble (08), Lyon (10)" in r.stdout
    r = cmq("campus", "voir", "cmq-tourisme-nice", "--format", "json")
    objet = json.loads(r.stdout)
    assert (objet["id"], objet["excellence"], objet["academies"]) == ("cmq-tourisme-nice", False, ["23"])
    assert objet["membres"][0]["uai"] == UAI_ARDECHE
    assert objet["membres"][0]["etablissement"]["nom_commune"] == "Tournon-sur-Rhône"
    assert objet["partenaires"] == []


def test_campus_voir_inconnu_avec_suggestion(base):
    avant = empreinte(base)
    erreur(
        cmq("campus", "voir", "cmq-tourism-nice"),
        "campus inconnu : cmq-tourism-nice. Vouliez-vous dire : cmq-tourisme-nice ?",
    )
    erreur(cmq("campus", "voir", "cmq-aero-alpes", "--format", "csv"), "format csv non disponible")
    assert empreinte(base) == avant


# --- etablissement ---------------------------------------------------------------------------


def test_etablissement_voir(base):
    r = cmq("etablissement", "voir", "0070002p")
    assert r.exit_code == 0, r.output
    for attendu in (
        "Lycée hôtelier de Tournon",
        "07300 Tournon-sur-Rhône (07324)",
        "Ardèche (07)",
        "Grenoble (08)",
        "Campus (1)",
        "cmq-tourisme-nice",
        "depuis le 2023-09-01",
    ):
        assert attendu in r.stdout, attendu


def test_etablissement_liste(base):
    r = cmq("etablissement", "liste", "--academie", "Grenoble", "--type", "LP", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert [ligne["uai"] for ligne in csv.DictReader(io.StringIO(r.stdout))] == [UAI_ARDECHE, "0730001E"]
    r = cmq("etablissement", "liste")
    assert "4 établissement(s) affiché(s) sur 4." in r.stdout


@pytest.mark.parametrize(
    ("uai", "message"),
    [
        ("0690026A", "UAI invalide « 0690026A » : lettre de contrôle « A », « D » attendue"),
        ("069002", "UAI invalide « 069002 » : 7 chiffres puis une lettre attendus"),
        (UAI_ABSENT, f"établissement inconnu : {UAI_ABSENT}"),
    ],
)
def test_etablissement_voir_erreurs(base, uai, message):
    avant = empreinte(base)
    erreur(cmq("etablissement", "voir", uai), message)
    assert empreinte(base) == avant


# --- imports ---------------------------------------------------------------------------------


def test_imports_historique(base):
    r = cmq("imports")
    assert r.exit_code == 0, r.output
    assert r.stdout.index("https://www.data.gouv.fr/cmq.csv") < r.stdout.index("annuaire.csv")  # newest first
    assert "partiel" in r.stdout and "1 ligne rejetée : filière inconnue" in r.stdout
    assert "Début (UTC)" in r.stdout and "2025-03-02 10:30:00" in r.stdout
    r = cmq("imports", "--format", "json", "--limite", "1")
    assert [i["type_import"] for i in json.loads(r.stdout)] == ["campus"]


def test_imports_base_vide(base_vide, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    r = cmq("imports")
    assert r.exit_code == 0 and "Aucun import enregistré." in r.stdout


# --- Database access -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "commande",
    [
        ["campus", "liste"],
        ["campus", "voir", "x"],
        ["etablissement", "voir", UAI_LYON],
        ["etablissement", "liste"],
        ["imports"],
    ],
)
def test_base_non_initialisee(commande, monkeypatch, tmp_path):
    monkeypatch.delenv("CMQ_DATABASE_URL", raising=False)
    monkeypatch.setenv("CMQ_DATA_DIR", str(tmp_path / "donnees"))
    erreur(cmq(*commande), "base non initialisée : lancez `cmq init`")
    assert list(tmp_path.iterdir()) == []  # neither the folder nor the file was created
    db.fermer_tout()


def test_option_base_globale(base, monkeypatch, tmp_path):
    monkeypatch.setenv("CMQ_DATABASE_URL", f"sqlite:///{tmp_path / 'autre.db'}")
    erreur(cmq("campus", "liste"), "base non initialisée")
    r = cmq("--base", base, "campus", "liste", "--format", "json")
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 4
    assert not (tmp_path / "autre.db").exists()
    assert os.environ["CMQ_DATABASE_URL"] == f"sqlite:///{tmp_path / 'autre.db'}"  # --base leaves it alone
    erreur(cmq("campus", "liste"), "base non initialisée")  # the choice lasts one invocation


def test_base_postgresql_injoignable(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.delenv("CMQ_DATABASE_URL", raising=False)
    r = cmq("--base", f"postgresql://cmq:motdepasse@127.0.0.1:{port}/cmq", "campus", "liste")
    erreur(
        r, f"impossible d'ouvrir ou de joindre la base de données « postgresql+psycopg://cmq:***@127.0.0.1:{port}/cmq »"
    )
    assert "motdepasse" not in r.output
    db.fermer_tout()
