"""`cmq importer csv|xlsx`: real files in tmp_path, every bad input refused with the store unchanged."""

import csv
import hashlib
import json
import shutil

import pytest
from typer.testing import CliRunner

from cmq.cli import app
from cmq.errors import ErreurImport, FichierIllisible
from cmq.importation.fichier import importer_fichier
from cmq.importation.pipeline import OptionsImport
from cmq.store import db
from cmq.store.lecture import campus as lire_campus
from cmq.store.lecture import partenaires as lire_partenaires
from tests.classeurs import classeur
from tests.import_outils import compter, historique, instantane

ENTETE = [
    "nom_du_campus",
    "filiere",
    "label_excellence",
    "region_academique",
    "academie",
    "uai_etablissement_support",
    "site_internet",
    "geo_point",
]
LIGNES = [
    [
        "Campus exemple 1 (fictif)",
        "Numérique, télécommunications",
        "Non",
        "Hauts-de-France",
        "Lille",
        "0592926K",
        "",
        "",
    ],
    [
        "Campus exemple 2 (fictif)",
        "Mobilité, aéronautique, transports terrestres et maritimes",
        "Oui",
        "Hauts-de-France",
        "Lille",
        "0590010R",
        "https://exemple.fr",
        "50.69, 2.88",
    ],
    [
        "Campus exemple 3 (fictif)",
        "Alimentaire, agroalimentaire",
        "Non",
        "Hauts-de-France",
        "Lille",
        "0593060F",
        "",
        "",
    ],
]


def ecrire_csv(chemin, entete=ENTETE, lignes=LIGNES, separateur=";", encodage="utf-8-sig"):
    with open(chemin, "w", encoding=encodage, newline="") as flux:
        ecrivain = csv.writer(flux, delimiter=separateur)
        ecrivain.writerow(entete)
        ecrivain.writerows(lignes)
    return chemin


def invoquer(*arguments):
    return CliRunner().invoke(app, ["importer", *map(str, arguments)])


@pytest.fixture
def base(base_vide, tmp_path):
    """A store already holding one campus import, so that "unchanged" means something."""
    importer_fichier(
        ecrire_csv(
            tmp_path / "initial.csv",
            lignes=[["Campus initial", "Numérique", "Oui", "Bretagne", "Rennes", "0352318E", "", ""]],
        )
    )
    return base_vide


def refuse(base, resultat, *messages):
    """Exit 1, each French message on stderr, no traceback."""
    assert resultat.exit_code == 1, resultat.output
    for message in messages:
        assert message in resultat.stderr
    assert "Traceback" not in resultat.output


def test_import_csv_de_la_fixture_puis_idempotent(base_vide, fixtures_dir, tmp_path):
    fichier = shutil.copy(fixtures_dir / "opendatasoft_export.csv", tmp_path / "cmq.csv")
    resultat = invoquer("csv", fichier)
    assert resultat.exit_code == 0, resultat.output
    assert "import réussi : campus" in resultat.stdout
    assert compter(base_vide, "campus") == 12 and compter(base_vide, "membres") == 12
    with db.session(base_vide) as s:
        c = lire_campus(s, "exemple-12-fictif")
    assert (c.filiere, c.excellence, c.region_academique, c.academies, c.uai_support) == (
        "mobilite-aeronautique-transports-terrestres-et-maritimes",
        True,
        "84",
        ["10"],
        "0692165D",
    )
    avant = instantane(base_vide)
    encore = importer_fichier(fichier)
    assert (encore.inserees, encore.mises_a_jour, encore.inchangees) == (0, 0, 24)
    assert instantane(base_vide) == avant
    premier, second = historique(base_vide)
    assert premier.somme_controle == second.somme_controle == encore.somme_controle
    assert premier.somme_controle == hashlib.sha256(fichier.read_bytes()).hexdigest()
    assert premier.source == str(fichier.resolve())


def test_colonnes_supplementaires_ignorees(base, tmp_path):
    entete = [*ENTETE, "Couleur", "Commentaire interne"]
    fichier = ecrire_csv(tmp_path / "plus.csv", entete, [[*ligne, "bleu", "x"] for ligne in LIGNES])
    resultat = invoquer("csv", fichier)
    assert resultat.exit_code == 0, resultat.output
    assert "Couleur" in resultat.stdout and "colonnes ignorées" in resultat.stdout
    assert compter(base, "campus") == 4


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (
            "\n".join([";".join(ENTETE), ";".join(LIGNES[0])]).encode("utf-16"),
            "encodage non reconnu (attendu : UTF-8 ou Windows-1252)",
        ),
        (bytes(range(256)) * 20, "encodage non reconnu"),
        (b"", "fichier vide"),
        (b"\xef\xbb\xbf\r\n\r\n", "fichier vide"),
    ],
)
def test_fichier_illisible(base, tmp_path, contenu, message):
    fichier = tmp_path / "mauvais.csv"
    fichier.write_bytes(contenu)
    avant = instantane(base)
    refuse(base, invoquer("csv", fichier), message)
    assert instantane(base) == avant


def test_fichier_tronque(base, tmp_path):
    fichier = ecrire_csv(tmp_path / "tronque.csv")
    contenu = fichier.read_bytes()
    fichier.write_bytes(contenu[: contenu.index(b"Mobilit")] + b'"Mobilit')  # cut inside a quoted cell
    avant = instantane(base)
    refuse(base, invoquer("csv", fichier), "tronque.csv : fichier tronqué ou mal formé ligne 3")
    assert instantane(base) == avant


def test_mauvais_separateur(base, tmp_path):
    lignes = [[cellule.replace(",", "") for cellule in ligne] for ligne in LIGNES]  # no comma anywhere
    fichier = ecrire_csv(tmp_path / "pipe.csv", lignes=lignes, separateur="|")
    avant = instantane(base)
    refuse(base, invoquer("csv", fichier), "précisez --type", "vérifiez le séparateur du fichier")
    refuse(
        base,
        invoquer("csv", fichier, "--type", "campus"),
        "colonne obligatoire absente pour un import « campus »",
        "Vérifiez le séparateur",
    )
    assert instantane(base) == avant


def test_colonne_obligatoire_manquante(base, tmp_path):
    fichier = ecrire_csv(tmp_path / "sans_filiere.csv", ["Nom du campus", "UAI"], [["Campus X", "0592926K"]])
    avant = instantane(base)
    refuse(
        base,
        invoquer("csv", fichier, "--type", "campus"),
        "colonne obligatoire absente pour un import « campus » : filière",
        "Colonnes trouvées : Nom du campus, UAI",
    )
    assert instantane(base) == avant
    assert historique(base)[-1].statut == "echec"


def test_uai_invalide_puis_mode_partiel(base, tmp_path):
    lignes = [list(LIGNES[0]), list(LIGNES[1]), list(LIGNES[2])]
    lignes[1][5] = "0590010A"
    fichier = ecrire_csv(tmp_path / "campus.csv", lignes=lignes)
    avant = instantane(base)
    refuse(
        base,
        invoquer("csv", fichier),
        "import refusé : 1 ligne rejetée sur 3, rien n'a été écrit",
        "ligne 3 : uai_support : UAI invalide « 0590010A » : lettre de contrôle « A », « R » attendue",
        "utilisez --partiel pour importer les lignes valides",
    )
    assert instantane(base) == avant
    assert not (tmp_path / "campus_rejets.csv").exists()
    resultat = invoquer("csv", fichier, "--partiel")
    assert resultat.exit_code == 0, resultat.output
    assert "import partiel" in resultat.stdout
    assert compter(base, "campus") == 3
    with open(tmp_path / "campus_rejets.csv", encoding="utf-8-sig") as flux:
        [rejet] = list(csv.DictReader(flux, delimiter=";"))
    assert (rejet["ligne"], rejet["nom_du_campus"], rejet["uai_etablissement_support"]) == (
        "3",
        "Campus exemple 2 (fictif)",
        "0590010A",
    )
    assert [h.statut for h in historique(base)[-2:]] == ["echec", "partiel"]


def test_rapport_explicite(base, tmp_path):
    lignes = [list(LIGNES[0]), [*LIGNES[1][:1], "Zorglub", *LIGNES[1][2:]]]
    fichier = ecrire_csv(tmp_path / "campus.csv", lignes=lignes)
    rapport = tmp_path / "sortie" / "rejets.csv"
    rapport.parent.mkdir()
    resultat = invoquer("csv", fichier, "--partiel", "--rapport", rapport)
    assert resultat.exit_code == 0, resultat.output
    assert str(rapport) in resultat.stdout.replace("\n", "")
    with open(rapport, encoding="utf-8-sig") as flux:
        assert "filière inconnue « Zorglub »" in flux.read()


@pytest.mark.parametrize(
    ("modifier", "message"),
    [
        (lambda lignes: lignes[1].__setitem__(1, "Zorglub"), "ligne 3 : filière inconnue « Zorglub »"),
        (
            lambda lignes: lignes[2].__setitem__(0, "CAMPUS EXEMPLE 1 (fictif)"),
            "ligne 2 : campus en double « exemple-1-fictif » (lignes 2 et 4)",
        ),
        (lambda lignes: lignes[0].__setitem__(2, "Peut-être"), "ligne 2 : valeur « Peut-être » non reconnue"),
    ],
)
def test_lignes_invalides(base, tmp_path, modifier, message):
    lignes = [list(ligne) for ligne in LIGNES]
    modifier(lignes)
    fichier = ecrire_csv(tmp_path / "campus.csv", lignes=lignes)
    avant = instantane(base)
    refuse(base, invoquer("csv", fichier), message)
    assert instantane(base) == avant


def test_dates_dans_le_mauvais_ordre(base, tmp_path):
    fichier = ecrire_csv(
        tmp_path / "dates.csv",
        ["Nom", "Filière", "Date de début", "Date de fin"],
        [["Campus D", "Numérique", "01/09/2021", "2020-08-31"]],
    )
    avant = instantane(base)
    refuse(
        base,
        invoquer("csv", fichier),
        "ligne 2 : dates du label dans le mauvais ordre : fin 2020-08-31 avant début 2021-09-01",
    )
    assert instantane(base) == avant


def test_siret_invalide(base, tmp_path):
    fichier = ecrire_csv(
        tmp_path / "partenaires.csv",
        ["Campus", "Nom du partenaire", "Nature", "SIRET"],
        [
            ["Campus initial", "Orange", "Entreprise", "38012986600006"],
            ["Campus initial", "Acme", "Entreprise", "12345678901234"],
        ],
    )
    avant = instantane(base)
    refuse(
        base,
        invoquer("csv", fichier),
        "ligne 3 : siret : SIRET invalide « 12345678901234 » : clé de contrôle (Luhn) incorrecte",
    )
    assert instantane(base) == avant
    assert invoquer("csv", fichier, "--partiel").exit_code == 0
    with db.session(base) as s:
        assert [(p.nom, p.siret) for p in lire_partenaires(s, "initial")] == [("Orange", "38012986600006")]


def test_correspondance_explicite(base, tmp_path):
    fichier = ecrire_csv(
        tmp_path / "maison.csv", ["Libellé long", "Thème", "Établissement"], [["Campus Maison", "BTP", "0592926K"]]
    )
    correspondance = tmp_path / "corr.json"
    correspondance.write_text(
        json.dumps({"Libellé long": "nom", "Thème": "filiere", "Établissement": "uai_support"}), encoding="utf-8"
    )
    resultat = invoquer("csv", fichier, "--correspondance", correspondance, "--type", "campus")
    assert resultat.exit_code == 0, resultat.output
    with db.session(base) as s:
        c = lire_campus(s, "maison")
    assert (c.filiere, c.uai_support) == ("infrastructures-batiment-eco-construction", "0592926K")


def test_type_inconnu(base, tmp_path):
    fichier = ecrire_csv(tmp_path / "campus.csv")
    refuse(base, invoquer("csv", fichier, "--type", "lycees"), "type d'import inconnu : « lycees »")


def test_xlsx_plusieurs_feuilles_demande_feuille(base, tmp_path):
    fichier = classeur(
        tmp_path / "cmq.xlsx",
        {
            "Lisez-moi": [["Liste des campus 2025"]],
            "Campus": [ENTETE, *LIGNES],
        },
    )
    avant = instantane(base)
    refuse(base, invoquer("xlsx", fichier), "contient 2 feuilles (Lisez-moi, Campus)", "--feuille")
    assert instantane(base) == avant
    resultat = invoquer("xlsx", fichier, "--feuille", "Campus")
    assert resultat.exit_code == 0, resultat.output
    assert compter(base, "campus") == 4
    assert historique(base)[-1].type_import == "campus"
    assert historique(base)[-1].somme_controle == hashlib.sha256(fichier.read_bytes()).hexdigest()


def test_xlsx_dates_et_annees_numeriques(base, tmp_path):
    from datetime import datetime

    fichier = classeur(
        tmp_path / "dates.xlsx",
        {
            "Feuil1": [
                ["Nom du campus", "Filière", "Année de labellisation", "Date de fin", "Label"],
                ["Campus Tableur", "Numérique", 2019, datetime(2024, 12, 31), True],
            ]
        },
    )
    assert invoquer("xlsx", fichier).exit_code == 0
    with db.session(base) as s:
        c = lire_campus(s, "tableur")
    assert (str(c.date_debut_label), str(c.date_fin_label), c.excellence) == ("2019-01-01", "2024-12-31", True)


def test_xlsx_corrompu(base, tmp_path):
    fichier = tmp_path / "casse.xlsx"
    classeur(fichier, {"Campus": [ENTETE, *LIGNES]})
    fichier.write_bytes(fichier.read_bytes()[:500])
    avant = instantane(base)
    refuse(base, invoquer("xlsx", fichier), "casse.xlsx : classeur .xlsx illisible ou corrompu")
    assert instantane(base) == avant


def test_bibliotheque_leve_cmqerror(base, tmp_path):
    fichier = tmp_path / "vide.csv"
    fichier.write_text("", encoding="utf-8")
    with pytest.raises(FichierIllisible, match="fichier vide"):
        importer_fichier(fichier)
    lignes = [list(ligne) for ligne in LIGNES]
    lignes[0][4] = "Gotham"
    with pytest.raises(ErreurImport, match="ligne 2 : territoire inconnu \\(académie\\) : « Gotham »"):
        importer_fichier(ecrire_csv(tmp_path / "c.csv", lignes=lignes))


def test_options_import_en_un_objet(base, tmp_path):
    """One OptionsImport object (or its fields by name) carries the options down to the pipeline."""
    lignes = [list(LIGNES[0]), [*LIGNES[1][:1], "Zorglub", *LIGNES[1][2:]]]
    fichier = ecrire_csv(tmp_path / "campus.csv", lignes=lignes)
    rejets = tmp_path / "rejets.csv"
    options = OptionsImport.de(type_import="campus", partiel=True, rapport_rejets=str(rejets))
    assert options == OptionsImport(type_import="campus", partiel=True, rapport_rejets=rejets)
    rapport = importer_fichier(fichier, options)
    assert (rapport.statut, rapport.rejetees, rapport.chemin_rapport) == ("partiel", 1, rejets)
    with pytest.raises(TypeError, match="partial"):
        importer_fichier(fichier, partial=True)
    avant = instantane(base)
    with pytest.raises(ErreurImport, match="import refusé : 1 ligne rejetée sur 2, rien n'a été écrit"):
        importer_fichier(fichier, options, partiel=False)  # a named field overrides the object
    assert instantane(base) == avant


def test_rapport_des_rejets_jamais_sur_le_fichier_importe(base, tmp_path):
    lignes = [list(LIGNES[0]), [*LIGNES[1][:1], "Zorglub", *LIGNES[1][2:]]]
    fichier = ecrire_csv(tmp_path / "campus.csv", lignes=lignes)
    octets, avant = fichier.read_bytes(), instantane(base)
    refuse(
        base,
        invoquer("csv", fichier, "--partiel", "--rapport", fichier),
        f"le fichier de sortie « {fichier} » est le fichier d'entrée : choisissez un autre nom",
    )
    assert fichier.read_bytes() == octets and instantane(base) == avant
    assert not list(tmp_path.glob("*rejets*"))
