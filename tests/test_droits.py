"""`cmq.droits`: each form of scope × a campus inside and outside it, moving a campus, creating one,
imports over several campuses and the administrator's actions (SQLite and PostgreSQL)."""

import pytest

from cmq import droits
from cmq.errors import Interdit, IntrouvableError
from cmq.models import Acteur, Campus, Role
from cmq.store import db, ecriture

BTP = "infrastructures-batiment-eco-construction"
LYON = Campus(id="cmq-lyon", nom="Campus de Lyon", filiere=BTP, region_academique="84", academies=["10"])
GRENOBLE = Campus(id="cmq-grenoble", nom="Campus de Grenoble", filiere=BTP, region_academique="84", academies=["08"])
BESANCON = Campus(id="cmq-besancon", nom="Campus de Besançon", filiere=BTP, region_academique="27", academies=["03"])
# A campus over two académies of two régions académiques (Lyon and Besançon).
DEUX = Campus(id="cmq-deux", nom="Campus à cheval", filiere=BTP, region_academique="27", academies=["03", "10"])


def qui(*perimetres: str, role: Role = Role.editeur) -> Acteur:
    return Acteur(nom="Camille", role=role, utilisateur_id=1, perimetres=perimetres)


@pytest.fixture
def base(base_vide) -> str:
    with db.session(base_vide, ecriture=True) as s:
        ecriture.ecrire_campus(s, [LYON, GRENOBLE, BESANCON, DEUX])
    return base_vide


def permis(url: str, acteur: Acteur, campus_id: str, nouveau: Campus | None = None) -> bool:
    with db.session(url) as s:
        try:
            droits.verifier_campus(s, acteur, campus_id, nouveau)
        except Interdit as refus:
            assert "« Camille » ne peut pas modifier le campus « " in str(refus)
            assert "hors de son périmètre" in str(refus)
            return False
    return True


# scope -> the stored campuses it covers (the others are refused)
COUVERTS = {
    ("france",): {"cmq-lyon", "cmq-grenoble", "cmq-besancon", "cmq-deux"},
    ("region_academique:84",): {"cmq-lyon", "cmq-grenoble"},
    ("region_academique:27",): {"cmq-besancon", "cmq-deux"},
    ("academie:10",): {"cmq-lyon", "cmq-deux"},
    ("academie:08",): {"cmq-grenoble"},
    ("campus:cmq-lyon",): {"cmq-lyon"},
    ("academie:08", "campus:cmq-besancon"): {"cmq-grenoble", "cmq-besancon"},
}


@pytest.mark.parametrize("perimetres", list(COUVERTS))
@pytest.mark.parametrize("role", list(Role))
def test_chaque_perimetre_dedans_et_dehors(base, perimetres, role):
    acteur = qui(*perimetres, role=role)
    for campus in (LYON, GRENOBLE, BESANCON, DEUX):
        assert permis(base, acteur, campus.id) is (campus.id in COUVERTS[perimetres]), (perimetres, campus.id)
        assert droits.couvre_campus(acteur, campus) is (campus.id in COUVERTS[perimetres])


def test_deplacer_un_campus(base):
    vers_grenoble = LYON.model_copy(update={"academies": ["08"]})
    vers_besancon = LYON.model_copy(update={"region_academique": "27", "academies": ["03"]})
    assert not permis(base, qui("academie:10"), "cmq-lyon", vers_grenoble)  # out of his académie
    assert permis(base, qui("region_academique:84"), "cmq-lyon", vers_grenoble)  # stays in the région
    assert not permis(base, qui("region_academique:84"), "cmq-lyon", vers_besancon)
    assert not permis(base, qui("academie:03"), "cmq-lyon", vers_besancon)  # into his scope: the stored one is not
    assert permis(base, qui("academie:10", "academie:03"), "cmq-lyon", vers_besancon)
    assert permis(base, qui("france"), "cmq-lyon", vers_besancon)
    # A campus id scope follows the campus wherever it goes.
    assert permis(base, qui("campus:cmq-lyon"), "cmq-lyon", vers_besancon)


def test_creer_un_campus(base):
    nouveau = Campus(id="cmq-neuf", nom="Campus neuf", filiere=BTP, region_academique="84", academies=["10"])
    assert permis(base, qui("academie:10"), "cmq-neuf", nouveau)
    assert permis(base, qui("region_academique:84"), "cmq-neuf", nouveau)
    assert permis(base, qui("campus:cmq-neuf"), "cmq-neuf", nouveau)
    assert not permis(base, qui("academie:08"), "cmq-neuf", nouveau)
    assert not permis(base, qui("campus:cmq-lyon"), "cmq-neuf", nouveau)
    with db.session(base) as s, pytest.raises(IntrouvableError, match="campus inconnu : cmq-absent"):
        droits.verifier_campus(s, qui("academie:10"), "cmq-absent")


def test_plusieurs_campus(base):
    with db.session(base) as s:
        droits.verifier_plusieurs(s, qui("academie:10"), ["cmq-lyon", "cmq-deux", "cmq-lyon"])
        with pytest.raises(Interdit, match="« cmq-grenoble » : hors de son périmètre"):
            droits.verifier_plusieurs(s, qui("academie:10"), ["cmq-lyon", "cmq-grenoble"])
        with pytest.raises(Interdit, match="ne peut pas créer le campus « cmq-absent » par un import"):
            droits.verifier_plusieurs(s, qui("region_academique:84"), ["cmq-absent"])
        droits.verifier_plusieurs(s, qui("france"), ["cmq-lyon", "cmq-besancon", "cmq-absent"])
        droits.verifier_plusieurs(s, qui("academie:10"), [])


@pytest.mark.parametrize(
    ("acteur", "permis_"),
    [
        (qui("france", role=Role.administrateur), True),
        (qui("region_academique:84", "France", role=Role.administrateur), True),  # written any case
        (qui("france", role=Role.editeur), False),
        (qui("region_academique:84", role=Role.administrateur), False),
        (qui("academie:10", role=Role.administrateur), False),
    ],
)
def test_administrateur_de_la_france(acteur, permis_):
    if permis_:
        droits.verifier_administrateur(acteur)
    else:
        with pytest.raises(Interdit, match="« Camille » n'est pas administrateur de la France : action réservée"):
            droits.verifier_administrateur(acteur)
