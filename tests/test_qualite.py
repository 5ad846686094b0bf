"""`cmq.qualite`, `cmq qualite`, GET /api/qualite and the page /qualite on the embedded directory."""

import json

import pytest
from typer.testing import CliRunner

from cmq import qualite
from cmq.cli import app
from cmq.errors import ErreurStockage
from tests.api_serveur import base_api, serveur_api  # noqa: F401
from tests.web_html import analyser


@pytest.mark.parametrize(
    ("url", "genre"),
    [
        ("https://www.education.gouv.fr/x", "officielle"),
        ("https://www1.ac-lille.fr/page", "officielle"),
        ("https://sii.web.ac-grenoble.fr/les-cmq", "officielle"),
        ("https://oniseptv.onisep.fr/onv/x", "officielle"),
        ("https://www.hautsdefrance.fr/campus", "officielle"),
        ("https://univ-avignon.fr/en/x", "officielle"),
        ("https://www.u-pec.fr/fr/x", "officielle"),
        ("https://campus-mes.fr/le-campus", "campus"),
        ("https://cmq-bfc.org/cmq-msi", "campus"),
        ("https://ru24.net/smi/lamontagne-fr/1", "miroir ou agrégateur"),
        ("https://frdocs.com/x", "miroir ou agrégateur"),
        ("https://histoiresduniversites.wordpress.com/2016/x", "miroir ou agrégateur"),
        ("https://letrois.info/en-bref/x", "presse ou autre"),
        ("", "absente"),
        (None, "absente"),
    ],
)
def test_genre_source(url, genre):
    assert qualite.genre_source(url) == genre


def test_genre_source_site_du_campus():
    assert qualite.genre_source("https://mecanicvallee.com/x") == "presse ou autre"
    assert qualite.genre_source("https://mecanicvallee.com/x", frozenset({"mecanicvallee.com"})) == "campus"


def test_rapport_sur_l_annuaire_embarque(base_embarquee):
    r = qualite.qualite(base_embarquee)
    assert r.nb_campus == 91
    assert {c.champ: (c.nb_avec, len(c.sans)) for c in r.champs} == {
        "siege": (55, 36),
        "coordonnees": (54, 37),
        "dates_label": (38, 53),
        "excellence": (24, 67),
        "membres": (29, 62),
        "source": (90, 1),
    }
    assert r.champ("source").sans == ["transnum"]
    assert "plasticampus" not in r.champ("membres").sans and "mobicampus" in r.champ("membres").sans
    assert r.sources == {
        "officielle": 29,
        "campus": 6,
        "miroir ou agrégateur": 13,
        "presse ou autre": 42,
        "absente": 1,
    }
    assert len(r.non_officielles) == 13 + 42 + 1
    premiere = r.non_officielles[0]
    assert (premiere.genre, premiere.hote) == ("miroir ou agrégateur", "ar-nevez.org")
    aerocampus = next(s for s in r.non_officielles if s.campus_id == "aerocampus")
    assert (aerocampus.genre, aerocampus.hote) == ("miroir ou agrégateur", "ru24.net")


def test_qualite_base_non_initialisee(tmp_path):
    cible = tmp_path / "vide" / "cmq.db"
    with pytest.raises(ErreurStockage, match="base non initialisée"):
        qualite.qualite(f"sqlite:///{cible}")
    assert not cible.parent.exists()


def test_cli_qualite(base_embarquee, monkeypatch):
    monkeypatch.setenv("CMQ_DATABASE_URL", base_embarquee)
    monkeypatch.setenv("COLUMNS", "200")
    r = CliRunner().invoke(app, ["qualite"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Champ\tCampus qui l'ont\tCampus\tPart")  # TSV off a terminal
    assert "\nMembres connus\t29\t91\t31,9 %\t" in r.stdout
    assert "Membres connus" in r.stdout and "29" in r.stdout
    assert "miroir ou agrégateur : 13" in r.stdout
    assert "aerocampus" in r.stdout and "ru24.net" in r.stdout
    j = CliRunner().invoke(app, ["qualite", "--format", "json"])
    donnees = json.loads(j.stdout)
    assert donnees["nb_campus"] == 91 and donnees["sources"]["absente"] == 1


def test_api_et_page_qualite(serveur_api):
    with serveur_api.client() as client:
        r = client.get("/api/qualite")
        assert r.status_code == 200
        corps = r.json()
        membres = next(c for c in corps["champs"] if c["champ"] == "membres")
        assert (membres["nb_avec"], membres["nb_campus"]) == (30, 91)  # + the campus given members by the test server
        page = client.get("/qualite")
        assert page.status_code == 200
        arbre = analyser(page.text)
        assert arbre.un("h1").texte() == "Qualité des données"
        lignes = arbre.un("table", id="table-qualite").lignes()
        assert [lg[0] for lg in lignes] == [
            "Ville du siège",
            "Coordonnées du siège",
            "Date de début du label",
            "Mention Excellence connue",
            "Membres connus",
            "Adresse de la source",
        ]
        assert lignes[4][1] == "30 sur 91"
        csv_qualite = client.get("/qualite?format=csv")
        assert csv_qualite.status_code == 200 and csv_qualite.text.startswith("champ,libelle,nb_avec,nb_campus,sans")
        accueil = analyser(client.get("/?date=2025-09-01").text)
        completude = accueil.un(id="completude-membres").texte()
        assert "Membres connus pour" in completude and "ce chiffre est donc un minimum" in completude
