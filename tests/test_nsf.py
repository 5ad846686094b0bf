"""`cmq.nsf`: the NSF groups shipped in data/nsf.csv and the filières they feed."""

import csv
import re
from importlib import resources

import pytest

from cmq import filieres, nsf
from cmq.errors import EntreeInvalide, FiliereInconnue, NsfInconnu

MOBILITE = "mobilite-aeronautique-transports-terrestres-et-maritimes"


def _lignes() -> list[dict[str, str]]:
    with resources.files("cmq").joinpath("data", "nsf.csv").open(encoding="utf-8", newline="") as flux:
        return list(csv.DictReader(flux))


def test_fichier_complet_et_valide():
    lignes = _lignes()
    assert list(lignes[0]) == ["code", "libelle", "filieres", "justification"]
    codes = [ligne["code"] for ligne in lignes]
    assert len(codes) == len(set(codes)) == 93  # the 93 groups of the nomenclature (art. D. 311-4)
    assert all(len(c) == 3 and c.isdigit() for c in codes)
    assert codes == sorted(codes)
    connues = set(filieres.codes())
    for ligne in lignes:
        cibles = [f for f in ligne["filieres"].split("|") if f]
        assert set(cibles) <= connues, ligne
        assert len(cibles) == len(set(cibles)), ligne
        assert ligne["libelle"].strip() == ligne["libelle"] and ligne["libelle"], ligne
        justification = ligne["justification"]
        assert justification.endswith(".") and len(justification) > 30, ligne
    # the three "catégories" of the issue and the personal-development one: 26 + 30 + 28 + 9
    assert sum(c < "200" for c in codes) == 26
    assert sum("200" <= c < "300" for c in codes) == 30
    assert sum("300" <= c < "400" for c in codes) == 28
    assert sum(c >= "400" for c in codes) == 9


def test_exemples_de_l_issue():
    assert nsf.get("334").filieres == ("tourisme-gastronomie",)
    assert nsf.get("334").libelle == "Accueil, hôtellerie, tourisme"
    assert nsf.get("231").filieres == ("infrastructures-batiment-eco-construction",)
    assert nsf.get("231").libelle == "Mines et carrières, génie civil, topographie"
    assert nsf.get("253").filieres == (MOBILITE,)
    assert nsf.get("221").filieres == ("alimentaire-agroalimentaire", "tourisme-gastronomie")
    assert nsf.get("326").filieres == ("numerique-telecommunications",)
    assert nsf.get("100").filieres == ()  # a domain with no filière


@pytest.mark.parametrize(
    ("valeur", "code"),
    [
        ("334", "334"),
        (" 334 ", "334"),
        ("NSF 334", "334"),
        ("334 - Accueil, hôtellerie, tourisme", "334"),
        ("334 Accueil, hôtellerie, tourisme", "334"),
        ("Accueil, hôtellerie, tourisme", "334"),
        ("ACCUEIL, HOTELLERIE, TOURISME", "334"),  # the BCN's long label
        ("Accueil, hotellerie, tourisme", "334"),  # Orion's capitalised long label
        ("Transports, manutention, magasinage", "311"),  # plural of another edition
        ("Finance, banques, assurances", "313"),
        ("Enseignement formation", "333"),
        ("Journalisme, communication", "321"),
        ("Energie, génie climatique", "227"),  # without the bracketed part
        ("Énergie, génie climatique (y compris énergie nucléaire)", "227"),
    ],
)
def test_trouver(valeur, code):
    assert nsf.trouver(valeur).code == code


@pytest.mark.parametrize(
    ("valeur", "erreur", "message"),
    [
        ("999", NsfInconnu, "code NSF inconnu : « 999 »"),
        ("3345", NsfInconnu, "domaine de formation (NSF) inconnu : « 3345 »"),
        ("hotellerie", NsfInconnu, "vouliez-vous dire : 334 « Accueil, hôtellerie, tourisme » ?"),
        ("334 - Santé", NsfInconnu, "le code 334 est « Accueil, hôtellerie, tourisme »"),
        ("cuisine moléculaire quantique", NsfInconnu, "inconnu : « cuisine moléculaire quantique »"),
        ("", EntreeInvalide, "domaine de formation vide"),
    ],
)
def test_trouver_inconnu(valeur, erreur, message):
    with pytest.raises(erreur, match=re.escape(message)):
        nsf.trouver(valeur)


def test_get_malforme():
    with pytest.raises(EntreeInvalide, match="trois chiffres attendus") as info:
        nsf.get("33a")
    assert not isinstance(info.value, NsfInconnu)


def test_lire_cellule():
    assert nsf.lire("") is None
    assert nsf.lire("NC") is None
    assert nsf.lire(None) is None
    assert nsf.lire("Santé").code == "331"


def test_de_filiere():
    assert [d.code for d in nsf.de_filiere("tourisme-gastronomie")] == ["221", "334", "335"]
    assert [d.code for d in nsf.de_filiere(MOBILITE)] == ["252", "253", "254", "311"]
    with pytest.raises(FiliereInconnue):
        nsf.de_filiere("batiment")
    # every filière is fed by at least one domain
    assert all(nsf.de_filiere(code) for code in filieres.codes())
