"""Shared pytest fixtures."""

from pathlib import Path

import pytest

from tests.postgres import (  # noqa: F401
    GENRES_BASES,
    _reserve_migrees,
    _serveur,
    base_migree,
    base_postgres,
    base_url,
    fabrique_bases,
    fabrique_postgres,
    genre_base,
    serveur_postgres,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    """Folder of the example files in the real open-data formats (copied from shared/fixtures)."""
    return FIXTURES


@pytest.fixture
def base_vide(genre_base, base_migree, tmp_path, monkeypatch) -> str:
    """URL of a migrated, empty database, also set as CMQ_DATABASE_URL: once a SQLite file in
    tmp_path (`cmq.db`), once a PostgreSQL database of the test server."""
    url = base_migree(genre_base)
    monkeypatch.setenv("CMQ_DATABASE_URL", url)
    monkeypatch.setenv("CMQ_DATA_DIR", str(tmp_path / "donnees"))
    return url


@pytest.fixture
def depot_vide(base_vide):
    """An open ORM Session (one transaction, committed at the end) on `base_vide`."""
    from cmq.store import db

    with db.session(base_vide) as s:
        yield s


@pytest.fixture(scope="session", params=GENRES_BASES)
def base_embarquee(request, tmp_path_factory) -> str:
    """URL of a database initialised once per session with the embedded data (SQLite, then
    PostgreSQL): read it, never write it."""
    from cmq.init import initialiser

    if request.param == "postgresql":
        url = request.getfixturevalue("_serveur").nouvelle_base("cmq_embarquee")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('embarquee') / 'cmq.db'}"
    initialiser(url)
    return url
