"""Orion's type-aheads: the 12 filières (`/api/filieres/recherche`, `cmq filieres search`) and the
campus names (`/api/campus/suggestions`), against a real uvicorn; resolution wording."""

import json

import pytest
from typer.testing import CliRunner

from cmq import filieres
from cmq.cli import app
from cmq.resolve import resolve
from tests.api_serveur import base_api, serveur_api  # noqa: F401

MOBILITE = "mobilite-aeronautique-transports-terrestres-et-maritimes"
TOURISME = "tourisme-gastronomie"
CREATION = "creation-design-audiovisuel"
ALIMENTAIRE = "alimentaire-agroalimentaire"
BTP = "infrastructures-batiment-eco-construction"
NUMERIQUE = "numerique-telecommunications"
LOGISTIQUE = "services-aux-entreprises-logistique"
PERSONNE = "services-a-la-personne-bien-etre"
MECATRONIQUE = "systemes-innovants-mecatronique"
MATERIAUX = "materiaux-materiaux-innovants"


@pytest.fixture(scope="module")
def api(serveur_api):
    with serveur_api.client() as client:
        yield client


# --- filières ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texte", "codes"),
    [
        ("a", [CREATION, ALIMENTAIRE, MOBILITE]),  # audiovisuel, alimentaire/agroalimentaire, aéronautique
        ("A", [CREATION, ALIMENTAIRE, MOBILITE]),
        ("à", [CREATION, ALIMENTAIRE, MOBILITE]),
        ("m", [MOBILITE, MATERIAUX, MECATRONIQUE]),
        ("s", [MECATRONIQUE, PERSONNE, LOGISTIQUE]),
        ("al", [ALIMENTAIRE]),
        ("mob", [MOBILITE]),
        ("num", [NUMERIQUE]),
        ("log", [LOGISTIQUE]),
        ("gas", [TOURISME]),
        ("Mécat", [MECATRONIQUE]),
        ("BTP", [BTP]),
        ("aero", [MOBILITE]),
        ("numerqiue", [NUMERIQUE]),
        ("x", []),
    ],
)
def test_saisie_semi_automatique_des_filieres(texte, codes):
    assert [r.filiere.code for r in filieres.suggerer(texte)] == codes


def test_texte_vide_les_douze_dans_l_ordre_du_glossaire(api):
    for params in ({}, {"q": ""}, {"q": "   "}):
        r = api.get("/api/filieres/recherche", params=params)
        assert r.status_code == 200
        corps = r.json()
        assert [x["filiere"]["code"] for x in corps["resultats"]] == list(filieres.codes())
        assert (corps["statut"], corps["filiere"]) == ("inconnu", None)


@pytest.mark.parametrize(("texte", "code"), [("mob", MOBILITE), ("gas", TOURISME), ("btp", BTP), ("aéro", MOBILITE)])
def test_api_une_lettre_et_plus(api, texte, code):
    r = api.get("/api/filieres/recherche", params={"q": texte})
    assert r.status_code == 200 and r.json()["resultats"][0]["filiere"]["code"] == code
    trois = api.get("/api/filieres/recherche", params={"q": "m"}).json()["resultats"]
    assert [x["filiere"]["code"] for x in trois] == [MOBILITE, MATERIAUX, MECATRONIQUE]


def test_cli_search_vide_et_json():
    vide = CliRunner().invoke(app, ["filieres", "search", "--format", "json"])
    assert vide.exit_code == 0, vide.output
    corps = json.loads(vide.output)
    assert [r["filiere"]["code"] for r in corps["resultats"]] == list(filieres.codes())
    gas = json.loads(CliRunner().invoke(app, ["filieres", "search", "gas", "--format", "json"]).output)
    assert (gas["q"], [r["filiere"]["code"] for r in gas["resultats"]]) == ("gas", [TOURISME])
    btp = json.loads(CliRunner().invoke(app, ["filieres", "search", "BTP", "--format", "json"]).output)
    assert (btp["statut"], btp["filiere"]["code"], btp["resultats"][0]["motif"]) == ("normalise", BTP, "mot-clé")
    table = CliRunner().invoke(app, ["filieres", "search", "num"])
    assert table.exit_code == 0 and "\tnumerique-telecommunications\tNumérique\t" in table.output  # TSV off a terminal


# --- campus --------------------------------------------------------------------------------------


def test_suggestions_de_campus(api):
    r = api.get("/api/campus/suggestions", params={"q": "plasti"})
    assert r.status_code == 200
    assert r.json()["suggestions"][0]["campus_id"] == "plasticampus"
    # from a lycée of Toulouse, filière Mobilité: one letter already puts the local aeronautics campus first
    r = api.get("/api/campus/suggestions", params={"q": "a", "uai": "0310036W", "filiere": "Mobilité"})
    corps = r.json()
    assert (corps["uai"], corps["region_academique"], corps["filiere"]) == ("0310036W", "76", MOBILITE)
    premier = corps["suggestions"][0]
    assert (premier["campus_id"], premier["meme_territoire"], premier["meme_filiere"]) == (
        "aeronautique-et-du-spatial-occitanie",
        True,
        True,
    )
    # typos still work from 4 letters, and the territory ranks local campuses first
    oyonax = api.get("/api/campus/suggestions", params={"q": "plasti campus oyonax", "uai": "0310036W"}).json()
    assert [s["campus_id"] for s in oyonax["suggestions"]] == ["plasticampus"]
    tou = api.get("/api/campus/suggestions", params={"q": "tou", "uai": "0310036W"}).json()["suggestions"]
    assert tou[0]["campus_id"] == "tourisme-pyreneen" and tou[0]["meme_territoire"]
    assert all(s["meme_territoire"] for s in tou[:2]) and not tou[2]["meme_territoire"]


def test_suggestions_sans_texte_et_etablissement_hors_annuaire(api):
    corps = api.get("/api/campus/suggestions", params={"uai": "0210015C", "filiere": "Tourisme, gastronomie"}).json()
    assert corps["suggestions"][0]["campus_id"] == "alimentation-gout-tourisme"  # Dijon's tourism campus
    hors = api.get("/api/campus/suggestions", params={"q": "plasti", "uai": "0699999U"}).json()
    assert (hors["uai"], hors["region_academique"]) == ("0699999U", None)
    assert api.get("/api/campus/suggestions", params={"q": "zzzz"}).json()["suggestions"] == []


@pytest.mark.parametrize(
    ("params", "mot"),
    [
        ({"uai": "0310036X"}, "lettre de contrôle"),
        ({"filiere": "qwertz"}, "filière inconnue"),
        ({"limite": 0}, "« limite »"),
    ],
)
def test_suggestions_refusees(api, params, mot):
    r = api.get("/api/campus/suggestions", params=params)
    assert r.status_code == 422 and mot in r.json()["detail"]


# --- resolution wording ---------------------------------------------------------------------------


def test_ambigue_seulement_avec_deux_candidats(base_embarquee, monkeypatch):
    monkeypatch.setenv("CMQ_DATABASE_URL", base_embarquee)
    r = resolve("Aerocampus Aquitaine", url=base_embarquee)
    assert (r.statut, [c.campus_id for c in r.candidats]) == ("inconnu", ["aerocampus"])
    sortie = " ".join(CliRunner().invoke(app, ["resoudre", "Aerocampus Aquitaine"]).output.split())
    assert "ambigu" not in sortie
    assert "mention inconnue : aucun campus ne correspond avec assez de certitude à « Aerocampus Aquitaine »" in sortie
    tp = CliRunner().invoke(app, ["resoudre", "CMQ TP"]).output
    assert "mention ambiguë : 2 campus proches" in " ".join(tp.split())


def test_un_mot_de_filiere_compte(base_embarquee):
    r = resolve("campus tourisme lyon", url=base_embarquee)
    assert r.statut == "inconnu" and all(c.filiere == TOURISME for c in r.candidats)
    scores = [c.score for c in r.candidats]
    assert len(scores) == len(set(scores))  # never unrelated campuses tied


def test_libelle_de_filiere_n_est_pas_un_campus(base_embarquee, monkeypatch):
    national = resolve("Tourisme, gastronomie", url=base_embarquee)
    assert (national.statut, national.motif) == ("ambigu", "libelle_de_filiere")
    assert {c.filiere for c in national.candidats} == {TOURISME} and len(national.candidats) == 5
    occitanie = resolve("Tourisme, gastronomie", territoire="76", url=base_embarquee)
    assert occitanie.statut == "ambigu"
    assert {c.campus_id for c in occitanie.candidats} == {"tourisme-pyreneen", "gastronomie-hotellerie-tourisme-lrmp"}
    dijon = resolve("CMQ Tourisme", territoire="27", url=base_embarquee)
    assert (dijon.statut, dijon.campus_id) == ("trouve", "alimentation-gout-tourisme")
    monkeypatch.setenv("CMQ_DATABASE_URL", base_embarquee)
    sortie = CliRunner().invoke(app, ["resoudre", "Tourisme, gastronomie"]).output
    assert "« Tourisme, gastronomie » est le libellé d'une filière, pas le nom d'un campus" in " ".join(sortie.split())
