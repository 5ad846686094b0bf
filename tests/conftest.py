"""Shared pytest fixtures."""

from pathlib import Path

import pytest

from tests.postgres import _serveur, base_postgres, base_url, fabrique_bases, fabrique_postgres, serveur_postgres  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    """Folder of the example files in the real open-data formats (copied from shared/fixtures)."""
    return FIXTURES


@pytest.fixture
def base_vide(tmp_path, monkeypatch) -> str:
    """URL of a migrated, empty SQLite database in tmp_path, also set as CMQ_DATABASE_URL."""
    from cmq.store import db, schema

    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    monkeypatch.setenv("CMQ_DATABASE_URL", url)
    monkeypatch.setenv("CMQ_DATA_DIR", str(tmp_path / "donnees"))
    schema.mettre_a_jour(url)
    yield url
    db.fermer_tout()


@pytest.fixture
def depot_vide(base_vide):
    """An open ORM Session (one transaction, committed at the end) on `base_vide`."""
    from cmq.store import db

    with db.session(base_vide) as s:
        yield s


@pytest.fixture(scope="session")
def base_embarquee(tmp_path_factory) -> str:
    """URL of a SQLite database initialised once per session with the embedded data: read it, never write it."""
    from cmq.init import initialiser

    url = f"sqlite:///{tmp_path_factory.mktemp('embarquee') / 'cmq.db'}"
    initialiser(url)
    return url
