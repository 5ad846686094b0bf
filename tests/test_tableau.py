"""cmq.tableau (CSV/XLSX reading and writing) and cmq.fichiers (atomic writes)."""

import os
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from cmq.ecrivain import ecrire_tableau
from cmq.errors import ColonneManquante, EntreeInvalide, ErreurEcriture, FichierIllisible
from cmq.fichiers import ecriture_atomique
from cmq.tableau import colonne, lire_tableau
from tests.classeurs import classeur

ENTETE = "numero;nomCmq;filiereCmq\n"


def ecrire(chemin: Path, contenu: bytes | str) -> Path:
    if isinstance(contenu, str):
        contenu = contenu.encode("utf-8")
    chemin.write_bytes(contenu)
    return chemin


def fichiers_du_dossier(dossier: Path) -> list[str]:
    return sorted(p.name for p in dossier.iterdir())


# --- CSV: encodings and delimiters -----------------------------------------------------------------


def test_csv_utf8_point_virgule(tmp_path):
    t = lire_tableau(ecrire(tmp_path / "d.csv", ENTETE + "1;Campus Numérique;Numérique, télécommunications\n"))
    assert t.colonnes == ["numero", "nomCmq", "filiereCmq"]
    assert t.lignes == [{"numero": "1", "nomCmq": "Campus Numérique", "filiereCmq": "Numérique, télécommunications"}]
    assert (t.numeros, t.encodage, t.separateur, t.feuille) == ([2], "utf-8", ";", None)


def test_csv_utf8_bom_virgule(tmp_path):
    brut = '\ufeffnom,filière\r\nAérocampus,"Mobilité, aéronautique"\r\n'.encode()
    t = lire_tableau(ecrire(tmp_path / "d.csv", brut))
    assert t.colonnes == ["nom", "filière"]  # BOM removed from the first header
    assert t.lignes == [{"nom": "Aérocampus", "filière": "Mobilité, aéronautique"}]
    assert (t.encodage, t.separateur) == ("utf-8-sig", ",")


def test_csv_windows_1252(tmp_path):
    brut = "nom;filière\nCampus Matériaux;Matériaux innovants\n".encode("cp1252")
    assert b"\xe9" in brut
    t = lire_tableau(ecrire(tmp_path / "d.csv", brut))
    assert t.encodage == "cp1252"
    assert t.lignes == [{"nom": "Campus Matériaux", "filière": "Matériaux innovants"}]


def test_windows_1252_loin_du_debut(tmp_path):
    """Only the start is checked before parsing: a cp1252 byte after 300 kB still means cp1252."""
    lignes = "".join(f"{i};Campus {i}\n" for i in range(30_000))
    brut = ("nom;campus\n" + lignes + "fin;Matériaux\n").encode("cp1252")
    assert len(brut) > 4 * 64 * 1024 and brut.count(b"\xe9") == 1
    t = lire_tableau(ecrire(tmp_path / "d.csv", brut))
    assert (t.encodage, t.separateur, t.cadre.height) == ("cp1252", ";", 30_001)
    assert t.lignes[-1] == {"nom": "fin", "campus": "Matériaux"}
    assert t.numeros[-1] == 30_002


def test_bom_utf8_puis_octet_invalide_loin_du_debut(tmp_path):
    brut = b"\xef\xbb\xbfnom;campus\n" + b"a;b\n" * 80_000 + b"c;\xe9\n"
    with pytest.raises(FichierIllisible, match=r"d.csv : encodage non reconnu \(attendu : UTF-8 ou Windows-1252\)"):
        lire_tableau(ecrire(tmp_path / "d.csv", brut))


@pytest.mark.parametrize("encodage", ["utf-8", "cp1252"])
def test_entete_plus_long_que_l_echantillon(tmp_path, encodage):
    colonnes = [f"colonne_é_{i}" for i in range(30_000)]  # a first line of over 256 kB
    brut = (";".join(colonnes) + "\n" + ";".join("x" * len(colonnes)) + "\n").encode(encodage)
    t = lire_tableau(ecrire(tmp_path / "d.csv", brut))
    assert (t.encodage, t.separateur, t.colonnes[-1], t.cadre.height) == (encodage, ";", "colonne_é_29999", 1)


def test_tsv_tabulation(tmp_path):
    t = lire_tableau(ecrire(tmp_path / "d.tsv", "a\tb\n1\t2,5\n"))
    assert (t.separateur, t.lignes) == ("\t", [{"a": "1", "b": "2,5"}])


def test_txt_point_virgule_avec_virgules_dans_les_valeurs(tmp_path):
    contenu = ENTETE + "1;a;Mobilité, aéronautique, transports\n2;b;Tourisme, gastronomie\n"
    t = lire_tableau(ecrire(tmp_path / "d.txt", contenu))
    assert t.separateur == ";"
    assert [r["filiereCmq"] for r in t.lignes] == ["Mobilité, aéronautique, transports", "Tourisme, gastronomie"]


def test_une_seule_colonne(tmp_path):
    t = lire_tableau(ecrire(tmp_path / "d.csv", "filiere\nBTP\nIAA\n"))
    assert (t.colonnes, [r["filiere"] for r in t.lignes], t.separateur) == (["filiere"], ["BTP", "IAA"], ",")


def test_numeros_de_ligne_lignes_vides_et_champ_multiligne(tmp_path):
    contenu = ENTETE + '1;a;x\n\n2;"deux\nlignes";y\n3;c;z\n'
    t = lire_tableau(ecrire(tmp_path / "d.csv", contenu))
    assert t.numeros == [2, 4, 6]
    assert t.lignes[1]["nomCmq"] == "deux\nlignes"


def test_entete_seul_zero_ligne(tmp_path):
    t = lire_tableau(ecrire(tmp_path / "d.csv", ENTETE))
    assert (t.colonnes, t.lignes, t.numeros) == (["numero", "nomCmq", "filiereCmq"], [], [])


def test_lignes_courtes_completees_et_cellules_finales_vides_tolerees(tmp_path):
    t = lire_tableau(ecrire(tmp_path / "d.csv", " numero ; nomCmq ;filiereCmq;\n1;a\n2;b;c;;\n"))
    assert t.colonnes == ["numero", "nomCmq", "filiereCmq"]
    assert t.lignes == [
        {"numero": "1", "nomCmq": "a", "filiereCmq": ""},
        {"numero": "2", "nomCmq": "b", "filiereCmq": "c"},
    ]


# --- CSV: errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"", "d.csv : fichier vide"),
        (b"\n \r\n", "d.csv : fichier vide"),
        (b"\xef\xbb\xbf", "d.csv : fichier vide"),
        (b";;\n;;\n", "d.csv : fichier vide"),
        ("nom;filiere\n".encode("utf-16-le"), "d.csv : encodage non reconnu (attendu : UTF-8 ou Windows-1252)"),
        ("nom;filiere\n".encode("utf-16"), "encodage non reconnu"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "encodage non reconnu"),
        (b"a;b\n\x81\x8d;x\n", "encodage non reconnu"),
        (b"a;b\n1;\x02\x03\n", "encodage non reconnu"),
        (b'a;b\n1;2\n3;"ouvert\n', "d.csv : fichier tronqué ou mal formé ligne 3"),
        (b'a;b\n1;2\n"x"y;3\n', "fichier tronqué ou mal formé ligne 3"),
        (b"nom;Nom ;b\n1;2;3\n", "d.csv : colonne en double « nom » / « Nom » (ligne 1)"),
        (b"nom;;b\n1;2;3\n", "d.csv : la colonne n° 2 n'a pas d'en-tête (ligne 1)"),
        (b"a;b\n1;2\n3;4;5\n", "d.csv : ligne 3 : 3 cellules pour 2 colonnes"),
    ],
)
def test_csv_illisible(tmp_path, contenu, message):
    chemin = ecrire(tmp_path / "d.csv", contenu)
    with pytest.raises(FichierIllisible, match=message.replace("(", r"\(").replace(")", r"\)")):
        lire_tableau(chemin)


def test_fichier_absent_et_dossier(tmp_path):
    with pytest.raises(FichierIllisible, match="fichier introuvable : « .*absent.csv »"):
        lire_tableau(tmp_path / "absent.csv")
    with pytest.raises(FichierIllisible, match="est un dossier, pas un fichier"):
        lire_tableau(tmp_path)


@pytest.mark.parametrize(
    ("nom", "message"),
    [
        ("d.xls", r"d.xls : format .xls non pris en charge ; enregistrez le classeur au format .xlsx"),
        ("d.ods", r"format .ods non pris en charge"),
        ("d.json", r"d.json : extension « .json » non prise en charge \(attendu : .csv, .txt, .tsv, .xlsx\)"),
        ("sans_extension", r"extension « \(aucune\) » non prise en charge"),
    ],
)
def test_extension_refusee(tmp_path, nom, message):
    with pytest.raises(FichierIllisible, match=message):
        lire_tableau(ecrire(tmp_path / nom, "a;b\n1;2\n"))


def test_feuille_pour_un_csv(tmp_path):
    with pytest.raises(EntreeInvalide, match="d.csv n'est pas un classeur .xlsx"):
        lire_tableau(ecrire(tmp_path / "d.csv", "a\n1\n"), feuille="Feuil1")


# --- XLSX ---------------------------------------------------------------------------------------


def test_xlsx_une_feuille_valeurs_converties(tmp_path):
    chemin = classeur(
        tmp_path / "d.xlsx",
        {
            "Demandes": [
                ["numero", "date", "horodatage", "effectif", "taux", "cmqImplique", "vide", "nomCmq"],
                [12, date(2024, 9, 1), datetime(2024, 9, 1, 8, 30), 30.0, 0.25, True, None, "Campus BTP"],
                [None, None, None, None, None, None, None, None],
                [13, datetime(2025, 1, 2), None, 7, 1.5, False, None, "CMQ numérique"],
            ]
        },
    )
    t = lire_tableau(chemin)
    assert (t.feuille, t.encodage, t.separateur) == ("Demandes", None, None)
    assert t.numeros == [2, 4]
    assert t.lignes[0] == {
        "numero": "12",
        "date": "2024-09-01",
        "horodatage": "2024-09-01T08:30:00",
        "effectif": "30",
        "taux": "0.25",
        "cmqImplique": "true",
        "vide": "",
        "nomCmq": "Campus BTP",
    }
    assert t.lignes[1]["date"] == "2025-01-02"
    assert (t.lignes[1]["effectif"], t.lignes[1]["taux"], t.lignes[1]["cmqImplique"]) == ("7", "1.5", "false")


def test_xlsx_plusieurs_feuilles(tmp_path):
    chemin = classeur(tmp_path / "d.xlsx", {"Notes": [["x"], [1]], "Demandes": [["nomCmq"], ["BTP"]]})
    with pytest.raises(
        FichierIllisible,
        match=r"d.xlsx contient 2 feuilles \(Notes, Demandes\) : précisez laquelle "
        r"lire avec --feuille",
    ):
        lire_tableau(chemin)
    assert lire_tableau(chemin, feuille="Demandes").lignes == [{"nomCmq": "BTP"}]
    with pytest.raises(FichierIllisible, match="d.xlsx : feuille « Autre » absente ; feuilles : Notes, Demandes"):
        lire_tableau(chemin, feuille="Autre")


def test_xlsx_feuille_vide_et_entete_seul(tmp_path):
    with pytest.raises(FichierIllisible, match="d.xlsx : feuille « Vide » vide"):
        lire_tableau(classeur(tmp_path / "d.xlsx", {"Vide": []}))
    t = lire_tableau(classeur(tmp_path / "e.xlsx", {"F": [["a", "b", None]]}))
    assert (t.colonnes, t.lignes) == (["a", "b"], [])


@pytest.mark.parametrize("contenu", [b"", b"pas un zip", b"PK\x03\x04 tronque"])
def test_xlsx_corrompu(tmp_path, contenu):
    with pytest.raises(FichierIllisible, match="d.xlsx : classeur .xlsx illisible ou corrompu"):
        lire_tableau(ecrire(tmp_path / "d.xlsx", contenu))


def test_xlsx_zip_tronque(tmp_path):
    bon = classeur(tmp_path / "bon.xlsx", {"F": [["a"], [1]]}).read_bytes()
    with pytest.raises(FichierIllisible, match="illisible ou corrompu"):
        lire_tableau(ecrire(tmp_path / "d.xlsx", bon[: len(bon) // 2]))


def test_xlsx_colonnes_en_double(tmp_path):
    with pytest.raises(FichierIllisible, match="colonne en double « UAI » / « uai »"):
        lire_tableau(classeur(tmp_path / "d.xlsx", {"F": [["UAI", "uai"], [1, 2]]}))


def test_xlsx_cellules_en_trop(tmp_path):
    with pytest.raises(FichierIllisible, match="d.xlsx : ligne 3 de la feuille « F » : 3 cellules pour 2 colonnes"):
        lire_tableau(classeur(tmp_path / "d.xlsx", {"F": [["a", "b"], [1, 2], [1, 2, 3]]}))


# --- colonne -------------------------------------------------------------------------------------


def test_colonne_insensible(tmp_path):
    t = lire_tableau(ecrire(tmp_path / "d.csv", "N° UAI;filiereCmq;Libellé établissement\n1;2;3\n"))
    assert colonne(t, "filière CMQ") == "filiereCmq"
    assert colonne(t, "n_uai") == "N° UAI"
    assert colonne(t, "LIBELLE-ETABLISSEMENT") == "Libellé établissement"
    with pytest.raises(
        ColonneManquante,
        match="d.csv : colonne « nomCmq » absente ; colonnes disponibles : N° UAI, filiereCmq, Libellé établissement",
    ):
        colonne(t, "nomCmq")


# --- writing ------------------------------------------------------------------------------------


def test_ecrire_csv_relire(tmp_path):
    lignes = [{"a": "é;1", "b": None}, ["x", 2]]
    chemin = ecrire_tableau(tmp_path / "o.csv", ["a", "b"], lignes, separateur=";", bom=True)
    brut = chemin.read_bytes()
    assert brut == '\ufeffa;b\r\n"é;1";\r\nx;2\r\n'.encode()
    t = lire_tableau(chemin)
    assert (t.encodage, t.separateur, t.lignes) == ("utf-8-sig", ";", [{"a": "é;1", "b": ""}, {"a": "x", "b": "2"}])
    assert fichiers_du_dossier(tmp_path) == ["o.csv"]


def test_ecrire_xlsx_entete_gras_fige_et_texte_jamais_formule(tmp_path):
    chemin = ecrire_tableau(tmp_path / "o.xlsx", ["nom", "valeur"], [{"nom": "=SOMME(A1:A9)", "valeur": "0312696M"}])
    ws = openpyxl.load_workbook(chemin).active
    assert ws["A1"].font.b and ws["B1"].font.b
    assert ws.freeze_panes == "A2"
    assert (ws["A2"].value, ws["A2"].data_type, ws["B2"].value) == ("=SOMME(A1:A9)", "s", "0312696M")
    assert lire_tableau(chemin).lignes == [{"nom": "=SOMME(A1:A9)", "valeur": "0312696M"}]


def test_ecrire_refus(tmp_path):
    with pytest.raises(ErreurEcriture, match="o.json : extension « .json » non prise en charge pour l'écriture"):
        ecrire_tableau(tmp_path / "o.json", ["a"], [["1"]])
    with pytest.raises(EntreeInvalide, match="séparateur « | » non pris en charge"):
        ecrire_tableau(tmp_path / "o.csv", ["a"], [["1"]], separateur="|")
    with pytest.raises(ErreurEcriture, match="le dossier « .*absent » n'existe pas"):
        ecrire_tableau(tmp_path / "absent" / "o.csv", ["a"], [["1"]])
    assert fichiers_du_dossier(tmp_path) == []


def test_ecriture_xlsx_echouee_ne_laisse_rien(tmp_path):
    def lignes():
        yield ["1"]
        raise RuntimeError("source coupée")

    with pytest.raises(RuntimeError, match="source coupée"):
        ecrire_tableau(tmp_path / "o.xlsx", ["a"], lignes())
    with pytest.raises(RuntimeError, match="source coupée"):
        ecrire_tableau(tmp_path / "o.csv", ["a"], lignes())
    assert fichiers_du_dossier(tmp_path) == []


# --- ecriture_atomique ------------------------------------------------------------------------------


def test_ecriture_atomique_remplace(tmp_path):
    cible = tmp_path / "sortie.csv"
    cible.write_text("ancien")
    cible.chmod(0o640)
    with ecriture_atomique(cible, encoding="utf-8") as flux:
        flux.write("nouveau é")
        assert cible.read_text() == "ancien"  # not visible before the end
    assert cible.read_text(encoding="utf-8") == "nouveau é"
    assert cible.stat().st_mode & 0o777 == 0o640
    assert fichiers_du_dossier(tmp_path) == ["sortie.csv"]


def test_ecriture_atomique_binaire_droits_par_defaut(tmp_path):
    masque = os.umask(0o022)
    try:
        with ecriture_atomique(tmp_path / "o.bin", "wb") as flux:
            flux.write(b"\x00\x01")
    finally:
        os.umask(masque)
    assert (tmp_path / "o.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "o.bin").stat().st_mode & 0o777 == 0o644


def test_ecriture_atomique_erreur_garde_l_ancien(tmp_path):
    cible = tmp_path / "sortie.csv"
    cible.write_text("ancien")
    with pytest.raises(ValueError, match="boum"), ecriture_atomique(cible) as flux:
        flux.write("moitié")
        raise ValueError("boum")
    assert cible.read_text() == "ancien"
    assert fichiers_du_dossier(tmp_path) == ["sortie.csv"]


def test_ecriture_atomique_dossier_absent_ou_cible_dossier(tmp_path):
    with pytest.raises(ErreurEcriture, match="impossible d'écrire « .*o.csv » : le dossier « .*nulle » n'existe pas"):
        with ecriture_atomique(tmp_path / "nulle" / "o.csv"):
            pass
    (tmp_path / "rep").mkdir()
    with pytest.raises(ErreurEcriture, match="impossible d'écrire « .*rep » : c'est un dossier"):
        with ecriture_atomique(tmp_path / "rep"):
            pass
    assert fichiers_du_dossier(tmp_path) == ["rep"]


def test_ecriture_atomique_dossier_protege(tmp_path):
    protege = tmp_path / "protege"
    protege.mkdir()
    protege.chmod(0o555)
    try:
        if os.access(protege, os.W_OK):
            pytest.skip("exécuté en root : les droits du dossier ne s'appliquent pas")
        with pytest.raises(ErreurEcriture, match="dossier non accessible en écriture"):
            with ecriture_atomique(protege / "o.csv"):
                pass
    finally:
        protege.chmod(0o755)
    assert fichiers_du_dossier(protege) == []


def test_ecriture_atomique_disque_plein(tmp_path):
    if not Path("/dev/full").exists():
        pytest.skip("/dev/full absent")
    with pytest.raises(ErreurEcriture, match="impossible d'écrire"):
        with ecriture_atomique(tmp_path / "o.csv") as flux:
            flux.write("x")
            plein = os.open("/dev/full", os.O_WRONLY)
            os.dup2(plein, flux.fileno())  # the temporary file now writes to a full disk
            os.close(plein)
            flux.write("y" * 100_000)
    assert fichiers_du_dossier(tmp_path) == []
