"""A throwaway PostgreSQL server (Debian binaries) in a temporary folder, for the tests and benches.

The cluster is created by initdb in a temporary folder, listens on 127.0.0.1 only (free port,
unix socket in the same folder), trusts local connections and trades durability for speed
(fsync, synchronous_commit and full_page_writes off). As root, initdb/pg_ctl run as the
`postgres` system user (initdb refuses root). Time zone Europe/Paris, so that timestamp
handling is really exercised.

    with serveur_temporaire() as serveur:
        url = serveur.nouvelle_base()   # postgresql+psycopg://postgres@127.0.0.1:PORT/NOM
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

BASE_SESSION = "cmq_test"
UTILISATEUR_SYSTEME = "postgres"
MESSAGE_ABSENT = (
    "PostgreSQL introuvable (initdb, pg_ctl) : installez le paquet Debian « postgresql » "
    "(apt-get install postgresql) pour lancer les tests sur PostgreSQL"
)
_compteur = itertools.count(1)


def dossier_binaires() -> Path | None:
    """Folder holding initdb and pg_ctl: `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin."""
    candidats: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        sortie = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if sortie.returncode == 0:
            candidats.append(Path(sortie.stdout.strip()))
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    candidats += sorted(versions, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    for dossier in candidats:
        if (dossier / "initdb").is_file() and (dossier / "pg_ctl").is_file():
            return dossier
    return None


def _port_libre() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeurPostgres:
    """One PostgreSQL cluster in a temporary folder (start, stop, admin connection)."""

    def __init__(self, binaires: Path):
        self.binaires = binaires
        self.racine = Path(tempfile.mkdtemp(prefix="cmq-pg-"))
        self.donnees = self.racine / "donnees"
        self.sockets = self.racine / "sockets"
        self.journal = self.racine / "postgres.log"
        self.port = 0
        self._en_root = os.geteuid() == 0

    def _commande(self, programme: str, *arguments: str) -> list[str]:
        commande = [str(self.binaires / programme), *arguments]
        return ["runuser", "-u", UTILISATEUR_SYSTEME, "--", *commande] if self._en_root else commande

    def _lancer(self, programme: str, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            self._commande(programme, *arguments), cwd=self.racine, capture_output=True, text=True, check=False
        )

    def _preparer(self) -> None:
        self.sockets.mkdir()
        if self._en_root:  # initdb refuses root: the cluster belongs to the postgres user
            compte = pwd.getpwnam(UTILISATEUR_SYSTEME)
            for chemin in (self.racine, self.sockets):
                os.chown(chemin, compte.pw_uid, compte.pw_gid)
        self.racine.chmod(0o700)
        resultat = self._lancer(
            "initdb", "-D", str(self.donnees), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"
        )
        if resultat.returncode != 0:
            raise RuntimeError(f"initdb a échoué :\n{resultat.stdout}\n{resultat.stderr}")

    def _configurer(self) -> None:
        reglages = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.sockets}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "timezone": "'Europe/Paris'",  # not UTC, so timestamptz handling is really exercised
        }
        with (self.donnees / "postgresql.auto.conf").open("a", encoding="utf-8") as fichier:
            fichier.writelines(f"{cle} = {valeur}\n" for cle, valeur in reglages.items())

    def demarrer(self) -> None:
        """initdb, then start on a free port (retried if the port was taken meanwhile)."""
        self._preparer()
        for _essai in range(3):
            self.port = _port_libre()
            self._configurer()
            resultat = self._lancer(
                "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.donnees), "-l", str(self.journal)
            )
            if resultat.returncode == 0:
                self.executer(f"CREATE DATABASE {BASE_SESSION}")
                return
        journal = self.journal.read_text(encoding="utf-8", errors="replace") if self.journal.exists() else ""
        raise RuntimeError(f"PostgreSQL n'a pas démarré :\n{resultat.stderr}\n{journal[-3000:]}")

    def arreter(self) -> None:
        """Fast shutdown, then remove the temporary folder."""
        try:
            if (self.donnees / "postmaster.pid").exists():
                self._lancer("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.donnees))
        finally:
            shutil.rmtree(self.racine, ignore_errors=True)

    def url(self, base: str = BASE_SESSION) -> str:
        """SQLAlchemy URL of one database of this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{base}"

    def executer(self, sql: str, base: str = "postgres") -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE) on the `postgres` database."""
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=base, autocommit=True) as c:
            c.execute(sql)

    def nouvelle_base(self, prefixe: str = "cmq_t", modele: str | None = None) -> str:
        """Create a database with a unique name, empty or a copy of the database `modele` (which
        must have no open connection); its URL."""
        nom = f"{prefixe}_{next(_compteur)}"
        self.executer(f"CREATE DATABASE {nom}" + (f" TEMPLATE {modele}" if modele else ""))
        return self.url(nom)


@contextmanager
def serveur_temporaire() -> Iterator[ServeurPostgres]:
    """A started server, stopped and removed at the end; RuntimeError if PostgreSQL is not installed."""
    binaires = dossier_binaires()
    if binaires is None:
        raise RuntimeError(MESSAGE_ABSENT)
    serveur = ServeurPostgres(binaires)
    try:
        serveur.demarrer()
        yield serveur
    finally:
        serveur.arreter()
