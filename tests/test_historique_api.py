"""History over HTTP (real uvicorn, SQLite and PostgreSQL): `PUT /api/campus/{id}?source=` recorded,
`GET /api/campus/{id}/historique`, `?au=` on campus and indicator routes, the page's « Historique » tab."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from cmq.store import db, etat_au
from cmq.store.tables import ChangementTable
from tests.api_serveur import (  # noqa: F401
    base_api,
    serveur_api,
    serveur_api_ecriture,
)
from tests.test_api_ecriture import campus, nombre_campus, probleme

SOURCE = "https://www.education.gouv.fr/arrete-cmq"
ADMIN = "administrateur (jeton du serveur)"


@pytest.fixture
def api(serveur_api_ecriture):
    etat_au.vider()
    with serveur_api_ecriture.client() as client:
        client.headers.update(serveur_api_ecriture.entetes())
        yield client
    etat_au.vider()


def _changements(url: str) -> int:
    with db.session(url) as s:
        return s.scalar(select(func.count()).select_from(ChangementTable))


def _il_y_a(jours: int) -> str:
    return str(etat_au.aujourd_hui() - timedelta(days=jours))


@pytest.mark.parametrize(
    ("parametres", "mots"),
    [
        ({}, ["« source » : obligatoire"]),
        ({"source": "   "}, ["« source » : obligatoire", "document qui fonde l'écriture"]),
        ({"source": "x" * 2001}, ["« source »", "au plus 2000 caractère(s)"]),
    ],
)
def test_put_sans_source_refuse_rien_ecrit(api, serveur_api_ecriture, parametres, mots):
    avant = nombre_campus(api), _changements(serveur_api_ecriture.url_db), len(api.get("/api/imports").json())
    probleme(api.put("/api/campus/cmq-sans-source", json=campus("cmq-sans-source"), params=parametres), 422, *mots)
    assert (
        nombre_campus(api),
        _changements(serveur_api_ecriture.url_db),
        len(api.get("/api/imports").json()),
    ) == avant
    probleme(api.get("/api/campus/cmq-sans-source/historique"), 404, "campus inconnu")


def test_put_enregistre_puis_historique_et_au(api, serveur_api_ecriture):
    url = serveur_api_ecriture.url_db
    assert (
        api.put("/api/campus/cmq-h", json=campus("cmq-h", excellence=False), params={"source": SOURCE}).status_code
        == 201
    )
    with db.session(url, ecriture=True) as s:  # the creation happened 10 days ago
        s.execute(update(ChangementTable).values(quand=datetime.now(UTC) - timedelta(days=10)))
    r = api.put("/api/campus/cmq-h", json=campus("cmq-h", excellence=True), params={"source": "arrêté du 2 mai"})
    assert r.status_code == 200 and r.json()["statut"] == "modifie"
    page = api.get("/api/campus/cmq-h/historique").json()
    assert (page["total"], page["limite"], page["decalage"]) == (2, 50, 0)
    modif, creation = page["elements"]
    assert (modif["auteur"], modif["source"], modif["operation"], modif["action"], modif["objet"]) == (
        ADMIN,
        "arrêté du 2 mai",
        "edition",
        "modification",
        "campus",
    )
    assert modif["champs"] == [{"champ": "excellence", "avant": False, "apres": True}]
    assert "utilisateur_id" not in modif and modif["import_id"] is not None
    assert (creation["action"], creation["source"]) == ("creation", SOURCE)
    assert {"champ": "academies", "avant": None, "apres": ["10"]} in creation["champs"]
    assert api.get("/api/campus/cmq-h/historique", params={"limite": 1, "decalage": 1}).json()["elements"] == [creation]
    # ?au=: the campus as it stood 5 days ago, then today
    ancien = api.get("/api/campus/cmq-h", params={"au": _il_y_a(5)}).json()
    assert (ancien["excellence"], ancien["nom"]) == (False, "Campus de test")
    assert api.get("/api/campus/cmq-h").json()["excellence"] is True
    liste = api.get("/api/campus", params={"au": _il_y_a(5), "q": "Campus de test"}).json()
    assert [(c["id"], c["excellence"]) for c in liste["elements"]] == [("cmq-h", False)]
    [ligne] = api.get("/api/indicateurs", params={"au": _il_y_a(5), "echelle": "academie", "code": "10"}).json()
    [maintenant] = api.get("/api/indicateurs", params={"echelle": "academie", "code": "10"}).json()
    assert ligne["au"] == ligne["date"] == _il_y_a(5) and "tels que chargés aujourd'hui" in ligne["note"]
    assert ligne["nb_excellence"] == maintenant["nb_excellence"] - 1 and "au" not in maintenant
    # the campus page's « Historique » tab
    page_web = api.get("/campus/cmq-h").text
    assert 'id="onglet-historique"' in page_web and "Historique (2)" in page_web
    assert f'href="{SOURCE}"' in page_web and "arrêté du 2 mai" in page_web and "non → oui" in page_web


@pytest.mark.parametrize(
    ("parametres", "statut", "mots"),
    [
        ({"au": "2025-02-30"}, 422, ["« au »", "date invalide"]),
        ({"au": "demain"}, 422, ["« au »"]),
        ({"au": "2000-01-01"}, 422, ["état au 2000-01-01 inconnu", "historique tenu depuis le"]),
    ],
)
def test_au_invalide(api, parametres, statut, mots):
    for chemin in ("/api/campus", "/api/campus/mobicampus", "/api/indicateurs"):
        probleme(api.get(chemin, params=parametres), statut, *mots)


def test_au_futur_et_historique_inconnu(api):
    futur = str(etat_au.aujourd_hui() + timedelta(days=1))
    probleme(api.get("/api/indicateurs", params={"au": futur}), 422, "dans le futur")
    probleme(api.get("/api/campus/inconnu/historique"), 404, "campus inconnu : inconnu")
    assert api.get("/api/campus/mobicampus/historique").json()["total"] == 1  # created by `cmq init`
