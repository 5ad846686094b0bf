"""Imports from remote portals, replayed by the local server: Opendatasoft, data.gouv.fr, failures."""

import csv
import json
import re

import pytest
from typer.testing import CliRunner

from cmq import codes
from cmq.cli import app
from cmq.errors import ErreurImport, ErreurReseau
from cmq.importation.annuaire import DATASET, importer_annuaire
from cmq.importation.distant import importer_datagouv, importer_opendatasoft
from cmq.portails.http import ClientHttp
from cmq.store import db
from cmq.store.lecture import campus as lire_campus
from cmq.store.lecture import membres as lire_membres
from tests.import_outils import compter, historique, instantane
from tests.serveur_local import FIXTURES, Reponse, attentes, client_http, serveur_local  # noqa: F401

RECORDS = "/api/explore/v2.1/catalog/datasets/cmq-liste/records"
ANNUAIRE = f"/api/explore/v2.1/catalog/datasets/{DATASET}/records"
EXPORT_ANNUAIRE = f"/api/explore/v2.1/catalog/datasets/{DATASET}/exports/json"
DATAGOUV = "/api/resources/RID/data/"


def _pages_campus(serveur):
    serveur.route(
        RECORDS,
        Reponse.fixture("opendatasoft_v21_records_page1.json"),
        Reponse.fixture("opendatasoft_v21_records_page2.json"),
    )


def _annuaire_records():
    """The annuaire extract as API records (ints for codes would lose zeros: strings, as the API)."""
    with open(FIXTURES / "annuaire_education_extrait.csv", encoding="utf-8") as flux:
        lignes = list(csv.DictReader(flux, delimiter=";"))
    for i, ligne in enumerate(lignes):
        ligne["position"] = {"lon": 2.0 + i / 100, "lat": 48.0 + i / 100}
        ligne["etat"] = "OUVERT"
    return lignes


def test_opendatasoft_campus_deux_pages(base_vide, serveur_local, client_http):
    _pages_campus(serveur_local)
    rapport = importer_opendatasoft(serveur_local.url, "cmq-liste", client=client_http)
    assert (rapport.type_import, rapport.lues, rapport.rejetees) == ("campus", 12, 0)
    assert (rapport.details["campus"].inserees, rapport.details["membres"].inserees) == (12, 12)
    assert rapport.colonnes_ignorees == []
    with db.session(base_vide) as s:
        c = lire_campus(s, "exemple-8-fictif")
        assert (c.filiere, c.excellence, c.region_academique, c.academies) == (
            "alimentaire-agroalimentaire",
            True,
            "84",
            ["10"],
        )
        assert lire_campus(s, "exemple-1-fictif").excellence is False
        assert c.provenance.source_nom == "cmq-liste"
        assert c.provenance.source_url.startswith(f"{serveur_local.url}{RECORDS}?")
        assert [(m.uai, m.role.value) for m, _ in lire_membres(s, "exemple-8-fictif")] == [("0693734J", "support")]
    [entree] = historique(base_vide)
    assert (entree.statut, entree.somme_controle, entree.source) == ("ok", rapport.somme_controle, rapport.source)
    _pages_campus(serveur_local)
    second = importer_opendatasoft(serveur_local.url, "cmq-liste", client=client_http)
    assert (second.inserees, second.mises_a_jour) == (0, 0)


def test_datagouv_campus(base_vide, serveur_local, client_http):
    serveur_local.route(
        DATAGOUV, Reponse.fixture("datagouv_tabular_page1.json"), Reponse.fixture("datagouv_tabular_page2.json")
    )
    rapport = importer_datagouv("RID", base=serveur_local.url, client=client_http)
    assert (rapport.type_import, rapport.lues, rapport.details["campus"].inserees) == ("campus", 12, 12)
    with db.session(base_vide) as s:
        assert lire_campus(s, "exemple-1-fictif").excellence is None  # empty "Label": unknown
        assert lire_campus(s, "exemple-2-fictif").excellence is True  # "Excellence"
        assert lire_campus(s, "exemple-6-fictif").region_academique == "53"
        assert lire_campus(s, "exemple-6-fictif").academies == []


def test_annuaire_depuis_le_portail(base_vide, serveur_local, client_http):
    records = _annuaire_records()
    serveur_local.route(ANNUAIRE, Reponse.json({"total_count": len(records), "results": records}))
    rapport = importer_annuaire(portail=serveur_local.url, where='code_academie = "09"', client=client_http)
    assert (rapport.type_import, rapport.inserees) == ("etablissements", len(records))
    assert serveur_local.requetes_vers(ANNUAIRE)[0].valeur("where") == 'code_academie = "09"'
    with db.session(base_vide) as s:
        from cmq.store.tables import EtablissementTable

        ligne = s.get(EtablissementTable, records[0]["identifiant_de_l_etablissement"])
        assert (ligne.latitude, ligne.longitude) == (48.0, 2.0)  # from `position`
        assert (ligne.departement, ligne.academie, ligne.region_academique) == ("59", "09", "32")


def test_plus_de_10000_lignes_par_l_export(base_vide, serveur_local, client_http):
    total = 10_250
    records = []
    for i in range(total):
        chiffres = f"{690 + i // 10_000:03d}{i % 10_000:04d}"
        records.append(
            {
                "identifiant_de_l_etablissement": chiffres + codes.lettre_uai(chiffres),
                "nom_etablissement": f"École {i}",
                "code_departement": "069",
                "code_academie": "10",
                "code_region": "84",
                "position": {"lon": 4.8, "lat": 45.7},
            }
        )
    serveur_local.route(ANNUAIRE, Reponse.json({"total_count": total, "results": records[:100]}))
    serveur_local.route(EXPORT_ANNUAIRE, Reponse.json(records))
    rapport = importer_annuaire(portail=serveur_local.url, client=client_http)
    assert (rapport.lues, rapport.inserees, rapport.rejetees) == (total, total, 0)
    assert compter(base_vide, "etablissements") == total
    assert len(serveur_local.requetes_vers(EXPORT_ANNUAIRE)) == 1


def test_lignes_rejetees_rapport_dans_le_dossier_courant(base_vide, serveur_local, client_http, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    records = _annuaire_records()[:3]
    records[1]["identifiant_de_l_etablissement"] = "0590010A"
    serveur_local.route(ANNUAIRE, Reponse.json({"total_count": 3, "results": records}))
    attendu = "ligne 2 : UAI invalide « 0590010A » : lettre de contrôle « A », « R » attendue"
    with pytest.raises(ErreurImport, match=attendu):
        importer_annuaire(portail=serveur_local.url, client=client_http)
    assert compter(base_vide, "etablissements") == 0
    rapport = importer_annuaire(portail=serveur_local.url, client=client_http, partiel=True)
    assert (rapport.statut, rapport.inserees, rapport.rejetees) == ("partiel", 2, 1)
    assert rapport.chemin_rapport == tmp_path / "fr-en-annuaire-education_rejets.csv"
    with open(rapport.chemin_rapport, encoding="utf-8-sig") as flux:
        [rejet] = list(csv.DictReader(flux, delimiter=";"))
    assert rejet["ligne"] == "2" and rejet["identifiant_de_l_etablissement"] == "0590010A"
    assert json.loads(rejet["position"]) == records[1]["position"]


@pytest.mark.parametrize(
    ("reponse", "message"),
    [
        (Reponse(500, b"erreur interne"), "échec de la requête après 4 tentatives : HTTP 500"),
        (Reponse(429, b"", {"Retry-After": "0"}), "HTTP 429 (trop de requêtes)"),
        (
            Reponse.fixture("opendatasoft_v21_records_page1.json", tronquer=200),
            "connexion coupée par le serveur (réponse absente ou tronquée)",
        ),
        (Reponse(200, b'{"total_count": 12, "results": [{"nom_du_c'), "réponse JSON invalide ou tronquée"),
    ],
)
def test_echec_reseau_apres_tentatives_base_inchangee(base_vide, serveur_local, client_http, reponse, message):
    _pages_campus(serveur_local)
    importer_opendatasoft(serveur_local.url, "cmq-liste", client=client_http)
    avant = instantane(base_vide)
    serveur_local.route(RECORDS, reponse)
    with pytest.raises(ErreurReseau, match=re.escape(message)):
        importer_opendatasoft(serveur_local.url, "cmq-liste", client=client_http)
    assert instantane(base_vide) == avant
    assert len(serveur_local.requetes_vers(RECORDS)) == 2 + 4  # first import, then 4 attempts


def test_delai_depasse(base_vide, serveur_local):
    serveur_local.route(RECORDS, Reponse.fixture("opendatasoft_v21_records_page1.json", delai=2))
    with ClientHttp(timeout=0.2, tentatives=2, attente_base=0.01, sommeil=lambda _: None) as client:
        with pytest.raises(ErreurReseau, match="échec de la requête après 2 tentatives : délai d'attente dépassé"):
            importer_opendatasoft(serveur_local.url, "cmq-liste", client=client)
    assert instantane(base_vide) == {t: [] for t in instantane(base_vide)}


def test_cli_opendatasoft_http_500(base_vide, serveur_local):
    serveur_local.route(RECORDS, Reponse(500, b"panne"))
    resultat = CliRunner().invoke(app, ["importer", "opendatasoft", serveur_local.url, "cmq-liste"])
    assert resultat.exit_code == 1
    assert "Erreur : échec de la requête après 4 tentatives : HTTP 500" in resultat.stderr
    assert compter(base_vide, "campus") == 0


def test_cli_opendatasoft_et_datagouv(base_vide, serveur_local):
    _pages_campus(serveur_local)
    resultat = CliRunner().invoke(
        app,
        [
            "importer",
            "opendatasoft",
            serveur_local.url,
            "cmq-liste",
            "--where",
            "academie = 'Lille'",
            "--refine",
            "filiere:Numérique",
        ],
    )
    assert resultat.exit_code == 0, resultat.output
    assert "import réussi : campus" in resultat.stdout
    requete = serveur_local.requetes_vers(RECORDS)[0]
    assert requete.valeur("where") == "academie = 'Lille'" and requete.valeurs("refine") == ["filiere:Numérique"]
    serveur_local.route(
        DATAGOUV, Reponse.fixture("datagouv_tabular_page1.json"), Reponse.fixture("datagouv_tabular_page2.json")
    )
    resultat = CliRunner().invoke(app, ["importer", "datagouv", "RID", "--base", serveur_local.url])
    assert resultat.exit_code == 0, resultat.output
    assert compter(base_vide, "campus") == 12  # same campus names: updated, not duplicated
