"""`initialiser` / `cmq init`: schema, embedded lycées and campuses, idempotency."""

import csv
import gzip
import socket
from importlib import resources

from sqlalchemy import select
from typer.testing import CliRunner

from cmq.cli import app
from cmq.importation.pipeline import importer_lignes
from cmq.init import initialiser
from cmq.store import db, lecture, schema
from cmq.store.lecture import campus as lire_campus
from cmq.store.sauvegarde import sauvegarder
from cmq.store.tables import EtablissementTable
from tests.import_outils import compter, historique, instantane


def _lignes_embarquees(nom):
    contenu = resources.files("cmq").joinpath("data", nom).read_bytes()
    texte = gzip.decompress(contenu).decode() if nom.endswith(".gz") else contenu.decode()
    return list(csv.DictReader(texte.splitlines()))


def test_initialiser_charge_lycees_et_campus(genre_base, fabrique_bases):
    url = fabrique_bases(genre_base)
    lycees, campus = _lignes_embarquees("lycees.csv.gz"), _lignes_embarquees("campus.csv")
    resultat = initialiser(url)
    assert resultat["revision"] == schema.revision_cible()
    assert (resultat["etablissements"].inserees, resultat["etablissements"].rejetees) == (len(lycees), 0)
    assert (resultat["campus"].inserees, resultat["campus"].rejetees) == (len(campus), 0)
    assert compter(url, "etablissements") == len(lycees) == 5028
    assert compter(url, "campus") == len(campus)
    premier = campus[0]
    with db.session(url) as s:
        c = lire_campus(s, premier["id"])
        assert (c.nom, c.filiere, c.region_academique) == (
            premier["nom"],
            premier["filiere"],
            premier["region_academique"],
        )
        assert c.academies == sorted(premier["academies"].split("|"))
        ligne = s.get(EtablissementTable, lycees[0]["uai"])
        assert (ligne.nom, ligne.departement, ligne.academie) == (
            lycees[0]["nom"],
            lycees[0]["departement"],
            lycees[0]["academie"],
        )
    assert [(h.type_import, h.statut, h.source) for h in historique(url)] == [
        ("etablissements", "ok", "cmq/data/lycees.csv.gz"),
        ("campus", "ok", "cmq/data/campus.csv"),
        ("membres", "ok", "cmq/data/membres.csv"),
    ]
    db.fermer_tout()


def test_initialiser_charge_les_membres(genre_base, fabrique_bases):
    """membres.csv: lycées by UAI (present in the directory), the other organisations by name."""
    url = fabrique_bases(genre_base)
    membres = _lignes_embarquees("membres.csv")
    resultat = initialiser(url)
    assert (resultat["membres"].lues, resultat["membres"].inserees, resultat["membres"].rejetees) == (58, 58, 0)
    assert compter(url, "membres") == sum(1 for m in membres if m["uai"]) == 37
    assert compter(url, "membres_nommes") == sum(1 for m in membres if not m["uai"]) == 21
    with db.session(url) as s:
        assert len(lecture.campus_avec_membres(s)) == 29
        ((support, lycee), *_autres) = lecture.membres(s, "plasticampus")
        assert (support.uai, support.role.value, support.libelle_role, lycee.nom) == (
            "0011119L",
            "support",
            "support",
            "LPO LYCÉE DES MÉTIERS ARBEZ CARME",
        )
        assert support.source_url == "https://groupe-ecomedia.com/plasticampus-va-accroitre-ses-competences/"
        nommes = {
            (m.nom, m.nature.value, m.role.value) for m in lecture.membres_nommes(s, "numerique-et-photonique-lannion")
        }
        assert nommes == {
            ("Enssat (Lannion)", "ecole", "partenaire"),
            ("IUT de Lannion", "iut", "partenaire"),
            ("Lycée Félix Le Dantec (Lannion)", "lycee", "partenaire"),
        }
        uais = {m.uai for m, _ in lecture.membres(s, "plasticampus")}
        assert all(s.get(EtablissementTable, u) is not None for u in uais)  # real lycées of the directory
    db.fermer_tout()


def test_initialiser_deux_fois_ne_change_rien(genre_base, fabrique_bases):
    url = fabrique_bases(genre_base)
    initialiser(url)
    avant = instantane(url)
    second = initialiser(url)
    assert instantane(url) == avant
    for rapport in (second["etablissements"], second["campus"], second["membres"]):
        assert (rapport.inserees, rapport.mises_a_jour) == (0, 0)
        assert rapport.inchangees == rapport.lues
    derniers = historique(url)[-3:]
    assert [(h.statut, h.inserees, h.mises_a_jour) for h in derniers] == [("ok", 0, 0)] * 3
    db.fermer_tout()


def test_init_ne_degrade_pas_un_annuaire_importe(genre_base, fabrique_bases):
    url = fabrique_bases(genre_base)
    uai = _lignes_embarquees("lycees.csv.gz")[0]["uai"]
    ligne = {
        "identifiant_de_l_etablissement": uai,
        "nom_etablissement": "Lycée Alexandre Bérard",
        "code_commune": "01004",
        "code_departement": "001",
        "latitude": "45.95",
        "longitude": "5.35",
    }
    importer_lignes([ligne], colonnes=list(ligne), source="annuaire", url=url)
    initialiser(url)
    with db.session(url) as s:
        stocke = s.execute(
            select(EtablissementTable.nom, EtablissementTable.code_commune, EtablissementTable.latitude).where(
                EtablissementTable.uai == uai
            )
        ).one()
    assert tuple(stocke) == ("Lycée Alexandre Bérard", "01004", 45.95)
    db.fermer_tout()


def test_cli_init(genre_base, fabrique_bases, monkeypatch):
    url = fabrique_bases(genre_base)
    monkeypatch.setenv("CMQ_DATABASE_URL", url)
    runner = CliRunner()
    resultat = runner.invoke(app, ["init"])
    assert resultat.exit_code == 0, resultat.output
    assert "établissements (lycées)" in resultat.stdout and "5028" in resultat.stdout
    assert "campus" in resultat.stdout
    encore = runner.invoke(app, ["init"])
    assert encore.exit_code == 0
    assert "Base déjà à jour : aucune modification." in encore.stdout
    db.fermer_tout()


def _tables_sauvegardees(url, chemin):
    """(rows, sha256) of each table of a `sauvegarder` bundle; the histories' times differ: their
    number of rows only (the review queue's proposals of the members import, `cmq.relecture`)."""
    manifeste = sauvegarder(chemin, url)
    return {
        nom: (t.lignes, None if nom in ("imports", "changements") else t.sha256) for nom, t in manifeste.tables.items()
    }


def test_cli_init_database_url_postgresql_comme_sqlite(fabrique_bases, base_postgres, monkeypatch, tmp_path):
    """`cmq init --database-url postgresql+psycopg://…` fills PostgreSQL exactly as SQLite is filled."""
    sqlite = fabrique_bases("sqlite")
    monkeypatch.setenv("CMQ_DATABASE_URL", sqlite)
    assert CliRunner().invoke(app, ["init"]).exit_code == 0
    monkeypatch.delenv("CMQ_DATABASE_URL")
    assert base_postgres.startswith("postgresql+psycopg://")
    resultat = CliRunner().invoke(app, ["init", "--database-url", base_postgres])
    assert resultat.exit_code == 0, resultat.output
    assert f"Base : {base_postgres} (schéma {schema.revision_cible()})" in resultat.stdout
    assert compter(base_postgres, "etablissements") == compter(sqlite, "etablissements") == 5028
    assert compter(base_postgres, "campus") == compter(sqlite, "campus") > 0
    assert _tables_sauvegardees(base_postgres, tmp_path / "pg.zip") == _tables_sauvegardees(sqlite, tmp_path / "sq.zip")
    assert [(h.type_import, h.statut, h.lignes_lues, h.inserees) for h in historique(base_postgres)] == [
        (h.type_import, h.statut, h.lignes_lues, h.inserees) for h in historique(sqlite)
    ]
    db.fermer_tout()


def test_cli_init_database_url_injoignable_rien_d_ecrit(tmp_path, monkeypatch):
    monkeypatch.setenv("CMQ_DATA_DIR", str(tmp_path / "donnees"))
    monkeypatch.delenv("CMQ_DATABASE_URL", raising=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    resultat = CliRunner().invoke(app, ["init", "--database-url", f"postgresql://cmq:secret@127.0.0.1:{port}/cmq"])
    assert resultat.exit_code == 1
    assert (
        f"Erreur : impossible d'ouvrir ou de joindre la base de données "
        f"« postgresql+psycopg://cmq:***@127.0.0.1:{port}/cmq »"
    ) in resultat.stderr
    assert "secret" not in resultat.output and "Traceback" not in resultat.output
    assert not (tmp_path / "donnees").exists()  # the default SQLite store was not created instead
    db.fermer_tout()
