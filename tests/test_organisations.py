"""`cmq.organisations`: the one mapping from a source's role wording to a role, and kinds of organisations."""

import pytest

from cmq import organisations
from cmq.errors import EntreeInvalide


@pytest.mark.parametrize(
    ("texte", "role"),
    [
        ("support", "support"),
        ("support (« adossé »)", "support"),
        ("Pilote", "support"),
        ("porteur", "support"),
        ("siège (« abrite ce campus »)", "support"),
        ("siège (« s'installe » au lycée)", "support"),
        ("chef de file", "support"),
        ("établissement de référence", "support"),
        ("établissement référent", "support"),
        ("tête de réseau", "support"),
        ("coordinateur", "support"),
        ("supporting institution", "support"),
        ("lieu d'installation", "support"),
        ("membre", "membre"),
        ("membre (supérieur)", "membre"),
        ("membre fondateur (peut être le même établissement que LYPSO)", "membre"),
        ("membre (projet annoncé nov. 2020)", "membre"),
        ("réseau", "membre"),
        ("lieu d'inauguration (support non explicite)", "membre"),
        ("partenaire", "partenaire"),
        ("partenaire historique (supérieur)", "partenaire"),
        ("signataire de la convention (rattachement au campus non précisé)", "partenaire"),
    ],
)
def test_role_de(texte, role):
    assert organisations.role_de(texte) == role


@pytest.mark.parametrize("texte", ["", "financeur", "membre honoraire", "(support)"])
def test_role_inconnu_refuse(texte):
    with pytest.raises(EntreeInvalide) as erreur:
        organisations.role_de(texte)
    assert str(erreur.value) == f"rôle inconnu « {texte} » : support, membre ou partenaire attendu"


def test_superieur():
    assert organisations.est_superieur("membre (supérieur, cité en exemple)")
    assert not organisations.est_superieur("membre") and not organisations.est_superieur("supérieur")


@pytest.mark.parametrize(
    ("nom", "nature"),
    [
        ("Université de Strasbourg – IUT Robert Schuman", "iut"),
        ("IUT de Lannion", "iut"),
        ("Université Paris-Est Créteil (UPEC)", "universite"),
        ("GRETA Val Bugey Léman", "greta"),
        ("INSA de Lyon", "ecole"),
        ("SUPMICROTECH – ENSMM (Besançon)", "ecole"),
        ("CFA du BTP", "cfa"),
        ("Lycée du bois de Revel", "lycee"),
        ("Cité scolaire des Flandres (Hazebrouck)", "lycee"),
        ("Laboratoire LAAS", "laboratoire"),
        ("Conseil régional", "collectivite"),
        ("Airbus Opérations", "autre"),
    ],
)
def test_nature_de(nom, nature):
    assert organisations.nature_de(nom) == nature
