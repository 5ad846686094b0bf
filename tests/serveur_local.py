"""Replay server for the remote portals: a real HTTP server on 127.0.0.1 serving scripted answers.

Usage in a test module: ``from tests.serveur_local import Reponse, serveur_local  # noqa: F401``
(also the fixtures `attentes` and `client_http`: a fast ClientHttp recording its sleeps).
Each route (a path) gets a sequence of `Reponse` (or callables ``requete -> Reponse``) served in
order, the last one repeating; every request received is recorded. Portal addresses found in the
bodies (``https://tabular-api.data.gouv.fr``…) are rewritten to the server's own address.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from cmq.portails.http import ClientHttp

FIXTURES = Path(__file__).parent / "fixtures"

# Hosts of the real portals, replaced by the local address in every body served.
HOTES_REELS = (
    "https://tabular-api.data.gouv.fr",
    "https://www.data.gouv.fr",
    "https://data.education.gouv.fr",
    "https://data.enseignementsup-recherche.gouv.fr",
    "https://data.iledefrance.fr",
)


@dataclass
class Reponse:
    """One scripted answer.

    `delai`: seconds to wait before answering; `tronquer`: send only this many body bytes while
    declaring the full Content-Length, then close; `couper`: reset the connection without answering.
    """

    statut: int = 200
    corps: bytes = b""
    entetes: dict[str, str] = field(default_factory=dict)
    delai: float = 0.0
    tronquer: int | None = None
    couper: bool = False

    @classmethod
    def json(cls, valeur: Any, statut: int = 200, entetes: dict[str, str] | None = None, **options: Any) -> Reponse:
        """A JSON answer."""
        corps = json.dumps(valeur, ensure_ascii=False).encode()
        return cls(statut, corps, {"Content-Type": "application/json; charset=utf-8", **(entetes or {})}, **options)

    @classmethod
    def fixture(cls, nom: str, statut: int = 200, **options: Any) -> Reponse:
        """A file of tests/fixtures served as is (JSON or CSV by extension)."""
        type_contenu = "text/csv; charset=utf-8" if nom.endswith(".csv") else "application/json; charset=utf-8"
        return cls(statut, (FIXTURES / nom).read_bytes(), {"Content-Type": type_contenu}, **options)


@dataclass
class Requete:
    """A request received: path, raw query string and its (name, value) pairs in order."""

    chemin: str
    requete: str
    params: list[tuple[str, str]]

    def valeurs(self, nom: str) -> list[str]:
        """Every value of the query parameter `nom`."""
        return [v for k, v in self.params if k == nom]

    def valeur(self, nom: str) -> str | None:
        """The single value of `nom` (None when absent)."""
        valeurs = self.valeurs(nom)
        assert len(valeurs) <= 1, f"{nom} répété : {valeurs}"
        return valeurs[0] if valeurs else None


Script = Reponse | Callable[[Requete], Reponse]


class _Gestionnaire(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall per response
    wbufsize = 1 << 16  # headers and body leave in one write (flushed after each request)
    server: _Serveur

    def do_GET(self) -> None:
        morceaux = urlsplit(self.path)
        requete = Requete(morceaux.path, morceaux.query, parse_qsl(morceaux.query, keep_blank_values=True))
        reponse = self.server.proprietaire._repondre(requete)
        if reponse.delai and self.server.arret.wait(reponse.delai):
            return
        if reponse.couper:  # RST without any answer
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        corps = self.server.proprietaire._reecrire(reponse.corps)
        self.send_response(reponse.statut)
        for nom, valeur in reponse.entetes.items():
            self.send_header(nom, valeur)
        self.send_header("Content-Length", str(len(corps)))
        if reponse.tronquer is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
            corps = corps[: reponse.tronquer]
        self.end_headers()
        self.wfile.write(corps)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Serveur(ThreadingHTTPServer):
    daemon_threads = True
    proprietaire: ServeurLocal
    arret: threading.Event

    def handle_error(self, request, client_address) -> None:  # client gone (timeout test): ignore
        pass


class ServeurLocal:
    """Context manager: the server runs in a thread on an ephemeral port of 127.0.0.1."""

    def __init__(self) -> None:
        self._routes: dict[str, list[Script]] = {}
        self._verrou = threading.Lock()
        self.requetes: list[Requete] = []
        self._serveur = _Serveur(("127.0.0.1", 0), _Gestionnaire)
        self._serveur.proprietaire = self
        self._serveur.arret = threading.Event()
        self.url = f"http://127.0.0.1:{self._serveur.server_address[1]}"
        self._fil = threading.Thread(target=self._serveur.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> ServeurLocal:
        self._fil.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._serveur.arret.set()
        self._serveur.shutdown()
        self._serveur.server_close()
        self._fil.join(timeout=5)

    def route(self, chemin: str, *reponses: Script) -> None:
        """Script the answers of `chemin` (query string ignored), served in order; the last repeats."""
        with self._verrou:
            self._routes[chemin] = list(reponses)

    def requetes_vers(self, chemin: str) -> list[Requete]:
        """Requests received on `chemin`, in order."""
        with self._verrou:
            return [r for r in self.requetes if r.chemin == chemin]

    def _repondre(self, requete: Requete) -> Reponse:
        with self._verrou:
            self.requetes.append(requete)
            script = self._routes.get(requete.chemin)
            if not script:
                return Reponse.json(
                    {"error_code": "NotFound", "message": f"route non scriptée : {requete.chemin}"}, 404
                )
            suivant = script.pop(0) if len(script) > 1 else script[0]
        return suivant(requete) if callable(suivant) else suivant

    def _reecrire(self, corps: bytes) -> bytes:
        for hote in HOTES_REELS:
            corps = corps.replace(hote.encode(), self.url.encode())
        return corps


@pytest.fixture
def serveur_local() -> Iterator[ServeurLocal]:
    """A running `ServeurLocal`, stopped after the test."""
    with ServeurLocal() as serveur:
        yield serveur


@pytest.fixture
def attentes() -> list[float]:
    """Sleep durations requested by the `client_http` fixture (nothing actually sleeps)."""
    return []


@pytest.fixture
def client_http(attentes: list[float]) -> Iterator[ClientHttp]:
    """A ClientHttp with 4 attempts, 10 ms base backoff and a recording `sommeil`."""
    with ClientHttp(timeout=2.0, tentatives=4, attente_base=0.01, attente_max=5.0, sommeil=attentes.append) as c:
        yield c
