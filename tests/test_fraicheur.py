"""In-memory state kept by data version (`cmq.store.version`): the resolution index, the indicator
snapshot and the API's cached pages answer from memory, and are rebuilt after any write — in this
process or by a CLI import from another process — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmq import alias, indicateurs, resolve
from cmq.store import db, version
from tests.api_serveur import base_api, serveur_api, serveur_api_ecriture  # noqa: F401
from tests.indicateurs_exemple import D, remplir
from tests.test_concurrence import Processus, fichier_campus


@pytest.fixture
def url(base_url):
    remplir(base_url)
    return base_url


def importer_dans_un_autre_processus(url: str, fichier) -> None:
    code, sortie, erreurs = Processus(url, "importer", "csv", str(fichier)).terminer()
    assert code == 0, erreurs
    assert "import réussi : campus" in sortie


def test_version_suit_les_ecritures_de_ce_processus_et_des_autres(url, tmp_path):
    depart = version.version(url)
    assert version.version(url) == depart  # reading changes nothing
    indicateurs.indicateurs("france", date=D, url=url)
    assert version.version(url) == depart
    alias.ajouter("campus de la fraîcheur", "cmq-aero-lyon", url=url)
    apres_alias = version.version(url)
    assert apres_alias != depart and db.ecritures(url) > depart[0]
    importer_dans_un_autre_processus(url, fichier_campus(tmp_path / "a.csv", "a", 2))
    assert version.version(url) != apres_alias
    assert version.version(url)[0] == apres_alias[0]  # the write was not in this process


def test_index_de_resolution_reconstruit_apres_un_import_d_un_autre_processus(url, tmp_path):
    premier = resolve.index(url)
    assert resolve.index(url) is premier  # no write: the same index, without reading the tables
    assert resolve.resolve("Campus zephyr 0", url=url).statut == "inconnu"
    importer_dans_un_autre_processus(url, fichier_campus(tmp_path / "zephyr.csv", "zephyr", 1))
    r = resolve.resolve("Campus zephyr 0", url=url)
    assert (r.statut, r.campus_id) == ("trouve", "cmq-zephyr-0")
    assert resolve.index(url) is not premier


def test_index_de_resolution_reconstruit_apres_un_alias(url):
    premier = resolve.index(url)
    alias.ajouter("le campus du ciel", "cmq-aero-lyon", url=url)
    r = resolve.resolve("le campus du ciel", url=url)
    assert (r.statut, r.campus_id, r.via_alias) == ("trouve", "cmq-aero-lyon", True)
    assert resolve.index(url) is not premier


def _par_sql(url: str, jour: date) -> list:
    with db.session(url) as s:
        return indicateurs.calculer(s, jour, indicateurs.tous_les_territoires())


DATES = st.dates(min_value=date(2010, 1, 1), max_value=date(2032, 12, 31))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(jours=st.lists(DATES, min_size=1, max_size=4))
def test_instantane_identique_au_calcul_sql(url, jours):
    inst = indicateurs.instantane(url)
    for jour in jours:
        assert indicateurs.calculer_instantane(inst, jour, indicateurs.tous_les_territoires()) == _par_sql(url, jour)


def test_instantane_identique_au_calcul_sql_aux_bornes_des_labels(base_embarquee):
    """The embedded directory: every label start and end, the day before and the day after."""
    inst = indicateurs.instantane(base_embarquee)
    bornes = {b for c in inst.campus for b in (c.debut, c.fin) if b is not None}
    jours = sorted({b + timedelta(days=d) for b in bornes for d in (-1, 0, 1)})
    assert len(jours) > 20
    for jour in jours:
        attendu = _par_sql(base_embarquee, jour)
        assert indicateurs.calculer_instantane(inst, jour, indicateurs.tous_les_territoires()) == attendu


def test_instantane_reconstruit_apres_un_import_d_un_autre_processus(url, tmp_path):
    (avant,) = indicateurs.indicateurs("france", date=D, url=url)
    premier = indicateurs.instantane(url)
    importer_dans_un_autre_processus(url, fichier_campus(tmp_path / "b.csv", "b", 3))
    (apres,) = indicateurs.indicateurs("france", date=D, url=url)
    assert apres.nb_campus == avant.nb_campus + 3
    assert {f"cmq-b-{i}" for i in range(3)} <= set(apres.campus_ids)
    assert indicateurs.instantane(url) is not premier
    assert apres == _par_sql(url, D)[0]


# --- API: ETag / 304 and invalidation of the cached pages ------------------------------------------


def test_campus_etag_et_304(serveur_api):
    with serveur_api.client() as client:
        r = client.get("/api/campus", params={"limite": 5})
        assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
        balise = r.headers["etag"]
        assert balise.startswith('"') and balise.endswith('"')
        assert client.get("/api/campus", params={"limite": 5}).content == r.content  # served from the cache
        r304 = client.get("/api/campus", params={"limite": 5}, headers={"If-None-Match": balise})
        assert (r304.status_code, r304.content, r304.headers["etag"]) == (304, b"", balise)
        autre = client.get("/api/campus", params={"limite": 5}, headers={"If-None-Match": '"autre", ' + balise})
        assert autre.status_code == 304
        r200 = client.get("/api/campus", params={"limite": 5}, headers={"If-None-Match": '"perime"'})
        assert (r200.status_code, r200.content) == (200, r.content)
        page2 = client.get("/api/campus", params={"limite": 5, "decalage": 5})
        assert page2.headers["etag"] != balise and page2.json()["decalage"] == 5


def test_suggestions_etag_et_304(serveur_api):
    """The type-ahead's answers carry an ETag like the campus pages (and are kept by URL, `CacheURL`)."""
    with serveur_api.client() as client:
        params = {"q": "plasti", "uai": "0310036W"}
        r = client.get("/api/campus/suggestions", params=params)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
        assert r.json()["suggestions"][0]["campus_id"] == "plasticampus"
        balise = r.headers["etag"]
        assert client.get("/api/campus/suggestions", params=params).content == r.content
        r304 = client.get("/api/campus/suggestions", params=params, headers={"If-None-Match": balise})
        assert (r304.status_code, r304.content, r304.headers["etag"]) == (304, b"", balise)
        r200 = client.get("/api/campus/suggestions", params=params, headers={"If-None-Match": '"perime"'})
        assert (r200.status_code, r200.content) == (200, r.content)
        autre = client.get("/api/campus/suggestions", params={"q": "plasti"})
        assert autre.headers["etag"] != balise and autre.json()["region_academique"] is None


def test_suggestions_gardees_par_url_jusqu_a_une_ecriture(tmp_path, monkeypatch):
    """A query string asked again is answered from memory, without the route; any other goes to the
    route (its errors too); a write (an alias here) makes the next answer computed again."""
    from cmq import completion
    from cmq.init import initialiser
    from cmq.serveur import creer_app
    from tests.asgi import appeler

    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    initialiser(url)
    app = creer_app(url)
    appels = []
    original = completion.suggerer

    def compter(*args, **kwargs):
        appels.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(completion, "suggerer", compter)
    premier = appeler(app, "/api/campus/suggestions", "q=aero&uai=0310036W")
    assert premier[0] == 200 and len(appels) == 1
    assert appeler(app, "/api/campus/suggestions", "q=aero&uai=0310036W") == premier
    assert len(appels) == 1  # from memory
    assert appeler(app, "/api/campus/suggestions", "q=aero&uai=0310036X")[0] == 422  # bad check letter
    assert appeler(app, "/api/campus/suggestions", "q=aero&uai=0310036X")[0] == 422  # errors are not kept
    assert len(appels) == 3
    alias.ajouter("aero", "aerocampus", url=url)
    assert appeler(app, "/api/campus/suggestions", "q=aero&uai=0310036W")[0] == 200
    assert len(appels) == 4  # a new data version: computed again


def test_campus_page_en_cache_invalidee_par_une_ecriture(serveur_api_ecriture):
    with serveur_api_ecriture.client() as client:
        avant = client.get("/api/campus", params={"q": "zephyr"})
        assert avant.json()["total"] == 0
        assert client.get("/api/campus/suggestions", params={"q": "zephyr"}).json()["suggestions"] == []
        campus = {"id": "cmq-zephyr", "nom": "Campus Zephyr", "filiere": "numerique-telecommunications"}
        ecrit = client.put(
            "/api/campus/cmq-zephyr?source=https://exemple.fr/arrete",
            json=campus,
            headers=serveur_api_ecriture.entetes(),
        )
        assert ecrit.status_code == 201, ecrit.text
        apres = client.get("/api/campus", params={"q": "zephyr"}, headers={"If-None-Match": avant.headers["etag"]})
        assert apres.status_code == 200
        assert [c["id"] for c in apres.json()["elements"]] == ["cmq-zephyr"]
        assert apres.headers["etag"] != avant.headers["etag"]
        suggestions = client.get("/api/campus/suggestions", params={"q": "zephyr"}).json()["suggestions"]
        assert [s["campus_id"] for s in suggestions] == ["cmq-zephyr"]


def test_pages_en_cache_invalidees_par_un_import_d_un_autre_processus(serveur_api_ecriture, tmp_path):
    url = serveur_api_ecriture.url_db
    with serveur_api_ecriture.client() as client:
        campus = client.get("/api/campus", params={"q": "zorglub"}).json()
        france = client.get("/api/indicateurs", params={"date": "2025-09-01"}).json()
        resolution = client.get("/api/resolution", params={"nom": "Campus zorglub 0"}).json()
        suggestions = client.get("/api/campus/suggestions", params={"q": "zorglub"}).json()
        assert campus["total"] == 0 and resolution["campus_id"] != "cmq-zorglub-0"
        assert suggestions["suggestions"] == []
        importer_dans_un_autre_processus(url, fichier_campus(tmp_path / "c.csv", "zorglub", 2))
        campus = client.get("/api/campus", params={"q": "zorglub"}).json()
        assert [c["id"] for c in campus["elements"]] == ["cmq-zorglub-0", "cmq-zorglub-1"]
        apres = client.get("/api/indicateurs", params={"date": "2025-09-01"}).json()
        assert apres[0]["nb_campus"] == france[0]["nb_campus"] + 2
        resolution = client.get("/api/resolution", params={"nom": "Campus zorglub 0"}).json()
        assert (resolution["statut"], resolution["campus_id"]) == ("trouve", "cmq-zorglub-0")
        suggestions = client.get("/api/campus/suggestions", params={"q": "zorglub"}).json()
        assert [s["campus_id"] for s in suggestions["suggestions"]] == ["cmq-zorglub-0", "cmq-zorglub-1"]
