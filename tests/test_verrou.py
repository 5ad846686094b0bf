"""The import lock in one process (`cmq.store.verrou`), on SQLite and PostgreSQL; real processes
are in test_concurrence.py."""

import pytest
from typer.testing import CliRunner

from cmq.cli import app
from cmq.errors import ErreurImport, ErreurStockage, ImportEnCours
from cmq.importation.pipeline import importer_lignes
from cmq.store import db, verrou
from tests.import_outils import historique
from tests.postgres import empreinte_base

LIGNES = [
    {"id": "cmq-essai", "nom": "Campus d'essai", "filiere": "numerique-telecommunications", "region_academique": "84"}
]
MESSAGE = (
    "un autre import est en cours sur cette base ; réessayez plus tard (attente de 0.3 s dépassée, "
    "réglable par CMQ_ATTENTE_VERROU)"
)


def importer(url):
    return importer_lignes(LIGNES, colonnes=list(LIGNES[0]), source="essai.csv", url=url)


@pytest.mark.parametrize(
    ("valeur", "attendu"), [(None, 30.0), ("", 30.0), ("1", 1.0), ("0.25", 0.25), ("1,5", 1.5), ("0", 0.0)]
)
def test_attente_du_verrou(monkeypatch, valeur, attendu):
    if valeur is None:
        monkeypatch.delenv("CMQ_ATTENTE_VERROU", raising=False)
    else:
        monkeypatch.setenv("CMQ_ATTENTE_VERROU", valeur)
    assert db.attente_verrou() == attendu


@pytest.mark.parametrize("valeur", ["abc", "-1", "nan", "inf", "100000"])
def test_attente_du_verrou_invalide(monkeypatch, valeur):
    monkeypatch.setenv("CMQ_ATTENTE_VERROU", valeur)
    with pytest.raises(
        ErreurStockage,
        match=f"CMQ_ATTENTE_VERROU invalide : « {valeur} » "
        r"\(nombre de secondes entre 0 et 86400 attendu\)",
    ):
        db.attente_verrou()


def test_pause_de_test_invalide_message_clair_rien_ecrit(base_url, monkeypatch):
    monkeypatch.setenv("CMQ_TEST_PAUSE_IMPORT", "deux")
    avant = empreinte_base(base_url)
    with pytest.raises(ErreurStockage, match="CMQ_TEST_PAUSE_IMPORT invalide : « deux »"):
        importer(base_url)
    assert empreinte_base(base_url) == avant


def test_verrou_pris_l_import_attend_puis_echoue_sans_rien_ecrire(base_url, monkeypatch):
    monkeypatch.setenv("CMQ_ATTENTE_VERROU", "0.3")
    importer(base_url)
    avant = empreinte_base(base_url)
    with verrou.session_import(base_url):  # another import holding the lock
        with pytest.raises(ImportEnCours) as erreur:
            importer(base_url)
    assert str(erreur.value) == MESSAGE and isinstance(erreur.value, ErreurImport)
    assert empreinte_base(base_url) == avant
    importer(base_url)  # the lock went with its transaction
    assert [e.statut for e in historique(base_url)] == ["ok", "ok"]


def test_verrou_libere_par_un_rollback(base_url, monkeypatch):
    monkeypatch.setenv("CMQ_ATTENTE_VERROU", "0.3")
    with pytest.raises(RuntimeError), verrou.session_import(base_url):
        raise RuntimeError("import interrompu")
    assert importer(base_url).inserees == 1


def test_cli_import_pendant_un_autre_message_clair(base_url, monkeypatch, tmp_path):
    monkeypatch.setenv("CMQ_ATTENTE_VERROU", "0.3")
    fichier = tmp_path / "campus.csv"
    fichier.write_text("id;nom;filiere;region_academique\ncmq-cli;Campus CLI;BTP;84\n", encoding="utf-8")
    avant = empreinte_base(base_url)
    with verrou.session_import(base_url):
        resultat = CliRunner().invoke(app, ["importer", "csv", str(fichier)])
    assert resultat.exit_code == 1
    assert f"Erreur : {MESSAGE}" in " ".join(resultat.stderr.split())
    assert "Traceback" not in resultat.output
    assert empreinte_base(base_url) == avant
