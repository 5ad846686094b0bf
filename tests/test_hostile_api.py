"""Hostile requests against a real uvicorn in its own process (issue 14, points 1, 2, 6, 8, 9):
authorisation decided before any body is read, oversized bodies refused (413) from Content-Length
and while streaming, bounded memory (VmHWM of the server), nothing written, no temporary file,
security headers on every response, 503 without the database's coordinates."""

import json
import socket
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import insert

from cmq.reponses.garde import CSP
from cmq.store import db, schema
from cmq.store.tables import Base
from tests.api_serveur import JETON, ServeurProcessus, servir_processus
from tests.hostile import MEMOIRE_MAX_MO, MO, empreinte, integrite

FRONTIERE = "frontiere-cmq"


@pytest.fixture(scope="module")
def dossier(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile_api")


@pytest.fixture(scope="module")
def serveur(dossier) -> Iterator[ServeurProcessus]:
    """One server process on a migrated SQLite database holding one campus; its TMPDIR is watched."""
    url = f"sqlite:///{dossier / 'cmq.db'}"
    schema.mettre_a_jour(url)
    with db.moteur(url).begin() as connexion:
        connexion.execute(
            insert(Base.metadata.tables["campus"]).values(id="existant", nom="Existant", filiere="tourisme-gastronomie")
        )
    db.moteur(url).dispose()
    (dossier / "tmp").mkdir()
    yield from servir_processus(url, JETON, dossier / "tmp")


@pytest.fixture
def avant(serveur, dossier) -> Iterator[str]:
    """The database fingerprint before the test; after it: unchanged, sound, no temporary file left."""
    empreinte_avant = empreinte(serveur.url_db)
    yield empreinte_avant
    assert empreinte(serveur.url_db) == empreinte_avant
    assert integrite(serveur.url_db) == "ok"
    assert list((dossier / "tmp").iterdir()) == []
    assert serveur.pic_mo() < MEMOIRE_MAX_MO


def zeros(taille: int, debut: bytes = b"") -> Iterator[bytes]:
    """`debut` then `taille` zero bytes by blocks of 1 MB, generated as they are sent."""
    if debut:
        yield debut
    bloc = b"0" * MO
    for _ in range(taille // MO):
        yield bloc


def envoyer(
    serveur: ServeurProcessus,
    methode: str,
    chemin: str,
    corps: Iterable[bytes],
    *,
    longueur: int | None = None,
    entetes: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes, int]:
    """Send a request whose body is streamed (chunked unless `longueur`), reading the answer at the
    same time; stop sending once the server has answered. Returns (status, headers, body, bytes sent)."""
    adresse = urlsplit(serveur.base)
    prise = socket.create_connection((adresse.hostname, adresse.port), timeout=60)
    recu = bytearray()

    def lire():
        try:
            while morceau := prise.recv(65536):
                recu.extend(morceau)
        except OSError:
            pass

    lecteur = threading.Thread(target=lire, daemon=True)
    lecteur.start()
    lignes = [f"{methode} {chemin} HTTP/1.1", f"Host: {adresse.netloc}", "Connection: close"]
    lignes += [f"{k}: {v}" for k, v in (entetes or {}).items()]
    lignes.append(f"Content-Length: {longueur}" if longueur is not None else "Transfer-Encoding: chunked")
    envoyes = 0
    try:
        prise.sendall(("\r\n".join(lignes) + "\r\n\r\n").encode())
        for bloc in corps:
            if recu:
                break  # answered: the rest of the body is never sent
            prise.sendall(bloc if longueur is not None else f"{len(bloc):x}\r\n".encode() + bloc + b"\r\n")
            envoyes += len(bloc)
        if longueur is None and not recu:
            prise.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server closed the connection after answering
    lecteur.join(timeout=60)
    prise.close()
    tete, _, contenu = bytes(recu).partition(b"\r\n\r\n")
    premiere, *autres = tete.decode("latin-1").split("\r\n")
    entetes_reponse = {k.lower(): v.strip() for k, _, v in (ligne.partition(":") for ligne in autres)}
    taille = int(entetes_reponse.get("content-length", len(contenu)))
    return int(premiere.split()[1]), entetes_reponse, contenu[:taille], envoyes


def _partie(nom: str = "f.csv") -> bytes:
    return (
        f'--{FRONTIERE}\r\nContent-Disposition: form-data; name="fichier"; filename="{nom}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()


MULTIPART = {"Content-Type": f"multipart/form-data; boundary={FRONTIERE}"}
AUTORISE = {"Authorization": f"Bearer {JETON}"}


# --- Point 1: authorisation before the body, size limits ---------------------------------------


def test_televersement_anonyme_de_1_go_refuse_avant_lecture(serveur, avant):
    statut, entetes, corps, envoyes = envoyer(
        serveur, "POST", "/api/imports", zeros(1024 * MO, _partie()), longueur=1024 * MO + 200, entetes=MULTIPART
    )
    assert statut == 401 and entetes["www-authenticate"] == 'Bearer realm="cmq"'
    assert json.loads(corps)["detail"] == "jeton d'accès manquant : ajoutez l'en-tête « Authorization: Bearer <jeton> »"
    assert envoyes < 100 * MO  # answered long before the end


@pytest.mark.parametrize(
    "jeton, statut, detail",
    [
        (None, 401, "jeton d'accès manquant"),
        ("mauvais", 403, "jeton d'accès refusé"),
        ("cmq_000000000000_" + "a" * 43, 403, "jeton d'accès refusé"),  # a user's token, unknown: checked first
    ],
    ids=["sans-jeton", "mauvais-jeton", "jeton-d-utilisateur-inconnu"],
)
def test_json_anonyme_de_500_mo_refuse_avant_lecture(serveur, avant, jeton, statut, detail):
    entetes = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {jeton}"} if jeton else {})
    recu, _, corps, envoyes = envoyer(serveur, "POST", "/api/alias", zeros(500 * MO, b'{"texte":"'), entetes=entetes)
    assert recu == statut and json.loads(corps)["detail"].startswith(detail)
    assert envoyes < 100 * MO


def test_content_length_trop_grand_refuse_d_emblee(serveur, avant):
    statut, entetes, corps, envoyes = envoyer(
        serveur, "PUT", "/api/campus/x", zeros(500 * MO), longueur=500 * MO, entetes=AUTORISE
    )
    assert statut == 413 and entetes["content-type"] == "application/problem+json"
    assert json.loads(corps)["detail"] == "contenu trop volumineux : 1 Mo au plus pour cette adresse"
    assert envoyes < 100 * MO


def test_corps_sans_longueur_refuse_en_cours_de_reception(serveur, avant):
    """Chunked: no Content-Length to trust, the body is counted as it arrives."""
    entetes = AUTORISE | {"Content-Type": "application/json"}
    statut, _, corps, envoyes = envoyer(serveur, "POST", "/api/alias", zeros(500 * MO, b'{"texte":"'), entetes=entetes)
    assert statut == 413
    assert json.loads(corps)["detail"] == "contenu trop volumineux : 1 Mo au plus pour cette adresse"
    assert envoyes < 100 * MO


def test_import_plafonne_pendant_la_reception(serveur, avant):
    """An authorised chunked upload beyond the import cap: 413 while receiving, nothing kept on disk."""
    statut, _, corps, envoyes = envoyer(
        serveur, "POST", "/api/imports", zeros(400 * MO, _partie()), entetes=AUTORISE | MULTIPART
    )
    assert statut == 413
    assert json.loads(corps)["detail"] == "contenu trop volumineux : 201 Mo au plus pour cette adresse"
    assert envoyes < 300 * MO


def test_lecture_et_ecriture_ordinaires_inchangees(serveur):
    with httpx.Client(base_url=serveur.base, timeout=30) as client:
        assert client.get("/api/campus").json()["total"] == 1
        r = client.post("/api/alias", json={"texte": "campus existant", "campus_id": "existant"}, headers=AUTORISE)
        assert r.status_code == 201, r.text
        assert client.delete("/api/alias/campus existant", headers=AUTORISE).status_code == 204
        assert client.post("/api/campus", json={}).status_code == 405  # no route: no token asked


# --- Point 2: duplicates through the API ---------------------------------------------------------


def test_import_de_doublons_corps_d_erreur_borne(serveur, avant):
    ligne = "Campus hostile;Numérique, télécommunications;Non;Hauts-de-France;Lille;0592926K\n"
    contenu = "nom_du_campus;filiere;label_excellence;region_academique;academie;uai_etablissement_support\n"
    contenu += ligne * 20_000
    with httpx.Client(base_url=serveur.base, timeout=120) as client:
        r = client.post(
            "/api/imports", files={"fichier": ("d.csv", contenu.encode())}, data={"type": "campus"}, headers=AUTORISE
        )
    assert r.status_code == 422
    assert len(r.content) < 4000
    detail = r.json()["detail"].splitlines()
    assert detail[1] == "  ligne 2 : campus en double « hostile » (lignes 2, 3, 4, 5, 6 … et 19995 autres)"


# --- Points 6 and 8: API writes take only http(s) links, CSV output is neutralised -------------


def test_ecriture_api_lien_javascript_refuse(serveur, avant):
    campus = {"id": "lien", "nom": "Lien", "filiere": "tourisme-gastronomie", "site_web": "javascript:alert(1)"}
    with httpx.Client(base_url=serveur.base, timeout=30) as client:
        r = client.put("/api/campus/lien?source=https://exemple.fr/arrete", json=campus, headers=AUTORISE)
    assert r.status_code == 422
    assert r.json()["erreurs"][0]["message"] == (
        "adresse web « javascript:alert(1) » refusée : seules les adresses http:// ou https:// sont acceptées"
    )


def test_export_csv_de_l_api_neutralise(serveur):
    campus = {"id": "formule", "nom": '=HYPERLINK("http://x")', "filiere": "tourisme-gastronomie"}
    with httpx.Client(base_url=serveur.base, timeout=30) as client:
        assert (
            client.put(
                "/api/campus/formule?source=https://exemple.fr/arrete", json=campus, headers=AUTORISE
            ).status_code
            == 201
        )
        r = client.get("/api/campus", params={"format": "csv", "q": "hyperlink"})
    assert r.status_code == 200
    assert '\'=HYPERLINK(""http://x"")' in r.text


# --- Point 9: security headers, 503 without the database's coordinates ------------------------


@pytest.mark.parametrize(
    "methode, chemin",
    [
        ("GET", "/"),
        ("GET", "/api/campus"),
        ("GET", "/static/cmq/carte.js"),
        ("GET", "/absente"),
        ("POST", "/api/alias"),
        ("GET", "/docs"),
    ],
)
def test_entetes_de_securite_partout(serveur, methode, chemin):
    with httpx.Client(base_url=serveur.base, timeout=30) as client:
        r = client.request(methode, chemin)
    assert r.headers["content-security-policy"] == CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "same-origin"


def test_503_sans_coordonnees_de_la_base(tmp_path):
    url = "postgresql+psycopg://utilisateur_secret@127.0.0.1:1/base_secrete"
    (tmp_path / "tmp").mkdir()
    for serveur in servir_processus(url, JETON, tmp_path / "tmp"):
        with httpx.Client(base_url=serveur.base, timeout=60) as client:
            api = client.get("/api/campus")
            page = client.get("/campus")
    assert api.status_code == 503 and page.status_code == 503
    assert api.json()["detail"] == "base de données indisponible : le détail a été journalisé sur le serveur"
    for texte in (api.text, page.text):
        assert "utilisateur_secret" not in texte and "base_secrete" not in texte and "127.0.0.1:1" not in texte


def test_lien_stocke_non_http_jamais_rendu_en_lien(serveur):
    """A link stored before links were checked: the page and the API still answer, the page shows it as text."""
    with db.moteur(serveur.url_db).begin() as connexion:
        connexion.execute(
            insert(Base.metadata.tables["campus"]).values(
                id="ancien-lien",
                nom="Ancien lien",
                filiere="tourisme-gastronomie",
                site_web="javascript:alert(document.cookie)",
                source_url="https://exemple.fr/source",
            )
        )
    db.moteur(serveur.url_db).dispose()
    with httpx.Client(base_url=serveur.base, timeout=30) as client:
        page = client.get("/campus/ancien-lien")
        api = client.get("/api/campus/ancien-lien")
    assert page.status_code == 200 and api.status_code == 200
    assert "javascript:alert(document.cookie)" in page.text
    assert 'href="javascript:' not in page.text.lower()
    assert 'href="https://exemple.fr/source"' in page.text


def test_lecture_avec_un_corps_demesure(serveur):
    """Even a read announcing a 500 MB body is refused from its Content-Length."""
    statut, _, corps, envoyes = envoyer(serveur, "GET", "/api/campus", zeros(500 * MO), longueur=500 * MO)
    assert statut == 413 and envoyes < 100 * MO
    assert json.loads(corps)["detail"] == "contenu trop volumineux : 1 Mo au plus pour cette adresse"
