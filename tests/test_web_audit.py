"""`/demandes/audit`: an Orion export uploaded with the server's token, audited, nothing stored (real uvicorn
on 127.0.0.1, SQLite and PostgreSQL)."""

import tempfile

import pytest

from cmq.web import demandes
from tests import orion_export as orion
from tests.api_serveur import base_api, serveur_api, serveur_api_ecriture, serveur_sans_jeton  # noqa: F401
from tests.web_html import analyser


@pytest.fixture
def web(serveur_api):
    with serveur_api.client() as client:
        yield client


@pytest.fixture
def temporaire(tmp_path, monkeypatch):
    """The server's temporary folder (same process): must be empty after every request."""
    dossier = tmp_path / "tmp"
    dossier.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(dossier))
    return dossier


def _deposer(web, chemin, jeton, **champs):
    with chemin.open("rb") as flux:
        return web.post(demandes.CHEMIN, files={"fichier": (chemin.name, flux)}, data={"jeton": jeton, **champs})


def _erreur(r, statut: int) -> str:
    assert r.status_code == statut, r.text[:300]
    arbre = analyser(r.text)
    assert not arbre.tous("table", id="table-synthese-audit")
    return " ".join(arbre.un("p", id="message-erreur").texte().split())


def test_formulaire(web):
    r = web.get(demandes.CHEMIN)
    assert r.status_code == 200
    arbre = analyser(r.text)
    formulaire = arbre.un("form", id="formulaire-audit")
    assert (formulaire.attrs["method"], formulaire.attrs["enctype"]) == ("post", "multipart/form-data")
    assert arbre.un("input", id="jeton").attrs["type"] == "password"
    assert "Rien n’est enregistré" in arbre.un("div", id="notice-stockage").texte()
    assert [a.attrs["href"] for a in arbre.tous("a", classe="fr-nav__link")].count(demandes.CHEMIN) == 1


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_audit_d_un_export(web, serveur_api, tmp_path, temporaire, format):
    rangs = orion.lignes_formations()
    chemin = orion.ecrire_csv(tmp_path, rangs) if format == "csv" else orion.ecrire_xlsx(tmp_path, rangs)
    imports_avant = web.get("/api/imports").json()
    r = _deposer(web, chemin, serveur_api.jeton)
    assert r.status_code == 200, r.text[:500]
    arbre = analyser(r.text)
    synthese = {lg[0]: lg[1] for lg in arbre.un("table", id="table-synthese-audit").lignes()}
    assert synthese["lignes"] == "10"
    assert synthese["formations hors de la filière déclarée ou du campus"] == "2"
    assert synthese["CMQ possibles (établissement membre d'un campus de la filière)"] == "1"
    territoires_ = arbre.un("table", id="table-territoires-audit").lignes()
    assert territoires_[0] == ["Bretagne (53)", "tourisme-gastronomie", "1", "1", "0", "1"]
    signalees = {lg[0]: lg for lg in arbre.un("table", id="table-signalees").lignes()}
    attendues = {n for n, (*_, anomalie, _) in orion.FORMATIONS.items() if anomalie}
    assert set(signalees) == attendues
    assert signalees["24F0005"][-1] == "cmq_possible: aeronautique-et-du-spatial-occitanie"
    assert signalees["24F0001"][4] == orion.AERO and signalees["24F0001"][-2] == "tourisme-pyreneen"
    # nothing stored: no temporary file left, no import recorded
    assert list(temporaire.iterdir()) == []
    assert web.get("/api/imports").json() == imports_avant


@pytest.mark.parametrize(
    ("jeton", "statut", "message"),
    [
        ("", 401, "jeton d'accès manquant : saisissez votre jeton ou connectez-vous"),
        ("mauvais", 403, "jeton d'accès refusé (inconnu, révoqué ou expiré)"),
    ],
)
def test_jeton_exige(web, tmp_path, temporaire, jeton, statut, message):
    chemin = orion.ecrire_csv(tmp_path, orion.lignes_formations())
    assert _erreur(_deposer(web, chemin, jeton), statut) == message
    assert list(temporaire.iterdir()) == []


def test_serveur_sans_jeton(serveur_sans_jeton, tmp_path):
    chemin = orion.ecrire_csv(tmp_path, orion.lignes_formations())
    with serveur_sans_jeton.client() as web:
        message = _erreur(_deposer(web, chemin, "n'importe lequel"), 503)
    assert "audit désactivé : ce serveur n'a ni jeton (CMQ_API_JETON) ni utilisateur" in message


@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        ("demandes.pdf", b"%PDF-1.4", "extension « .pdf » non prise en charge"),
        (
            "demandes.csv",
            b"numero;uai\n1;0310049K\n",
            "colonne(s) obligatoire(s) absente(s) : filiereCmq, nomCmq",
        ),
        ("demandes.csv", b"", "fichier vide"),
        ("demandes.xlsx", b"PK\x03\x04 pas un classeur", "classeur .xlsx illisible ou corrompu"),
    ],
)
def test_fichiers_refuses(web, serveur_api, tmp_path, temporaire, nom, contenu, message):
    chemin = tmp_path / nom
    chemin.write_bytes(contenu)
    assert message in _erreur(_deposer(web, chemin, serveur_api.jeton), 400)
    assert list(temporaire.iterdir()) == []


def test_taille_limitee(web, serveur_api, temporaire):
    """The server's guard refuses a body past the page's limit before the route reads it."""
    trop = b"x" * (demandes.TAILLE_MAX + 2 * 1024 * 1024)
    r = web.post(demandes.CHEMIN, files={"fichier": ("d.csv", trop)}, data={"jeton": serveur_api.jeton})
    assert r.status_code == 413
    assert "contenu trop volumineux : 21 Mo au plus pour cette adresse" in r.text
    assert list(temporaire.iterdir()) == []


def test_jeton_d_un_utilisateur_ou_session(serveur_api_ecriture, tmp_path, temporaire):
    """A user's token works as the server's; a signed-in person needs no token but the session's CSRF field."""
    from cmq.store import db, utilisateurs

    with db.session(serveur_api_ecriture.url_db, ecriture=True) as s:
        _, jeton = utilisateurs.creer(s, "Analyste Orion", "editeur", ["academie:10"])
    chemin = orion.ecrire_csv(tmp_path, orion.lignes_formations())
    with serveur_api_ecriture.client(follow_redirects=False) as web:
        r = _deposer(web, chemin, jeton)
        assert r.status_code == 200 and analyser(r.text).tous("table", id="table-synthese-audit")
        formulaire = web.get("/connexion")
        csrf = analyser(formulaire.text).tous("input", name="csrf")[0].attrs["value"]
        assert web.post("/connexion", data={"csrf": csrf, "jeton": jeton, "suivant": "/"}).status_code == 303
        page = analyser(web.get(demandes.CHEMIN).text)
        assert not page.tous("input", id="jeton") and "Analyste Orion" in page.un("p", id="audit-connecte").texte()
        csrf_session = page.un("form", id="formulaire-audit").tous("input", name="csrf")[0].attrs["value"]
        r = _deposer(web, chemin, "", csrf=csrf_session)
        assert r.status_code == 200 and analyser(r.text).tous("table", id="table-synthese-audit")
        refus = _deposer(web, chemin, "", csrf="faux")
        assert refus.status_code == 403 and "Formulaire expiré" in refus.text
    assert list(temporaire.iterdir()) == []
