"""Sign-in of the editing pages (real uvicorn on 127.0.0.1): signed session cookie, CSRF on every
form, sign-out, local redirections only; the server's token acts as the administrator of France."""

import re

import pytest

from tests.api_serveur import CAMPUS_MEMBRES, JETON, base_api, serveur_api_ecriture  # noqa: F401
from tests.web_html import analyser


@pytest.fixture
def web(serveur_api_ecriture, monkeypatch):
    with serveur_api_ecriture.client(follow_redirects=False) as client:
        yield client


def _csrf(html: str) -> str:
    champ = analyser(html).tous("input", name="csrf")
    assert champ, "champ csrf absent du formulaire"
    return champ[0].attrs["value"]


def _cookie(reponse, nom: str) -> str | None:
    for entete in reponse.headers.get_list("set-cookie"):
        if entete.startswith(nom + "="):
            return entete
    return None


def _se_connecter(web, jeton: str = JETON, suivant: str = "/"):
    formulaire = web.get("/connexion", params={"suivant": suivant})
    return web.post("/connexion", data={"csrf": _csrf(formulaire.text), "jeton": jeton, "suivant": suivant})


def test_formulaire_de_connexion(web):
    r = web.get("/connexion", params={"suivant": f"/campus/{CAMPUS_MEMBRES}"})
    assert r.status_code == 200
    arbre = analyser(r.text)
    assert arbre.tous("input", name="jeton")[0].attrs["type"] == "password"
    assert arbre.tous("input", name="suivant")[0].attrs["value"] == f"/campus/{CAMPUS_MEMBRES}"
    cookie = _cookie(r, "cmq_csrf")
    assert cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    assert _csrf(r.text) not in cookie  # the cookie holds the signed value, not the bare token


def test_connexion_puis_deconnexion(web):
    r = _se_connecter(web, suivant=f"/campus/{CAMPUS_MEMBRES}")
    assert r.status_code == 303 and r.headers["location"] == f"/campus/{CAMPUS_MEMBRES}"
    cookie = _cookie(r, "cmq_session")
    assert cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=28800" in cookie
    assert JETON not in cookie  # never the token itself
    fiche = web.get(f"/campus/{CAMPUS_MEMBRES}")
    arbre = analyser(fiche.text)
    assert "Se déconnecter (administrateur (jeton du serveur))" in arbre.texte()
    liens = {a.attrs.get("href") for a in arbre.tous("a")}
    assert {f"/campus/{CAMPUS_MEMBRES}/modifier", f"/campus/{CAMPUS_MEMBRES}/membres", "/relecture"} <= liens
    # sign-out needs the session's CSRF token
    refus = web.post("/deconnexion", data={"csrf": "faux"})
    assert refus.status_code == 403 and "Formulaire expiré" in refus.text
    assert "Se déconnecter" in web.get("/").text
    sortie = web.post("/deconnexion", data={"csrf": _csrf(web.get("/").text)})
    assert sortie.status_code == 303 and sortie.headers["location"] == "/"
    assert re.search(r"cmq_session=\"?\"?;", _cookie(sortie, "cmq_session"))
    web.cookies.clear()
    assert "Se connecter" in web.get("/").text


@pytest.mark.parametrize(
    ("jeton", "message"),
    [("mauvais-jeton", "jeton refusé"), ("", "jeton obligatoire"), (JETON + "x", "jeton refusé")],
)
def test_jeton_refuse(web, jeton, message):
    r = _se_connecter(web, jeton)
    assert r.status_code == 401
    arbre = analyser(r.text)
    assert message in arbre.tous("p", id="jeton-erreur")[0].texte()  # beside the field
    assert _cookie(r, "cmq_session") is None
    assert "Se connecter" in web.get("/").text


def test_connexion_sans_csrf_refusee(web):
    web.get("/connexion")
    r = web.post("/connexion", data={"jeton": JETON, "csrf": "inventé"})
    assert r.status_code == 403 and "Formulaire expiré" in r.text
    assert _cookie(r, "cmq_session") is None
    web.cookies.clear()
    r = web.post("/connexion", data={"jeton": JETON})  # no cookie, no field
    assert r.status_code == 403 and _cookie(r, "cmq_session") is None


@pytest.mark.parametrize("suivant", ["//exemple.org/piege", "https://exemple.org", "/\\exemple.org", "campus"])
def test_redirection_locale_seulement(web, suivant):
    r = _se_connecter(web, suivant=suivant)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_cookie_falsifie_ignore(web):
    _se_connecter(web)
    valeur = web.cookies["cmq_session"]
    web.cookies.clear()
    web.cookies.set("cmq_session", valeur[:-2] + ("AA" if not valeur.endswith("AA") else "BB"))
    assert "Se connecter" in web.get("/").text
    r = web.get(f"/campus/{CAMPUS_MEMBRES}/modifier")
    assert r.status_code == 303 and r.headers["location"] == f"/connexion?suivant=/campus/{CAMPUS_MEMBRES}/modifier"


def test_secure_en_https(web):
    """Behind a proxy on 127.0.0.1 announcing https, the cookies are Secure."""
    entetes = {"X-Forwarded-Proto": "https"}
    formulaire = web.get("/connexion", headers=entetes)
    assert "Secure" in _cookie(formulaire, "cmq_csrf")
    # a client sends a Secure cookie back over https only: here it is given by hand
    valeur = _cookie(formulaire, "cmq_csrf").split(";", 1)[0]
    r = web.post(
        "/connexion",
        data={"csrf": _csrf(formulaire.text), "jeton": JETON, "suivant": "/"},
        headers=entetes | {"Cookie": valeur},
    )
    assert r.status_code == 303 and "Secure" in _cookie(r, "cmq_session")


@pytest.mark.parametrize(
    "chemin", [f"/campus/{CAMPUS_MEMBRES}/modifier", f"/campus/{CAMPUS_MEMBRES}/membres", "/relecture"]
)
def test_pages_d_edition_demandent_une_session(web, chemin):
    r = web.get(chemin)
    assert r.status_code == 303 and r.headers["location"] == f"/connexion?suivant={chemin}"
    envoi = {
        "/relecture": "/relecture/1/accepter",
        f"/campus/{CAMPUS_MEMBRES}/membres": f"/campus/{CAMPUS_MEMBRES}/membres/ajouter-membre",
    }
    r = web.post(envoi.get(chemin, chemin), data={"csrf": "x"})
    assert r.status_code == 303 and r.headers["location"].startswith("/connexion?suivant=")
