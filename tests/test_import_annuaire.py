"""`cmq importer annuaire`: the annuaire de l'éducation export (API names or display labels)."""

import csv

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cmq.cli import app
from cmq.errors import EntreeInvalide
from cmq.importation.annuaire import importer_annuaire
from cmq.store import db
from cmq.store.tables import EtablissementTable
from tests.import_outils import compter, historique, instantane

LIBELLES = [
    "Identifiant_de_l_etablissement",
    "Nom_etablissement",
    "Type_etablissement",
    "Statut_public_prive",
    "Code postal",
    "Code_commune",
    "Nom_commune",
    "Code département",
    "Code_academie",
    "Code_region",
    "Voie_professionnelle",
    "Lycee_des_metiers",
    "position",
    "etat",
]
LIGNES = [
    [
        "0693734J",
        "Lycée professionnel Hélène Boucher",
        "Lycée",
        "Public",
        "69200",
        "69259",
        "Vénissieux",
        "069",
        "10",
        "84",
        "OUI",
        "NON",
        "45.6975, 4.8867",
        "OUVERT",
    ],
    [
        "6200002H",
        "Lycée Laetitia Bonaparte",
        "Lycée",
        "Public",
        "20000",
        "2A004",
        "Ajaccio",
        "02A",
        "27",
        "94",
        "1",
        "0",
        "41.9267, 8.7369",
        "OUVERT",
    ],
    [
        "9740002J",
        "Lycée Roland Garros",
        "Lycée",
        "Public",
        "97430",
        "97422",
        "Le Tampon",
        "974",
        "28",
        "04",
        "0",
        "0",
        "-21.2779, 55.5176",
        "OUVERT",
    ],
    [
        "0590010R",
        "Lycée Paul Hazard",
        "Lycée",
        "Privé sous contrat",
        "59426",
        "",
        "Armentières",
        "059",
        "09",
        "32",
        "",
        "",
        "",
        "FERME",
    ],
]


def ecrire(chemin, entete=LIBELLES, lignes=LIGNES):
    with open(chemin, "w", encoding="utf-8-sig", newline="") as flux:
        ecrivain = csv.writer(flux, delimiter=";")
        ecrivain.writerow(entete)
        ecrivain.writerows(lignes)
    return chemin


def etablissements(url):
    with db.session(url) as s:
        return {e.uai: e for e in s.scalars(select(EtablissementTable))}


def test_extrait_fixture_noms_api(base_vide, fixtures_dir):
    resultat = CliRunner().invoke(app, ["importer", "annuaire", str(fixtures_dir / "annuaire_education_extrait.csv")])
    assert resultat.exit_code == 0, resultat.output
    assert "import réussi : etablissements" in resultat.stdout
    with open(fixtures_dir / "annuaire_education_extrait.csv", encoding="utf-8") as flux:
        attendus = list(csv.DictReader(flux, delimiter=";"))
    stockes = etablissements(base_vide)
    assert set(stockes) == {a["identifiant_de_l_etablissement"] for a in attendus}
    for a in attendus:
        e = stockes[a["identifiant_de_l_etablissement"]]
        assert (e.nom, e.nom_commune, e.code_postal) == (a["nom_etablissement"], a["nom_commune"], a["code_postal"])
        assert e.departement == a["code_departement"].lstrip("0")
        assert (e.academie, e.region_academique) == (a["code_academie"], a["code_region"])
        assert e.secteur == ("privé" if a["statut_public_prive"] == "Privé" else None)
    avant = instantane(base_vide)
    encore = importer_annuaire(fixtures_dir / "annuaire_education_extrait.csv")
    assert (encore.inserees, encore.mises_a_jour, encore.inchangees) == (0, 0, len(attendus))
    assert instantane(base_vide) == avant


def test_export_libelles_fermes_ignores(base_vide, tmp_path):
    fichier = ecrire(tmp_path / "fr-en-annuaire-education.csv")
    rapport = importer_annuaire(fichier)
    assert (rapport.lues, rapport.inserees, rapport.ignorees) == (4, 3, 1)
    assert rapport.colonnes_ignorees == ["Voie_professionnelle", "Lycee_des_metiers"]
    stockes = etablissements(base_vide)
    corse, reunion = stockes["6200002H"], stockes["9740002J"]
    assert (corse.departement, corse.academie, corse.region_academique) == ("2A", "27", "94")
    assert (reunion.departement, reunion.academie, reunion.region_academique) == ("974", "28", "04")
    assert (reunion.latitude, reunion.longitude) == (-21.2779, 55.5176)
    assert stockes["0693734J"].code_commune == "69259" and stockes["0693734J"].secteur == "public"
    assert "0590010R" not in stockes
    assert importer_annuaire(fichier, inclure_fermes=True).inserees == 1
    assert etablissements(base_vide)["0590010R"].secteur == "privé"


def test_cli_inclure_fermes(base_vide, tmp_path):
    fichier = ecrire(tmp_path / "annuaire.csv")
    resultat = CliRunner().invoke(app, ["importer", "annuaire", str(fichier), "--inclure-fermes"])
    assert resultat.exit_code == 0, resultat.output
    assert compter(base_vide, "etablissements") == 4


def test_uai_invalide_refuse_tout(base_vide, tmp_path):
    importer_annuaire(ecrire(tmp_path / "premier.csv", lignes=LIGNES[:1]))
    avant = instantane(base_vide)
    lignes = [list(ligne) for ligne in LIGNES]
    lignes[2][0] = "9740002K"
    resultat = CliRunner().invoke(app, ["importer", "annuaire", str(ecrire(tmp_path / "annuaire.csv", lignes=lignes))])
    assert resultat.exit_code == 1
    assert "ligne 4 : UAI invalide « 9740002K » : lettre de contrôle « K », « J » attendue" in resultat.stderr
    assert "utilisez --partiel" in resultat.stderr
    assert instantane(base_vide) == avant
    assert historique(base_vide)[-1].statut == "echec"


def test_code_departement_inconnu(base_vide, tmp_path):
    lignes = [list(LIGNES[0])]
    lignes[0][7] = "099"
    resultat = CliRunner().invoke(app, ["importer", "annuaire", str(ecrire(tmp_path / "a.csv", lignes=lignes))])
    assert resultat.exit_code == 1
    assert "ligne 2 : territoire inconnu (département) : « 099 »" in resultat.stderr
    assert compter(base_vide, "etablissements") == 0


def test_fichier_de_campus_refuse(base_vide, fixtures_dir):
    resultat = CliRunner().invoke(app, ["importer", "annuaire", str(fixtures_dir / "opendatasoft_export.csv")])
    assert resultat.exit_code == 1
    assert "colonne obligatoire absente pour un import « etablissements » : UAI" in resultat.stderr
    assert compter(base_vide, "etablissements") == 0


def test_fichier_ou_portail(base_vide, tmp_path):
    with pytest.raises(EntreeInvalide, match="soit un fichier, soit --portail"):
        importer_annuaire()
    with pytest.raises(EntreeInvalide, match="soit un fichier, soit --portail"):
        importer_annuaire(tmp_path / "a.csv", portail="http://127.0.0.1:9")
    resultat = CliRunner().invoke(app, ["importer", "annuaire", str(ecrire(tmp_path / "a.csv")), "--where", "x"])
    assert resultat.exit_code == 1
    assert "--where ne s'applique qu'à un import depuis --portail" in resultat.stderr
