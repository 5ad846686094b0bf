"""`cmq.rapprochement`: establishment names as pages and partner files write them -> UAI, or abstain."""

import pytest

from cmq.rapprochement import Candidat, IndexEtablissements, Rapprochement


@pytest.fixture(scope="module")
def index() -> IndexEtablissements:
    return IndexEtablissements.embarque()


def test_index_embarque_charge_les_lycees(index):
    assert len(index) == 5028
    assert IndexEtablissements.embarque() is index  # read once


@pytest.mark.parametrize(
    ("nom", "uai"),
    [
        # the exact name
        ("LYCÉE PROFESSIONNEL DE L'ACHEULÉEN", "0800013E"),
        # type words and abbreviations
        ("LP de l'Acheuléen (Amiens)", "0800013E"),
        ("Lycée professionnel de l'Acheuléen (Amiens)", "0800013E"),
        ("Lycée polyvalent Saint-Exupéry (Blagnac)", "0312686B"),
        ("LPO Saint Exupéry, Blagnac", "0312686B"),
        ("LGT Blaise Pascal (Longuenesse)", "0622803K"),
        ("Lycée général et technologique Blaise Pascal - Longuenesse", "0622803K"),
        ("Lycée des métiers Amyot d'Inville (Senlis)", "0600049C"),
        ("Lycée privé Airbus des métiers de l'aéronautique (Toulouse)", "0311200L"),
        ("Lycée agricole Édouard Herriot (Misérieux)", "0010059J"),
        ("Lycée technique La Châtaigneraie (Le Mesnil-Esnard)", "0761343X"),
        # type words tell two lycées of the same name and town apart
        ("LP Édouard Branly (Amiens)", "0801336T"),
        ("Lycée professionnel Edouard Branly (Amiens)", "0801336T"),
        ("Lycée polyvalent Haroun Tazieff (Saint-Paul-lès-Dax)", "0401004Z"),
        # the town: in parentheses, after "à", " - " or ",", or written in the name
        ("Lycée Saint-Exupéry à Blagnac", "0312686B"),
        ("lycee st exupery - blagnac", "0312686B"),
        ("Lycée Valentine Labbé, La Madeleine", "0590122M"),
        ("Lycée hôtelier du Touquet", "0622807P"),
        ("Lycée Jan Lavezzari (Berck-sur-Mer)", "0622276M"),  # the commune is "Berck"
        # postcodes
        ("Lycée Saint Exupéry 31700 Blagnac", "0312686B"),
        ("Lycée Robert Doisneau (69120 Vaulx-en-Velin)", "0693619J"),
        # no accents, St/Saint, hyphens or spaces, upper case
        ("LYCEE TEILHARD DE CHARDIN (ST MAUR DES FOSSES)", "0940878U"),
        ("Lycée Arbez Carme (Bellignat)", "0011119L"),
        ("Lycée Arbez-Carme (Bellignat)", "0011119L"),
        ("Lycée Pierre Paul Riquet (Saint-Orens-de-Gameville)", "0312289V"),
        # a typo
        ("Lycée professionnel Edouard Brnaly (Amiens)", "0801336T"),
        ("Lycée Valentine Labé (La Madeleine)", "0590122M"),
        # a shortened name, confirmed by the town
        ("Lycée Carriat (Bourg-en-Bresse)", "0010016M"),
        ("Lycée hôtelier et de tourisme Paul Augier (Nice)", "0060034E"),
        # an acronym in parentheses is not a town
        ("Lycée du Pays de Saint-Omer (LYPSO)", "0620162P"),
        # sections resolve to their lycée
        ("SEP du lycée Suger, Saint-Denis", "0932121A"),
        ("Section d'enseignement professionnel du lycée polyvalent La Découverte (Decazeville)", "0120006S"),
        ("Lycée La Découverte (Decazeville)", "0120006S"),
        ("Lycée Arbez Carme (Bellignat) - SEP", "0011119L"),
        # a typo in a type word
        ("LYCÉE PROFESISONNEL TRISTAN CORBIÈRE (Morlaix)", "0290105G"),
        # words in parentheses that belong to the name
        ("Lycée Louise Michel (voie professionnelle) (Narbonne)", "0110034C"),
        # the town after the postcode, without separator
        ("LEGTA de Laval 53013 Laval", "0530081A"),
        # a name with no proper noun, in the town given
        ("Lycée professionnel agricole (Riscle)", "0320646D"),
        ("LP agricole - Riscle", "0320646D"),
        # school words that are part of the name
        ("Cours Molière (Paris)", "0753895B"),
        ("Lycée Molière (Paris)", "0750703G"),
        ("Lycée technologique Jeanne d'Arc (Vitré)", "0352462L"),
    ],
)
def test_trouve(index, nom, uai):
    resultat = index.rapprocher(nom)
    assert (resultat.statut, resultat.uai) == ("trouve", uai), resultat


@pytest.mark.parametrize(
    ("nom", "commune", "uai"),
    [
        ("Lycée Robert Doisneau", "Vaulx-en-Velin", "0693619J"),
        ("Lycée Robert Doisneau", "91100 Corbeil-Essonnes", "0910620E"),
        ("LP Edouard Branly", "AMIENS CEDEX 1", "0801336T"),
        ("Lycée Suger", "Saint-Denis", "0932121A"),
        ("Lycée Saint-Exupéry", "31700", "0312686B"),
        ("Lycée Saint-Exupéry", "Blagnac (31)", "0312686B"),
    ],
)
def test_trouve_commune_en_colonne(index, nom, commune, uai):
    assert index.rapprocher(nom, commune).uai == uai


@pytest.mark.parametrize(
    "nom",
    [
        # universities, IUT, GRETA, engineering schools, companies absent from the data
        "Université de Picardie Jules Verne (UPJV)",
        "Université d'Évry",
        "Université de Strasbourg – IUT Robert Schuman",
        "IUT de Lannion",
        "IUT de Blagnac",
        "GRETA Val Bugey Léman",
        "INSA de Lyon",
        "Enssat (Lannion)",
        "ENSTIB (Épinal)",
        "SUPMICROTECH – ENSMM (Besançon)",
        "École d'ingénieurs de Lannion",
        "École nationale supérieure d'arts et métiers (Angers)",
        "Renault SAS (Flins)",
        "Entreprise Dupont BTP (Lyon)",
        "Airbus Helicopters (Marignane)",
        "Safran Aircraft Engines",
        # a lycée absent from the data, or no name at all
        "Lycée Imaginaire des Nuages (Amiens)",
        "Lycée professionnel de Saint-Omer",
        "Lycée de Montauban-de-Luchon",
        "Lycée professionnel agricole (Amiens)",  # no such generic name there
        "Lycée du bois de Revel",  # the town's lycées have other names
        "Lycée",
        "",
        "   ",
        # not a name: too long to be one (and never slow)
        "Lycée Saint-Exupéry (Blagnac) " * 20,
    ],
)
def test_inconnu(index, nom):
    resultat = index.rapprocher(nom)
    assert (resultat.statut, resultat.uai) == ("inconnu", None), resultat


@pytest.mark.parametrize(
    ("nom", "uais"),
    [
        # same name in two towns, no town given
        ("Lycée Robert Doisneau", {"0693619J", "0910620E"}),
        # two lycées of that name in the same town
        ("Lycée Félix Le Dantec (Lannion)", {"0220023F", "0220083W"}),
        ("Lycée Albert Einstein (Bagnols-sur-Cèze)", {"0300950V", "0300951W"}),
        # the lycée Édouard Branly or the LP Édouard Branly, the typo hides which
        ("Lycée Edouard Brnaly (Amiens)", {"0801327H", "0801336T"}),
        # a bare name: the lycée or a company of that name
        ("Airbus (Toulouse)", {"0311200L"}),
        ("Airbus", {"0311200L"}),
        # "Lycée X" names the lycée X as well as the lycée professionnel X of the same town
        ("Lycée Édouard Branly (Amiens)", {"0801327H", "0801336T"}),
        ("Lycée Tristan Corbière - Morlaix", {"0290051Y", "0290105G"}),
    ],
)
def test_ambigu(index, nom, uais):
    resultat = index.rapprocher(nom)
    assert (resultat.statut, resultat.uai) == ("ambigu", None), resultat
    assert uais <= {c.uai for c in resultat.candidats}


def test_resultat_complet(index):
    resultat = index.rapprocher("LP Branly (Amiens)")
    assert resultat == Rapprochement(
        statut="trouve",
        uai="0801336T",
        score=90.0,
        candidats=[
            Candidat("0801336T", "LYCÉE PROFESSIONNEL ÉDOUARD BRANLY", "LP", "Amiens", "80021", 90.0),
            Candidat("0801327H", "LYCÉE ÉDOUARD BRANLY", "lycée", "Amiens", "80021", 85.0),
        ],
    )


def test_une_autre_commune_ne_trouve_pas(index):
    assert index.rapprocher("Lycée Robert Doisneau", "Amiens").statut == "inconnu"


def test_chercher_par_uai_nom_commune(index):
    assert [c.uai for c in index.chercher("0801336t")] == ["0801336T"]
    assert index.chercher("9999999Z") == []
    par_nom = index.chercher("Branly", commune="Amiens")
    assert [c.uai for c in par_nom] == ["0801327H", "0801336T"]
    par_commune = index.chercher("Bellignat")
    assert [(c.uai, c.nom, c.score) for c in par_commune] == [
        ("0011119L", "LPO LYCÉE DES MÉTIERS ARBEZ CARME", 100.0),
        ("0011411D", "SEP DU LYCÉE POLYVALENT ARBEZ CARME", 100.0),
    ]
    assert len(index.chercher("Jean Moulin", limite=3)) == 3
    assert index.chercher("Branly " * 100) == []
    assert index.rapprocher("Lycée Suger", "Saint-Denis " * 50).statut == "inconnu"
