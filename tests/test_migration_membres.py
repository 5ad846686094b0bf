"""Revision 0002_membres: upgrade of an existing 0001 database (data kept), on SQLite and PostgreSQL."""

import pytest
from alembic import command
from sqlalchemy import inspect, text

from cmq.errors import ErreurStockage
from cmq.store import db, lecture, schema


def _base_0001(url: str) -> None:
    """A database at revision 0001 holding one campus and one member (the shape before 0002)."""
    config = schema.configuration(url)
    command.upgrade(config, "0001")
    with db.moteur(url).begin() as connexion:
        connexion.execute(
            text(
                "INSERT INTO campus (id, nom, filiere) VALUES ('cmq-test', 'Campus test', "
                "'numerique-telecommunications')"
            )
        )
        connexion.execute(text("INSERT INTO membres (campus_id, uai, role) VALUES ('cmq-test', '0690001B', 'support')"))


def test_mise_a_jour_d_une_base_0001(genre_base, fabrique_bases):
    url = fabrique_bases(genre_base)
    _base_0001(url)
    assert schema.revision_courante(url) == "0001"
    with pytest.raises(ErreurStockage, match=r"^base à mettre à jour \(révision 0001\) : lancez `cmq init`$"):
        schema.exiger_initialisee(url)
    schema.mettre_a_jour(url)
    assert schema.revision_courante(url) == schema.REVISION  # 0002_membres, then the later ones
    colonnes = {c["name"] for c in inspect(db.moteur(url)).get_columns("membres")}
    assert {"libelle_role", "source_url"} <= colonnes
    with db.session(url) as s:
        ((membre, _),) = lecture.membres(s, "cmq-test")
        assert (membre.uai, membre.role.value, membre.libelle_role, membre.source_url) == (
            "0690001B",
            "support",
            None,
            None,
        )
        s.execute(
            text(
                "INSERT INTO membres_nommes (campus_id, nom, nature, role) "
                "VALUES ('cmq-test', 'IUT de Lannion', 'iut', 'partenaire')"
            )
        )
    with db.session(url) as s:
        (nomme,) = lecture.membres_nommes(s, "cmq-test")
        assert (nomme.nom, nomme.nature.value, nomme.role.value) == ("IUT de Lannion", "iut", "partenaire")
        assert lecture.campus_avec_membres(s) == {"cmq-test"}
    db.fermer_tout()


def test_retour_a_0001(genre_base, fabrique_bases):
    url = fabrique_bases(genre_base)
    _base_0001(url)
    schema.mettre_a_jour(url)
    command.downgrade(schema.configuration(url), "0001")
    assert schema.revision_courante(url) == "0001"
    moteur = db.moteur(url)
    assert "membres_nommes" not in inspect(moteur).get_table_names()
    assert {c["name"] for c in inspect(moteur).get_columns("membres")} == {"campus_id", "uai", "role"}
    with moteur.connect() as connexion:
        assert connexion.execute(text("SELECT uai, role FROM membres")).all() == [("0690001B", "support")]
    db.fermer_tout()
