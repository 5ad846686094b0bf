"""The import pipeline on raw rows: conversion, all-or-nothing, partial mode, idempotency, history."""

import csv
from datetime import date

import pytest
from sqlalchemy import select

from cmq.errors import ErreurImport
from cmq.importation import colonnes, conversion
from cmq.importation.pipeline import importer_lignes
from cmq.models import Etablissement
from cmq.store import db
from cmq.store.conversion import etablissement_vers_dict
from cmq.store.lecture import campus as lire_campus
from cmq.store.lecture import membres as lire_membres
from cmq.store.lecture import partenaires as lire_partenaires
from cmq.store.tables import EtablissementTable
from tests.import_outils import compter, historique, instantane

COLONNES_CAMPUS = [
    "Nom du campus",
    "Filière",
    "Label",
    "Région académique",
    "Académie",
    "UAI",
    "Année de labellisation",
    "Durée",
    "geo_point",
]


def campus(
    nom,
    filiere="Numérique, télécommunications",
    label="Oui",
    region="Hauts-de-France",
    academie="Lille",
    uai="0592926K",
    annee="2019",
    duree="5",
    geo="",
):
    return dict(zip(COLONNES_CAMPUS, [nom, filiere, label, region, academie, uai, annee, duree, geo]))


def importer(url, lignes, **options):
    cols = options.pop("colonnes", None) or list(lignes[0])
    return importer_lignes(lignes, colonnes=cols, source="essai.csv", url=url, **options)


def test_import_de_campus_valeurs_converties(base_url):
    lignes = [
        campus("Campus exemple 1 (fictif)", geo="50.69, 2.88"),
        campus(
            "Campus Mer",
            filiere="Mobilité, aéronautique, transports terrestres et maritimes",
            label="",
            region="",
            academie="Rennes",
            uai="",
            annee="",
            duree="",
            geo="",
        ),
    ]
    rapport = importer(base_url, lignes)
    assert (rapport.type_import, rapport.statut, rapport.lues, rapport.inserees) == ("campus", "ok", 2, 3)
    assert rapport.details["campus"].inserees == 2 and rapport.details["membres"].inserees == 1
    with db.session(base_url) as s:
        c = lire_campus(s, "exemple-1-fictif")
        assert c.nom == "Campus exemple 1 (fictif)"
        assert c.filiere == "numerique-telecommunications"
        assert c.excellence is True
        assert (c.region_academique, c.academies) == ("32", ["09"])
        assert (c.date_debut_label, c.date_fin_label) == (date(2019, 1, 1), date(2023, 12, 31))
        assert (c.latitude, c.longitude) == (50.69, 2.88)
        assert c.uai_support == "0592926K"
        [(membre, _)] = lire_membres(s, "exemple-1-fictif")
        assert (membre.uai, membre.role.value) == ("0592926K", "support")
        mer = lire_campus(s, "mer")
        assert mer.excellence is None  # empty label = unknown, not False
        assert (mer.region_academique, mer.academies) == ("53", ["14"])  # région from the académie
    [entree] = historique(base_url)
    assert (entree.statut, entree.lignes_lues, entree.inserees, entree.mises_a_jour, entree.rejetees) == (
        "ok",
        2,
        3,
        0,
        0,
    )


def test_reimport_idempotent_puis_mise_a_jour_comptee(base_url):
    lignes = [campus("Campus A"), campus("Campus B", uai="0590010R")]
    importer(base_url, lignes)
    avant = instantane(base_url)
    second = importer(base_url, lignes)
    assert (second.inserees, second.mises_a_jour, second.inchangees) == (0, 0, 4)
    assert instantane(base_url) == avant
    lignes[1]["Label"] = "Non"
    lignes[0]["Académie"] = "Lille|Amiens"
    troisieme = importer(base_url, lignes)
    assert (troisieme.inserees, troisieme.mises_a_jour) == (0, 2)
    with db.session(base_url) as s:
        assert lire_campus(s, "b").excellence is False
        assert lire_campus(s, "a").academies == ["09", "20"]
    assert [h.statut for h in historique(base_url)] == ["ok", "ok", "ok"]


def test_tout_ou_rien_par_defaut(base_url):
    importer(base_url, [campus("Campus A")])
    avant = instantane(base_url)
    lignes = [campus("Campus B"), campus("Campus C", uai="0592926A"), campus("Campus D", filiere="Zorglub")]
    with pytest.raises(ErreurImport) as erreur:
        importer(base_url, lignes, numeros=[2, 3, 4])
    message = str(erreur.value)
    assert "2 lignes rejetées sur 3, rien n'a été écrit" in message
    assert "ligne 3 : uai_support : UAI invalide « 0592926A » : lettre de contrôle « A », « K » attendue" in message
    assert "ligne 4 : filière inconnue « Zorglub »" in message
    assert "utilisez --partiel pour importer les lignes valides" in message
    assert instantane(base_url) == avant
    echec = historique(base_url)[-1]
    assert (echec.statut, echec.lignes_lues, echec.rejetees, echec.inserees) == ("echec", 3, 2, 0)
    assert "UAI invalide" in echec.message


def test_mode_partiel_ecrit_le_rapport_des_rejets(base_vide, tmp_path):
    lignes = [campus("Campus B"), campus("Campus C", uai="0592926A"), campus("Campus D", label="Peut-être")]
    chemin = tmp_path / "rejets.csv"
    rapport = importer(base_vide, lignes, numeros=[2, 3, 4], partiel=True, rapport_rejets=chemin)
    assert (rapport.statut, rapport.rejetees, rapport.details["campus"].inserees) == ("partiel", 2, 1)
    assert compter(base_vide, "campus") == 1
    with open(chemin, encoding="utf-8-sig", newline="") as flux:
        rejets = list(csv.DictReader(flux, delimiter=";"))
    assert [r["ligne"] for r in rejets] == ["3", "4"]
    assert "lettre de contrôle" in rejets[0]["raison"]
    assert "« Peut-être » non reconnue" in rejets[1]["raison"]
    assert rejets[0]["Nom du campus"] == "Campus C" and rejets[0]["UAI"] == "0592926A"
    assert historique(base_vide)[-1].statut == "partiel"


def test_campus_en_double_dans_un_fichier(base_vide):
    lignes = [campus("Campus A"), campus("Campus B"), campus("campus  a", uai="0590010R")]
    with pytest.raises(ErreurImport) as erreur:
        importer(base_vide, lignes, numeros=[2, 3, 4])
    assert "ligne 2 : campus en double « a » (lignes 2 et 4)" in str(erreur.value)
    assert "ligne 4 : campus en double « a » (lignes 2 et 4)" in str(erreur.value)
    assert compter(base_vide, "campus") == 0


@pytest.mark.parametrize(
    ("modif", "raison"),
    [
        (
            {"Filière": "services"},
            "filière ambiguë « services » : candidates services-a-la-personne-bien-etre, "
            "services-aux-entreprises-logistique",
        ),
        ({"Filière": ""}, "filière vide"),
        ({"Région académique": "Atlantide"}, "territoire inconnu (région académique) : « Atlantide »"),
        ({"Année de labellisation": "deux mille"}, "année de labellisation invalide « deux mille »"),
        ({"Durée": "cinq ans"}, "durée du label invalide « cinq ans »"),
        ({"geo_point": "95, 2"}, "latitude hors limites « 95 »"),
    ],
)
def test_raisons_de_rejet_en_francais(base_vide, modif, raison):
    ligne = {**campus("Campus A"), **modif}
    with pytest.raises(ErreurImport, match="ligne 1 : ") as erreur:
        importer(base_vide, [ligne])
    assert raison in str(erreur.value)
    assert compter(base_vide, "campus") == 0


def test_dates_dans_le_mauvais_ordre(base_vide):
    lignes = [{"Nom": "Campus A", "Filière": "Numérique", "Date de début": "2020-09-01", "Date de fin": "31/08/2019"}]
    attendu = "dates du label dans le mauvais ordre : fin 2019-08-31 avant début 2020-09-01"
    with pytest.raises(ErreurImport, match=attendu):
        importer(base_vide, lignes)
    assert compter(base_vide, "campus") == 0


def test_campus_existant_garde_son_identifiant(base_vide):
    importer(base_vide, [{"id": "cmq-a", "Nom": "Campus de l'Aéronautique", "Filière": "Mobilité"}])
    rapport = importer(base_vide, [{"Nom": "CAMPUS DE L'AERONAUTIQUE", "Filière": "Mobilité", "Label": "Oui"}])
    assert (rapport.inserees, rapport.mises_a_jour) == (0, 1)
    assert compter(base_vide, "campus") == 1


def test_etablissement_support_cree_seulement_s_il_est_absent(base_url):
    importer(base_url, [{"UAI": "0590010R", "Nom": "Lycée Paul Hazard", "Commune": "Armentières"}])
    lignes = [
        {
            "Nom du campus": "Campus A",
            "Filière": "Numérique",
            "UAI support": "0590010R",
            "Établissement support": "LYCEE P. HAZARD",
        },
        {
            "Nom du campus": "Campus B",
            "Filière": "Numérique",
            "UAI support": "0593060F",
            "Établissement support": "Institut Nicolas Barré",
        },
        {"Nom du campus": "Campus C", "Filière": "Numérique", "UAI support": "0312061X", "Établissement support": ""},
    ]
    rapport = importer(base_url, lignes)
    assert rapport.details["etablissements_support"].inserees == 1
    with db.session(base_url) as s:
        noms = dict(s.execute(select(EtablissementTable.uai, EtablissementTable.nom)).all())
    assert noms == {"0590010R": "Lycée Paul Hazard", "0593060F": "Institut Nicolas Barré"}
    assert compter(base_url, "membres") == 3


def test_membres_et_partenaires_par_nom_de_campus(base_url):
    importer(base_url, [campus("Campus A"), campus("Campus B")])
    membres = [
        {"Campus": "campus a", "UAI": "0590010R", "Rôle": "Membre"},
        {"Campus": "Campus B", "UAI": "0593060F", "Rôle": ""},
    ]
    rapport = importer(base_url, membres)
    assert (rapport.type_import, rapport.inserees) == ("membres", 2)
    partenaires = [
        {"Campus": "Campus A", "Nom du partenaire": "Orange", "Nature": "Entreprise", "SIRET": "380 129 866 00006"},
        {"Campus": "Campus A", "Nom du partenaire": "Inria", "Nature": "Laboratoire de recherche", "SIRET": ""},
    ]
    rapport = importer(base_url, partenaires)
    assert (rapport.type_import, rapport.inserees) == ("partenaires", 2)
    with db.session(base_url) as s:
        assert {(m.uai, m.role.value) for m, _ in lire_membres(s, "a")} == {
            ("0592926K", "support"),
            ("0590010R", "membre"),
        }
        assert {(p.nom, p.nature.value, p.siret) for p in lire_partenaires(s, "a")} == {
            ("Orange", "entreprise", "38012986600006"),
            ("Inria", "laboratoire", None),
        }
    assert importer(base_url, partenaires).inserees == 0


def test_siret_invalide_et_campus_inconnu(base_vide):
    importer(base_vide, [campus("Campus A")])
    avant = instantane(base_vide)
    lignes = [
        {"Campus": "Campus A", "Partenaire": "Orange", "SIRET": "38012986600007"},
        {"Campus": "Campus Zorglub", "Partenaire": "Acme", "SIRET": ""},
    ]
    with pytest.raises(ErreurImport) as erreur:
        importer(base_vide, lignes)
    attendu = "ligne 1 : siret : SIRET invalide « 38012986600007 » : clé de contrôle (Luhn) incorrecte"
    assert attendu in str(erreur.value)
    assert "ligne 2 : campus inconnu « Campus Zorglub »" in str(erreur.value)
    assert instantane(base_vide) == avant


def test_etablissements_fermes_ignores_doublons_gardent_le_premier(base_url):
    lignes = [
        {"UAI": "0592926K", "Nom": "Lycée A", "Code département": "059", "Etat": "OUVERT"},
        {"UAI": "0590010R", "Nom": "Lycée B", "Code département": "059", "Etat": "FERME"},
        {"UAI": "0592926K", "Nom": "Lycée A (site 2)", "Code département": "059", "Etat": "OUVERT"},
    ]
    rapport = importer(base_url, lignes)
    assert (rapport.inserees, rapport.ignorees) == (1, 2)
    with db.session(base_url) as s:
        ligne = s.get(EtablissementTable, "0592926K")
        assert (ligne.nom, ligne.departement, ligne.academie, ligne.region_academique) == ("Lycée A", "59", "09", "32")
    assert importer(base_url, lignes, inclure_fermes=True).inserees == 1
    assert compter(base_url, "etablissements") == 2


def test_aucune_ligne(base_vide):
    with pytest.raises(ErreurImport, match="aucune ligne à importer"):
        importer_lignes([], colonnes=["UAI", "Nom"], source="vide.csv", url=base_vide)
    assert instantane(base_vide) == {t: [] for t in instantane(base_vide)}


@pytest.mark.parametrize(
    "ligne",
    [
        {
            "uai": "0690026d ",
            "nom": " Lycée La Martinière ",
            "type": "LPO",
            "secteur": "Public",
            "code_commune": "69381",
            "departement": "069",
            "latitude": "45,76",
            "longitude": "4.83",
        },
        {
            "uai": "6200001G",
            "nom": "Lycée Fesch",
            "departement": "2A",
            "code_postal": "2000",
            "secteur": "Privé sous contrat",
        },
        {
            "uai": "9740001H",
            "nom": "Lycée Leconte de Lisle",
            "departement": "974",
            "academie": "28",
            "region_academique": "04",
        },
    ],
)
def test_etablissement_rapide_identique_au_modele(ligne):
    corr = colonnes.correspondre(list(ligne), "etablissements")
    rapide = conversion.convertisseur(corr).convertir(ligne).etablissement
    valeurs = {k: v for k, v in rapide.items()}
    attendu = etablissement_vers_dict(Etablissement.model_validate(valeurs))
    assert rapide == attendu
    assert rapide["uai"] == ligne["uai"].strip().upper()


def test_nouveau_support_remplace_l_ancien(base_url):
    importer(base_url, [campus("Campus A", uai="0592926K")])
    importer(base_url, [{"Campus": "Campus A", "UAI": "0590010R", "Rôle": "membre"}])
    rapport = importer(base_url, [campus("Campus A", uai="0593060F")])
    assert (rapport.details["membres"].inserees, rapport.details["membres"].mises_a_jour) == (1, 1)
    with db.session(base_url) as s:
        assert sorted((m.uai, m.role.value) for m, _ in lire_membres(s, "a")) == [
            ("0590010R", "membre"),
            ("0592926K", "membre"),
            ("0593060F", "support"),
        ]
    encore = importer(base_url, [campus("Campus A", uai="0593060F")])
    assert (encore.inserees, encore.mises_a_jour) == (0, 0)
