"""Header aliases, kind guessing and explicit mappings (`cmq.importation.colonnes`)."""

import json

import pytest

from cmq.errors import ColonneManquante, EntreeInvalide, FichierIllisible
from cmq.importation.colonnes import charger_correspondance, correspondre, deviner_type

ANNUAIRE_API = [
    "identifiant_de_l_etablissement",
    "nom_etablissement",
    "type_etablissement",
    "statut_public_prive",
    "code_postal",
    "code_commune",
    "nom_commune",
    "code_departement",
    "code_academie",
    "code_region",
    "latitude",
    "longitude",
    "position",
    "etat",
    "libelle_region",
]
ANNUAIRE_LIBELLES = [
    "Identifiant_de_l_etablissement",
    "Nom_etablissement",
    "Type_etablissement",
    "Statut_public_prive",
    "Code postal",
    "Code_commune",
    "Nom_commune",
    "Code département",
    "Code_academie",
    "Code_region",
    "latitude",
    "longitude",
    "position",
    "etat",
]


@pytest.mark.parametrize(
    "entete", ["Nom du campus", "nom_du_campus", "Nom", "Intitulé du campus", "Campus", "NOM DU CAMPUS"]
)
def test_alias_du_nom_de_campus(entete):
    corr = correspondre([entete, "Filière"], "campus")
    assert corr.champs["nom"] == entete
    assert corr.champs["filiere"] == "Filière"


@pytest.mark.parametrize(
    ("entete", "champ"),
    [
        ("Filière d'excellence", "filiere"),
        ("filiere", "filiere"),
        ("Secteur", "filiere"),
        ("Label", "excellence"),
        ("label_excellence", "excellence"),
        ("CMQ d'excellence", "excellence"),
        ("Région académique", "region_academique"),
        ("region_academique", "region_academique"),
        ("Académie", "academies"),
        ("Code UAI", "uai_support"),
        ("N° UAI", "uai_support"),
        ("RNE", "uai_support"),
        ("uai_etablissement_support", "uai_support"),
        ("identifiant_de_l_etablissement", "uai_support"),
        ("Site internet", "site_web"),
        ("site_web", "site_web"),
        ("Date de labellisation", "date_debut_label"),
        ("Année de labellisation", "annee_label"),
        ("Date de fin", "date_fin_label"),
        ("Durée", "duree_label"),
        ("Référence de l'arrêté", "reference_arrete"),
        ("Arrêté", "reference_arrete"),
        ("Commune du siège", "ville_siege"),
        ("Ville", "ville_siege"),
        ("geo_point", "geo_point"),
    ],
)
def test_alias_des_champs_de_campus(entete, champ):
    corr = correspondre(["Nom du campus", "Filière" if champ != "filiere" else "x", entete], "campus")
    assert corr.champs[champ] == entete


@pytest.mark.parametrize("entetes", [ANNUAIRE_API, ANNUAIRE_LIBELLES])
def test_annuaire_noms_api_et_libelles_de_l_export(entetes):
    corr = correspondre(entetes)
    assert corr.type_import == "etablissements"
    assert corr.champs["uai"] == entetes[0]
    assert corr.champs["nom"] == entetes[1]
    assert corr.champs["departement"] == entetes[7]
    assert corr.champs["academie"] == entetes[8]
    assert corr.champs["region_academique"] == entetes[9]
    assert corr.champs["geo_point"] == "position"
    assert corr.champs["etat"] == "etat"


def test_colonnes_inconnues_ignorees_et_le_meilleur_alias_gagne():
    corr = correspondre(["Nom", "Nom du campus", "Filière", "Couleur préférée"], "campus")
    assert corr.champs["nom"] == "Nom du campus"  # earliest alias wins
    assert corr.ignorees == ["Nom", "Couleur préférée"]


@pytest.mark.parametrize(
    ("entetes", "attendu"),
    [
        (["nom_du_campus", "filiere", "label_excellence", "uai_etablissement_support"], "campus"),
        (["Nom du campus", "Filière", "Label", "Région académique", "UAI"], "campus"),
        (ANNUAIRE_API, "etablissements"),
        (["UAI", "Nom", "Commune"], "etablissements"),
        (["Campus", "UAI", "Rôle"], "membres"),
        (["Campus", "Nom du partenaire", "Nature", "SIRET"], "partenaires"),
        (["campus_id", "Raison sociale"], "partenaires"),
    ],
)
def test_deviner_type(entetes, attendu):
    assert deviner_type(entetes) == attendu


@pytest.mark.parametrize("entetes", [["Nom", "Ville"], ["a|b|c"], []])
def test_type_impossible_a_deviner(entetes):
    with pytest.raises(EntreeInvalide, match="précisez --type campus|etablissements|membres|partenaires"):
        deviner_type(entetes)


def test_secteur_ambigu_demande_le_type():
    with pytest.raises(EntreeInvalide, match="ambiguë.*--type"):
        deviner_type(["UAI", "Nom", "Secteur"])
    assert correspondre(["UAI", "Nom", "Secteur"], "etablissements").champs["secteur"] == "Secteur"


def test_colonne_obligatoire_manquante_liste_attendues_et_trouvees():
    with pytest.raises(ColonneManquante) as erreur:
        correspondre(["Filière", "Label"], "campus")
    message = str(erreur.value)
    assert "nom ou identifiant" in message
    assert "Colonnes trouvées : Filière, Label" in message


def test_mauvais_separateur_colonnes_introuvables():
    with pytest.raises(ColonneManquante, match="Vérifiez le séparateur"):
        correspondre(["nom_du_campus|filiere|label_excellence"], "campus")


def test_type_inconnu():
    with pytest.raises(EntreeInvalide, match="type d'import inconnu : « lycees »"):
        correspondre(["UAI", "Nom"], "lycees")


def test_correspondance_explicite_prioritaire(tmp_path):
    chemin = tmp_path / "corr.json"
    chemin.write_text(json.dumps({"Libellé": "nom", "Thème": "filiere", "Nom": "note"}), encoding="utf-8")
    explicite = charger_correspondance(chemin)
    corr = correspondre(["Libellé", "Thème", "Nom"], "campus", explicite)
    assert corr.champs["nom"] == "Libellé"
    assert corr.champs["filiere"] == "Thème"
    assert corr.champs["note"] == "Nom"
    assert corr.ignorees == []


def test_correspondance_yaml(tmp_path):
    chemin = tmp_path / "corr.yaml"
    chemin.write_text("Intitulé long: nom\nDomaine pro: filiere\n", encoding="utf-8")
    assert charger_correspondance(chemin) == {"Intitulé long": "nom", "Domaine pro": "filiere"}


def test_correspondance_invalide(tmp_path):
    with pytest.raises(EntreeInvalide, match="champ inconnu « couleur »"):
        correspondre(["Nom", "Filière"], "campus", {"Nom": "couleur"})
    with pytest.raises(ColonneManquante, match="colonne « Absente » absente du fichier"):
        correspondre(["Nom", "Filière"], "campus", {"Absente": "nom"})
    mauvais = tmp_path / "corr.json"
    mauvais.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(FichierIllisible, match="objet"):
        charger_correspondance(mauvais)
    with pytest.raises(FichierIllisible, match="introuvable"):
        charger_correspondance(tmp_path / "absent.yaml")
