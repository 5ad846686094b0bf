"""The throwaway PostgreSQL server of the tests (`scripts/pg_temporaire.py`) and the fixtures built on it.

The server is started once per test session. Tests needing an empty, not migrated database get
their own (`CREATE DATABASE`, dropped at teardown). Tests needing a migrated empty database
(`base_url`, `base_vide`) borrow one from a session pool: at teardown its connections are
terminated and every table is emptied (TRUNCATE … RESTART IDENTITY), which costs ~20 ms where a
CREATE DATABASE costs 0.2 to 0.5 s; a database whose schema a test changed is dropped instead.
"""

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from scripts.pg_temporaire import (  # noqa: F401 - re-exported for the tests
    BASE_SESSION,
    MESSAGE_ABSENT,
    UTILISATEUR_SYSTEME,
    ServeurPostgres,
    dossier_binaires,
    serveur_temporaire,
)


def _absent() -> None:
    """Fail under CI (PostgreSQL must be there), skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(MESSAGE_ABSENT, pytrace=False)
    pytest.skip(MESSAGE_ABSENT)


@pytest.fixture(scope="session")
def _serveur() -> Iterator[ServeurPostgres]:
    if dossier_binaires() is None:
        _absent()
    with serveur_temporaire() as serveur:
        yield serveur


@pytest.fixture(scope="session")
def serveur_postgres(_serveur: ServeurPostgres) -> str:
    """URL of the session database `cmq_test` on the test server (started once per session)."""
    return _serveur.url()


class FabriquePostgres:
    """Creates empty databases on the server (`fabrique()` -> URL); `nettoyer()` drops them all."""

    def __init__(self, serveur: ServeurPostgres):
        self.serveur = serveur
        self.creees: list[str] = []

    def __call__(self) -> str:
        url = self.serveur.nouvelle_base()
        self.creees.append(make_url(url).database)
        return url

    def nettoyer(self) -> None:
        from cmq.store import db

        db.fermer_tout()  # release pooled connections before dropping
        while self.creees:
            self.serveur.executer(f"DROP DATABASE IF EXISTS {self.creees.pop()} WITH (FORCE)")


@pytest.fixture
def fabrique_postgres(_serveur: ServeurPostgres) -> Iterator[FabriquePostgres]:
    """Call it to get the URL of a new empty database; all are dropped at teardown."""
    fabrique = FabriquePostgres(_serveur)
    yield fabrique
    fabrique.nettoyer()


@pytest.fixture
def base_postgres(fabrique_postgres: Callable[[], str]) -> str:
    """URL of a fresh empty PostgreSQL database (not migrated), dropped after the test."""
    return fabrique_postgres()


@pytest.fixture
def fabrique_bases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Call it with "sqlite" or "postgresql" to get the URL of a new empty (not migrated) database."""
    compteur = itertools.count(1)

    def nouvelle(genre: str) -> str:
        if genre == "postgresql":
            return request.getfixturevalue("fabrique_postgres")()
        if genre == "sqlite":
            return f"sqlite:///{tmp_path / f'base_{next(compteur)}.db'}"
        raise ValueError(f"genre de base inconnu : {genre}")

    yield nouvelle
    from cmq.store import db

    db.fermer_tout()


GENRES_BASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


class ReserveMigrees:
    """Migrated databases lent to one test at a time and emptied when given back."""

    def __init__(self, serveur: ServeurPostgres):
        self.serveur = serveur
        self.libres: list[str] = []

    def prendre(self) -> str:
        """URL of a migrated, empty database (a free one, else a new one)."""
        if self.libres:
            return self.libres.pop()
        from cmq.store.schema import mettre_a_jour

        url = self.serveur.nouvelle_base("cmq_m")
        mettre_a_jour(url)
        return url

    def rendre(self, url: str) -> None:
        """Terminate its connections and empty it; drop it instead if its schema is no longer the head one."""
        from cmq.store import db
        from cmq.store.schema import revision_cible
        from cmq.store.tables import Base

        db.fermer_tout()
        nom = make_url(url).database
        attendues = set(Base.metadata.tables)
        try:
            with psycopg.connect(
                host="127.0.0.1", port=self.serveur.port, user="postgres", dbname=nom, autocommit=True
            ) as c:
                c.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                c.execute("SET lock_timeout = '10s'")
                tables = {t for (t,) in c.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
                revisions = c.execute("SELECT version_num FROM alembic_version").fetchall()
                if tables != attendues | {"alembic_version"} or revisions != [(revision_cible(),)]:
                    raise ValueError(f"schéma modifié par le test : {sorted(tables)}, {revisions}")
                c.execute(f"TRUNCATE {', '.join(sorted(attendues))} RESTART IDENTITY CASCADE")
        except (psycopg.Error, ValueError):
            self.serveur.executer(f"DROP DATABASE IF EXISTS {nom} WITH (FORCE)")
            return
        self.libres.append(url)


@pytest.fixture(scope="session")
def _reserve_migrees(_serveur: ServeurPostgres) -> ReserveMigrees:
    return ReserveMigrees(_serveur)


@pytest.fixture
def base_migree(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Call it with "sqlite" or "postgresql": URL of a migrated, empty database for this test.

    SQLite: `cmq.db` in tmp_path (then `base_2.db`…); PostgreSQL: borrowed from the session pool.
    """
    compteur = itertools.count(1)
    empruntees: list[str] = []
    reserve: list[ReserveMigrees] = []

    def nouvelle(genre: str) -> str:
        from cmq.store.schema import mettre_a_jour

        if genre == "postgresql":
            if not reserve:
                reserve.append(request.getfixturevalue("_reserve_migrees"))
            empruntees.append(reserve[0].prendre())
            return empruntees[-1]
        if genre == "sqlite":
            n = next(compteur)
            url = f"sqlite:///{tmp_path / ('cmq.db' if n == 1 else f'base_{n}.db')}"
            mettre_a_jour(url)
            return url
        raise ValueError(f"genre de base inconnu : {genre}")

    yield nouvelle
    from cmq.store import db

    db.fermer_tout()
    for url in empruntees:
        reserve[0].rendre(url)


@pytest.fixture(params=GENRES_BASES)
def genre_base(request: pytest.FixtureRequest) -> str:
    """ "sqlite", then "postgresql": parametrizes a test over both databases."""
    return request.param


@pytest.fixture
def base_url(genre_base: str, base_migree, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated empty database, once on SQLite and once on PostgreSQL; also $CMQ_DATABASE_URL."""
    url = base_migree(genre_base)
    monkeypatch.setenv("CMQ_DATABASE_URL", url)
    return url


SQLITE_SEULEMENT = pytest.mark.parametrize("genre_base", ["sqlite"])
"""Marks a test of SQLite-specific behaviour (file, WAL, sqlite3 module): `base_vide`/`base_url` on SQLite only."""


def empreinte_base(url: str) -> str:
    """sha256 of every row of every table (history and schema version included), on both databases;
    on SQLite, of the file too (engines closed first so the WAL is checkpointed). Compare before/after
    to prove that nothing was written."""
    import hashlib

    from sqlalchemy import inspect, text

    from cmq.store import db

    contenu = hashlib.sha256()
    with db.moteur(url).connect() as connexion:
        for table in sorted(inspect(connexion).get_table_names()):
            lignes = connexion.execute(text(f"SELECT * FROM {table}")).all()
            contenu.update(repr((table, sorted(map(repr, lignes)))).encode())
    db.fermer_tout()
    if (chemin := db.chemin_sqlite(url)) is not None:
        contenu.update(chemin.read_bytes())
    return contenu.hexdigest()
