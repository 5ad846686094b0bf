"""ClientHttp against the local replay server: retries, backoff, Retry-After, French errors."""

import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from cmq.errors import EntreeInvalide, ErreurReseau, RefusPortail
from cmq.portails.http import ClientHttp, duree_retry_after
from tests.serveur_local import FIXTURES, Reponse, attentes, client_http, serveur_local  # noqa: F401

CHEMIN = "/api/explore/v2.1/catalog/datasets/cmq/records"
OK = Reponse.json({"total_count": 0, "results": []})


def test_json_et_octets_bruts(serveur_local, client_http):
    serveur_local.route(CHEMIN, Reponse.fixture("opendatasoft_v21_records_page1.json"))
    donnees, corps = client_http.get_json(serveur_local.url + CHEMIN, [("limit", 6), ("offset", 0)])
    assert donnees["total_count"] == 12
    assert corps == (FIXTURES / "opendatasoft_v21_records_page1.json").read_bytes()
    assert client_http.get_bytes(serveur_local.url + CHEMIN) == corps
    assert serveur_local.requetes[0].params == [("limit", "6"), ("offset", "0")]


def test_429_retry_after_en_secondes_puis_succes(serveur_local, client_http, attentes):
    serveur_local.route(CHEMIN, Reponse.json({"message": "trop"}, 429, entetes={"Retry-After": "3"}), OK)
    donnees, _ = client_http.get_json(serveur_local.url + CHEMIN)
    assert donnees == {"total_count": 0, "results": []}
    assert attentes == [3.0]
    assert len(serveur_local.requetes) == 2


def test_429_retry_after_date_http_et_plafond(serveur_local, attentes):
    dans_2_min = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    serveur_local.route(CHEMIN, Reponse(429, entetes={"Retry-After": dans_2_min}), OK)
    with ClientHttp(attente_base=0.01, attente_max=7.5, sommeil=attentes.append) as client:
        client.get_json(serveur_local.url + CHEMIN)
    assert attentes == [7.5]  # 120 s announced, capped by attente_max


def test_duree_retry_after():
    assert duree_retry_after("12") == 12.0
    assert duree_retry_after(" 0.5 ") == 0.5
    assert duree_retry_after("-4") == 0.0
    assert duree_retry_after(None) is None
    assert duree_retry_after("n'importe quoi") is None
    futur = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 55 <= duree_retry_after(futur) <= 60
    assert duree_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past


def test_500_puis_succes_avec_backoff_exponentiel(serveur_local, client_http, attentes):
    serveur_local.route(CHEMIN, Reponse(500), Reponse(503), Reponse(502), OK)
    donnees, _ = client_http.get_json(serveur_local.url + CHEMIN)
    assert donnees["results"] == []
    assert len(serveur_local.requetes) == 4
    # 0.01, 0.02, 0.04 plus at most 10 % jitter
    for attente, base in zip(attentes, [0.01, 0.02, 0.04], strict=True):
        assert base <= attente <= base * 1.1


def test_500_toujours_tentatives_bornees(serveur_local, client_http, attentes):
    serveur_local.route(CHEMIN, Reponse(500, b"boom"))
    with pytest.raises(ErreurReseau) as erreur:
        client_http.get_json(serveur_local.url + CHEMIN, {"where": "x"})
    message = str(erreur.value)
    assert "après 4 tentatives" in message and "HTTP 500" in message
    assert f"{serveur_local.url}{CHEMIN}?where=x" in message
    assert len(serveur_local.requetes) == 4
    assert len(attentes) == 3  # no sleep after the last attempt
    assert not isinstance(erreur.value, RefusPortail)


def test_attente_plafonnee(attentes):
    with ClientHttp(attente_base=1.0, attente_max=5.0, sommeil=attentes.append) as client:
        assert [client.attente(n) <= 5.0 for n in range(1, 10)] == [True] * 9
        assert client.attente(10) == 5.0
        assert client.attente(1, retry_after=100.0) == 5.0


def test_400_message_du_portail_sans_reessai(serveur_local, client_http, attentes):
    serveur_local.route(CHEMIN, Reponse.fixture("opendatasoft_error_400.json", 400))
    with pytest.raises(RefusPortail) as erreur:
        client_http.get_json(serveur_local.url + CHEMIN, {"where": "invalid_field = 1"})
    assert str(erreur.value).startswith(
        "le portail a refusé la requête (HTTP 400, ODSQLError) : ODSQL query is malformed: invalid_field"
    )
    assert erreur.value.statut == 400 and erreur.value.code == "ODSQLError"
    assert len(serveur_local.requetes) == 1 and attentes == []


def test_404_jeu_introuvable(serveur_local, client_http):
    with pytest.raises(RefusPortail, match="jeu de données introuvable \\(HTTP 404\\)") as erreur:
        client_http.get_json(serveur_local.url + "/api/explore/v2.1/catalog/datasets/absent/records")
    assert erreur.value.statut == 404
    assert len(serveur_local.requetes) == 1


def test_erreur_5xx_non_reessayable(serveur_local, client_http):
    serveur_local.route(CHEMIN, Reponse(501))
    with pytest.raises(ErreurReseau, match="le portail a répondu par une erreur \\(HTTP 501\\)"):
        client_http.get_json(serveur_local.url + CHEMIN)
    assert len(serveur_local.requetes) == 1


def test_delai_depasse_puis_succes(serveur_local, attentes):
    serveur_local.route(CHEMIN, Reponse.json({"lent": True}, delai=1.0), OK)
    with ClientHttp(timeout=0.2, attente_base=0.01, sommeil=attentes.append) as client:
        donnees, _ = client.get_json(serveur_local.url + CHEMIN)
    assert donnees == {"total_count": 0, "results": []}
    assert len(attentes) == 1


def test_delai_depasse_toujours(serveur_local, attentes):
    serveur_local.route(CHEMIN, Reponse.json({}, delai=1.0))
    with ClientHttp(timeout=httpx.Timeout(0.2), tentatives=2, attente_base=0.01, sommeil=attentes.append) as client:
        with pytest.raises(ErreurReseau, match="après 2 tentatives : délai d'attente dépassé"):
            client.get_json(serveur_local.url + CHEMIN)
    assert len(serveur_local.requetes) == 2


def test_connexion_reinitialisee_toujours(serveur_local, attentes):
    serveur_local.route(CHEMIN, Reponse(couper=True))
    with ClientHttp(tentatives=2, attente_base=0.01, sommeil=attentes.append) as client:
        with pytest.raises(ErreurReseau, match="après 2 tentatives : connexion (interrompue|coupée par le serveur)"):
            client.get_json(serveur_local.url + CHEMIN)
    assert len(serveur_local.requetes) == 2


def test_connexion_reinitialisee_puis_succes(serveur_local, client_http, attentes):
    serveur_local.route(CHEMIN, Reponse(couper=True), OK)
    assert client_http.get_json(serveur_local.url + CHEMIN)[0]["total_count"] == 0
    assert len(serveur_local.requetes) == 2 and len(attentes) == 1


def test_corps_tronque_content_length(serveur_local, client_http):
    tronquee = Reponse.fixture("opendatasoft_v21_records_page1.json", tronquer=100)
    serveur_local.route(CHEMIN, tronquee, tronquee, Reponse.fixture("opendatasoft_v21_records_page1.json"))
    donnees, corps = client_http.get_json(serveur_local.url + CHEMIN)
    assert len(donnees["results"]) == 6
    assert len(serveur_local.requetes) == 3


def test_corps_tronque_toujours(serveur_local, attentes):
    serveur_local.route(CHEMIN, Reponse.fixture("opendatasoft_v21_records_page1.json", tronquer=10))
    with ClientHttp(tentatives=3, attente_base=0.01, sommeil=attentes.append) as client:
        with pytest.raises(ErreurReseau, match="après 3 tentatives : connexion coupée par le serveur"):
            client.get_bytes(serveur_local.url + CHEMIN)


def test_json_invalide_reessaye_puis_echec(serveur_local, client_http):
    serveur_local.route(CHEMIN, Reponse(200, b'{"total_count": 12, "results": [{"a": '))
    with pytest.raises(ErreurReseau, match="après 4 tentatives : réponse JSON invalide ou tronquée"):
        client_http.get_json(serveur_local.url + CHEMIN)
    assert len(serveur_local.requetes) == 4


def test_gzip_illisible_puis_succes(serveur_local, client_http, attentes):
    serveur_local.route(CHEMIN, Reponse(200, b"pas du gzip", {"Content-Encoding": "gzip"}), OK)
    assert client_http.get_json(serveur_local.url + CHEMIN)[0]["results"] == []
    assert len(serveur_local.requetes) == 2 and len(attentes) == 1


def test_json_invalide_puis_succes(serveur_local, client_http):
    serveur_local.route(CHEMIN, Reponse(200, b"<html>maintenance</html>"), OK)
    assert client_http.get_json(serveur_local.url + CHEMIN)[0]["results"] == []


def test_connexion_impossible():
    with socket.socket() as libre:
        libre.bind(("127.0.0.1", 0))
        port = libre.getsockname()[1]
    # nothing listens on this port any more
    attentes = []
    with ClientHttp(tentatives=2, attente_base=0.01, sommeil=attentes.append) as client:
        with pytest.raises(ErreurReseau, match="après 2 tentatives : connexion impossible"):
            client.get_json(f"http://127.0.0.1:{port}/x")
    assert len(attentes) == 1


def test_proxy_de_l_environnement_ignore(serveur_local, client_http, monkeypatch):
    for nom in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(nom, "http://127.0.0.1:9")  # would fail if honoured
    serveur_local.route(CHEMIN, OK)
    with ClientHttp(tentatives=1) as neuf:
        assert neuf.get_json(serveur_local.url + CHEMIN)[0]["total_count"] == 0


def test_adresse_non_http_refusee(client_http):
    with pytest.raises(EntreeInvalide, match="adresse non prise en charge"):
        client_http.get_json("ftp://127.0.0.1/x")


def test_tentatives_invalides():
    with pytest.raises(EntreeInvalide, match="au moins 1"):
        ClientHttp(tentatives=0)
