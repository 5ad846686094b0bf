"""REST API reads against a real uvicorn on 127.0.0.1, on the embedded data (+ a few members)."""

import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
import warnings
from datetime import date

import httpx
import openpyxl
import pytest

from cmq import extraction, filieres, glossaire, indicateurs
from tests.api_serveur import CAMPUS_MEMBRES, UAI_HORS_ANNUAIRE, base_api, serveur_api  # noqa: F401

BTP = "infrastructures-batiment-eco-construction"
PROBLEME = "application/problem+json"


@pytest.fixture(scope="module")
def api(serveur_api):
    with serveur_api.client() as client:
        yield client


@pytest.fixture(scope="module")
def tous(api) -> list[dict]:
    """Every campus, read in one page."""
    r = api.get("/api/campus", params={"limite": 500})
    assert r.status_code == 200
    assert r.json()["total"] == len(r.json()["elements"])
    return r.json()["elements"]


def probleme(r: httpx.Response, statut: int, *mots: str) -> dict:
    """Assert an RFC 9457 problem in French with status `statut` whose detail contains `mots`."""
    assert r.status_code == statut, r.text
    assert r.headers["content-type"] == PROBLEME
    corps = r.json()
    assert corps["type"] == "about:blank"
    assert corps["status"] == statut
    assert corps["title"] and corps["detail"]
    for mot in mots:
        assert mot in corps["detail"], corps["detail"]
    return corps


# --- filières ----------------------------------------------------------------------------------


def test_filieres_les_douze(api):
    r = api.get("/api/filieres")
    assert r.status_code == 200
    assert [f["code"] for f in r.json()] == list(filieres.codes())
    assert r.json()[5]["libelle"] == "Infrastructures, bâtiment, éco-construction"


@pytest.mark.parametrize(
    ("texte", "code"),
    [
        ("btp", BTP),
        ("aero", "mobilite-aeronautique-transports-terrestres-et-maritimes"),
        ("numerqiue", "numerique-telecommunications"),
        ("Campus Tourisme Nice", "tourisme-gastronomie"),
    ],
)
def test_recherche_filiere(api, texte, code):
    r = api.get("/api/filieres/recherche", params={"q": texte})
    assert r.status_code == 200
    corps = r.json()
    assert corps["q"] == texte
    assert corps["resultats"][0]["filiere"]["code"] == code
    assert corps["statut"] == "normalise"
    assert corps["filiere"]["code"] == code


def test_recherche_filiere_ambigue_et_limite(api):
    r = api.get("/api/filieres/recherche", params={"q": "services", "limite": 2})
    assert r.status_code == 200
    assert r.json()["statut"] == "ambigu" and r.json()["filiere"] is None
    assert len(r.json()["resultats"]) == 2


@pytest.mark.parametrize(
    ("params", "mot"),
    [({"q": "x" * 501}, "« q »"), ({"q": "btp", "limite": 0}, "« limite »")],
)
def test_recherche_filiere_invalide(api, params, mot):
    probleme(api.get("/api/filieres/recherche", params=params), 422, mot)


def test_filiere_par_code(api):
    assert api.get(f"/api/filieres/{BTP}").json()["libelle_court"] == "Bâtiment"
    probleme(api.get("/api/filieres/batiment"), 404, "filière inconnue", BTP)
    domaines = api.get(f"/api/filieres/{BTP}").json()["domaines_formation"]
    assert [d["code"] for d in domaines] == ["224", "227", "230", "231", "232", "233", "234", "341"]
    assert domaines[3]["libelle"] == "Mines et carrières, génie civil, topographie"
    assert domaines[3]["justification"].endswith(".")


def test_domaine_nsf(api):
    corps = api.get("/api/filieres/nsf/221").json()
    assert corps["libelle"] == "Agro-alimentaire, alimentation, cuisine"
    assert corps["filieres"] == [
        {"code": "alimentaire-agroalimentaire", "libelle": "Alimentaire, agroalimentaire"},
        {"code": "tourisme-gastronomie", "libelle": "Tourisme, gastronomie"},
    ]
    assert "gastronomie" in corps["justification"]
    assert api.get("/api/filieres/nsf/100").json()["filieres"] == []  # a domain with no filière
    probleme(api.get("/api/filieres/nsf/999"), 404, "code NSF inconnu", "« 999 »")
    probleme(api.get("/api/filieres/nsf/33"), 422, "« code »")
    probleme(api.get("/api/filieres/nsf/abc"), 422, "« code »")


# --- campus ------------------------------------------------------------------------------------


def test_campus_region_academique(api, tous):
    """ARA (84): the campuses whose région académique is 84 (+ those with a member there)."""
    attendus = sorted(c["id"] for c in tous if c["region_academique"] == "84" or c["id"] == CAMPUS_MEMBRES)
    for valeur in ("84", "Auvergne-Rhône-Alpes", "ARA"):
        r = api.get("/api/campus", params={"region_academique": valeur, "limite": 500})
        assert r.status_code == 200
        page = r.json()
        assert [c["id"] for c in page["elements"]] == attendus
        assert page["total"] == len(attendus) >= 5
        assert all(c["region_academique"] == "84" for c in page["elements"])


def test_campus_pagination(api, tous):
    vus, totaux = [], set()
    for decalage in range(0, len(tous) + 10, 10):
        page = api.get("/api/campus", params={"limite": 10, "decalage": decalage}).json()
        assert page["limite"] == 10 and page["decalage"] == decalage
        assert len(page["elements"]) <= 10
        totaux.add(page["total"])
        vus += [c["id"] for c in page["elements"]]
    assert totaux == {len(tous)}
    assert vus == sorted(vus) == [c["id"] for c in tous]
    assert len(tous) == 91  # embedded campus.csv
    assert api.get("/api/campus").json()["limite"] == 50


def test_campus_filtres(api, tous):
    btp = api.get("/api/campus", params={"filiere": "BTP", "limite": 500}).json()
    assert btp["total"] == sum(c["filiere"] == BTP for c in tous) > 0
    assert {c["filiere"] for c in btp["elements"]} == {BTP}
    oui = api.get("/api/campus", params={"excellence": "true", "limite": 500}).json()
    non = api.get("/api/campus", params={"excellence": "false", "limite": 500}).json()
    assert oui["total"] == sum(c["excellence"] is True for c in tous)
    assert non["total"] == sum(c["excellence"] is False for c in tous)
    lyon = api.get("/api/campus", params={"academie": "Lyon", "limite": 500}).json()
    assert {c["id"] for c in lyon["elements"]} == {c["id"] for c in tous if "10" in c["academies"]}
    rhone = api.get("/api/campus", params={"departement": "69", "limite": 500}).json()
    # through its member in Bron, and Plasticampus through its embedded member in Vaulx-en-Velin (0693619J)
    assert [c["id"] for c in rhone["elements"]] == ["plasticampus", CAMPUS_MEMBRES]
    aero = api.get("/api/campus", params={"q": "aéro", "limite": 500}).json()
    assert aero["total"] >= 1
    assert all("aero" in (c["nom"] + (c["sigle"] or "")).lower().replace("é", "e") for c in aero["elements"])


def test_campus_actif_le(api, tous):
    jour = date(2014, 1, 1)

    def actif(c):
        debut, fin = c["date_debut_label"], c["date_fin_label"]
        return (debut is None or date.fromisoformat(debut) <= jour) and (fin is None or date.fromisoformat(fin) >= jour)

    r = api.get("/api/campus", params={"actif_le": jour.isoformat(), "limite": 500}).json()
    assert [c["id"] for c in r["elements"]] == [c["id"] for c in tous if actif(c)]
    assert r["total"] < len(tous)


@pytest.mark.parametrize(
    ("params", "mots"),
    [
        ({"filiere": "zzzz"}, ["filière inconnue", "zzzz"]),
        ({"filiere": "services"}, ["filière ambiguë", "services-aux-entreprises-logistique"]),
        ({"region_academique": "Atlantide"}, ["territoire inconnu", "Atlantide"]),
        ({"actif_le": "2025-02-30"}, ["« actif_le »", "date invalide"]),
        ({"limite": 501}, ["« limite »", "inférieur ou égal à 500"]),
        ({"limite": "dix"}, ["« limite »", "nombre entier attendu"]),
        ({"decalage": -1}, ["« decalage »", "supérieur ou égal à 0"]),
        ({"excellence": "peut-être"}, ["« excellence »", "booléen attendu"]),
        ({"format": "pdf"}, ["« format »", "valeur attendue parmi"]),
    ],
)
def test_campus_parametres_invalides(api, params, mots):
    probleme(api.get("/api/campus", params=params), 422, *mots)


def test_plusieurs_parametres_invalides_listes(api):
    corps = probleme(api.get("/api/campus", params={"limite": 0, "actif_le": "hier"}), 422, "2 erreurs")
    assert {(e["lieu"], e["nom"]) for e in corps["erreurs"]} == {("query", "limite"), ("query", "actif_le")}


def test_fiche_campus(api):
    r = api.get(f"/api/campus/{CAMPUS_MEMBRES}")
    assert r.status_code == 200
    c = r.json()
    assert c["nom"] == "Campus des métiers et des qualifications Urbanisme et Construction"
    assert (c["filiere"], c["excellence"], c["region_academique"], c["academies"], c["ville_siege"]) == (
        BTP,
        True,
        "84",
        ["10"],
        "Vaulx-en-Velin",
    )
    assert c["provenance"]["source_url"] == "https://www.btprhoneetmetropole.fr/?p=7624"
    assert [(m["uai"], m["role"]) for m in c["membres"]] == [
        ("0690010L", "support"),
        ("0010001W", "membre"),
        (UAI_HORS_ANNUAIRE, "membre"),
    ]
    assert c["membres"][0]["etablissement"]["nom"] == "LYCÉE PROFESSIONNEL TONY GARNIER"
    assert c["membres"][1]["etablissement"]["departement"] == "01"
    assert c["membres"][2]["etablissement"] is None
    assert [(p["nom"], p["nature"]) for p in c["partenaires"]] == [("Fédération BTP Rhône et Métropole", "branche")]
    vide = api.get("/api/campus/mobicampus").json()
    assert vide["membres"] == [] and vide["partenaires"] == [] and vide["sigle"] == "Mobicampus"


def test_campus_inconnu(api):
    probleme(api.get("/api/campus/urbanisme"), 404, "campus inconnu : urbanisme", CAMPUS_MEMBRES)
    probleme(api.get("/api/campus/" + "x" * 121), 422, "au plus 120 caractère")


# --- établissements ----------------------------------------------------------------------------


def test_fiche_etablissement(api):
    r = api.get("/api/etablissements/0690010l")  # lower case accepted
    assert r.status_code == 200
    e = r.json()
    assert (
        e["uai"],
        e["nom"],
        e["type"],
        e["nom_commune"],
        e["departement"],
        e["academie"],
        e["region_academique"],
    ) == ("0690010L", "LYCÉE PROFESSIONNEL TONY GARNIER", "LP", "Bron", "69", "10", "84")
    assert [c["id"] for c in e["campus"]] == [CAMPUS_MEMBRES]
    autre = api.get("/api/etablissements/0690003D", params={"date": "2020-01-01"}).json()
    assert autre["campus"] == [] and autre["nom_commune"] == "L'Arbresle"


def test_etablissement_erreurs(api):
    probleme(api.get("/api/etablissements/123"), 422, "UAI invalide « 123 »")
    probleme(api.get("/api/etablissements/0690010A"), 422, "UAI")  # wrong check letter
    probleme(api.get(f"/api/etablissements/{UAI_HORS_ANNUAIRE}"), 404, "établissement inconnu", UAI_HORS_ANNUAIRE)
    probleme(api.get("/api/etablissements/0690010L", params={"date": "2025-13-01"}), 422, "« date »")


# --- indicateurs -------------------------------------------------------------------------------


def test_indicateurs_academies(api, serveur_api):
    r = api.get("/api/indicateurs", params={"echelle": "academie"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    lignes = r.json()
    assert len(lignes) == 30
    attendues = indicateurs.indicateurs("academie", url=serveur_api.url_db)
    assert lignes == [json.loads(lg.model_dump_json()) for lg in attendues]
    lyon = next(lg for lg in lignes if lg["code"] == "10")
    assert lyon["nom"] == "Lyon" and lyon["date"] == date.today().isoformat()
    assert CAMPUS_MEMBRES in lyon["campus_ids"]
    # Bron (69) and Ambérieu (01), plus Plasticampus's embedded lycées in Bellignat (01) and Vaulx-en-Velin (69)
    assert lyon["nb_etablissements_membres"] == 4
    assert (lyon["nb_campus_membres_connus"], lyon["nb_campus"]) == (2, len(lyon["campus_ids"]))
    assert api.get("/api/indicateurs", params={"echelle": "academie"}).content == r.content  # cached


def test_indicateurs_un_territoire_et_date(api, tous):
    r = api.get("/api/indicateurs", params={"echelle": "region_academique", "code": "ARA", "date": "2014-01-01"})
    assert r.status_code == 200
    [ligne] = r.json()
    assert (ligne["code"], ligne["date"]) == ("84", "2014-01-01")
    liste = api.get("/api/campus", params={"region_academique": "84", "actif_le": "2014-01-01", "limite": 500}).json()
    assert ligne["nb_campus"] == liste["total"]
    assert ligne["campus_ids"] == [c["id"] for c in liste["elements"]]
    france = api.get("/api/indicateurs").json()
    assert len(france) == 1 and france[0]["nb_campus"] == len(tous)


@pytest.mark.parametrize(
    ("params", "mots"),
    [
        ({"echelle": "canton"}, ["« echelle »", "valeur attendue parmi"]),
        ({"echelle": "academie", "code": "Atlantide"}, ["territoire inconnu"]),
        ({"date": "2025-02-30"}, ["« date »"]),
        ({"format": "geojson"}, ["« format »"]),
    ],
)
def test_indicateurs_invalides(api, params, mots):
    probleme(api.get("/api/indicateurs", params=params), 422, *mots)


# --- résolution, glossaire, historique ----------------------------------------------------------


def test_resolution(api):
    r = api.get("/api/resolution", params={"nom": "Mobicampus"})
    assert r.status_code == 200
    corps = r.json()
    assert corps["texte"] == "Mobicampus"
    assert corps["statut"] == "trouve" and corps["campus_id"] == "mobicampus"
    filtre = api.get(
        "/api/resolution",
        params={"nom": "campus urbanisme construction", "filiere": "BTP", "territoire": "Lyon", "date": "2025-09-01"},
    ).json()
    assert filtre["campus_id"] == CAMPUS_MEMBRES


def test_resolution_invalide(api):
    probleme(api.get("/api/resolution"), 422, "« nom » : obligatoire")
    probleme(api.get("/api/resolution", params={"nom": "x", "filiere": "zzzz"}), 422, "filière")
    probleme(api.get("/api/resolution", params={"nom": "x", "territoire": "Atlantide"}), 422, "territoire inconnu")


def test_glossaire_forme_orion(api):
    r = api.get("/api/glossaire/cmq")
    assert r.status_code == 200
    assert r.json() == glossaire.entree("cmq").model_dump()
    assert list(r.json()) == ["title", "type", "createdBy", "status", "content", "icon", "slug"]
    assert api.get("/api/glossaire").json() == glossaire.entrees()
    probleme(api.get("/api/glossaire/inconnue"), 404, "entrée de glossaire inconnue « inconnue »")


def test_historique_public(api):
    imports = api.get("/api/imports", params={"limite": 2}).json()
    assert [i["type_import"] for i in imports] == ["partenaires", "membres"]
    probleme(api.get("/api/imports", params={"limite": 0}), 422, "« limite »")


# --- exports -----------------------------------------------------------------------------------


def test_export_csv_campus(api):
    json_ = api.get("/api/campus", params={"region_academique": "84", "limite": 500}).json()
    r = api.get("/api/campus", params={"region_academique": "84", "format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="campus.csv"'
    lignes = list(csv.DictReader(io.StringIO(r.text)))
    assert list(lignes[0]) == extraction.COLONNES_CAMPUS
    assert [lg["id"] for lg in lignes] == [c["id"] for c in json_["elements"]]
    urbanisme = next(lg for lg in lignes if lg["id"] == CAMPUS_MEMBRES)
    assert (urbanisme["excellence"], urbanisme["academies"], urbanisme["ville_siege"]) == (
        "true",
        "10",
        "Vaulx-en-Velin",
    )


def test_export_xlsx_campus(api, tous):
    r = api.get("/api/campus", params={"format": "xlsx", "limite": 3})  # exports ignore the page
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="campus.xlsx"'
    classeur = openpyxl.load_workbook(io.BytesIO(r.content))
    rangs = list(classeur.active.iter_rows(values_only=True))
    assert list(rangs[0]) == extraction.COLONNES_CAMPUS
    assert [rg[0] for rg in rangs[1:]] == [c["id"] for c in tous]


def test_export_geojson_campus(api, tous):
    r = api.get("/api/campus", params={"format": "geojson"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/geo+json"
    assert r.headers["content-disposition"] == 'attachment; filename="campus.geojson"'
    collection = r.json()
    assert collection["type"] == "FeatureCollection"
    sieges = [f for f in collection["features"] if f["properties"]["nature"] == "siege"]
    assert [(f["properties"]["id"], f["geometry"]) for f in sieges] == [
        (c["id"], {"type": "Point", "coordinates": [c["longitude"], c["latitude"]]})
        for c in tous
        if c["latitude"] is not None and c["longitude"] is not None
    ]
    fiche = api.get(f"/api/campus/{CAMPUS_MEMBRES}").json()
    places = [m["etablissement"] for m in fiche["membres"] if m["etablissement"] and m["etablissement"]["latitude"]]
    assert len(places) == 2  # Bron and Ambérieu (the UAI outside the directory has no place)
    membres = [f for f in collection["features"] if f["properties"]["nature"] == "membre"]
    du_campus = [f for f in membres if f["properties"]["campus_id"] == CAMPUS_MEMBRES]
    assert [(f["properties"]["campus_id"], f["properties"]["uai"], f["geometry"]) for f in du_campus] == [
        (CAMPUS_MEMBRES, e["uai"], {"type": "Point", "coordinates": [e["longitude"], e["latitude"]]}) for e in places
    ]
    assert len(membres) == 2 + 36  # + the embedded members with a UAI and a place (37 UAIs, 1 without a point)
    assert len(collection["features"]) == len(sieges) + len(membres)
    ara = api.get("/api/campus", params={"format": "geojson", "region_academique": "84"}).json()
    ids_ara = {
        c["id"] for c in api.get("/api/campus", params={"region_academique": "84", "limite": 500}).json()["elements"]
    }
    assert (
        ara["features"]
        and {f["properties"].get("id") or f["properties"]["campus_id"] for f in ara["features"]} <= ids_ara
    )


def test_export_indicateurs(api):
    r = api.get("/api/indicateurs", params={"echelle": "academie", "date": "2025-09-01", "format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="indicateurs_academie_2025-09-01.csv"'
    lignes = list(csv.DictReader(io.StringIO(r.text)))
    assert list(lignes[0]) == indicateurs.colonnes()
    assert len(lignes) == 30
    lyon = next(lg for lg in lignes if lg["code"] == "10")
    assert CAMPUS_MEMBRES in lyon["campus_ids"].split("|")
    x = api.get("/api/indicateurs", params={"echelle": "region_academique", "format": "xlsx"})
    rangs = list(openpyxl.load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
    assert list(rangs[0]) == indicateurs.colonnes() and len(rangs) == 19


# --- application -------------------------------------------------------------------------------


def test_application_et_documentation_sans_avertissement(tmp_path):
    """cmq's models are built when first used (`models.Modele`): the OpenAPI document, which builds
    every validator FastAPI left for later, warns of nothing (a request body typed with a deferred
    model would warn about its alias: see `models.Campus`)."""
    from cmq.serveur import creer_app

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "/api/campus/{id}" in creer_app(f"sqlite:///{tmp_path / 'cmq.db'}").openapi()["paths"]


def test_documentation_openapi(api):
    schema = api.get("/openapi.json").json()
    for chemin in (
        "/api/filieres",
        "/api/filieres/recherche",
        "/api/campus",
        "/api/campus/{id}",
        "/api/etablissements/{uai}",
        "/api/indicateurs",
        "/api/resolution",
        "/api/glossaire/{slug}",
        "/api/imports",
        "/api/alias",
        "/api/alias/{texte}",
    ):
        assert chemin in schema["paths"], chemin
    erreur = schema["paths"]["/api/campus/{id}"]["get"]["responses"]["404"]["content"]
    assert list(erreur) == [PROBLEME]
    assert "jeton" in schema["components"]["securitySchemes"]
    assert api.get("/docs").status_code == 200


def test_erreurs_generiques(api):
    probleme(api.get("/api/nulle-part"), 404, "ressource introuvable : /api/nulle-part")
    probleme(api.post("/api/filieres"), 405, "méthode POST non autorisée")
    for chemin in ("/api/campus/a%00", "/api/filieres/recherche?q=%00"):
        corps = probleme(api.get(chemin), 422, "caractère nul (%00) interdit")
        assert corps["erreurs"][0]["nom"] == "(adresse)"
    assert api.get("/static/vendor/dsfr/dsfr.min.css").status_code == 200


# --- cmq serve ---------------------------------------------------------------------------------


def test_cmq_serve_initialise_puis_sert(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"sqlite:///{tmp_path / 'cmq.db'}"
    env = os.environ | {"CMQ_DATA_DIR": str(tmp_path / "donnees"), "CMQ_API_JETON": ""}
    env.pop("CMQ_DATABASE_URL", None)
    processus = subprocess.Popen(
        [sys.executable, "-c", "from cmq.cli import main; main()", "serve", "--port", str(port), "--base", base],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        limite = time.monotonic() + 120
        while True:
            assert processus.poll() is None, processus.stdout.read()
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/campus", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < limite
                time.sleep(0.2)
        assert r.json()["total"] == 91
    finally:
        processus.terminate()
        sortie = processus.communicate(timeout=30)[0]
    assert "Base non initialisée" in sortie and "91 campus chargés" in sortie
    assert "écriture désactivée (CMQ_API_JETON non défini)" in sortie


def test_cmq_serve_port_occupe(tmp_path, base_api, monkeypatch):
    from typer.testing import CliRunner

    from cmq.cli import app

    monkeypatch.setenv("CMQ_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CMQ_DATABASE_URL", base_api)
    with socket.socket() as occupe:
        occupe.bind(("127.0.0.1", 0))
        occupe.listen()
        port = occupe.getsockname()[1]
        r = CliRunner().invoke(app, ["serve", "--port", str(port), "--base", base_api])
    assert r.exit_code == 1
    assert f"Erreur : le port {port} est déjà utilisé sur 127.0.0.1" in r.stderr
