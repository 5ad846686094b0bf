"""Connection, SQLite settings, transactions and Alembic migrations, on real files in tmp_path."""

import os
import socket
import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from cmq.errors import ErreurStockage
from cmq.store import db, schema
from cmq.store.tables import Base, CampusTable
from tests.postgres import SQLITE_SEULEMENT

TABLES = {
    "campus",
    "campus_academies",
    "etablissements",
    "membres",
    "membres_nommes",
    "partenaires",
    "utilisateurs",
    "utilisateurs_perimetres",
    "changements",
    "changements_champs",
    "restaurations",
    "alias",
    "imports",
}


@pytest.fixture(autouse=True)
def _fermer():
    yield
    db.fermer_tout()


def _port_ferme() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block exits: nothing listens there


# --- Default URL --------------------------------------------------------------------------


def test_url_par_defaut_variable_d_environnement(monkeypatch, tmp_path):
    monkeypatch.setenv("CMQ_DATABASE_URL", "postgresql://cmq@127.0.0.1/cmq")
    monkeypatch.setenv("CMQ_DATA_DIR", str(tmp_path / "jamais"))
    assert db.url_par_defaut() == "postgresql://cmq@127.0.0.1/cmq"
    assert not (tmp_path / "jamais").exists()


def test_url_par_defaut_dossier_de_donnees_cree(monkeypatch, tmp_path):
    monkeypatch.delenv("CMQ_DATABASE_URL", raising=False)
    monkeypatch.setenv("CMQ_DATA_DIR", str(tmp_path / "a" / "b"))
    assert db.url_par_defaut(creer=False) == f"sqlite:///{tmp_path / 'a' / 'b' / 'cmq.db'}"
    assert not (tmp_path / "a").exists()
    assert db.url_par_defaut() == f"sqlite:///{tmp_path / 'a' / 'b' / 'cmq.db'}"
    assert (tmp_path / "a" / "b").is_dir()


def test_url_par_defaut_dossier_impossible_a_creer(monkeypatch, tmp_path):
    (tmp_path / "fichier").write_text("pas un dossier")
    monkeypatch.delenv("CMQ_DATABASE_URL", raising=False)
    monkeypatch.setenv("CMQ_DATA_DIR", str(tmp_path / "fichier" / "cmq"))
    with pytest.raises(ErreurStockage, match="impossible de créer le dossier de données .*fichier/cmq"):
        db.url_par_defaut()
    assert (tmp_path / "fichier").read_text() == "pas un dossier"


def test_url_postgresql_reecrite_pour_psycopg():
    assert db.normaliser_url("postgresql://u:p@h/b") == "postgresql+psycopg://u:p@h/b"
    assert db.normaliser_url("postgres://u@h/b") == "postgresql+psycopg://u@h/b"
    assert db.normaliser_url("postgresql+psycopg://u@h/b") == "postgresql+psycopg://u@h/b"
    assert db.normaliser_url("sqlite:///x.db") == "sqlite:///x.db"
    assert db.url_affichable("postgresql://u:secret@h/b") == "postgresql://u:***@h/b"
    assert db.moteur("postgresql://u@127.0.0.1/b").dialect.driver == "psycopg"


def test_url_invalide(tmp_path):
    with pytest.raises(ErreurStockage, match="adresse de base de données invalide"):
        db.moteur("pas une url")


# --- Engine and session --------------------------------------------------------------------


def test_moteur_en_cache_et_reglages_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    assert db.moteur(url) is db.moteur(url)
    with db.moteur(url).connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    db.fermer_tout()
    assert db.moteur(url) is not None and len(db._moteurs) == 1


def test_session_valide_ou_annule(base_vide):
    with db.session() as s:
        s.add(CampusTable(id="cmq-a", nom="A", filiere="tourisme-gastronomie"))
    with pytest.raises(RuntimeError), db.session() as s:
        s.add(CampusTable(id="cmq-b", nom="B", filiere="tourisme-gastronomie"))
        s.flush()
        raise RuntimeError("échec au milieu")
    with db.session() as s:
        assert s.scalars(select(CampusTable.id)).all() == ["cmq-a"]


def test_cles_etrangeres_actives(base_vide):
    from sqlalchemy.exc import IntegrityError

    from cmq.store.tables import MembreTable

    with pytest.raises(IntegrityError), db.session() as s:
        s.add(MembreTable(campus_id="cmq-fantome", uai="0690026D", role="membre"))
    with db.session() as s:
        s.add(CampusTable(id="cmq-a", nom="A", filiere="tourisme-gastronomie"))
        s.flush()
        s.add(MembreTable(campus_id="cmq-a", uai="0690026D", role="membre"))
    with db.session() as s:  # ON DELETE CASCADE
        s.execute(text("DELETE FROM campus"))
    with db.session() as s:
        assert s.scalar(text("SELECT count(*) FROM membres")) == 0


@SQLITE_SEULEMENT
def test_session_ecriture_prend_le_verrou_des_le_debut(base_vide):
    chemin = db.chemin_sqlite(base_vide)
    autre = sqlite3.connect(chemin, timeout=0.1, isolation_level=None)
    with db.session(ecriture=True) as s:
        s.execute(select(CampusTable.id)).all()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            autre.execute("BEGIN IMMEDIATE")
    with db.session() as s:  # a reading session leaves writers free (WAL)
        s.execute(select(CampusTable.id)).all()
        autre.execute("BEGIN IMMEDIATE")
        autre.execute("ROLLBACK")
    autre.close()


@SQLITE_SEULEMENT
def test_lecture_repetable_dans_une_session(base_vide):
    """SQLAlchemy emits BEGIN itself: a read transaction sees one snapshot (WAL)."""
    autre = sqlite3.connect(db.chemin_sqlite(base_vide), isolation_level=None)
    with db.session() as s:
        assert s.scalar(text("SELECT count(*) FROM campus")) == 0
        autre.execute("INSERT INTO campus (id, nom, filiere) VALUES ('cmq-x', 'X', 'tourisme-gastronomie')")
        assert s.scalar(text("SELECT count(*) FROM campus")) == 0
    with db.session() as s:
        assert s.scalar(text("SELECT count(*) FROM campus")) == 1
    autre.close()


# --- Migrations ----------------------------------------------------------------------------


def test_migration_cree_toutes_les_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'sous' / 'dossier' / 'cmq.db'}"
    assert schema.revision_courante(url) is None
    assert not (tmp_path / "sous").exists()  # asking does not create anything
    schema.mettre_a_jour(url)
    assert set(inspect(db.moteur(url)).get_table_names()) == TABLES | {"alembic_version"}
    assert schema.revision_courante(url) == "0005_restaurations" == schema.revision_cible()
    assert schema.est_initialisee(url)


def test_revision_cible_est_la_tete_alembic():
    """`schema.REVISION` must follow the migrations: a new migration without it fails here."""
    assert schema.revision_cible() == schema.revision_alembic()


def test_base_a_jour_sans_charger_alembic(base_url):
    """Reading the revision and `mettre_a_jour` on a database at head do not import Alembic."""
    import subprocess
    import sys

    code = (
        f"import sys; from cmq.store import schema; schema.mettre_a_jour({base_url!r}); "
        f"schema.exiger_initialisee({base_url!r}); "
        f"print(schema.revision_courante({base_url!r}), 'alembic' in sys.modules)"
    )
    sortie = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert sortie.stdout.split() == [schema.REVISION, "False"]


def test_migration_idempotente(tmp_path):
    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    schema.mettre_a_jour(url)
    with db.session(url) as s:
        s.add(CampusTable(id="cmq-a", nom="A", filiere="tourisme-gastronomie"))
    schema.mettre_a_jour(url)
    schema.mettre_a_jour(url)
    with db.session(url) as s:
        assert s.scalars(select(CampusTable.id)).all() == ["cmq-a"]
        assert s.scalars(text("SELECT version_num FROM alembic_version")).all() == [schema.REVISION]


def test_migration_et_tables_py_synchronisees(genre_base, fabrique_bases):
    """The schema migrated by Alembic, and the one created from the table definitions for a new
    database, both equal `Base.metadata` (types included), on SQLite and PostgreSQL."""
    migree, creee = fabrique_bases(genre_base), fabrique_bases(genre_base)
    schema.mettre_a_jour(migree, alembic=True)
    schema.mettre_a_jour(creee)
    for url in (migree, creee):
        assert schema.revision_courante(url) == schema.REVISION
        with db.moteur(url).connect() as connexion:
            contexte = MigrationContext.configure(connexion, opts={"compare_type": True})
            assert compare_metadata(contexte, Base.metadata) == []
    for url in (migree, creee):
        db.moteur(url).dispose()


def test_base_neuve_creee_sans_charger_alembic(tmp_path):
    """A new database is created at head without importing Alembic; a later `mettre_a_jour` leaves it alone."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'neuve.db'}"
    code = (
        f"import sys; from cmq.store import schema; schema.mettre_a_jour({url!r}); "
        f"print(schema.revision_courante({url!r}), 'alembic' in sys.modules)"
    )
    sortie = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert sortie.stdout.split() == [schema.REVISION, "False"]
    with db.moteur(url).connect() as connexion:
        contexte = MigrationContext.configure(connexion)
        assert contexte.get_current_revision() == schema.REVISION  # Alembic reads the revision recorded
    db.moteur(url).dispose()


def test_base_vide_fixture(base_vide, monkeypatch):
    import os

    assert os.environ["CMQ_DATABASE_URL"] == base_vide
    assert schema.est_initialisee()
    with db.session() as s:
        assert s.scalar(text("SELECT count(*) FROM campus")) == 0


def test_exiger_initialisee(tmp_path):
    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    with pytest.raises(ErreurStockage, match=r"base non initialisée : lancez `cmq init`"):
        schema.exiger_initialisee(url)
    with pytest.raises(ErreurStockage, match=r"base non initialisée"), schema.session_lecture(url):
        pass
    assert not (tmp_path / "cmq.db").exists()
    schema.mettre_a_jour(url)
    schema.exiger_initialisee(url)
    with schema.session_lecture(url) as s:
        assert s.scalar(text("SELECT count(*) FROM campus")) == 0
    with db.session(url) as s:
        s.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(ErreurStockage, match="base à mettre à jour"):
        schema.exiger_initialisee(url)


def test_base_postgresql_injoignable_message_sans_mot_de_passe():
    port = _port_ferme()
    url = f"postgresql://cmq:secret@127.0.0.1:{port}/cmq"
    for appel in (schema.mettre_a_jour, schema.revision_courante):
        with pytest.raises(ErreurStockage) as erreur:
            appel(url)
        message = str(erreur.value)
        assert message.startswith("impossible d'ouvrir ou de joindre la base de données")
        assert f"127.0.0.1:{port}/cmq" in message
        assert "secret" not in message and "***" in message


def test_fichier_sqlite_illisible(tmp_path):
    (tmp_path / "pas_une_base.db").write_bytes(b"ceci n'est pas une base SQLite" * 100)
    url = f"sqlite:///{tmp_path / 'pas_une_base.db'}"
    with pytest.raises(ErreurStockage, match="impossible d'ouvrir ou de joindre la base de données"):
        schema.mettre_a_jour(url)
    assert (tmp_path / "pas_une_base.db").read_bytes() == b"ceci n'est pas une base SQLite" * 100


def test_dossier_de_la_base_impossible_a_creer(tmp_path):
    (tmp_path / "fichier").write_text("x")
    with pytest.raises(ErreurStockage, match="impossible de créer le dossier de la base"):
        schema.mettre_a_jour(f"sqlite:///{tmp_path / 'fichier' / 'cmq.db'}")
    assert (tmp_path / "fichier").read_text() == "x"


def test_table_absente_message_non_initialisee(tmp_path):
    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    sqlite3.connect(tmp_path / "cmq.db").close()
    with pytest.raises(ErreurStockage, match="base non initialisée"), db.session(url) as s:
        s.execute(select(CampusTable.id)).all()


def test_migrations_concurrentes_sur_le_meme_fichier(tmp_path):
    """Four processes run `mettre_a_jour` at once: BEGIN IMMEDIATE serialises them, all succeed."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    code = f"from cmq.store import schema; schema.mettre_a_jour({url!r}); print(schema.revision_courante({url!r}))"
    processus = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    sorties = [p.communicate(timeout=120) for p in processus]
    assert [(p.returncode, sortie.strip()) for p, (sortie, _) in zip(processus, sorties, strict=True)] == [
        (0, schema.REVISION)
    ] * 4
    assert schema.revision_courante(url) == schema.REVISION


def test_poignee_de_base_ouverte_une_fois(monkeypatch, tmp_path):
    """`db.ouvrir` normalises the URL once; the handle passes through unchanged and carries the engine."""
    base = db.ouvrir("postgresql://u:secret@127.0.0.1/b")
    assert isinstance(base, db.BaseDeDonnees) and base == "postgresql+psycopg://u:secret@127.0.0.1/b"
    assert db.ouvrir(base) is base
    assert base.affichable == "postgresql+psycopg://u:***@127.0.0.1/b"
    fichier = db.ouvrir(f"sqlite:///{tmp_path / 'a.db'}")
    assert fichier.moteur is db.moteur(fichier) is db.moteur(f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("CMQ_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert db.ouvrir() == f"sqlite:///{tmp_path / 'env.db'}"
    try:
        assert db.choisir("postgres://u@h/b") == "postgresql+psycopg://u@h/b"
        assert db.ouvrir() == db.url_par_defaut() == "postgresql+psycopg://u@h/b"
        assert os.environ["CMQ_DATABASE_URL"] == f"sqlite:///{tmp_path / 'env.db'}"
    finally:
        assert db.choisir(None) is None
    assert db.ouvrir() == f"sqlite:///{tmp_path / 'env.db'}"
    db.fermer_tout()
