"""`initialiser` / `cmq init`: schema, embedded lycées and campuses, idempotency."""

import csv
import gzip
from importlib import resources

from sqlalchemy import select
from typer.testing import CliRunner

from cmq.cli import app
from cmq.init import initialiser
from cmq.sources.pipeline import importer_lignes
from cmq.store import db, schema
from cmq.store.lecture import campus as lire_campus
from cmq.store.tables import EtablissementTable
from tests.import_outils import compter, historique, instantane


def _lignes_embarquees(nom):
    contenu = resources.files("cmq").joinpath("data", nom).read_bytes()
    texte = gzip.decompress(contenu).decode() if nom.endswith(".gz") else contenu.decode()
    return list(csv.DictReader(texte.splitlines()))


def test_initialiser_charge_lycees_et_campus(tmp_path):
    url = f"sqlite:///{tmp_path / 'cmq.db'}"
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
        assert (c.nom, c.filiere, c.region_academique) == (premier["nom"], premier["filiere"],
                                                           premier["region_academique"])
        assert c.academies == sorted(premier["academies"].split("|"))
        ligne = s.get(EtablissementTable, lycees[0]["uai"])
        assert (ligne.nom, ligne.departement, ligne.academie) == (lycees[0]["nom"], lycees[0]["departement"],
                                                                  lycees[0]["academie"])
    assert [(h.type_import, h.statut, h.source) for h in historique(url)] == [
        ("etablissements", "ok", "cmq/data/lycees.csv.gz"), ("campus", "ok", "cmq/data/campus.csv")]
    db.fermer_tout()


def test_initialiser_deux_fois_ne_change_rien(tmp_path):
    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    initialiser(url)
    avant = instantane(url)
    second = initialiser(url)
    assert instantane(url) == avant
    for rapport in (second["etablissements"], second["campus"]):
        assert (rapport.inserees, rapport.mises_a_jour) == (0, 0)
        assert rapport.inchangees == rapport.lues
    derniers = historique(url)[-2:]
    assert [(h.statut, h.inserees, h.mises_a_jour) for h in derniers] == [("ok", 0, 0), ("ok", 0, 0)]
    db.fermer_tout()


def test_init_ne_degrade_pas_un_annuaire_importe(tmp_path):
    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    uai = _lignes_embarquees("lycees.csv.gz")[0]["uai"]
    ligne = {"identifiant_de_l_etablissement": uai, "nom_etablissement": "Lycée Alexandre Bérard",
             "code_commune": "01004", "code_departement": "001", "latitude": "45.95", "longitude": "5.35"}
    importer_lignes([ligne], colonnes=list(ligne), source="annuaire", url=url)
    initialiser(url)
    with db.session(url) as s:
        stocke = s.execute(select(EtablissementTable.nom, EtablissementTable.code_commune,
                                  EtablissementTable.latitude).where(EtablissementTable.uai == uai)).one()
    assert tuple(stocke) == ("Lycée Alexandre Bérard", "01004", 45.95)
    db.fermer_tout()


def test_cli_init(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cmq.db'}"
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
