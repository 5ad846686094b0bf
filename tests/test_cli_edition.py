"""`cmq campus modifier | membre | partenaire` and `cmq relecture`: thin commands over `cmq.curation`
and `cmq.relecture`, as the local administrator or the user of CMQ_JETON; refusals are one French line,
nothing written."""

import json

import pytest
from typer.testing import CliRunner

from cmq import curation
from cmq.cli import app
from cmq.store import db, lecture
from tests.curation_exemple import LYON, RELU, SIRET, SOURCE, UAI_LIBRE, compter_changements, remplir

runner = CliRunner()


@pytest.fixture
def base(base_vide) -> str:
    remplir(base_vide)
    return base_vide


def curation_historique(url: str):
    from cmq.store import historique

    with db.session(url) as s:
        return historique.lire(s, campus_id=LYON)


def _cmq(*arguments: str):
    return runner.invoke(app, list(arguments))


def test_modifier_un_campus(base):
    r = _cmq("campus", "modifier", LYON, "--excellence", "oui", "--fin-label", "2030-06-30", "--source", SOURCE)
    assert r.exit_code == 0, r.output
    assert "Changement appliqué et inscrit à l'historique" in r.stdout
    assert "date_fin_label" in r.stdout and "2030-06-30" in r.stdout
    with db.session(base) as s:
        campus = lecture.campus(s, LYON)
    assert (campus.excellence, str(campus.date_fin_label)) == (True, "2030-06-30")
    r = _cmq("campus", "modifier", LYON, "--excellence", "oui", "--source", SOURCE, "--format", "json")
    assert json.loads(r.stdout) == {"statut": "inchange", "changements": [], "avertissements": []}


def test_membres_et_partenaires(base):
    r = _cmq("campus", "membre", "ajouter", LYON, "--uai", "0699999U", "--source", SOURCE)
    assert r.exit_code == 0, r.output
    assert "hors annuaire" in r.stdout
    assert _cmq("campus", "membre", "retirer", LYON, "Université Lyon 1", "--source", SOURCE).exit_code == 0
    r = _cmq("campus", "partenaire", "ajouter", LYON, "Vinci", "--siret", SIRET, "--source", SOURCE)
    assert r.exit_code == 0, r.output
    assert _cmq("campus", "partenaire", "retirer", LYON, "Fédération BTP", "--source", SOURCE).exit_code == 0
    with db.session(base) as s:
        assert "0699999U" in [m.uai for m, _ in lecture.membres(s, LYON)]
        assert lecture.membres_nommes(s, LYON) == []
        assert [(p.nom, p.siret) for p in lecture.partenaires(s, LYON)] == [("Vinci", SIRET)]
    assert compter_changements(base)[0] == 4


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("campus", "modifier", LYON, "--note", "x", "--source", " "), "source obligatoire"),
        (("campus", "modifier", LYON, "--fin-label", "2019-01-01", "--source", SOURCE), "mauvais ordre"),
        (("campus", "modifier", LYON, "--site-web", "javascript:x", "--source", SOURCE), "http:// ou https://"),
        (("campus", "modifier", "inconnu", "--note", "x", "--source", SOURCE), "campus inconnu"),
        (("campus", "membre", "ajouter", LYON, "--uai", "0690010A", "--source", SOURCE), "0690010A"),
        (("campus", "membre", "retirer", LYON, UAI_LIBRE, "--source", SOURCE), "n'est pas membre"),
        (("campus", "partenaire", "ajouter", LYON, "X", "--siret", "123", "--source", SOURCE), "SIRET"),
    ],
)
def test_refus_rien_ecrit(base, arguments, message):
    r = _cmq(*arguments)
    assert r.exit_code != 0
    assert message in r.stderr, r.stderr
    assert compter_changements(base) == (0, 0)


def test_relecture(base):
    [propose] = curation.modifier_campus(LYON, {"note": "proposée"}, acteur=RELU, source=SOURCE, url=base).changements
    [autre] = curation.modifier_campus(LYON, {"sigle": "BTP"}, acteur=RELU, source=SOURCE, url=base).changements
    r = _cmq("relecture", "liste", "--format", "json")
    assert [c["id"] for c in json.loads(r.stdout)] == [propose.id, autre.id]
    r = _cmq("relecture", "rejeter", str(autre.id))
    assert r.exit_code != 0 and "--motif" in r.output
    r = _cmq("relecture", "rejeter", str(autre.id), "--motif", "sigle inventé")
    assert r.exit_code == 0 and f"Changement(s) {autre.id} rejeté(s)." in r.stdout
    r = _cmq("relecture", "accepter", str(propose.id))
    assert r.exit_code == 0 and "accepté(s) et appliqué(s)" in r.stdout
    r = _cmq("relecture", "accepter", str(propose.id))
    assert r.exit_code == 4 and "déjà appliqué" in r.stderr
    with db.session(base) as s:
        assert (lecture.campus(s, LYON).note, lecture.campus(s, LYON).sigle) == ("proposée", None)
    assert json.loads(_cmq("relecture", "liste", "--format", "json").stdout) == []


# --- CMQ_JETON: the command line acting for a user -------------------------------------------------------


def _cmq_pour(jeton: str, *arguments: str):
    return runner.invoke(app, list(arguments), env={"CMQ_JETON": jeton})


def test_editeur_dans_et_hors_de_son_perimetre(base):
    from tests.curation_exemple import ADMIN_AIN, EDITEUR_LYON, jeton_de

    editeur = jeton_de(base, EDITEUR_LYON)
    r = _cmq_pour(editeur, "campus", "modifier", LYON, "--note", "par l'éditeur", "--source", SOURCE)
    assert r.exit_code == 0, r.output
    [dernier] = [c for c in curation_historique(base) if c.champs and c.champs[0].champ == "note"]
    assert dernier.auteur == "Éditeur Lyon"
    avant = compter_changements(base)
    refus = _cmq_pour(jeton_de(base, ADMIN_AIN), "campus", "modifier", LYON, "--note", "x", "--source", SOURCE)
    assert refus.exit_code == 3 and "« Admin Ain » ne peut pas modifier le campus" in refus.output
    inconnu = _cmq_pour("cmq_000000000000_" + "x" * 43, "relecture", "liste")
    assert inconnu.exit_code == 3 and "jeton refusé (variable CMQ_JETON)" in inconnu.output
    assert compter_changements(base) == avant


def test_relecture_par_un_utilisateur(base):
    from tests.curation_exemple import ADMIN_AIN, ADMIN_LYON, jeton_de

    relu = jeton_de(base, RELU)
    r = _cmq_pour(relu, "campus", "modifier", LYON, "--description", "proposée", "--source", SOURCE)
    assert r.exit_code == 0 and "Changement en attente de relecture (n° 1)" in r.stdout
    liste = _cmq_pour(relu, "relecture", "liste", "--format", "json")
    [attente] = json.loads(liste.stdout)
    refus = _cmq_pour(jeton_de(base, ADMIN_AIN), "relecture", "accepter", str(attente["id"]))
    assert refus.exit_code == 3 and "hors de son périmètre" in refus.output
    ok = _cmq_pour(jeton_de(base, ADMIN_LYON), "relecture", "accepter", str(attente["id"]))
    assert ok.exit_code == 0, ok.output
    with db.session(base) as s:
        assert lecture.campus(s, LYON).description == "proposée"
