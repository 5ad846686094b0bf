"""Network faults end to end: `cmq importer opendatasoft` (default HTTP client: 4 attempts, 0.5 s
exponential backoff, Retry-After honoured) against the local replay server, on both databases.
The retry logic itself is unit-tested in test_sources_http.py."""

import time

from typer.testing import CliRunner

from cmq.cli import app
from tests.import_outils import compter, historique
from tests.postgres import empreinte_base
from tests.serveur_local import Reponse, serveur_local  # noqa: F401

RECORDS = "/api/explore/v2.1/catalog/datasets/cmq-liste/records"
PAGE1, PAGE2 = "opendatasoft_v21_records_page1.json", "opendatasoft_v21_records_page2.json"


def importer(serveur):
    return CliRunner().invoke(app, ["importer", "opendatasoft", serveur.url, "cmq-liste"])


def test_coupure_corps_tronque_et_429_puis_succes(base_vide, serveur_local):
    serveur_local.route(
        RECORDS,
        Reponse(couper=True),
        Reponse.fixture(PAGE1, tronquer=200),
        Reponse(429, b"", {"Retry-After": "1"}),
        Reponse.fixture(PAGE1),
        Reponse.fixture(PAGE2),
    )
    debut = time.monotonic()
    resultat = importer(serveur_local)
    duree = time.monotonic() - debut
    assert resultat.exit_code == 0, resultat.output
    assert "import réussi : campus" in resultat.stdout
    assert compter(base_vide, "campus") == 12
    assert len(serveur_local.requetes_vers(RECORDS)) == 5  # 3 failures, then the two pages
    assert duree >= 0.5 + 1.0 + 1.0  # backoff after the reset and the truncation, then Retry-After: 1
    [entree] = historique(base_vide)
    assert (entree.statut, entree.lignes_lues) == ("ok", 12)


def test_panne_sur_la_seconde_page_base_inchangee(base_vide, serveur_local):
    serveur_local.route(RECORDS, Reponse.fixture(PAGE1), Reponse.fixture(PAGE2))
    assert importer(serveur_local).exit_code == 0
    avant = empreinte_base(base_vide)
    serveur_local.route(RECORDS, Reponse.fixture(PAGE1), Reponse(couper=True))
    resultat = importer(serveur_local)
    assert resultat.exit_code == 1
    assert "Erreur : échec de la requête après 4 tentatives : connexion" in resultat.stderr
    assert "offset=6" in resultat.stderr  # the failing request is named
    assert "Traceback" not in resultat.output
    assert len(serveur_local.requetes_vers(RECORDS)) == 2 + 1 + 4  # first import, page 1, 4 attempts at page 2
    assert empreinte_base(base_vide) == avant  # page 1 was read but nothing was written, not even history
