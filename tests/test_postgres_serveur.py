"""The throwaway PostgreSQL server of the tests, and the per-test databases."""

import os

import psycopg
import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from cmq.store import db
from tests.postgres import FabriquePostgres, ServeurPostgres, dossier_binaires

pytestmark = pytest.mark.postgres


def _bases(serveur_url: str) -> set[str]:
    adresse = make_url(serveur_url)
    with psycopg.connect(host=adresse.host, port=adresse.port, user="postgres", dbname="postgres") as c:
        return {ligne[0] for ligne in c.execute("SELECT datname FROM pg_database")}


def test_le_serveur_repond(serveur_postgres):
    adresse = make_url(serveur_postgres)
    assert adresse.drivername == "postgresql+psycopg"
    assert adresse.host == "127.0.0.1" and adresse.database == "cmq_test"
    moteur = create_engine(serveur_postgres)
    with moteur.connect() as connexion:
        version = connexion.execute(text("select version()")).scalar_one()
        reglages = {
            nom: connexion.execute(text(f"show {nom}")).scalar_one()
            for nom in ("fsync", "synchronous_commit", "full_page_writes", "listen_addresses")
        }
    moteur.dispose()
    assert version.startswith("PostgreSQL ")
    assert reglages == {
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "listen_addresses": "127.0.0.1",
    }


def test_deux_bases_sont_isolees(fabrique_postgres):
    premiere, seconde = fabrique_postgres(), fabrique_postgres()
    assert premiere != seconde
    with db.moteur(premiere).begin() as connexion:
        connexion.execute(text("CREATE TABLE t (x integer)"))
        connexion.execute(text("INSERT INTO t VALUES (42)"))
    assert inspect(db.moteur(premiere)).get_table_names() == ["t"]
    assert inspect(db.moteur(seconde)).get_table_names() == []


def test_base_url_migree_et_variable(base_url):
    assert os.environ["CMQ_DATABASE_URL"] == base_url
    tables = set(inspect(db.moteur(base_url)).get_table_names())
    assert {"campus", "campus_academies", "etablissements", "membres", "partenaires", "alias", "imports"} <= tables
    with db.moteur(base_url).connect() as connexion:
        assert connexion.execute(text("select count(*) from campus")).scalar_one() == 0


def test_la_fabrique_supprime_ses_bases(serveur_postgres, _serveur):
    fabrique = FabriquePostgres(_serveur)
    url = fabrique()
    nom = make_url(url).database
    connexion = db.moteur(url).connect()  # an open pooled connection must not block the DROP
    connexion.execute(text("select 1"))
    assert nom in _bases(serveur_postgres)
    fabrique.nettoyer()
    assert nom not in _bases(serveur_postgres)
    assert fabrique.creees == []
    connexion.invalidate()  # its server session was terminated by the forced DROP


def test_le_serveur_s_arrete_et_nettoie():
    binaires = dossier_binaires()
    assert binaires is not None and (binaires / "initdb").is_file()
    serveur = ServeurPostgres(binaires)
    serveur.demarrer()
    racine, port = serveur.racine, serveur.port
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="cmq_test") as c:
        assert c.execute("select current_database()").fetchone()[0] == "cmq_test"
    serveur.arreter()
    assert not racine.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=2)


def test_sans_postgresql_echec_en_ci_sinon_saut(monkeypatch):
    from tests.postgres import _absent

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="paquet Debian « postgresql »"):
        _absent()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="paquet Debian « postgresql »"):
        _absent()


def _ajouter_partenaire(connexion) -> int:
    connexion.execute(text("INSERT INTO campus (id, nom, filiere) VALUES ('cmq-a', 'A', 'tourisme-gastronomie')"))
    return connexion.execute(
        text("INSERT INTO partenaires (campus_id, nom, nature) VALUES ('cmq-a', 'P', 'autre') RETURNING id")
    ).scalar_one()


def test_la_reserve_rend_des_bases_vides_et_jette_les_schemas_modifies(_serveur, serveur_postgres):
    from tests.postgres import ReserveMigrees

    reserve = ReserveMigrees(_serveur)
    url = reserve.prendre()
    with db.moteur(url).begin() as connexion:
        assert _ajouter_partenaire(connexion) == 1
        second = connexion.execute(
            text("INSERT INTO partenaires (campus_id, nom, nature) VALUES ('cmq-a', 'Q', 'autre') RETURNING id")
        ).scalar_one()
        assert second == 2
    reserve.rendre(url)
    assert reserve.prendre() == url  # the same database, lent again…
    with db.moteur(url).begin() as connexion:  # …empty, its sequences restarted
        assert connexion.execute(text("SELECT count(*) FROM campus")).scalar_one() == 0
        assert _ajouter_partenaire(connexion) == 1
        connexion.execute(text("DROP TABLE alias"))  # a test that changed the schema
    reserve.rendre(url)
    assert reserve.libres == [] and make_url(url).database not in _bases(serveur_postgres)
