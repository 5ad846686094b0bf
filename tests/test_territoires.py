"""Tests of cmq.territoires: packaged tables, consistency with real annuaire rows, resolution."""

import csv

import pytest
from pydantic import ValidationError

from cmq import territoires as t
from cmq.errors import EntreeInvalide, TerritoireInconnu


def test_effectifs():
    assert len(t.regions_academiques()) == 18
    assert len(t.academies()) == 30
    assert len(t.departements()) == 101
    assert len(t.regions()) == 18
    assert len(t.territoires("france")) == 1
    assert len(t.territoires("academie")) == 30
    assert t.ECHELLES == ("france", "region_academique", "academie", "departement")


def test_codes_uniques_et_formes():
    for objets in (t.regions_academiques(), t.academies(), t.departements(), t.regions()):
        codes = [o.code for o in objets]
        assert len(set(codes)) == len(codes)
    assert all(len(a.code) == 2 and a.code.isdigit() for a in t.academies())
    assert {d.code for d in t.departements()} >= {"01", "2A", "2B", "95", "971", "976"}
    assert "20" not in {d.code for d in t.departements()}


def test_chaque_departement_a_une_academie_de_sa_region_academique():
    academies = {a.code: a for a in t.academies()}
    regions = {r.code for r in t.regions()}
    for d in t.departements():
        assert d.academie in academies, d
        assert academies[d.academie].region_academique == d.region_academique, d
        assert d.region_academique in regions
        assert d.code in academies[d.academie].departements
    assert sum(len(a.departements) for a in t.academies()) == 101
    assert sum(len(r.academies) for r in t.regions_academiques()) == 30
    assert all(a.departements for a in t.academies())


def test_regions_academiques_et_regions_alignees():
    assert [(r.code, r.nom) for r in t.regions_academiques()] == [(r.code, r.nom) for r in t.regions()]
    ara = t.region_academique("84")
    assert ara.nom == "Auvergne-Rhône-Alpes"
    assert ara.academies == ("06", "08", "10")
    assert t.region_academique("11").academies == ("01", "24", "25")


def test_normandie_et_mayotte():
    normandie = t.academie("70")
    assert normandie.nom == "Normandie"
    assert normandie.region_academique == "28"
    assert normandie.departements == ("14", "27", "50", "61", "76")
    assert t.academie("Caen") == normandie
    assert t.academie("Rouen") == normandie
    mayotte = t.academie("Mayotte")
    assert (mayotte.code, mayotte.region_academique, mayotte.departements) == ("43", "06", ("976",))
    assert t.departement("976").academie == "43"


def test_lignes_reelles_de_l_annuaire(fixtures_dir):
    with open(fixtures_dir / "annuaire_education_extrait.csv", encoding="utf-8", newline="") as flux:
        lignes = list(csv.DictReader(flux, delimiter=";"))
    assert len(lignes) >= 10
    vus = set()
    for ligne in lignes:
        dep = t.departement(ligne["code_departement"])  # "059", "069": 3 characters in the annuaire
        assert dep.nom == ligne["libelle_departement"]
        assert dep.academie == ligne["code_academie"]
        assert t.academie(ligne["code_academie"]).nom == ligne["libelle_academie"]
        assert t.academie(ligne["libelle_academie"]).code == ligne["code_academie"]
        assert dep.region_academique == ligne["code_region"]
        assert t.region_academique(ligne["code_region"]).nom == ligne["libelle_region"]
        vus.add((ligne["code_academie"], ligne["libelle_academie"]))
    assert vus == {("09", "Lille"), ("16", "Toulouse"), ("14", "Rennes"), ("10", "Lyon")}


@pytest.mark.parametrize(
    "texte",
    [
        "auvergne rhone alpes",
        "Auvergne-Rhône-Alpes",
        "ARA",
        "AURA",
        "84",
        "Rhône-Alpes",
        "Région académique Auvergne-Rhône-Alpes",
        "region auvergne-rhone-alpes",
        "  AUVERGNE – RHÔNE ALPES ",
    ],
)
def test_resoudre_ara(texte):
    assert t.resoudre(texte) == t.Territoire(echelle="region_academique", code="84", nom="Auvergne-Rhône-Alpes")


@pytest.mark.parametrize(
    ("texte", "code"),
    [
        ("IDF", "11"),
        ("Ile de France", "11"),
        ("BFC", "27"),
        ("HDF", "32"),
        ("PACA", "93"),
        ("Provence-Alpes-Côte d'Azur", "93"),
        ("Région Sud", "93"),
        ("NA", "75"),
        ("Nouvelle-Aquitaine", "75"),
        ("GE", "44"),
        ("Grand-Est", "44"),
        ("CVL", "24"),
        ("PDL", "52"),
        ("Pays de Loire", "52"),
        ("Languedoc-Roussillon", "76"),
        ("Picardie", "32"),
        ("Réunion", "04"),
        ("La Réunion", "04"),
    ],
)
def test_resoudre_abreviations_de_regions(texte, code):
    assert t.resoudre(texte, "region_academique").code == code


@pytest.mark.parametrize(
    "texte", ["Académie de Lyon", "lyon", "LYON", "ac-lyon", "académie lyon", "10", "Acad. de Lyon"]
)
def test_resoudre_academie_de_lyon(texte):
    assert t.resoudre(texte) == t.Territoire(echelle="academie", code="10", nom="Lyon")


@pytest.mark.parametrize(
    ("texte", "code"),
    [
        ("ac-aix-marseille", "02"),
        ("Académie d'Aix-Marseille", "02"),
        ("ac-normandie", "70"),
        ("Académie de la Réunion", "28"),
        ("ac-reunion", "28"),
        ("Nancy", "12"),
        ("Orléans-Tours", "18"),
        ("Clermont", "06"),
        ("Caen", "70"),
    ],
)
def test_resoudre_academies(texte, code):
    assert t.resoudre(texte, "academie").code == code


@pytest.mark.parametrize("texte", ["069", "69", "Rhône", "rhone", "département du Rhône", "dep 69"])
def test_departement_du_rhone(texte):
    assert t.departement(texte).code == "69"


@pytest.mark.parametrize(
    ("texte", "code"),
    [
        ("2a", "2A"),
        ("02A", "2A"),
        ("Corse-du-Sud", "2A"),
        ("2B", "2B"),
        ("974", "974"),
        ("1", "01"),
        ("Seine-St-Denis", "93"),
        ("Val d'oise", "95"),
        ("Cotes d Armor", "22"),
        ("Belfort", "90"),
    ],
)
def test_departements_divers(texte, code):
    assert t.departement(texte).code == code


@pytest.mark.parametrize(
    ("texte", "echelle", "attendu"),
    [
        ("Guadeloupe", None, ("region_academique", "01")),
        ("Guadeloupe", "academie", ("academie", "32")),
        ("Guadeloupe", "departement", ("departement", "971")),
        ("Corse", None, ("region_academique", "94")),
        ("Corse", "academie", ("academie", "27")),
        ("Paris", None, ("academie", "01")),
        ("Paris", "departement", ("departement", "75")),
        ("Normandie", None, ("region_academique", "28")),
        ("Normandie", "academie", ("academie", "70")),
        ("84", "departement", ("departement", "84")),
        ("01", None, ("region_academique", "01")),
        ("dep 01", None, ("departement", "01")),
        ("10", None, ("academie", "10")),
        ("France", None, ("france", "FR")),
    ],
)
def test_ambiguites_resolues_par_echelle_ou_preference(texte, echelle, attendu):
    resultat = t.resoudre(texte, echelle)
    assert (resultat.echelle, resultat.code) == attendu


def test_lyon_n_est_qu_une_academie():
    with pytest.raises(TerritoireInconnu) as erreur:
        t.resoudre("Lyon", "departement")
    assert "« Lyon »" in str(erreur.value)
    assert "académie Lyon (10)" in str(erreur.value)


def test_inconnu_avec_suggestions():
    with pytest.raises(TerritoireInconnu) as erreur:
        t.resoudre("Bretange")
    message = str(erreur.value)
    assert message.startswith("territoire inconnu : « Bretange »")
    assert "Vouliez-vous dire : région académique Bretagne (53)" in message
    with pytest.raises(TerritoireInconnu) as erreur:
        t.academie("Grenobl")
    assert "académie Grenoble (08)" in str(erreur.value)
    assert "(académie)" in str(erreur.value)


def test_inconnu_sans_suggestion():
    with pytest.raises(TerritoireInconnu) as erreur:
        t.resoudre("xyzzy")
    assert "Donnez un code" in str(erreur.value)
    for mauvais in ("", "   ", "975", "academie", "Saint-Pierre-et-Miquelon"):
        with pytest.raises(TerritoireInconnu):
            t.resoudre(mauvais)
    assert t.resoudre("20").nom == "Amiens"  # académie 20; "20" is no longer a département
    with pytest.raises(TerritoireInconnu):
        t.departement("20")


def test_echelle_inconnue():
    with pytest.raises(EntreeInvalide) as erreur:
        t.resoudre("Lyon", "commune")
    assert str(erreur.value) == (
        "échelle inconnue : « commune ». Échelles possibles : france, region_academique, academie, departement"
    )
    with pytest.raises(EntreeInvalide):
        t.territoires("canton")
    assert t.resoudre("Lyon", "Académie").code == "10"
    assert t.resoudre("84", "région académique").code == "84"


def test_aucun_alias_ambigu_dans_une_echelle():
    index = t._index()
    assert index["caen"] == {"academie": "70"}
    assert set(index["guadeloupe"]) == {"region_academique", "academie", "departement"}


def test_modeles_figes():
    with pytest.raises(ValidationError, match="frozen"):
        t.academie("10").nom = "Autre"
