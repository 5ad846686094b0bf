"""A real uvicorn server in a thread on 127.0.0.1 (ephemeral port) serving `creer_app`.

`serveur_api` (session): one database initialised with the embedded data plus a small
members/partners import, read-only by convention; parametrized: SQLite, then PostgreSQL.
`serveur_api_ecriture` (function): a private copy of that database, for tests that write. Both
use the token `JETON`.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import make_url

from tests.postgres import GENRES_BASES

JETON = "jeton-de-test-0123456789"

# Real UAIs of the embedded lycées (Rhône, Ain) attached to a real embedded campus.
CAMPUS_MEMBRES = "urbanisme-et-construction"
UAI_HORS_ANNUAIRE = "0699999U"  # valid check letter, absent from the embedded lycées
MEMBRES_CSV = f"""campus_id;uai;role
{CAMPUS_MEMBRES};0690010L;support
{CAMPUS_MEMBRES};0010001W;membre
{CAMPUS_MEMBRES};{UAI_HORS_ANNUAIRE};membre
"""
PARTENAIRES_CSV = f"""campus_id;nom;nature
{CAMPUS_MEMBRES};Fédération BTP Rhône et Métropole;branche
"""


@dataclass
class Serveur:
    """A running server: its base URL, database URL and token."""

    base: str
    url_db: str
    jeton: str

    def client(self, **options) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30, **options)

    def entetes(self, jeton: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {jeton or self.jeton}"}


@dataclass
class _Fil:
    serveur: uvicorn.Server
    fil: threading.Thread


def demarrer(app) -> tuple[_Fil, str]:
    """Start uvicorn on 127.0.0.1:0 in a daemon thread; return it and its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False, lifespan="on")
    serveur = uvicorn.Server(config)
    fil = threading.Thread(target=serveur.run, daemon=True, name="uvicorn-test")
    fil.start()
    limite = time.monotonic() + 30
    while not serveur.started:
        if not fil.is_alive() or time.monotonic() > limite:
            raise RuntimeError("le serveur de test n'a pas démarré")
        time.sleep(0.02)
    port = serveur.servers[0].sockets[0].getsockname()[1]
    return _Fil(serveur, fil), f"http://127.0.0.1:{port}"


def arreter(f: _Fil) -> None:
    f.serveur.should_exit = True
    f.fil.join(timeout=30)


def base_initialisee(dossier: Path, url: str | None = None) -> str:
    """The database `url` (default: SQLite in `dossier`) with the embedded data and a few members/partners."""
    from cmq.importation.fichier import importer_fichier
    from cmq.init import initialiser

    url = url or f"sqlite:///{dossier / 'cmq.db'}"
    initialiser(url)
    for nom, contenu, genre in (
        ("membres.csv", MEMBRES_CSV, "membres"),
        ("partenaires.csv", PARTENAIRES_CSV, "partenaires"),
    ):
        chemin = dossier / nom
        chemin.write_text(contenu, encoding="utf-8")
        importer_fichier(chemin, type_import=genre, url=url)
    return url


# PostgreSQL shared database -> (server, its pristine template): copies are made from the template,
# since CREATE DATABASE … TEMPLATE needs a source without connections (the shared server has some).
_MODELES: dict[str, tuple] = {}


def copier_base(source_url: str, dossier: Path) -> str:
    """A consistent copy of the shared database: SQLite backup API (WAL included), or a PostgreSQL clone."""
    if source_url in _MODELES:
        serveur, modele = _MODELES[source_url]
        return serveur.nouvelle_base("cmq_api_copie", modele=modele)
    source = source_url.removeprefix("sqlite:///")
    cible = dossier / "cmq.db"
    depart, arrivee = sqlite3.connect(source), sqlite3.connect(cible)
    try:
        depart.backup(arrivee)
    finally:
        depart.close()
        arrivee.close()
    return f"sqlite:///{cible}"


@pytest.fixture(scope="session", params=GENRES_BASES)
def base_api(request, tmp_path_factory) -> str:
    """URL of the shared initialised database (do not write to it): SQLite, then PostgreSQL."""
    dossier = tmp_path_factory.mktemp("api_base")
    if request.param == "sqlite":
        return base_initialisee(dossier)
    from cmq.store import db

    serveur = request.getfixturevalue("_serveur")
    modele = base_initialisee(dossier, serveur.nouvelle_base("cmq_api_modele"))
    db.moteur(modele).dispose()
    nom_modele = make_url(modele).database
    partagee = serveur.nouvelle_base("cmq_api", modele=nom_modele)
    _MODELES[partagee] = (serveur, nom_modele)
    return partagee


def _servir(url: str, jeton: str | None) -> Iterator[Serveur]:
    from cmq.serveur import creer_app
    from cmq.store import db

    fil, base = demarrer(creer_app(url, jeton=jeton))
    try:
        yield Serveur(base=base, url_db=url, jeton=jeton or "")
    finally:
        arreter(fil)
        db.moteur(url).dispose()


@pytest.fixture(scope="session")
def serveur_api(base_api) -> Iterator[Serveur]:
    """Shared server on the shared database (reads only)."""
    yield from _servir(base_api, JETON)


def _servir_une_copie(base_api: str, dossier: Path, jeton: str) -> Iterator[Serveur]:
    """A server on a private copy of the shared database, the copy dropped afterwards on PostgreSQL."""
    copie = copier_base(base_api, dossier)
    yield from _servir(copie, jeton)
    if base_api in _MODELES:
        _MODELES[base_api][0].executer(f"DROP DATABASE IF EXISTS {make_url(copie).database} WITH (FORCE)")


@pytest.fixture
def serveur_api_ecriture(base_api, tmp_path) -> Iterator[Serveur]:
    """A server on a private copy of the database, for tests that write."""
    yield from _servir_une_copie(base_api, tmp_path, JETON)


@pytest.fixture
def serveur_sans_jeton(base_api, tmp_path) -> Iterator[Serveur]:
    """A server without a configured token (writing disabled)."""
    yield from _servir_une_copie(base_api, tmp_path, "")


# --- A server in its own process (peak memory measured, hostile bodies) ----------------------------


@dataclass
class ServeurProcessus(Serveur):
    """A uvicorn server run by a child process: `pic_mo()` is its peak resident memory (VmHWM)."""

    processus: subprocess.Popen | None = None

    def pic_mo(self) -> float:
        for ligne in Path(f"/proc/{self.processus.pid}/status").read_text().splitlines():
            if ligne.startswith("VmHWM:"):
                return int(ligne.split()[1]) / 1024
        raise RuntimeError("VmHWM absent de /proc")


def servir_processus(url: str, jeton: str, temporaire: Path) -> Iterator[ServeurProcessus]:
    """`creer_app(url, jeton=jeton)` served by uvicorn in a child process whose TMPDIR is `temporaire`."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = (
        "import uvicorn\nfrom cmq.serveur import creer_app\n"
        f"uvicorn.run(creer_app({url!r}, jeton={jeton!r}), host='127.0.0.1', port={port}, log_level='warning')\n"
    )
    env = {**os.environ, "TMPDIR": str(temporaire)}
    processus = subprocess.Popen([sys.executable, "-c", code], env=env)
    base = f"http://127.0.0.1:{port}"
    limite = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/api/filieres", timeout=5)
            break
        except httpx.TransportError:
            if processus.poll() is not None or time.monotonic() > limite:
                processus.kill()
                raise RuntimeError("le serveur de test n'a pas démarré") from None
            time.sleep(0.1)
    try:
        yield ServeurProcessus(base=base, url_db=url, jeton=jeton, processus=processus)
    finally:
        processus.terminate()
        processus.wait(timeout=30)
