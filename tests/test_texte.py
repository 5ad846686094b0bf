"""The text tools shared by the three matchers (filières, mentions, territoires) and the communes."""

from hypothesis import given, settings
from hypothesis import strategies as st

from cmq import communes, filieres, mentions, territoires, texte


def test_mots_et_singulier():
    assert texte.mots("L'Aéro-campus  Sud") == ["l", "aero", "campus", "sud"]
    assert [texte.singulier(m) for m in ("materiaux", "industries", "bus", "gaz", "mer")] == [
        "materiau",
        "industrie",
        "bus",
        "gaz",
        "mer",
    ]


def test_les_trois_rapprocheurs_partagent_les_outils():
    assert texte.MOTS_VIDES <= filieres._MOTS_VIDES and texte.MOTS_VIDES <= mentions.MOTS_VIDES
    assert filieres._mot("Matériaux".lower().replace("é", "e")) == mentions.racine("materiaux") == "materiau"
    assert mentions.mots_du_nom("CMQ de St-Étienne") == ["saint", "etienne"]
    assert territoires._cle("La Réunion") == "reunion" and territoires._cle("St-Étienne") == "saint etienne"
    assert communes.cle_nom("ST ETIENNE CEDEX 2") == "saint etienne"


@settings(max_examples=300, derandomize=True)
@given(st.text() | st.text(alphabet="aeEéÉèœŒæﬁ²Ⅻ한ç\u0301\u0300\u0327\u0308\u034f\u0489\u05b0\u1dc0 -'’"))
def test_sans_accents_rapide_egal_a_la_definition(valeur):
    """The translation table gives what NFKD of the whole text gives (combining marks included)."""
    assert texte.sans_accents(valeur) == texte._sans_accents_lent(valeur)


def test_sans_accents_exemples():
    for valeur in ("Éco-construction", "Œuvre cœur", "ﬁlière²", "Aéro\u0301", "Ａéro", "Ångström", "ça"):
        assert texte.sans_accents(valeur) == texte._sans_accents_lent(valeur)
    assert texte.sans_accents("Cœur d'Élan") == "Coeur d'Elan"


@settings(max_examples=400, derandomize=True)
@given(st.text() | st.text(alphabet="aZé É-'’,.;:/()«»\t\n\x0b\x1c0123456789œ²İ"))
def test_normaliser_rapide_egal_a_la_definition(valeur):
    """The table path of ASCII texts gives what the regular expression gives."""
    import re

    attendu = re.sub(r"[^a-z0-9]+", " ", texte._sans_accents_lent(valeur).lower()).strip()
    assert texte.normaliser(valeur) == attendu
