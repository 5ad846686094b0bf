"""Read commands on an empty (never initialised) PostgreSQL database: the same French message as
for a missing SQLite file, and nothing is created in the database."""

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from cmq.cli import app
from cmq.errors import ErreurStockage
from cmq.store import db

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize(
    "commande",
    [
        ["campus", "liste"],
        ["campus", "voir", "aerocampus"],
        ["etablissement", "voir", "0690026D"],
        ["imports"],
        ["indicateurs"],
        ["exporter", "campus"],
        ["resoudre", "Mobicampus"],
        ["sauvegarder", "{tmp}/base.zip"],
    ],
)
def test_base_postgresql_vide(base_postgres, monkeypatch, tmp_path, commande):
    monkeypatch.setenv("CMQ_DATABASE_URL", base_postgres)
    resultat = CliRunner().invoke(app, [c.format(tmp=tmp_path) for c in commande])
    assert resultat.exit_code == 1
    assert "Erreur : base non initialisée : lancez `cmq init`" in resultat.stderr
    assert "Traceback" not in resultat.output
    assert inspect(db.moteur(base_postgres)).get_table_names() == []
    assert list(tmp_path.iterdir()) == []


def test_bibliotheque_sur_base_postgresql_vide(base_postgres):
    from cmq import indicateurs

    with pytest.raises(ErreurStockage, match="base non initialisée"):
        indicateurs.indicateurs("france", url=base_postgres)
    assert inspect(db.moteur(base_postgres)).get_table_names() == []
