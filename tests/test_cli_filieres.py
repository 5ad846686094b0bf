"""`cmq filieres`, `cmq filieres show|search|normalize`."""

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cmq.cli import app
from cmq.tableau import lire_tableau
from tests.classeurs import classeur

runner = CliRunner(env={"COLUMNS": "250"})

DEMANDES = (
    "numero;uai;nomCmq;filiereCmq\n"
    "1;0312696M;Campus BTP;btp\n"
    "2;0312696M;Aérocampus;aero\n"
    "3;0690001A;CMQ;\n"
    "4;0690001A;x;services\n"
    "5;0690001A;y;xyzzy\n"
    "6;0690001A;z;Numérique, télécommunications\n"
)


def empreinte(chemin: Path) -> str:
    return hashlib.sha256(chemin.read_bytes()).hexdigest()


def lancer(*args: str):
    return runner.invoke(app, list(args))


def contenu(dossier: Path) -> list[str]:
    return sorted(p.name for p in dossier.iterdir())


# --- list, show, search --------------------------------------------------------------------------


def test_liste_sans_sous_commande():
    resultat = lancer("filieres")
    assert resultat.exit_code == 0, resultat.output
    lignes = resultat.stdout.splitlines()  # off a terminal: tab-separated, header then 12 rows
    assert len(lignes) == 13
    assert lignes[0] == "Code\tLibellé\tLibellé court"
    assert lignes[1] == (
        "mobilite-aeronautique-transports-terrestres-et-maritimes\t"
        "Mobilité, aéronautique, transports terrestres et maritimes\tMobilité"
    )
    assert "services-a-la-personne-bien-etre\tServices à la personne, bien-être\tServices à la personne" in lignes
    assert lignes[-1] == "numerique-telecommunications\tNumérique, télécommunications\tNumérique"


def test_show():
    resultat = lancer("filieres", "show", "numerique-telecommunications")
    assert resultat.exit_code == 0, resultat.output
    assert "https://www.education.gouv.fr/numerique-telecommunications-les-campus" in resultat.output
    assert "cybersécurité" in resultat.output


def test_show_code_inconnu_suggestion():
    resultat = lancer("filieres", "show", "btp")
    assert resultat.exit_code == 1
    assert (
        "Erreur : filière inconnue : « btp » ; vouliez-vous dire « infrastructures-batiment-eco-construction » ?"
        in resultat.output
    )
    resultat = lancer("filieres", "show", "zzz")
    assert resultat.exit_code == 1
    assert "Erreur : filière inconnue : « zzz ». Codes valides : mobilite-" in resultat.output
    assert "Traceback" not in resultat.output


def test_search_classement():
    resultat = lancer("filieres", "search", "construction navale", "--limit", "3")
    assert resultat.exit_code == 0, resultat.output
    assert resultat.stdout.splitlines() == [
        "Rang\tCode\tFilière\tScore\tMotif\tTerme",
        "1\tmobilite-aeronautique-transports-terrestres-et-maritimes\tMobilité\t100.0\tmot-clé\tconstruction navale",
        "2\tinfrastructures-batiment-eco-construction\tBâtiment\t62.5\tlibellé\téco-construction",
        "Filière retenue : Mobilité, aéronautique, transports terrestres et maritimes "
        "(mobilite-aeronautique-transports-terrestres-et-maritimes)",
    ]


def test_search_ambigu():
    resultat = lancer("filieres", "search", "services")
    assert resultat.exit_code == 0
    assert "services-a-la-personne-bien-etre" in resultat.output
    assert "services-aux-entreprises-logistique" in resultat.output
    assert "Ambigu : aucune filière ne se détache" in resultat.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("xyzzy",), "Erreur : aucune filière ne correspond à « xyzzy »"),
        (("btp", "--format", "csv"), "Erreur : format csv non disponible"),
        (("btp", "--limit", "0"), "Erreur : limite invalide : 0"),
    ],
)
def test_search_erreurs(args, message):
    resultat = lancer("filieres", "search", *args)
    assert resultat.exit_code == 1
    assert message in resultat.output


# --- normalize -----------------------------------------------------------------------------------


def test_normalize_point_virgule(tmp_path):
    entree = tmp_path / "demandes.csv"
    entree.write_text(DEMANDES, encoding="utf-8")
    avant = empreinte(entree)
    resultat = lancer("filieres", "normalize", str(entree), "--colonne", "filière cmq")
    assert resultat.exit_code == 0, resultat.output
    assert empreinte(entree) == avant
    sortie = tmp_path / "demandes_filieres.csv"
    assert contenu(tmp_path) == ["demandes.csv", "demandes_filieres.csv"]
    t = lire_tableau(sortie)
    assert (t.separateur, t.encodage) == (";", "utf-8")
    assert t.colonnes == ["numero", "uai", "nomCmq", "filiereCmq", "filiere_code", "filiere_score", "filiere_statut"]
    assert [(r["filiere_code"], r["filiere_score"], r["filiere_statut"]) for r in t.lignes] == [
        ("infrastructures-batiment-eco-construction", "100.0", "normalise"),
        ("mobilite-aeronautique-transports-terrestres-et-maritimes", "100.0", "normalise"),
        ("", "", "vide"),
        ("", "62.5", "ambigu"),
        ("", "0.0", "inconnu"),
        ("numerique-telecommunications", "100.0", "normalise"),
    ]
    assert [r["uai"] for r in t.lignes] == ["0312696M", "0312696M", "0690001A", "0690001A", "0690001A", "0690001A"]
    assert resultat.stdout.splitlines() == [  # off a terminal: no title, tab-separated
        "Filières\tLignes\tPart",
        "normalisées\t3\t50.0 %",
        "ambiguës\t1\t16.7 %",
        "inconnues\t1\t16.7 %",
        "vides\t1\t16.7 %",
        f"Fichier écrit : {sortie}",
    ]


def test_normalize_virgule_bom_sortie_explicite(tmp_path):
    entree = tmp_path / "d.csv"
    entree.write_bytes('\ufeffnom,filiere\nA,"Tourisme, gastronomie"\nB,batimant\n'.encode())
    sortie = tmp_path / "resultat.csv"
    resultat = lancer("filieres", "normalize", str(entree), "-c", "FILIERE", "-o", str(sortie))
    assert resultat.exit_code == 0, resultat.output
    assert sortie.read_bytes().startswith(b"\xef\xbb\xbfnom,filiere,filiere_code")
    t = lire_tableau(sortie)
    assert [r["filiere_code"] for r in t.lignes] == [
        "tourisme-gastronomie",
        "infrastructures-batiment-eco-construction",
    ]
    assert t.lignes[1]["filiere_score"] == "87.5"


def test_normalize_windows_1252_ecrit_utf8(tmp_path):
    entree = tmp_path / "d.csv"
    entree.write_bytes("nom;filière\nCampus;Matériaux\nAutre;Santé\n".encode("cp1252"))
    avant = empreinte(entree)
    resultat = lancer("filieres", "normalize", str(entree), "-c", "filiere")
    assert resultat.exit_code == 0, resultat.output
    assert empreinte(entree) == avant
    sortie = tmp_path / "d_filieres.csv"
    assert sortie.read_bytes().decode("utf-8-sig").startswith("nom;filière;filiere_code")
    t = lire_tableau(sortie)
    assert t.encodage == "utf-8-sig"  # BOM so that Excel shows the accents
    assert [r["filiere_code"] for r in t.lignes] == [
        "materiaux-materiaux-innovants",
        "services-a-la-personne-bien-etre",
    ]


def test_normalize_xlsx_feuille(tmp_path):
    entree = classeur(
        tmp_path / "d.xlsx", {"Notes": [], "Demandes": [["numero", "filiereCmq"], [1, "IAA"], [2, "cyber"]]}
    )
    avant = empreinte(entree)
    resultat = lancer("filieres", "normalize", str(entree), "-c", "filiereCmq")
    assert resultat.exit_code == 1
    assert (
        "Erreur : d.xlsx contient 2 feuilles (Notes, Demandes) : précisez laquelle lire avec --feuille"
        in resultat.output
    )
    assert contenu(tmp_path) == ["d.xlsx"]
    resultat = lancer("filieres", "normalize", str(entree), "-c", "filiereCmq", "--feuille", "Demandes")
    assert resultat.exit_code == 0, resultat.output
    assert empreinte(entree) == avant
    t = lire_tableau(tmp_path / "d_filieres.xlsx")
    assert [(r["numero"], r["filiere_code"]) for r in t.lignes] == [
        ("1", "alimentaire-agroalimentaire"),
        ("2", "numerique-telecommunications"),
    ]


def test_normalize_colonnes_deja_presentes_remplacees(tmp_path):
    entree = tmp_path / "d.csv"
    entree.write_text("filiere,filiere_code,filiere_score,filiere_statut\nIAA,vieux,1,x\n")
    resultat = lancer("filieres", "normalize", str(entree), "-c", "filiere")
    assert resultat.exit_code == 0, resultat.output
    t = lire_tableau(tmp_path / "d_filieres.csv")
    assert t.colonnes == ["filiere", "filiere_code", "filiere_score", "filiere_statut"]
    assert t.lignes == [
        {
            "filiere": "IAA",
            "filiere_code": "alimentaire-agroalimentaire",
            "filiere_score": "100.0",
            "filiere_statut": "normalise",
        }
    ]


# --- normalize: errors, nothing written ---------------------------------------------------------------


def test_normalize_colonne_absente(tmp_path):
    entree = tmp_path / "demandes.csv"
    entree.write_text(DEMANDES)
    avant = empreinte(entree)
    resultat = lancer("filieres", "normalize", str(entree), "--colonne", "filiere")
    assert resultat.exit_code == 1
    assert (
        "Erreur : demandes.csv : colonne « filiere » absente ; colonnes disponibles : numero, uai, nomCmq, filiereCmq"
    ) in resultat.output
    assert contenu(tmp_path) == ["demandes.csv"]
    assert empreinte(entree) == avant


def test_normalize_fichier_non_utf8(tmp_path):
    entree = tmp_path / "d.csv"
    entree.write_bytes("nom;filiere\nA;BTP\n".encode("utf-16-le"))
    resultat = lancer("filieres", "normalize", str(entree), "-c", "filiere")
    assert resultat.exit_code == 1
    assert "Erreur : d.csv : encodage non reconnu (attendu : UTF-8 ou Windows-1252)" in resultat.output
    assert contenu(tmp_path) == ["d.csv"]


def test_normalize_sortie_egale_entree(tmp_path):
    entree = tmp_path / "d.csv"
    entree.write_text(DEMANDES)
    avant = empreinte(entree)
    for sortie in (str(entree), str(tmp_path / "." / "d.csv")):
        resultat = lancer("filieres", "normalize", str(entree), "-c", "filiereCmq", "-o", sortie)
        assert resultat.exit_code == 1
        assert "est le fichier d'entrée : choisissez un autre nom (l'entrée n'est jamais modifiée)" in resultat.output
    assert empreinte(entree) == avant
    assert contenu(tmp_path) == ["d.csv"]


def test_normalize_sortie_lien_vers_entree(tmp_path):
    entree = tmp_path / "d.csv"
    entree.write_text(DEMANDES)
    (tmp_path / "lien.csv").symlink_to(entree)
    resultat = lancer("filieres", "normalize", str(entree), "-c", "filiereCmq", "-o", str(tmp_path / "lien.csv"))
    assert resultat.exit_code == 1
    assert entree.read_text() == DEMANDES


@pytest.mark.parametrize(
    ("nom", "octets", "message"),
    [
        ("d.csv", b"", "Erreur : d.csv : fichier vide"),
        ("d.csv", b'nom;filiere\nA;"BTP\n', "Erreur : d.csv : fichier tronqué ou mal formé ligne 2"),
        ("d.csv", b"nom;filiere\nA;BTP;en trop\n", "Erreur : d.csv : ligne 2 : 3 cellules pour 2 colonnes"),
        ("d.xls", b"\xd0\xcf\x11\xe0", "Erreur : d.xls : format .xls non pris en charge"),
        ("d.xlsx", b"PK pas un classeur", "Erreur : d.xlsx : classeur .xlsx illisible ou corrompu"),
    ],
)
def test_normalize_fichier_illisible(tmp_path, nom, octets, message):
    entree = tmp_path / nom
    entree.write_bytes(octets)
    resultat = lancer("filieres", "normalize", str(entree), "-c", "filiere")
    assert resultat.exit_code == 1
    assert message in resultat.output
    assert "Traceback" not in resultat.output
    assert contenu(tmp_path) == [nom]
    assert entree.read_bytes() == octets


def test_normalize_fichier_absent_et_dossier_de_sortie_absent(tmp_path):
    resultat = lancer("filieres", "normalize", str(tmp_path / "absent.csv"), "-c", "filiere")
    assert resultat.exit_code == 1
    assert "Erreur : fichier introuvable" in resultat.output
    entree = tmp_path / "d.csv"
    entree.write_text(DEMANDES)
    resultat = lancer("filieres", "normalize", str(entree), "-c", "filiereCmq", "-o", str(tmp_path / "x" / "o.csv"))
    assert resultat.exit_code == 1
    assert "Erreur : impossible d'écrire" in resultat.output and "n'existe pas" in resultat.output
    assert contenu(tmp_path) == ["d.csv"]


# --- nsf -----------------------------------------------------------------------------------------


def test_nsf_par_code_et_par_libelle():
    resultat = lancer("filieres", "nsf", "334")
    assert resultat.exit_code == 0, resultat.output
    lignes = resultat.stdout.splitlines()
    assert lignes[0] == "NSF\tDomaine\tFilières\tJustification"
    assert lignes[1].startswith("334\tAccueil, hôtellerie, tourisme\ttourisme-gastronomie\tAccueil, hôtellerie")
    # Orion's export carries the label only, in the BCN's spelling
    assert lancer("filieres", "nsf", "Agro-alimentaire, alimentation, cuisine").stdout.splitlines()[1].split("\t")[
        2
    ] == ("alimentaire-agroalimentaire | tourisme-gastronomie")


def test_nsf_json_csv_et_liste():
    import csv
    import io
    import json

    objet = json.loads(lancer("filieres", "nsf", "253", "--format", "json").stdout)
    assert objet["filieres"] == [
        {
            "code": "mobilite-aeronautique-transports-terrestres-et-maritimes",
            "libelle": "Mobilité, aéronautique, transports terrestres et maritimes",
        }
    ]
    tous = json.loads(lancer("filieres", "nsf", "--format", "json").stdout)
    assert len(tous) == 93 and tous[0]["code"] == "100" and tous[0]["filieres"] == []
    lignes = list(csv.reader(io.StringIO(lancer("filieres", "nsf", "100", "--format", "csv").stdout)))
    assert lignes[1][:3] == ["100", "Formations générales", "aucune"]  # a domain with no filière


@pytest.mark.parametrize(
    ("valeur", "message"),
    [
        ("999", "code NSF inconnu : « 999 »"),
        ("hotellerie", "vouliez-vous dire : 334 « Accueil, hôtellerie, tourisme » ?"),
        ("334 - Santé", "le code 334 est « Accueil, hôtellerie, tourisme »"),
    ],
)
def test_nsf_inconnu(valeur, message):
    resultat = lancer("filieres", "nsf", valeur)
    assert resultat.exit_code == 1
    assert message in " ".join(resultat.output.split())
    assert resultat.stdout == ""
