"""Editing pages (real uvicorn on 127.0.0.1, SQLite and PostgreSQL): a campus's fields, members and
partners through DSFR forms, with errors beside their field and nothing saved half-way; scopes;
review of an editor's changes; every saved change in the history with its source."""

from contextlib import contextmanager

import pytest

from cmq.store import db, historique, lecture, utilisateurs
from tests.api_serveur import CAMPUS_MEMBRES, JETON, base_api, serveur_api_ecriture  # noqa: F401
from tests.web_html import analyser

AILLEURS = "art-et-design-gobelins"  # académie de Paris: outside an editor of académie 10
SOURCE = "https://www.ac-lyon.fr/campus-urbanisme-2026"


@pytest.fixture
def serveur(serveur_api_ecriture):
    utilisateurs.oublier()
    return serveur_api_ecriture


def _csrf(html: str) -> str:
    return analyser(html).tous("input", name="csrf")[0].attrs["value"]


@contextmanager
def _navigateur(serveur, jeton: str):
    """An httpx client signed in with `jeton` (through the sign-in form)."""
    with serveur.client(follow_redirects=False) as client:
        formulaire = client.get("/connexion")
        r = client.post("/connexion", data={"csrf": _csrf(formulaire.text), "jeton": jeton, "suivant": "/"})
        assert r.status_code == 303, r.text
        yield client


def _utilisateur(serveur, nom: str, perimetres: list[str], role: str = "editeur", relecture: bool = False) -> str:
    with db.session(serveur.url_db, ecriture=True) as s:
        return utilisateurs.creer(s, nom, role, perimetres, relecture=relecture)[1]


def _campus(serveur, campus_id: str = CAMPUS_MEMBRES):
    with db.session(serveur.url_db) as s:
        return lecture.campus(s, campus_id)


def _historique(serveur, campus_id: str = CAMPUS_MEMBRES, statuts=("applique",)):
    with db.session(serveur.url_db) as s:
        return historique.lire(s, campus_id=campus_id, statuts=statuts)


def _envoyer(client, chemin: str, **champs):
    page = client.get(
        chemin
        if not chemin.endswith(("ajouter-membre", "ajouter-partenaire", "retirer-membre", "retirer-partenaire"))
        else chemin.rsplit("/", 1)[0]
    )
    assert page.status_code == 200, page.text
    return client.post(chemin, data={"csrf": _csrf(page.text), **champs})


FORMULAIRE_VALIDE = {
    "date_debut_label": "01/09/2019",
    "date_fin_label": "31/08/2024",
    "excellence": "oui",
    "ville_siege": "Lyon",
    "code_commune_siege": "69123",
    "site_web": "https://campus-urbanisme.fr",
    "description": "Campus « urbanisme » rénové",
    "source": SOURCE,
}


def test_modifier_un_campus(serveur):
    with _navigateur(serveur, JETON) as client:
        page = client.get(f"/campus/{CAMPUS_MEMBRES}/modifier")
        arbre = analyser(page.text)
        assert arbre.tous("select", name="excellence") and arbre.tous("input", name="source")
        r = _envoyer(client, f"/campus/{CAMPUS_MEMBRES}/modifier", **FORMULAIRE_VALIDE)
        assert r.status_code == 303 and r.headers["location"] == f"/campus/{CAMPUS_MEMBRES}?notice=modifie"
        fiche = client.get(r.headers["location"])
        assert "Modification enregistrée." in analyser(fiche.text).tous("div", id="notice")[0].texte()
    campus = _campus(serveur)
    assert (str(campus.date_debut_label), str(campus.date_fin_label), campus.site_web, campus.code_commune_siege) == (
        "2019-09-01",
        "2024-08-31",
        "https://campus-urbanisme.fr",
        "69123",
    )
    [dernier, *_] = _historique(serveur)
    assert (dernier.auteur, dernier.source, dernier.operation, dernier.objet) == (
        "administrateur (jeton du serveur)",
        SOURCE,
        "edition",
        "campus",
    )
    champs = {v.champ: (v.avant, v.apres) for v in dernier.champs}
    assert champs["date_fin_label"] == (None, "2024-08-31") and champs["site_web"] == (
        None,
        "https://campus-urbanisme.fr",
    )
    assert "excellence" not in champs  # it was already true


@pytest.mark.parametrize(
    ("champ", "valeur", "message"),
    [
        ("date_debut_label", "31/02/2020", "date invalide"),
        ("site_web", "javascript:alert(1)", "seules les adresses http:// ou https://"),
        ("code_commune_siege", "6912", "commune"),
        ("source", "", "source obligatoire"),
        ("date_fin_label", "01/01/2010", "dates du label dans le mauvais ordre"),
    ],
)
def test_erreur_a_cote_du_champ_rien_d_enregistre(serveur, champ, valeur, message):
    avant, historique_avant = _campus(serveur), _historique(serveur)
    with _navigateur(serveur, JETON) as client:
        r = _envoyer(client, f"/campus/{CAMPUS_MEMBRES}/modifier", **(FORMULAIRE_VALIDE | {champ: valeur}))
    assert r.status_code == 400
    arbre = analyser(r.text)
    erreur = arbre.tous("p", id=f"{champ}-erreur")
    assert erreur and message in erreur[0].texte(), r.text[:3000]
    assert arbre.tous("input", name=champ)[0].attrs["value"] == valeur  # the typed value is kept
    assert "Rien n’a été enregistré" in arbre.texte()
    assert _campus(serveur) == avant and _historique(serveur) == historique_avant


def test_membres_et_partenaires(serveur):
    with _navigateur(serveur, JETON) as client:
        chemin = f"/campus/{CAMPUS_MEMBRES}/membres"
        r = _envoyer(
            client,
            f"{chemin}/ajouter-membre",
            etablissement="0690001B — Lycée (Lyon)",
            role="membre",
            nature="autre",
            source=SOURCE,
        )
        assert r.status_code == 303 and r.headers["location"] == f"{chemin}?notice=modifie"
        r = _envoyer(
            client,
            f"{chemin}/ajouter-membre",
            nom="Université Lyon 1",
            nature="universite",
            role="membre",
            source=SOURCE,
        )
        assert r.status_code == 303
        r = _envoyer(
            client,
            f"{chemin}/ajouter-partenaire",
            nom="Vinci Construction",
            nature="entreprise",
            siret="",
            source=SOURCE,
        )
        assert r.status_code == 303
        page = analyser(client.get(chemin).text)
        texte = page.tous("table", id="table-membres-edition")[0].texte()
        assert "0690001B" in texte and "Université Lyon 1" in texte
        assert "Vinci Construction" in page.tous("table", id="table-partenaires-edition")[0].texte()
        r = _envoyer(client, f"{chemin}/retirer-membre", uai_ou_nom="0690001B", source=SOURCE)
        assert r.status_code == 303
    with db.session(serveur.url_db) as s:
        uais = {m.uai for m, _ in lecture.membres(s, CAMPUS_MEMBRES)}
        nommes = {m.nom for m in lecture.membres_nommes(s, CAMPUS_MEMBRES)}
    assert "0690001B" not in uais and "Université Lyon 1" in nommes
    faits = [(c.objet, c.action, c.cle) for c in _historique(serveur)[:4]]
    assert faits == [
        ("membre", "suppression", "0690001B"),
        ("partenaire", "creation", "Vinci Construction"),
        ("membre_nomme", "creation", "Université Lyon 1"),
        ("membre", "creation", "0690001B"),
    ]


@pytest.mark.parametrize(
    ("action", "champs", "identifiant", "message"),
    [
        (
            "ajouter-partenaire",
            {"nom": "Eiffage", "nature": "entreprise", "siret": "12345678901234"},
            "siret-partenaire-erreur",
            "SIRET",
        ),
        (
            "ajouter-membre",
            {"etablissement": "0690001A — faux", "role": "membre", "nature": "autre"},
            "etablissement-erreur",
            "UAI",
        ),
        ("ajouter-membre", {"role": "membre", "nature": "autre"}, "etablissement-erreur", "indiquez soit l'UAI"),
        (
            "ajouter-partenaire",
            {"nom": "Eiffage", "nature": "entreprise", "siret": ""},
            "source-partenaire-erreur",
            "source obligatoire",
        ),
    ],
)
def test_membres_refus_a_cote_du_champ(serveur, action, champs, identifiant, message):
    avant = _historique(serveur)
    with _navigateur(serveur, JETON) as client:
        source = {} if "source" in identifiant else {"source": SOURCE}
        r = _envoyer(client, f"/campus/{CAMPUS_MEMBRES}/membres/{action}", **champs, **source)
    assert r.status_code == 400
    erreur = analyser(r.text).tous("p", id=identifiant)
    assert erreur and message in erreur[0].texte(), r.text[-4000:]
    assert _historique(serveur) == avant


def test_perimetre_d_un_editeur(serveur):
    jeton = _utilisateur(serveur, "Léa Martin", ["academie:10"])
    avant = _historique(serveur, AILLEURS)
    with _navigateur(serveur, jeton) as client:
        assert "Se déconnecter (Léa Martin)" in client.get("/").text
        fiche = analyser(client.get(f"/campus/{CAMPUS_MEMBRES}").text)
        assert fiche.tous("ul", id="actions-edition")  # académie 10: may edit
        assert not analyser(client.get(f"/campus/{AILLEURS}").text).tous("ul", id="actions-edition")
        r = client.get(f"/campus/{AILLEURS}/modifier")
        assert r.status_code == 403 and "hors de son périmètre" in r.text
        page = client.get(f"/campus/{CAMPUS_MEMBRES}/modifier")
        r = client.post(f"/campus/{AILLEURS}/modifier", data={"csrf": _csrf(page.text), **FORMULAIRE_VALIDE})
        assert r.status_code == 403
    assert _historique(serveur, AILLEURS) == avant
    with db.session(serveur.url_db, ecriture=True) as s:
        utilisateurs.revoquer(s, "Léa Martin")
    with serveur.client(follow_redirects=False, cookies=client.cookies) as apres:
        r = apres.get(f"/campus/{CAMPUS_MEMBRES}/modifier")  # revoked: the session ends at once
        assert r.status_code == 303 and r.headers["location"].startswith("/connexion")


def test_relecture_des_changements_d_un_editeur_relu(serveur):
    jeton = _utilisateur(serveur, "Éditeur relu", ["academie:10"], relecture=True)
    admin = _utilisateur(serveur, "Admin Lyon", ["academie:10"], role="administrateur")
    avant = _campus(serveur)
    with _navigateur(serveur, jeton) as client:
        r = _envoyer(client, f"/campus/{CAMPUS_MEMBRES}/modifier", **FORMULAIRE_VALIDE)
        assert r.headers["location"] == f"/campus/{CAMPUS_MEMBRES}?notice=a_valider"
        assert _campus(serveur) == avant  # not applied, not public
        page = analyser(client.get("/relecture").text)
        assert "Éditeur relu" in page.tous("table", id="table-relecture")[0].texte()
        assert not page.tous("button", type="submit", title=None) or "Accepter" not in page.texte()
    [attente] = _historique(serveur, statuts=("a_valider",))
    with _navigateur(serveur, admin) as client:
        page = client.get("/relecture")
        assert f"changement-{attente.id}" in page.text
        r = client.post(f"/relecture/{attente.id}/rejeter", data={"csrf": _csrf(page.text), "motif": ""})
        assert r.status_code == 400 and "motif" in analyser(r.text).tous("p", id=f"erreur-{attente.id}")[0].texte()
        r = client.post(f"/relecture/{attente.id}/accepter", data={"csrf": _csrf(page.text)})
        assert r.status_code == 303 and r.headers["location"] == "/relecture?notice=accepte"
    assert _campus(serveur).site_web == "https://campus-urbanisme.fr"
    [applique] = [c for c in _historique(serveur) if c.id == attente.id]
    assert (applique.statut, applique.decide_par) == ("applique", "Admin Lyon")
