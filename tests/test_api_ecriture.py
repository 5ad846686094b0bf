"""REST API writes (imports, campus, aliases) against a real uvicorn on a private database copy:
bearer token (401/403/503), reports, refusals that write nothing, history and cache refresh."""

import io

import httpx
import openpyxl
import pytest

from tests.api_serveur import (  # noqa: F401
    CAMPUS_MEMBRES,
    JETON,
    base_api,
    serveur_api,
    serveur_api_ecriture,
    serveur_sans_jeton,
)

PROBLEME = "application/problem+json"
BTP = "infrastructures-batiment-eco-construction"
CAMPUS_CSV = """id;nom;filiere;region_academique;academies;ville_siege;date_debut_label
cmq-test-api;Campus d'essai de l'API;BTP;84;10;Lyon;2024-09-01
cmq-test-api-2;Second campus d'essai;numérique;11;01;Paris;2023-01-01
"""
CAMPUS_CSV_INVALIDE = """id;nom;filiere;region_academique
cmq-valide;Campus valide;BTP;84
cmq-invalide;Campus invalide;astrologie;84
"""


@pytest.fixture
def api(serveur_api_ecriture):
    with serveur_api_ecriture.client() as client:
        client.headers.update(serveur_api_ecriture.entetes())
        yield client


@pytest.fixture
def anonyme(serveur_api_ecriture):
    with serveur_api_ecriture.client() as client:
        yield client


def probleme(r: httpx.Response, statut: int, *mots: str) -> dict:
    assert r.status_code == statut, r.text
    assert r.headers["content-type"] == PROBLEME
    corps = r.json()
    assert corps["status"] == statut and corps["type"] == "about:blank"
    for mot in mots:
        assert mot in corps["detail"], corps["detail"]
    return corps


def nombre_campus(client: httpx.Client) -> int:
    return client.get("/api/campus", params={"limite": 1}).json()["total"]


def campus(ident: str, **champs) -> dict:
    return {
        "id": ident,
        "nom": "Campus de test",
        "filiere": BTP,
        "region_academique": "84",
        "academies": ["10"],
        "ville_siege": "Lyon",
        "excellence": True,
    } | champs


def envoyer(client: httpx.Client, contenu: bytes | str, nom: str = "campus.csv", **champs) -> httpx.Response:
    if isinstance(contenu, str):
        contenu = contenu.encode("utf-8")
    return client.post(
        "/api/imports",
        files={"fichier": (nom, contenu, "text/csv")},
        data={k: str(v).lower() if isinstance(v, bool) else v for k, v in champs.items()},
    )


# --- authentication ------------------------------------------------------------------------------

ECRITURES = [
    ("PUT", f"/api/campus/{CAMPUS_MEMBRES}", {"json": campus(CAMPUS_MEMBRES)}),
    ("POST", "/api/imports", {"files": {"fichier": ("c.csv", CAMPUS_CSV.encode(), "text/csv")}}),
    ("POST", "/api/alias", {"json": {"texte": "cmq btp lyon", "campus_id": CAMPUS_MEMBRES}}),
    ("DELETE", "/api/alias/cmq%20btp%20lyon", {}),
]


@pytest.mark.parametrize(("methode", "chemin", "options"), ECRITURES)
def test_ecriture_sans_jeton_401(anonyme, methode, chemin, options):
    avant = nombre_campus(anonyme), anonyme.get("/api/alias").json(), len(anonyme.get("/api/imports").json())
    r = anonyme.request(methode, chemin, **options)
    probleme(r, 401, "jeton d'accès manquant", "Authorization: Bearer")
    assert r.headers["www-authenticate"].startswith("Bearer")
    r = anonyme.request(methode, chemin, headers={"Authorization": "Basic YWJjOmRlZg=="}, **options)
    probleme(r, 401, "jeton d'accès manquant")
    assert (nombre_campus(anonyme), anonyme.get("/api/alias").json(), len(anonyme.get("/api/imports").json())) == avant


@pytest.mark.parametrize(("methode", "chemin", "options"), ECRITURES)
def test_ecriture_mauvais_jeton_403(anonyme, methode, chemin, options):
    avant = nombre_campus(anonyme), anonyme.get("/api/alias").json()
    for faux in ("mauvais", JETON[:-1], JETON + "x", "é" * 10):
        entetes = {"Authorization": f"Bearer {faux}".encode()}
        probleme(anonyme.request(methode, chemin, headers=entetes, **options), 403, "jeton d'accès refusé")
    assert (nombre_campus(anonyme), anonyme.get("/api/alias").json()) == avant


def test_bon_jeton_et_lectures_publiques(api, anonyme):
    r = api.put("/api/campus/cmq-jeton?source=https://exemple.fr/arrete", json=campus("cmq-jeton"))
    assert r.status_code == 201, r.text
    for chemin in ("/api/campus/cmq-jeton", "/api/alias", "/api/imports", "/api/campus", "/api/filieres"):
        assert anonyme.get(chemin).status_code == 200, chemin


def test_serveur_sans_jeton_503(serveur_sans_jeton):
    with serveur_sans_jeton.client() as client:
        avant = nombre_campus(client)
        for entetes in ({}, {"Authorization": f"Bearer {JETON}"}):
            r = client.put("/api/campus/cmq-x?source=https://exemple.fr/arrete", json=campus("cmq-x"), headers=entetes)
            probleme(r, 503, "écriture désactivée", "CMQ_API_JETON")
        assert nombre_campus(client) == avant
        assert client.get("/api/campus/cmq-x").status_code == 404


# --- imports -----------------------------------------------------------------------------------------


def test_import_csv(api):
    avant = nombre_campus(api)
    r = envoyer(api, CAMPUS_CSV, type="campus")
    assert r.status_code == 200, r.text
    rapport = r.json()
    assert (rapport["statut"], rapport["type_import"], rapport["lues"], rapport["inserees"], rapport["rejetees"]) == (
        "ok",
        "campus",
        2,
        2,
        0,
    )
    assert rapport["source"] == "api : campus.csv" and len(rapport["somme_controle"]) == 64
    assert nombre_campus(api) == avant + 2
    c = api.get("/api/campus/cmq-test-api").json()
    assert (c["nom"], c["filiere"], c["academies"], c["date_debut_label"]) == (
        "Campus d'essai de l'API",
        BTP,
        ["10"],
        "2024-09-01",
    )
    historique = api.get("/api/imports", params={"limite": 1}).json()[0]
    assert (historique["id"], historique["source"], historique["inserees"]) == (
        rapport["import_id"],
        "api : campus.csv",
        2,
    )
    again = envoyer(api, CAMPUS_CSV).json()  # type guessed from the columns; same rows: nothing changes
    assert (again["type_import"], again["inserees"], again["mises_a_jour"], again["inchangees"]) == ("campus", 0, 0, 2)


def test_import_xlsx(api):
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    for ligne in CAMPUS_CSV.splitlines():
        feuille.append(ligne.split(";"))
    tampon = io.BytesIO()
    classeur.save(tampon)
    r = api.post(
        "/api/imports", files={"fichier": ("liste des campus.xlsx", tampon.getvalue())}, data={"type": "campus"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["inserees"] == 2 and r.json()["source"] == "api : liste des campus.xlsx"
    assert api.get("/api/campus/cmq-test-api-2").json()["ville_siege"] == "Paris"


def test_import_refuse_rien_ecrit(api):
    avant = nombre_campus(api), api.get("/api/campus", params={"limite": 500}).json()
    r = envoyer(api, CAMPUS_CSV_INVALIDE, type="campus")
    probleme(r, 422, "import refusé", "ligne 3", "astrologie")
    assert (nombre_campus(api), api.get("/api/campus", params={"limite": 500}).json()) == avant
    assert api.get("/api/campus/cmq-valide").status_code == 404
    assert api.get("/api/imports", params={"limite": 1}).json()[0]["statut"] == "echec"


def test_import_pendant_un_autre_import_409(api, serveur_api_ecriture, monkeypatch):
    """The import lock held elsewhere: 409 with the French message once the wait is over, nothing written."""
    from cmq.store import db, verrou

    monkeypatch.setenv(db.VARIABLE_ATTENTE, "0.5")
    avant = nombre_campus(api)
    with db.session(serveur_api_ecriture.url_db, ecriture=True) as s:
        verrou.prendre(s)  # another "import" holds the lock until the end of this block
        r = envoyer(api, CAMPUS_CSV)
    probleme(r, 409, "un autre import est en cours", "réessayez plus tard")
    assert nombre_campus(api) == avant
    assert envoyer(api, CAMPUS_CSV).status_code == 200  # lock released: the same import goes through


def test_import_partiel(api):
    r = envoyer(api, CAMPUS_CSV_INVALIDE, type="campus", partiel=True)
    assert r.status_code == 200, r.text
    rapport = r.json()
    assert (rapport["statut"], rapport["inserees"], rapport["rejetees"]) == ("partiel", 1, 1)
    assert rapport["rejets"][0]["numero"] == 3 and "astrologie" in rapport["rejets"][0]["raison"]
    assert api.get("/api/campus/cmq-valide").status_code == 200


@pytest.mark.parametrize(
    ("nom", "contenu", "champs", "mots"),
    [
        ("campus.pdf", b"%PDF-1.4", {}, ["extension « .pdf » non prise en charge"]),
        ("campus", b"id;nom", {}, ["extension « (aucune) »"]),
        ("campus.csv", b"", {"type": "campus"}, []),
        ("campus.csv", "id;nom\n\u00e9t\u00e9;x\n".encode("utf-16"), {"type": "campus"}, []),
        ("campus.xlsx", b"PK\x03\x04 pas un classeur", {"type": "campus"}, ["campus.xlsx"]),
        ("campus.csv", CAMPUS_CSV.encode(), {"type": "licornes"}, ["« type »", "valeur attendue parmi"]),
        ("campus.csv", CAMPUS_CSV.encode(), {"partiel": "peut-être"}, ["« partiel »", "booléen"]),
    ],
)
def test_import_fichier_invalide(api, nom, contenu, champs, mots):
    avant = nombre_campus(api), len(api.get("/api/imports").json())
    r = api.post("/api/imports", files={"fichier": (nom, contenu)}, data=champs)
    probleme(r, 422, *mots)
    assert nombre_campus(api) == avant[0]


def test_import_sans_fichier(api):
    probleme(api.post("/api/imports", data={"type": "campus"}), 422, "« fichier » : obligatoire")


# --- PUT /api/campus/{id} ---------------------------------------------------------------------------


def test_put_campus_cree_modifie_inchange(api):
    corps = campus("cmq-put", latitude=45.76, longitude=4.84, date_debut_label="2022-09-01")
    r = api.put("/api/campus/cmq-put?source=https://exemple.fr/arrete", json=corps)
    assert r.status_code == 201 and r.json()["statut"] == "cree"
    lu = api.get("/api/campus/cmq-put").json()
    assert (lu["nom"], lu["latitude"], lu["date_debut_label"], lu["membres"]) == (
        "Campus de test",
        45.76,
        "2022-09-01",
        [],
    )
    modifie = corps | {"nom": "Campus renommé", "filiere": "NUMERIQUE-telecommunications"}
    r = api.put("/api/campus/cmq-put?source=https://exemple.fr/arrete", json=modifie)
    assert r.status_code == 200 and r.json()["statut"] == "modifie"
    assert r.json()["campus"]["filiere"] == "numerique-telecommunications"  # code normalised by the model
    assert api.get("/api/campus/cmq-put").json()["nom"] == "Campus renommé"
    r = api.put("/api/campus/cmq-put?source=https://exemple.fr/arrete", json=modifie)
    assert r.status_code == 200 and r.json()["statut"] == "inchange"
    historique = api.get("/api/imports", params={"limite": 3}).json()
    assert [(h["source"], h["inserees"], h["mises_a_jour"]) for h in historique[:2]] == [
        ("api : PUT /api/campus/cmq-put", 0, 1),
        ("api : PUT /api/campus/cmq-put", 1, 0),
    ]
    carte = api.get("/api/campus", params={"format": "geojson", "q": "renommé"}).json()
    assert [f["geometry"]["coordinates"] for f in carte["features"]] == [[4.84, 45.76]]


def test_put_campus_rafraichit_les_indicateurs(api):
    """The indicator cache sees a write at once (new data version)."""
    params = {"echelle": "academie", "code": "10", "date": "2025-09-01"}
    avant = api.get("/api/indicateurs", params=params).json()[0]
    api.get("/api/indicateurs", params=params)  # cached
    assert (
        api.put("/api/campus/cmq-cache?source=https://exemple.fr/arrete", json=campus("cmq-cache")).status_code == 201
    )
    apres = api.get("/api/indicateurs", params=params).json()[0]
    assert apres["nb_campus"] == avant["nb_campus"] + 1
    assert "cmq-cache" in apres["campus_ids"]


@pytest.mark.parametrize(
    ("chemin", "corps", "mots"),
    [
        ("/api/campus/cmq-a", campus("cmq-b"), ["identifiant incohérent", "cmq-b", "cmq-a"]),
        ("/api/campus/cmq-a", campus("cmq-a", filiere="astrologie"), ["champ « filiere »", "astrologie"]),
        ("/api/campus/cmq-a", campus("cmq-a", region_academique="99"), ["code de région académique inconnu : « 99 »"]),
        ("/api/campus/cmq-a", campus("cmq-a", academies=["10", "77"]), ["code d'académie inconnu : « 77 »"]),
        ("/api/campus/cmq-a", campus("cmq-a", latitude=91), ["champ « latitude »", "inférieur ou égal à 90"]),
        (
            "/api/campus/cmq-a",
            campus("cmq-a", date_debut_label="2025-01-01", date_fin_label="2020-01-01"),
            ["mauvais ordre"],
        ),
        ("/api/campus/cmq-a", campus("cmq-a", inconnu=1), ["champ « inconnu » : champ inconnu"]),
        ("/api/campus/cmq-a", {"id": "cmq-a"}, ["« nom » : obligatoire", "« filiere » : obligatoire"]),
        ("/api/campus/Cmq%20A", campus("Cmq A"), ["champ « id »", "format invalide"]),
    ],
)
def test_put_campus_invalide_rien_ecrit(api, chemin, corps, mots):
    avant = nombre_campus(api), len(api.get("/api/imports").json())
    probleme(api.put(chemin, json=corps, params={"source": "https://exemple.fr/arrete"}), 422, *mots)
    assert (nombre_campus(api), len(api.get("/api/imports").json())) == avant
    assert api.get("/api/campus/cmq-a").status_code == 404


def test_put_corps_illisible(api):
    probleme(
        api.put(
            "/api/campus/cmq-a?source=https://exemple.fr/arrete",
            content=b"{pas du json",
            headers={"Content-Type": "application/json"},
        ),
        422,
        "JSON invalide",
    )
    probleme(
        api.put(
            "/api/campus/cmq-a?source=https://exemple.fr/arrete",
            content=b"\xff\xfe\x00",
            headers={"Content-Type": "application/json"},
        ),
        422,
        "corps",
    )


# --- aliases -----------------------------------------------------------------------------------------


def test_alias_cycle(api, anonyme):
    assert anonyme.get("/api/alias").json() == []
    r = api.post("/api/alias", json={"texte": "CMQ Bâtiment du Grand Lyon", "campus_id": CAMPUS_MEMBRES})
    assert r.status_code == 201, r.text
    assert (r.json()["campus_id"], r.json()["remplace"]) == (CAMPUS_MEMBRES, None)
    cle = r.json()["texte"]
    assert [a["texte"] for a in anonyme.get("/api/alias").json()] == [cle]
    resolution = anonyme.get("/api/resolution", params={"nom": "cmq batiment du grand lyon"}).json()
    assert (resolution["statut"], resolution["campus_id"], resolution["via_alias"]) == ("trouve", CAMPUS_MEMBRES, True)
    r = api.post("/api/alias", json={"texte": "CMQ Bâtiment du Grand Lyon", "campus_id": "mobicampus"})
    assert r.json()["remplace"] == CAMPUS_MEMBRES
    assert api.delete("/api/alias/cmq%20b%C3%A2timent%20du%20grand%20lyon").status_code == 204
    assert anonyme.get("/api/alias").json() == []
    probleme(api.delete("/api/alias/cmq%20batiment%20du%20grand%20lyon"), 404, "alias inconnu")


def test_alias_invalides(api):
    probleme(
        api.post("/api/alias", json={"texte": "campus", "campus_id": CAMPUS_MEMBRES}), 422, "sans mot significatif"
    )
    probleme(api.post("/api/alias", json={"texte": "btp lyon", "campus_id": "urbanisme"}), 404, "campus inconnu")
    probleme(api.post("/api/alias", json={"texte": "", "campus_id": CAMPUS_MEMBRES}), 422, "« texte »")
    assert api.get("/api/alias").json() == []


# --- PostgreSQL ----------------------------------------------------------------------------------


@pytest.mark.postgres
def test_api_sur_postgresql(base_postgres):
    """The same app on PostgreSQL: reads, a write, and inputs PostgreSQL refuses (NUL, too long) → 422."""
    from cmq.init import initialiser
    from tests.api_serveur import _servir

    initialiser(base_postgres)
    for serveur in _servir(base_postgres, JETON):
        with serveur.client() as client:
            assert client.get("/api/campus", params={"region_academique": "84"}).json()["total"] >= 5
            assert len(client.get("/api/indicateurs", params={"echelle": "academie"}).json()) == 30
            for chemin in ("/api/campus/%00", "/api/campus?q=a%00", "/api/resolution?nom=a%00b"):
                probleme(client.get(chemin), 422, "caractère nul (%00) interdit")
            entetes = serveur.entetes()
            probleme(
                client.put(
                    "/api/campus/cmq-pg?source=https://exemple.fr/arrete",
                    json=campus("cmq-pg", nom="a\u0000b"),
                    headers=entetes,
                ),
                422,
                "campus refusé par la base de données",
            )
            probleme(
                client.put(
                    "/api/campus/cmq-pg?source=https://exemple.fr/arrete",
                    json=campus("cmq-pg", sigle="x" * 121),
                    headers=entetes,
                ),
                422,
                "campus refusé par la base de données",
            )
            assert client.get("/api/campus/cmq-pg").status_code == 404
            assert (
                client.put(
                    "/api/campus/cmq-pg?source=https://exemple.fr/arrete", json=campus("cmq-pg"), headers=entetes
                ).status_code
                == 201
            )
            assert client.get("/api/campus/cmq-pg").json()["nom"] == "Campus de test"
