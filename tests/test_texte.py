"""The text tools shared by the three matchers (filières, mentions, territoires) and the communes."""

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
