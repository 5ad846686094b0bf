"""`cmq.relecture`: changes of a reviewed actor wait « à valider », unseen by public reads, until an
administrator covering the campus accepts (conflict if the object changed) or rejects (motif) them;
an import's named lycées bring their candidate UAIs to the same queue."""

import pytest

from cmq import curation, relecture
from cmq.errors import Conflit, EntreeInvalide, Interdit, IntrouvableError
from cmq.importation.pipeline import importer_lignes
from cmq.store import db, historique, lecture
from tests.api_serveur import base_api, copier_base  # noqa: F401
from tests.curation_exemple import (
    ADMIN,
    ADMIN_AIN,
    ADMIN_LYON,
    EDITEUR_LYON,
    LYON,
    RELU,
    SOURCE,
    UAI_LIBRE,
    compter_changements,
    remplir,
)


@pytest.fixture
def base(base_vide) -> str:
    remplir(base_vide)
    return base_vide


def _campus(url):
    with db.session(url) as s:
        return lecture.campus(s, LYON)


def test_en_attente_puis_accepte(base):
    resultat = curation.modifier_campus(LYON, {"description": "Bâtiment durable"}, acteur=RELU, source=SOURCE, url=base)
    assert resultat.statut == "a_valider"
    [c] = resultat.changements
    assert (c.statut, [(v.champ, v.avant, v.apres) for v in c.champs]) == (
        "a_valider",
        [("description", None, "Bâtiment durable")],
    )
    assert _campus(base).description is None  # not applied: public reads unchanged
    with db.session(base) as s:
        assert historique.lire(s, campus_id=LYON) == []  # the default history shows applied changes only
    assert [x.id for x in relecture.en_attente(RELU, url=base)] == [c.id]  # its author
    assert [x.id for x in relecture.en_attente(ADMIN_LYON, url=base)] == [c.id]  # a reviewer of the campus
    assert relecture.en_attente(ADMIN_AIN, url=base) == []
    assert relecture.en_attente(EDITEUR_LYON, url=base) == []  # an editor reviews nothing
    [accepte] = relecture.accepter(c.id, acteur=ADMIN_LYON, url=base)
    assert (accepte.statut, accepte.decide_par, accepte.decide_le is not None) == ("applique", "Admin Lyon", True)
    assert _campus(base).description == "Bâtiment durable"
    assert relecture.en_attente(ADMIN, url=base) == []
    with pytest.raises(Conflit, match=f"changement {c.id} déjà appliqué par Admin Lyon"):
        relecture.rejeter(c.id, "trop tard", acteur=ADMIN, url=base)


def test_membre_propose_puis_rejete(base):
    [c] = curation.ajouter_membre(LYON, uai=UAI_LIBRE, acteur=RELU, source=SOURCE, url=base).changements
    with db.session(base) as s:
        assert UAI_LIBRE not in [m.uai for m, _ in lecture.membres(s, LYON)]
    with pytest.raises(EntreeInvalide, match="motif obligatoire"):
        relecture.rejeter(c.id, "  ", acteur=ADMIN, url=base)
    [rejete] = relecture.rejeter(c.id, "lycée hors du campus", acteur=ADMIN, url=base)
    assert (rejete.statut, rejete.motif, rejete.decide_par) == ("rejete", "lycée hors du campus", "Administratrice")
    with db.session(base) as s:
        assert UAI_LIBRE not in [m.uai for m, _ in lecture.membres(s, LYON)]
        assert [x.id for x in historique.lire(s, statuts=("rejete",))] == [c.id]


def test_conflit_quand_l_objet_a_change(base):
    [c] = curation.modifier_campus(LYON, {"note": "proposée"}, acteur=RELU, source=SOURCE, url=base).changements
    curation.modifier_campus(LYON, {"note": "écrite entre-temps"}, acteur=ADMIN, source=SOURCE, url=base)
    with pytest.raises(Conflit, match=f"changement {c.id} en conflit : campus « {LYON} » a changé .*\\(note\\)"):
        relecture.accepter(c.id, acteur=ADMIN, url=base)
    assert _campus(base).note == "écrite entre-temps"
    assert [x.id for x in relecture.en_attente(ADMIN, url=base)] == [c.id]  # still pending


def test_decisions_refusees(base):
    [c] = curation.modifier_campus(LYON, {"note": "x"}, acteur=RELU, source=SOURCE, url=base).changements
    for acteur, message in (
        (ADMIN_AIN, "hors de son périmètre"),
        (EDITEUR_LYON, "réservé aux administrateurs"),
        (RELU, "réservé aux administrateurs"),
    ):
        with pytest.raises(Interdit, match=message):
            relecture.accepter(c.id, acteur=acteur, url=base)
        with pytest.raises(Interdit, match=message):
            relecture.rejeter(c.id, "non", acteur=acteur, url=base)
    for inconnu in (999, 2**31 - 1, 2**31, 0, -1):
        with pytest.raises(IntrouvableError, match=f"changement inconnu : {inconnu}"):
            relecture.accepter(inconnu, acteur=ADMIN, url=base)
    assert _campus(base).note is None
    assert compter_changements(base) == (1, 1)
    assert [x.statut for x in relecture.en_attente(ADMIN, url=base)] == ["a_valider"]


def test_import_propose_les_lycees_incertains(base_api, tmp_path):
    """`cmq init` imports membres.csv: the lycées left named (two UAIs possible) come with their
    candidates; accepting one adds the member by UAI and removes the named one."""
    url = copier_base(base_api, tmp_path)
    attente = relecture.en_attente(ADMIN, url=url)
    assert attente and all(c.operation == "import" and c.source == "cmq/data/membres.csv" for c in attente)
    membre = next(c for c in attente if c.objet == "membre" and c.campus_id == "numerique-et-photonique-lannion")
    suppression = next(c for c in attente if c.id == membre.id + 1)
    assert (suppression.objet, suppression.action, suppression.cle) == (
        "membre_nomme",
        "suppression",
        "Lycée Félix Le Dantec (Lannion)",
    )
    assert membre.cle in ("0220023F", "0220083W")
    decides = relecture.accepter(suppression.id, acteur=ADMIN, url=url)
    assert [(c.id, c.statut) for c in decides] == [(membre.id, "applique"), (suppression.id, "applique")]
    with db.session(url) as s:
        assert membre.cle in [m.uai for m, _ in lecture.membres(s, membre.campus_id)]
        assert "Lycée Félix Le Dantec (Lannion)" not in [m.nom for m in lecture.membres_nommes(s, membre.campus_id)]
    autre = next(
        (c for c in relecture.en_attente(ADMIN, url=url) if c.campus_id == membre.campus_id and c.objet == "membre"),
        None,
    )
    if autre is not None:  # the other candidate for the same named lycée: its named member is gone
        with pytest.raises(Conflit, match="n'existe plus"):
            relecture.accepter(autre.id, acteur=ADMIN, url=url)


def test_import_propose_en_direct(base):
    """A members import naming a lycée without UAI: the import writes it named, as before, and
    queues its candidate; re-importing proposes nothing twice, a rejected candidate never again."""
    lignes = [{"campus_id": LYON, "nom": "Lycée de l'Ain", "role": "membre"}]
    rapport = importer_lignes(
        lignes, colonnes=["campus_id", "nom", "role"], source="membres.csv", url=base, type_import="membres"
    )
    assert (rapport.inserees, rapport.propositions) == (1, 1)
    with db.session(base) as s:
        assert "Lycée de l'Ain" in [m.nom for m in lecture.membres_nommes(s, LYON)]
    attente = relecture.en_attente(ADMIN, url=base)
    assert [(c.objet, c.action, c.cle, c.import_id, c.auteur) for c in attente] == [
        ("membre", "creation", UAI_LIBRE, rapport.import_id, "ligne de commande"),  # who ran the import
        ("membre_nomme", "suppression", "Lycée de l'Ain", rapport.import_id, "ligne de commande"),
    ]
    encore = importer_lignes(
        lignes, colonnes=["campus_id", "nom", "role"], source="membres.csv", url=base, type_import="membres"
    )
    assert encore.propositions == 0
    decides = relecture.rejeter(attente[0].id, "pas ce lycée", acteur=ADMIN_LYON, url=base)
    assert [c.statut for c in decides] == ["rejete", "rejete"]
    assert (
        importer_lignes(
            lignes, colonnes=["campus_id", "nom", "role"], source="membres.csv", url=base, type_import="membres"
        ).propositions
        == 0
    )
    with db.session(base) as s:
        assert "Lycée de l'Ain" in [m.nom for m in lecture.membres_nommes(s, LYON)]
