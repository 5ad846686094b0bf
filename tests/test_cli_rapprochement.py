"""`cmq etablissement chercher|rapprocher` and `IndexEtablissements.de_la_base` (SQLite and PostgreSQL)."""

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import delete, insert
from typer.testing import CliRunner

from cmq.cli import app
from cmq.rapprochement import IndexEtablissements, Rapprochement, rapprocher_fichier
from cmq.store import db
from cmq.store.tables import EtablissementTable
from cmq.tableau import lire_tableau
from tests.classeurs import classeur

runner = CliRunner(env={"COLUMNS": "250"})

PARTENAIRES = (
    "numero;etablissement;ville\n"
    "1;LP Branly;Amiens\n"
    "2;Lycée Robert Doisneau;\n"
    "3;IUT de Lannion;Lannion\n"
    "4;;\n"
    "5;Lycée Saint-Exupéry;31700 BLAGNAC\n"
)
CANDIDATS_BRANLY = (
    "0801336T LYCÉE PROFESSIONNEL ÉDOUARD BRANLY (Amiens) 90.0 | 0801327H LYCÉE ÉDOUARD BRANLY (Amiens) 85.0"
)


def lancer(*args: str):
    return runner.invoke(app, list(args))


def empreinte(chemin: Path) -> str:
    return hashlib.sha256(chemin.read_bytes()).hexdigest()


def contenu(dossier: Path) -> list[str]:
    return sorted(p.name for p in dossier.iterdir())


# --- chercher ------------------------------------------------------------------------------------


def test_chercher_embarque_json():
    resultat = lancer("etablissement", "chercher", "LP Branly", "--commune", "Amiens", "--embarque", "--format", "json")
    assert resultat.exit_code == 0, resultat.output
    assert json.loads(resultat.output) == [
        {
            "uai": "0801336T",
            "nom": "LYCÉE PROFESSIONNEL ÉDOUARD BRANLY",
            "type": "LP",
            "commune": "Amiens",
            "code_commune": "80021",
            "score": 90.0,
        },
        {
            "uai": "0801327H",
            "nom": "LYCÉE ÉDOUARD BRANLY",
            "type": "lycée",
            "commune": "Amiens",
            "code_commune": "80021",
            "score": 85.0,
        },
    ]


def test_chercher_embarque_table_et_csv():
    resultat = lancer("etablissement", "chercher", "0801336t", "--embarque")
    assert resultat.exit_code == 0, resultat.output
    assert resultat.output == (  # off a terminal: a header line and tab-separated rows, no title or footer
        "uai\tnom\ttype\tcommune\tcode_commune\tscore\n"
        "0801336T\tLYCÉE PROFESSIONNEL ÉDOUARD BRANLY\tLP\tAmiens\t80021\t100.0\n"
    )
    resultat = lancer("etablissement", "chercher", "Bellignat", "--embarque", "--format", "csv")
    assert resultat.output.splitlines() == [
        "uai,nom,type,commune,code_commune,score",
        "0011119L,LPO LYCÉE DES MÉTIERS ARBEZ CARME,LPO,Bellignat,01031,100.0",
        "0011411D,SEP DU LYCÉE POLYVALENT ARBEZ CARME,SEP,Bellignat,01031,100.0",
    ]


def test_chercher_aucun_resultat():
    resultat = lancer("etablissement", "chercher", "Université d'Évry", "--embarque")
    assert resultat.exit_code == 0
    assert resultat.output == "uai\tnom\ttype\tcommune\tcode_commune\tscore\n"  # no row


def test_chercher_sans_base(tmp_path, monkeypatch):
    monkeypatch.setenv("CMQ_DATA_DIR", str(tmp_path / "donnees"))
    monkeypatch.delenv("CMQ_DATABASE_URL", raising=False)
    resultat = lancer("etablissement", "chercher", "Branly")
    assert resultat.exit_code == 1
    assert "Erreur : base non initialisée : lancez `cmq init`" in resultat.output
    assert not (tmp_path / "donnees").exists()


# --- rapprocher ----------------------------------------------------------------------------------


def test_rapprocher_csv_colonne_commune(tmp_path):
    entree = tmp_path / "partenaires.csv"
    entree.write_text(PARTENAIRES, encoding="utf-8")
    avant = empreinte(entree)
    resultat = lancer(
        "etablissement", "rapprocher", str(entree), "--colonne", "Etablissement", "--colonne-commune", "ville",
        "--embarque",
    )  # fmt: skip
    assert resultat.exit_code == 0, resultat.output
    assert empreinte(entree) == avant
    assert contenu(tmp_path) == ["partenaires.csv", "partenaires_rapprochement.csv"]
    t = lire_tableau(tmp_path / "partenaires_rapprochement.csv")
    assert (t.separateur, t.encodage) == (";", "utf-8")
    assert t.colonnes == [
        "numero", "etablissement", "ville", "uai_rapproche", "statut_rapprochement", "score", "candidats",
    ]  # fmt: skip
    lignes = [(r["uai_rapproche"], r["statut_rapprochement"], r["score"]) for r in t.lignes]
    assert lignes == [
        ("0801336T", "trouve", "90.0"),
        ("", "ambigu", "100.0"),
        ("", "inconnu", ""),
        ("", "vide", ""),
        ("0312686B", "trouve", "100.0"),
    ]
    assert t.lignes[0]["candidats"] == CANDIDATS_BRANLY
    assert t.lignes[1]["candidats"].startswith("0693619J LYCÉE ROBERT DOISNEAU (Vaulx-en-Velin) 100.0 | ")
    assert "0910620E LYCÉE ROBERT DOISNEAU (Corbeil-Essonnes) 100.0" in t.lignes[1]["candidats"]
    sortie = resultat.output
    assert sortie.startswith(
        "Établissements\tLignes\tPart\ntrouvés\t2\t40.0 %\nambigus\t1\t20.0 %\ninconnus\t1\t20.0 %\nvides\t1\t20.0 %\n"
    )
    assert f"Fichier écrit : {tmp_path / 'partenaires_rapprochement.csv'}" in sortie.replace("\n", "")


def test_rapprocher_xlsx_vers_xlsx_sans_colonne_commune(tmp_path):
    entree = tmp_path / "membres.xlsx"
    classeur(entree, {"membres": [["Nom"], ["Lycée professionnel Edouard Branly (Amiens)"], ["GRETA Val Bugey Léman"]]})
    sortie = tmp_path / "resultat.xlsx"
    resultat = lancer("etablissement", "rapprocher", str(entree), "-c", "nom", "-o", str(sortie), "--embarque")
    assert resultat.exit_code == 0, resultat.output
    t = lire_tableau(sortie)
    assert t.colonnes == ["Nom", "uai_rapproche", "statut_rapprochement", "score", "candidats"]
    assert [(r["uai_rapproche"], r["statut_rapprochement"]) for r in t.lignes] == [
        ("0801336T", "trouve"),
        ("", "inconnu"),
    ]


def test_rapprocher_colonnes_deja_presentes_remplacees(tmp_path):
    entree = tmp_path / "d.csv"
    entree.write_text("nom,statut_rapprochement\nLP Branly (Amiens),ancien\n", encoding="utf-8")
    resume = rapprocher_fichier(entree, "nom", tmp_path / "o.csv")
    assert resume.statuts == {"trouve": 1, "ambigu": 0, "inconnu": 0, "vide": 0}
    t = lire_tableau(tmp_path / "o.csv")
    assert t.colonnes == ["nom", "statut_rapprochement", "uai_rapproche", "score", "candidats"]
    assert t.lignes[0]["statut_rapprochement"] == "trouve"


# --- rapprocher: bad input, nothing written --------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["-c", "nom"],
            "Erreur : partenaires.csv : colonne « nom » absente ; colonnes disponibles : numero, etablissement, ville",
        ),
        (
            ["-c", "etablissement", "--colonne-commune", "commune"],
            "Erreur : partenaires.csv : colonne « commune » absente ; colonnes disponibles : numero, etablissement, "
            "ville",
        ),
        (
            ["-c", "etablissement", "-o", "{dossier}/sortie.json"],
            "Erreur : fichier de sortie « sortie.json » : extension",
        ),
        (
            ["-c", "etablissement", "-o", "{dossier}/partenaires.csv"],
            "est le fichier d'entrée : choisissez un autre nom",
        ),
        (["-c", "etablissement", "-o", "{dossier}/./partenaires.csv"], "est le fichier d'entrée : choisissez un autre"),
        (["-c", "etablissement", "-o", "{dossier}/absent/o.csv"], "n'existe pas"),
    ],
)
def test_rapprocher_refuse_rien_ecrit(tmp_path, options, message):
    entree = tmp_path / "partenaires.csv"
    entree.write_text(PARTENAIRES, encoding="utf-8")
    avant = empreinte(entree)
    options = [o.format(dossier=tmp_path) for o in options]
    resultat = lancer("etablissement", "rapprocher", str(entree), *options, "--embarque")
    assert resultat.exit_code == 1
    assert message in resultat.output.replace("\n", ""), resultat.output
    assert "Traceback" not in resultat.output
    assert contenu(tmp_path) == ["partenaires.csv"]
    assert empreinte(entree) == avant


def test_rapprocher_sortie_lien_vers_entree(tmp_path):
    entree = tmp_path / "d.csv"
    entree.write_text(PARTENAIRES)
    (tmp_path / "lien.csv").symlink_to(entree)
    lien = str(tmp_path / "lien.csv")
    resultat = lancer("etablissement", "rapprocher", str(entree), "-c", "etablissement", "-o", lien, "--embarque")
    assert resultat.exit_code == 1
    assert "est le fichier d'entrée" in resultat.output
    assert entree.read_text() == PARTENAIRES


@pytest.mark.parametrize(
    ("nom", "octets", "message"),
    [
        ("d.csv", b"", "Erreur : d.csv : fichier vide"),
        ("d.csv", b'nom;ville\nA;"Lyon\n', "Erreur : d.csv : fichier tronqué ou mal formé ligne 2"),
        ("d.csv", "nom;ville\nA;Lyon\n".encode("utf-16-le"), "Erreur : d.csv : encodage non reconnu"),
        ("d.xlsx", b"PK pas un classeur", "Erreur : d.xlsx : classeur .xlsx illisible ou corrompu"),
    ],
)
def test_rapprocher_fichier_illisible(tmp_path, nom, octets, message):
    entree = tmp_path / nom
    entree.write_bytes(octets)
    resultat = lancer("etablissement", "rapprocher", str(entree), "-c", "nom", "--embarque")
    assert resultat.exit_code == 1
    assert message in resultat.output
    assert contenu(tmp_path) == [nom]
    assert entree.read_bytes() == octets


def test_rapprocher_fichier_absent(tmp_path):
    resultat = lancer("etablissement", "rapprocher", str(tmp_path / "absent.csv"), "-c", "nom", "--embarque")
    assert resultat.exit_code == 1
    assert "Erreur : fichier introuvable" in resultat.output
    assert contenu(tmp_path) == []


def test_rapprocher_sortie_precedente_intacte_si_erreur(tmp_path):
    entree = tmp_path / "d.csv"
    entree.write_text(PARTENAIRES)
    sortie = tmp_path / "o.csv"
    sortie.write_text("ancien résultat\n")
    resultat = lancer("etablissement", "rapprocher", str(entree), "-c", "absente", "-o", str(sortie), "--embarque")
    assert resultat.exit_code == 1
    assert sortie.read_text() == "ancien résultat\n"
    assert contenu(tmp_path) == ["d.csv", "o.csv"]


# --- the store's establishments (SQLite and PostgreSQL) ---------------------------------------------


ANNUAIRE = [
    dict(uai="0801336T", nom="Lycée professionnel Édouard Branly", type="LP", nom_commune="Amiens",
         code_commune="80021", departement="80"),
    dict(uai="0693619J", nom="Lycée Robert Doisneau", type="LGT", nom_commune="Vaulx-en-Velin",
         code_commune="69256", departement="69"),
    dict(uai="0910620E", nom="Lycée Robert Doisneau", type="LGT", nom_commune="Corbeil-Essonnes",
         code_commune="91174", departement="91"),
    dict(uai="0221234X", nom="IUT de Lannion", type="IUT", nom_commune="Lannion", code_commune="22113",
         departement="22"),
]  # fmt: skip


def test_index_de_la_base(base_vide):
    with db.session(base_vide, ecriture=True) as s:
        s.execute(insert(EtablissementTable), ANNUAIRE)
    index = IndexEtablissements.de_la_base(base_vide)
    assert len(index) == 4
    assert index.rapprocher("LP Branly (Amiens)").uai == "0801336T"
    assert index.rapprocher("Lycée Robert Doisneau").statut == "ambigu"
    assert index.rapprocher("Lycée Robert Doisneau", "Corbeil-Essonnes").uai == "0910620E"
    # an IUT in the store is found, as an IUT only
    iut = index.rapprocher("IUT de Lannion")
    assert (iut.statut, iut.uai) == ("trouve", "0221234X")
    assert index.rapprocher("Lycée de Lannion").statut == "inconnu"


def test_un_lycee_n_est_pas_un_college_ni_une_ecole(base_vide):
    autres = [
        dict(uai="0691234S", nom="Collège Jean Moulin", type="Collège", nom_commune="Lyon", code_commune="69123",
             departement="69"),
        dict(uai="0691235T", nom="École élémentaire Jean Moulin", type="École", nom_commune="Lyon",
             code_commune="69123", departement="69"),
    ]  # fmt: skip
    with db.session(base_vide, ecriture=True) as s:
        s.execute(insert(EtablissementTable), autres)
    index = IndexEtablissements.de_la_base(base_vide)
    assert index.rapprocher("Lycée Jean Moulin (Lyon)") == Rapprochement("inconnu", None, None, [])
    assert index.rapprocher("LP Jean Moulin", "Lyon").statut == "inconnu"
    assert index.rapprocher("Collège Jean Moulin (Lyon)").uai == "0691234S"


def test_index_en_cache_suit_l_annuaire(base_vide):
    with db.session(base_vide, ecriture=True) as s:
        s.execute(insert(EtablissementTable), ANNUAIRE[:1])
    premier = IndexEtablissements.de_la_base_en_cache(base_vide)
    assert IndexEtablissements.de_la_base_en_cache(base_vide) is premier
    with db.session(base_vide, ecriture=True) as s:
        s.execute(insert(EtablissementTable), ANNUAIRE[1:])
    second = IndexEtablissements.de_la_base_en_cache(base_vide)
    assert second is not premier and len(second) == 4
    with db.session(base_vide, ecriture=True) as s:
        s.execute(delete(EtablissementTable).where(EtablissementTable.uai == "0221234X"))
    assert len(IndexEtablissements.de_la_base_en_cache(base_vide)) == 3


def test_cli_chercher_et_rapprocher_dans_la_base(base_vide, tmp_path):
    with db.session(base_vide, ecriture=True) as s:
        s.execute(insert(EtablissementTable), ANNUAIRE)
    resultat = lancer("etablissement", "chercher", "Doisneau", "--format", "csv")
    assert resultat.exit_code == 0, resultat.output
    assert resultat.output.splitlines() == [
        "uai,nom,type,commune,code_commune,score",
        "0693619J,Lycée Robert Doisneau,LGT,Vaulx-en-Velin,69256,80.0",
        "0910620E,Lycée Robert Doisneau,LGT,Corbeil-Essonnes,91174,80.0",
    ]
    entree = tmp_path / "p.csv"
    entree.write_text(PARTENAIRES)
    resultat = lancer("etablissement", "rapprocher", str(entree), "-c", "etablissement", "--colonne-commune", "ville")
    assert resultat.exit_code == 0, resultat.output
    t = lire_tableau(tmp_path / "p_rapprochement.csv")
    assert [r["statut_rapprochement"] for r in t.lignes] == ["trouve", "ambigu", "trouve", "vide", "inconnu"]
    assert t.lignes[2]["uai_rapproche"] == "0221234X"  # the store has this IUT
