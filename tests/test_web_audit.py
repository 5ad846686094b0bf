"""`/demandes/audit`: an Orion export uploaded with the server's token, audited, nothing stored unless
asked; the kept audits listed, downloaded and deleted by a signed-in person (real uvicorn on 127.0.0.1,
SQLite and PostgreSQL)."""

import hashlib
import http.client
import io
import json
import tempfile

import httpx
import openpyxl
import pytest

from cmq import audit
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


@pytest.fixture
def donnees(tmp_path, monkeypatch):
    """The data folder (CMQ_DATA_DIR, read by the server on each request): kept audits go in `audits/`."""
    dossier = tmp_path / "donnees"
    monkeypatch.setenv("CMQ_DATA_DIR", str(dossier))
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
    notice = " ".join(arbre.un("div", id="notice-stockage").texte().split())
    assert "Rien n’est enregistré" in notice
    assert "sauf si vous cochez « Conserver le résultat sur le serveur »" in notice
    case = arbre.un("input", id="conserver")
    assert (case.attrs["type"], case.attrs["name"], "checked" in case.attrs) == ("checkbox", "conserver", False)
    bouton = arbre.un("button", id="bouton-telecharger")
    assert (bouton.attrs["name"], bouton.attrs["value"]) == ("action", "telecharger")
    assert "Télécharger le classeur d’audit" in bouton.texte()
    assert [a.attrs["href"] for a in arbre.tous("a", classe="fr-nav__link")].count(demandes.CHEMIN) == 1


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_audit_d_un_export(web, serveur_api, tmp_path, temporaire, donnees, format):
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
    # nothing stored: no temporary file left, no kept audit, no import recorded
    assert list(temporaire.iterdir()) == []
    assert not (donnees / "audits").exists() and not arbre.tous("div", id="audit-conserve")
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


# --- Kept audits and direct download ---------------------------------------------------------------------


def _feuilles(source) -> dict[str, list[list]]:
    """Every sheet's cell values, by sheet name (a path or the workbook's bytes)."""
    classeur = openpyxl.load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source, read_only=True)
    try:
        return {f.title: [list(ligne) for ligne in f.iter_rows(values_only=True)] for f in classeur.worksheets}
    finally:
        classeur.close()


def _attendues(chemin, url_db, dossier) -> dict[str, list[list]]:
    """The sheets `cmq audit-demandes` writes for this file (`audit.auditer` then `audit.ecrire`)."""
    return _feuilles(audit.ecrire(audit.auditer(chemin, url=url_db), dossier / "attendu.xlsx"))


def _connecter(web, jeton: str) -> str:
    """Sign in with `jeton`; the session's CSRF token (the audit form's hidden field)."""
    formulaire = web.get("/connexion")
    csrf = analyser(formulaire.text).tous("input", name="csrf")[0].attrs["value"]
    assert web.post("/connexion", data={"csrf": csrf, "jeton": jeton, "suivant": "/"}).status_code == 303
    page = analyser(web.get(demandes.CHEMIN).text)
    return page.un("form", id="formulaire-audit").tous("input", name="csrf")[0].attrs["value"]


def _rangees(dossier) -> list[str]:
    return sorted(p.name for p in (dossier / "audits").iterdir())


def test_telecharger_sans_rien_conserver(web, serveur_api, tmp_path, temporaire, donnees):
    chemin = orion.ecrire_csv(tmp_path, orion.lignes_formations())
    r = _deposer(web, chemin, serveur_api.jeton, action="telecharger")
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-disposition"] == f'attachment; filename="{orion.NOM}_audit.xlsx"'
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r.headers["cache-control"] == "no-store"
    feuilles = _feuilles(r.content)
    assert list(feuilles) == ["audit", "synthese", "territoires"]
    assert feuilles == _attendues(chemin, serveur_api.url_db, tmp_path)
    assert ["lignes", 10] in feuilles["synthese"]
    assert list(temporaire.iterdir()) == [] and not donnees.exists()


def test_conserver_lister_telecharger_supprimer(serveur_api_ecriture, tmp_path, temporaire, donnees):
    from cmq.store import db, utilisateurs

    with db.session(serveur_api_ecriture.url_db, ecriture=True) as s:
        _, jeton = utilisateurs.creer(s, "Analyste Orion", "editeur", ["academie:10"])
    chemin = orion.ecrire_csv(tmp_path, orion.lignes_formations())
    attendues = _attendues(chemin, serveur_api_ecriture.url_db, tmp_path)
    signalees = sum(1 for *_, anomalie, _ in orion.FORMATIONS.values() if anomalie)
    with serveur_api_ecriture.client(follow_redirects=False) as web:
        # kept with a user's token typed in the form: the workbook and its sidecar, never the upload
        r = _deposer(web, chemin, jeton, conserver="oui")
        assert r.status_code == 200, r.text[:300]
        arbre = analyser(r.text)
        assert arbre.tous("table", id="table-synthese-audit")
        annexe, xlsx = _rangees(donnees)  # sorted: the sidecar first
        assert audit.MOTIF_CONSERVE.fullmatch(xlsx) and annexe == xlsx.removesuffix(".xlsx") + ".json"
        assert arbre.un("a", id="lien-conserve").attrs["href"] == f"{demandes.CHEMIN_CONSERVES}/{xlsx}"
        assert _feuilles(donnees / "audits" / xlsx) == attendues
        infos = json.loads((donnees / "audits" / annexe).read_text(encoding="utf-8"))
        assert infos["acteur"] == "Analyste Orion" and infos["fichier"] == chemin.name and infos["nom"] == xlsx
        assert infos["sha256"] == hashlib.sha256(chemin.read_bytes()).hexdigest()
        assert infos["taille"] == chemin.stat().st_size
        assert (infos["lignes"], infos["signalees"], infos["synthese"]["lignes"]) == (10, signalees, 10)
        assert infos["quand"].startswith(f"{xlsx[:4]}-{xlsx[4:6]}-{xlsx[6:8]}T")
        assert list(temporaire.iterdir()) == []

        # without a session: back to the sign-in page, nothing sent nor deleted
        lien = f"{demandes.CHEMIN_CONSERVES}/{xlsx}"
        for reponse, suivant in (
            (web.get(demandes.CHEMIN_CONSERVES), demandes.CHEMIN_CONSERVES),
            (web.get(lien), lien),
            (web.post(f"{lien}/supprimer", data={"csrf": "x"}), demandes.CHEMIN_CONSERVES),
        ):
            assert (reponse.status_code, reponse.headers["location"]) == (303, f"/connexion?suivant={suivant}")
        assert _rangees(donnees) == [annexe, xlsx]

        # signed in: a second one kept and downloaded at once, listed first
        csrf = _connecter(web, jeton)
        r = _deposer(web, chemin, "", csrf=csrf, conserver="oui", action="telecharger")
        assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment;")
        assert _feuilles(r.content) == attendues
        deuxieme = next(n for n in _rangees(donnees) if n.endswith(".xlsx") and n != xlsx)
        assert len(_rangees(donnees)) == 4
        liste = analyser(web.get(demandes.CHEMIN_CONSERVES).text)
        lignes = liste.un("table", id="table-conserves").lignes()
        assert [lg[2] for lg in lignes] == ["Analyste Orion", "Analyste Orion"]
        assert [lg[3:5] for lg in lignes] == [["10", str(signalees)]] * 2
        assert chemin.name in lignes[0][1] and infos["sha256"] in lignes[0][1]
        liens = [a.attrs["href"] for a in liste.tous("a", classe="fr-link--download")]
        assert liens == [f"{demandes.CHEMIN_CONSERVES}/{n}" for n in (deuxieme, xlsx)]

        telechargement = web.get(lien)
        assert telechargement.status_code == 200
        assert telechargement.headers["content-disposition"] == f'attachment; filename="{xlsx}"'
        assert telechargement.content == (donnees / "audits" / xlsx).read_bytes()

        # deleting: the CSRF field required (403, kept), then the workbook and its sidecar gone
        refus = web.post(f"{lien}/supprimer", data={"csrf": "faux"})
        assert refus.status_code == 403 and "Formulaire expiré" in refus.text
        assert len(_rangees(donnees)) == 4
        r = web.post(f"{lien}/supprimer", data={"csrf": csrf})
        assert (r.status_code, r.headers["location"]) == (303, f"{demandes.CHEMIN_CONSERVES}?notice=supprime")
        assert _rangees(donnees) == [deuxieme.removesuffix(".xlsx") + ".json", deuxieme]
        liste = analyser(web.get(r.headers["location"]).text)
        assert liste.un("div", id="notice").texte().strip() == "Audit conservé supprimé."
        assert len(liste.un("table", id="table-conserves").lignes()) == 1
        assert web.get(lien).status_code == 404
        assert web.post(f"{lien}/supprimer", data={"csrf": csrf}).status_code == 404


def _brut(serveur, chemin: str, cookies: httpx.Cookies) -> tuple[int, bytes]:
    """GET `chemin` sent as is (httpx would resolve the `..` segments)."""
    url = httpx.URL(serveur.base)
    connexion = http.client.HTTPConnection(url.host, url.port, timeout=30)
    try:
        connexion.request("GET", chemin, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
        reponse = connexion.getresponse()
        return reponse.status, reponse.read()
    finally:
        connexion.close()


def test_noms_refuses(serveur_api_ecriture, tmp_path, donnees):
    """Only a kept audit's exact name is served: no path outside `audits/`, no sidecar, no other file."""
    chemin = orion.ecrire_csv(tmp_path, orion.lignes_formations())
    with serveur_api_ecriture.client(follow_redirects=False) as web:
        csrf = _connecter(web, serveur_api_ecriture.jeton)
        assert _deposer(web, chemin, "", csrf=csrf, conserver="oui").status_code == 200
        xlsx = next(n for n in _rangees(donnees) if n.endswith(".xlsx"))
        secret = b"secret-hors-des-audits"
        (donnees / "secret.xlsx").write_bytes(secret)
        (donnees / "audits" / "secret.xlsx").write_bytes(secret)
        base = demandes.CHEMIN_CONSERVES
        for nom in (
            "..%2F..%2Fetc%2Fpasswd",
            "..%2Fsecret.xlsx",
            "%2E%2E%2Fsecret.xlsx",
            "x.xlsx/../",
            "x.xlsx/..%2F..%2Fsecret.xlsx",
            "..",
            "secret.xlsx",
            xlsx.removesuffix(".xlsx") + ".json",
            xlsx.upper(),
            xlsx.replace("-", "-0"),
        ):
            statut, corps = _brut(serveur_api_ecriture, f"{base}/{nom}", web.cookies)
            assert statut == 404, nom
            assert secret not in corps and b"root:" not in corps
        assert _brut(serveur_api_ecriture, f"{base}/{xlsx}%00", web.cookies)[0] == 422  # the server's NUL guard
        assert web.get(f"{base}/{xlsx}").status_code == 200
        assert web.post(f"{base}/secret.xlsx/supprimer", data={"csrf": csrf}).status_code == 404
    assert (donnees / "audits" / "secret.xlsx").read_bytes() == secret


def test_conservation_impossible(web, serveur_api, tmp_path, temporaire, donnees):
    """A data folder that cannot hold `audits/`: the result is shown, the failure said, nothing left."""
    donnees.write_text("un fichier, pas un dossier", encoding="utf-8")
    chemin = orion.ecrire_csv(tmp_path, orion.lignes_formations())
    r = _deposer(web, chemin, serveur_api.jeton, conserver="oui")
    assert r.status_code == 200
    arbre = analyser(r.text)
    assert arbre.tous("table", id="table-synthese-audit") and not arbre.tous("div", id="audit-conserve")
    assert demandes.MESSAGE_CONSERVATION in arbre.un("div", id="erreur-conservation").texte()
    assert str(donnees) not in r.text
    assert list(temporaire.iterdir()) == [] and donnees.read_text(encoding="utf-8") == "un fichier, pas un dossier"


def test_audits_conserves_vus_de_leur_auteur_et_des_administrateurs(
    serveur_api_ecriture, tmp_path, temporaire, donnees
):
    """Kept audits hold requests of every territory: another editor neither lists nor downloads nor
    deletes them (404: their existence untold); an administrator does."""
    from cmq.store import db, utilisateurs

    with db.session(serveur_api_ecriture.url_db, ecriture=True) as s:
        _, auteur = utilisateurs.creer(s, "Analyste Lyon", "editeur", ["academie:10"])
        _, autre = utilisateurs.creer(s, "Analyste Lille", "editeur", ["academie:09"])
    chemin = orion.ecrire_csv(tmp_path, orion.lignes_formations())
    with serveur_api_ecriture.client(follow_redirects=False) as web:
        assert _deposer(web, chemin, auteur, conserver="oui").status_code == 200
        _, xlsx = _rangees(donnees)
        lien = f"{demandes.CHEMIN_CONSERVES}/{xlsx}"
        csrf = _connecter(web, autre)
        assert not analyser(web.get(demandes.CHEMIN_CONSERVES).text).tous("a", href=lien)
        assert web.get(lien).status_code == 404
        assert web.post(f"{lien}/supprimer", data={"csrf": csrf}).status_code == 404
        assert len(_rangees(donnees)) == 2
        web.cookies.clear()
        _connecter(web, serveur_api_ecriture.jeton)  # the server's administrator of France
        assert analyser(web.get(demandes.CHEMIN_CONSERVES).text).tous("a", href=lien)
        assert web.get(lien).status_code == 200
