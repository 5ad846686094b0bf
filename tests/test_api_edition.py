"""Editing and review through the API: PATCH/POST/DELETE on a campus with their `source`, 202 for a
reviewed actor, `/api/relecture` to accept or reject; refusals are French problems, nothing written."""

import pytest

from tests.api_serveur import CAMPUS_MEMBRES, JETON, _servir, base_api, serveur_api_ecriture  # noqa: F401
from tests.curation_exemple import (
    ADMIN_AIN,
    LYON,
    RELU,
    SIRET,
    SOURCE,
    UAI_LIBRE,
    UAI_MEMBRE,
    compter_changements,
    jeton_de,
    remplir,
)

PROBLEME = "application/problem+json"


@pytest.fixture
def base(base_vide) -> str:
    remplir(base_vide)
    return base_vide


@pytest.fixture
def serveur(base):
    """uvicorn in a thread on the small directory (`curation_exemple`)."""
    yield from _servir(base, JETON)


@pytest.fixture
def client(serveur):
    with serveur.client(headers=serveur.entetes()) as c:
        yield c


def _probleme(r, statut: int, texte: str) -> None:
    assert r.status_code == statut, r.text
    assert r.headers["content-type"] == PROBLEME
    assert texte in r.json()["detail"], r.json()["detail"]


def test_patch_et_membres_et_partenaires(client, base):
    r = client.patch(f"/api/campus/{LYON}", params={"source": SOURCE}, json={"excellence": None, "note": "relue"})
    assert r.status_code == 200, r.text
    corps = r.json()
    assert corps["statut"] == "applique"
    [c] = corps["changements"]
    assert (c["auteur"], c["source"], c["operation"]) == ("administrateur (jeton du serveur)", SOURCE, "edition")
    assert c["champs"] == [{"champ": "note", "avant": None, "apres": "relue"}]
    assert client.get(f"/api/campus/{LYON}").json()["note"] == "relue"
    r = client.post(f"/api/campus/{LYON}/membres", params={"source": SOURCE}, json={"uai": UAI_LIBRE})
    assert (r.status_code, r.json()["changements"][0]["action"]) == (201, "creation")
    r = client.post(
        f"/api/campus/{LYON}/membres", params={"source": SOURCE}, json={"uai": UAI_LIBRE, "role": "support"}
    )
    assert (r.status_code, r.json()["changements"][0]["action"]) == (200, "modification")
    r = client.delete(f"/api/campus/{LYON}/membres/Université Lyon 1", params={"source": SOURCE})
    assert (r.status_code, r.json()["changements"][0]["objet"]) == (200, "membre_nomme")
    r = client.post(f"/api/campus/{LYON}/partenaires", params={"source": SOURCE}, json={"nom": "Vinci", "siret": SIRET})
    assert r.status_code == 201
    assert client.delete(f"/api/campus/{LYON}/partenaires/Fédération BTP", params={"source": SOURCE}).status_code == 200
    fiche = client.get(f"/api/campus/{LYON}").json()
    assert sorted(m["uai"] for m in fiche["membres"]) == [UAI_LIBRE, UAI_MEMBRE]
    assert (fiche["membres_nommes"], [p["nom"] for p in fiche["partenaires"]]) == ([], ["Vinci"])
    assert compter_changements(base)[0] == 6


@pytest.mark.parametrize(
    ("methode", "chemin", "options", "statut", "texte"),
    [
        ("PATCH", f"/api/campus/{LYON}", {"json": {"note": "x"}}, 422, "paramètre « source » : obligatoire"),
        ("PATCH", f"/api/campus/{LYON}", {"json": {"note": "x"}, "params": {"source": " "}}, 422, "source obligatoire"),
        ("PATCH", f"/api/campus/{LYON}", {"json": {"filiere": "x"}, "params": {"source": SOURCE}}, 422, "filiere"),
        (
            "PATCH",
            f"/api/campus/{LYON}",
            {"json": {"date_fin_label": "2019-01-01"}, "params": {"source": SOURCE}},
            422,
            "dates du label dans le mauvais ordre",
        ),
        (
            "PATCH",
            f"/api/campus/{LYON}",
            {"json": {"site_web": "ftp://x.fr"}, "params": {"source": SOURCE}},
            422,
            "http:// ou https://",
        ),
        ("PATCH", "/api/campus/inconnu", {"json": {"note": "x"}, "params": {"source": SOURCE}}, 404, "campus inconnu"),
        (
            "POST",
            f"/api/campus/{LYON}/membres",
            {"json": {"uai": "0690010A"}, "params": {"source": SOURCE}},
            422,
            "0690010A",
        ),
        (
            "POST",
            f"/api/campus/{LYON}/partenaires",
            {"json": {"nom": "X", "siret": "13002526500014"}, "params": {"source": SOURCE}},
            422,
            "13002526500014",
        ),
        ("DELETE", f"/api/campus/{LYON}/membres/{UAI_LIBRE}", {"params": {"source": SOURCE}}, 404, "n'est pas membre"),
    ],
)
def test_refus_rien_ecrit(client, base, methode, chemin, options, statut, texte):
    avant = client.get(f"/api/campus/{LYON}").json()
    _probleme(client.request(methode, chemin, **options), statut, texte)
    assert client.get(f"/api/campus/{LYON}").json() == avant
    assert compter_changements(base) == (0, 0)


def test_sans_jeton(serveur, base):
    with serveur.client() as anonyme:
        _probleme(anonyme.get("/api/relecture"), 401, "jeton d'accès manquant")
        r = anonyme.patch(f"/api/campus/{LYON}", params={"source": SOURCE}, json={"note": "x"})
        _probleme(r, 401, "jeton d'accès manquant")
    assert compter_changements(base) == (0, 0)


def test_relecture_par_l_api(client, serveur, base):
    relu = {"Authorization": f"Bearer {jeton_de(base, RELU)}"}
    admin_ain = {"Authorization": f"Bearer {jeton_de(base, ADMIN_AIN)}"}
    r = client.patch(f"/api/campus/{LYON}", params={"source": SOURCE}, json={"description": "proposée"}, headers=relu)
    assert (r.status_code, r.json()["statut"]) == (202, "a_valider")
    propose = r.json()["changements"][0]["id"]
    r = client.post(f"/api/campus/{LYON}/membres", params={"source": SOURCE}, json={"uai": UAI_LIBRE}, headers=relu)
    assert r.status_code == 202
    membre = r.json()["changements"][0]["id"]
    assert client.get(f"/api/campus/{LYON}").json()["description"] is None
    assert [c["id"] for c in client.get("/api/relecture").json()] == [propose, membre]
    assert [c["id"] for c in client.get("/api/relecture", headers=relu).json()] == [propose, membre]  # the author
    assert client.get("/api/relecture", headers=admin_ain).json() == []  # not their scope
    _probleme(client.post(f"/api/relecture/{membre}/rejeter", json={"motif": ""}), 422, "motif")
    [rejete] = client.post(f"/api/relecture/{membre}/rejeter", json={"motif": "hors campus"}).json()
    assert (rejete["statut"], rejete["motif"]) == ("rejete", "hors campus")
    _probleme(client.post(f"/api/relecture/{propose}/accepter", headers=admin_ain), 403, "hors de son périmètre")
    _probleme(client.post(f"/api/relecture/{propose}/accepter", headers=relu), 403, "")  # an editor decides nothing
    [accepte] = client.post(f"/api/relecture/{propose}/accepter").json()
    assert accepte["statut"] == "applique"
    assert client.get(f"/api/campus/{LYON}").json()["description"] == "proposée"
    _probleme(client.post(f"/api/relecture/{propose}/accepter"), 409, "déjà appliqué")
    _probleme(client.post("/api/relecture/99999/accepter"), 404, "changement inconnu")
    assert client.get("/api/relecture").json() == []


def test_edition_par_un_vrai_serveur(serveur_api_ecriture):
    """Through uvicorn on 127.0.0.1: the edit is seen at once by the (cached) campus list."""
    with serveur_api_ecriture.client(headers=serveur_api_ecriture.entetes()) as client:
        avant = client.get("/api/campus", params={"q": "urbanisme", "limite": 5}).json()
        assert avant["elements"][0]["id"] == CAMPUS_MEMBRES
        r = client.patch(
            f"/api/campus/{CAMPUS_MEMBRES}", params={"source": SOURCE}, json={"date_fin_label": "2031-08-31"}
        )
        assert r.status_code == 200, r.text
        apres = client.get("/api/campus", params={"q": "urbanisme", "limite": 5}).json()
        assert apres["elements"][0]["date_fin_label"] == "2031-08-31"
        r = client.post(f"/api/campus/{CAMPUS_MEMBRES}/membres", params={"source": SOURCE}, json={"nom": "IUT Lyon 1"})
        assert r.status_code == 201
        noms = [m["nom"] for m in client.get(f"/api/campus/{CAMPUS_MEMBRES}").json()["membres_nommes"]]
        assert "IUT Lyon 1" in noms
