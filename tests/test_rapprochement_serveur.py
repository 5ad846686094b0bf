"""Establishment search through the REST API, the web pages and a real browser (real uvicorn on
127.0.0.1, the embedded lycées in SQLite and PostgreSQL: `tests.api_serveur`)."""

import pytest

from tests.api_serveur import base_api, serveur_api  # noqa: F401
from tests.test_api import probleme
from tests.test_navigateur import capture, navigateur, onglet  # noqa: F401
from tests.test_web_pages import message_erreur, page
from tests.web_html import analyser


@pytest.fixture(scope="module")
def client(serveur_api):
    with serveur_api.client() as c:
        yield c


# --- API -----------------------------------------------------------------------------------------


def test_api_recherche_par_nom(client):
    r = client.get("/api/etablissements/recherche", params={"q": "LP Branly (Amiens)"})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "q": "LP Branly (Amiens)",
        "commune": None,
        "resultats": [
            {
                "uai": "0801336T",
                "nom": "LYCÉE PROFESSIONNEL ÉDOUARD BRANLY",
                "type": "LP",
                "commune": "Amiens",
                "code_commune": "80021",
                "score": 90.0,
            },
            {
                "uai": "0801327H",
                "nom": "LYCÉE ÉDOUARD BRANLY",
                "type": "lycée",
                "commune": "Amiens",
                "code_commune": "80021",
                "score": 85.0,
            },
        ],
    }


def test_api_recherche_commune_uai_et_limite(client):
    r = client.get("/api/etablissements/recherche", params={"q": "Robert Doisneau", "commune": "Vaulx-en-Velin"})
    assert [e["uai"] for e in r.json()["resultats"]] == ["0693619J"]
    assert r.json()["commune"] == "Vaulx-en-Velin"
    r = client.get("/api/etablissements/recherche", params={"q": "0801336t"})
    assert [e["uai"] for e in r.json()["resultats"]] == ["0801336T"]
    r = client.get("/api/etablissements/recherche", params={"q": "Bellignat"})
    assert [e["uai"] for e in r.json()["resultats"]] == ["0011119L", "0011411D"]
    r = client.get("/api/etablissements/recherche", params={"q": "Jean Moulin", "limite": 3})
    assert len(r.json()["resultats"]) == 3
    r = client.get("/api/etablissements/recherche", params={"q": "IUT de Lannion"})
    assert r.json()["resultats"] == []


@pytest.mark.parametrize(
    ("params", "mot"),
    [
        ({}, "« q »"),
        ({"q": ""}, "« q »"),
        ({"q": "x" * 501}, "« q »"),
        ({"q": "Branly", "limite": 0}, "« limite »"),
        ({"q": "Branly", "limite": 51}, "« limite »"),
    ],
)
def test_api_recherche_parametres_invalides(client, params, mot):
    probleme(client.get("/api/etablissements/recherche", params=params), 422, mot)


def test_api_recherche_documentee(client):
    assert "/api/etablissements/recherche" in client.get("/openapi.json").json()["paths"]


# --- web -----------------------------------------------------------------------------------------


def test_page_recherche_resultats_lies_a_la_fiche(client):
    arbre = page(client, "/etablissements?q=LP+Branly&commune=Amiens")
    lignes = arbre.un("table", id="table-etablissements").lignes()
    assert lignes == [
        ["0801336T", "LYCÉE PROFESSIONNEL ÉDOUARD BRANLY", "LP", "Amiens (80021)", "90.0"],
        ["0801327H", "LYCÉE ÉDOUARD BRANLY", "lycée", "Amiens (80021)", "85.0"],
    ]
    liens = [a.attrs["href"] for a in arbre.un("table", id="table-etablissements").tous("a")]
    assert liens == ["/etablissements/0801336T", "/etablissements/0801327H"]
    assert arbre.un("input", id="q").attrs["value"] == "LP Branly"
    assert arbre.un("input", id="commune").attrs["value"] == "Amiens"
    fiche = page(client, liens[0])
    assert fiche.un("h1", id="titre-etablissement").texte() == "LYCÉE PROFESSIONNEL ÉDOUARD BRANLY"


def test_page_recherche_sans_resultat_et_vide(client):
    arbre = page(client, "/etablissements?q=Universit%C3%A9+d%27%C3%89vry")
    assert arbre.un("table", id="table-etablissements").lignes() == [
        ["Aucun établissement ne correspond à « Université d'Évry »."]
    ]
    vide = page(client, "/etablissements")
    assert vide.tous("table", id="table-etablissements") == []
    assert vide.un("h1").texte() == "Rechercher un établissement"


def test_boite_de_recherche_dans_l_entete_de_chaque_page(client):
    for chemin in ("/", "/campus", "/filieres", "/etablissements/0801336T"):
        formulaire = analyser(client.get(chemin).text).un("form", id="recherche-etablissement")
        assert formulaire.attrs["action"] == "/etablissements"
        assert formulaire.un("input", id="recherche-etablissement-q").attrs["name"] == "q"
        assert formulaire.un("label").texte() == "Rechercher un établissement (nom, UAI ou commune)"


def test_page_recherche_texte_trop_long(client):
    arbre = page(client, "/etablissements?q=" + "x" * 501, 400)
    assert "500" in message_erreur(arbre) and "« q »" in message_erreur(arbre), message_erreur(arbre)


# --- browser -------------------------------------------------------------------------------------


@pytest.mark.navigateur
def test_navigateur_boite_de_recherche_vers_la_fiche(onglet):
    page_, journal = onglet
    page_.goto("/filieres")
    page_.fill("#recherche-etablissement-q", "lycee st exupery - blagnac")
    page_.press("#recherche-etablissement-q", "Enter")
    page_.wait_for_url("**/etablissements?q=*")
    assert page_.title().startswith("Rechercher un établissement")
    premier = page_.locator("#table-etablissements tbody tr").first
    assert premier.locator("td").first.inner_text() == "0312686B"
    capture(page_, journal, "recherche_etablissement")
    premier.locator("a").click()
    page_.wait_for_url("**/etablissements/0312686B")
    assert page_.inner_text("#titre-etablissement") == "LYCÉE POLYVALENT SAINT EXUPÉRY"
    journal.verifier()
