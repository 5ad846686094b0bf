"""`cmq.alias`: user-confirmed mentions, stored in the database (SQLite and PostgreSQL) and used first."""

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cmq import alias
from cmq.cli import app
from cmq.errors import EntreeInvalide, IntrouvableError
from cmq.init import charger_campus
from cmq.resolve import resolve
from cmq.store import db
from cmq.store.tables import AliasTable


@pytest.fixture
def base_campus(base_url) -> str:
    """A database of either kind holding the embedded campuses (no lycées: faster)."""
    charger_campus(base_url)
    return base_url


def _nombre_alias(url: str) -> int:
    with db.session(url) as s:
        return s.scalar(select(func.count()).select_from(AliasTable))


def test_alias_utilise_en_premier_puis_supprime(base_campus):
    assert resolve("campus btp hdf", url=base_campus).campus_id == "travaux-publics-bruay-la-buissiere"
    nouveau, remplace = alias.ajouter("Campus BTP HDF", "btp-et-usages-du-numerique", url=base_campus)
    assert (nouveau.texte, nouveau.campus_id, remplace) == ("btp hdf", "btp-et-usages-du-numerique", None)
    assert nouveau.cree_le is not None
    # any spelling with the same meaningful words hits the alias, before the fuzzy match
    r = resolve("cmq btp-hdf", filiere="tourisme", url=base_campus)
    assert (r.statut, r.campus_id, r.score, r.via_alias) == ("trouve", "btp-et-usages-du-numerique", 100.0, True)
    assert r.filiere_incoherente  # the alias does not hide a disagreeing filière
    liste = [(a.texte, a.campus_id) for a in alias.lister(url=base_campus)]
    assert liste == [("btp hdf", "btp-et-usages-du-numerique")]
    supprime = alias.supprimer("CMQ BTP HDF", url=base_campus)
    assert supprime.campus_id == "btp-et-usages-du-numerique"
    assert alias.lister(url=base_campus) == []
    apres = resolve("campus btp hdf", url=base_campus)
    assert (apres.campus_id, apres.via_alias) == ("travaux-publics-bruay-la-buissiere", False)


def test_alias_tranche_une_mention_ambigue(base_campus):
    assert resolve("CMQ aéronautique", url=base_campus).statut == "ambigu"
    alias.ajouter("CMQ aéronautique", "aerocampus", url=base_campus)
    assert resolve("cmq aeronautique", url=base_campus).campus_id == "aerocampus"


def test_alias_en_double_remplace(base_campus):
    alias.ajouter("campus btp hdf", "travaux-publics-bruay-la-buissiere", url=base_campus)
    nouveau, remplace = alias.ajouter("CMQ BTP HDF", "btp-et-usages-du-numerique", url=base_campus)
    assert remplace == "travaux-publics-bruay-la-buissiere"
    assert [(a.texte, a.campus_id) for a in alias.lister(url=base_campus)] == [("btp hdf", nouveau.campus_id)]
    assert resolve("btp hdf", url=base_campus).campus_id == "btp-et-usages-du-numerique"
    _, identique = alias.ajouter("btp hdf", "btp-et-usages-du-numerique", url=base_campus)
    assert identique is None


def test_alias_vers_campus_inconnu_refuse(base_campus):
    with pytest.raises(IntrouvableError, match="campus inconnu : aerocampu. Vouliez-vous dire : aerocampus"):
        alias.ajouter("campus aero", "aerocampu", url=base_campus)
    assert _nombre_alias(base_campus) == 0


@pytest.mark.parametrize(
    ("texte", "message"),
    [("  ", "alias vide"), ("CMQ campus", "sans mot significatif"), ("x" * 400, "alias trop long")],
)
def test_alias_texte_invalide(base_campus, texte, message):
    with pytest.raises(EntreeInvalide, match=message):
        alias.ajouter(texte, "aerocampus", url=base_campus)
    assert _nombre_alias(base_campus) == 0


def test_supprimer_alias_inconnu(base_campus):
    alias.ajouter("aero auvergne", "aerocampus", url=base_campus)
    with pytest.raises(IntrouvableError, match="alias inconnu : « btp hdf »"):
        alias.supprimer("campus btp hdf", url=base_campus)
    assert _nombre_alias(base_campus) == 1


def test_cli_alias(base_campus):
    runner = CliRunner()
    ajout = runner.invoke(app, ["alias", "ajouter", "campus btp hdf", "travaux-publics-bruay-la-buissiere"])
    assert ajout.exit_code == 0, ajout.output
    assert "alias enregistré : « btp hdf » → travaux-publics-bruay-la-buissiere" in ajout.output
    remplace = runner.invoke(app, ["alias", "ajouter", "CMQ BTP HDF", "btp-et-usages-du-numerique"])
    assert "remplace travaux-publics-bruay-la-buissiere" in remplace.output
    liste = runner.invoke(app, ["alias", "liste", "--format", "csv"])
    assert liste.exit_code == 0 and liste.output.splitlines()[1].startswith("btp hdf,btp-et-usages-du-numerique,")
    resolu = runner.invoke(app, ["resoudre", "Campus BTP HDF"])
    assert "campus trouvé (alias confirmé) : btp-et-usages-du-numerique" in resolu.output
    retrait = runner.invoke(app, ["alias", "supprimer", "btp hdf"])
    assert retrait.exit_code == 0 and "alias supprimé : « btp hdf »" in retrait.output
    assert _nombre_alias(base_campus) == 0


def test_cli_alias_erreurs_sans_ecriture(base_campus):
    runner = CliRunner()
    inconnu = runner.invoke(app, ["alias", "ajouter", "campus aero", "pas-un-campus"])
    assert inconnu.exit_code == 1 and "Erreur : campus inconnu : pas-un-campus" in inconnu.output
    absent = runner.invoke(app, ["alias", "supprimer", "campus aero"])
    assert absent.exit_code == 1 and "Erreur : alias inconnu" in absent.output
    vide = runner.invoke(app, ["alias", "ajouter", "CMQ", "aerocampus"])
    assert vide.exit_code == 1 and "Erreur : alias « CMQ » sans mot significatif" in vide.output
    assert _nombre_alias(base_campus) == 0
