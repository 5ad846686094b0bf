"""Hostile files given to the importers and CSV output (issue 14, points 2, 3, 6, 7, 8): French
message, nothing written (database fingerprint, integrity_check, no temporary file), bounded memory."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert
from typer.testing import CliRunner

from cmq import ecrivain, exports
from cmq.cli import app
from cmq.errors import ErreurImport, FichierIllisible
from cmq.importation.fichier import importer_fichier
from cmq.store import db, schema
from cmq.store.tables import Base
from cmq.tableau import lire_tableau
from tests.classeurs import classeur
from tests.hostile import (
    MEMOIRE_MAX_MO,
    MO,
    dimension_perimee,
    empreinte,
    integrite,
    ligne_unique,
    pic_memoire,
    temporaires,
    xlsx_cellule_geante,
)
from tests.import_outils import compter

ENTETE = "nom_du_campus;filiere;label_excellence;region_academique;academie;uai_etablissement_support;site_internet\n"
LIGNE = "Campus hostile;Numérique, télécommunications;Non;Hauts-de-France;Lille;0592926K;{site}\n"
runner = CliRunner()


@pytest.fixture
def base(fabrique_bases) -> str:
    """A migrated SQLite database holding one campus (so that "unchanged" means something)."""
    url = fabrique_bases("sqlite")
    schema.mettre_a_jour(url)
    with db.moteur(url).begin() as connexion:
        connexion.execute(
            insert(Base.metadata.tables["campus"]).values(id="existant", nom="Existant", filiere="tourisme-gastronomie")
        )
    return url


def _importer_ailleurs(chemin: Path, url: str, **options) -> tuple[str, float]:
    """Import `chemin` in a child process: (its French error or "ok", its peak memory in MB)."""
    return pic_memoire(
        f"""
        from cmq.errors import CmqError
        from cmq.importation.fichier import importer_fichier
        try:
            importer_fichier({str(chemin)!r}, url={url!r}, **{options!r})
            print("ok")
        except CmqError as erreur:
            print(erreur)
        """
    )


def _inchangee(url: str, avant: str, *dossiers: Path) -> None:
    assert empreinte(url) == avant
    assert integrite(url) == "ok"
    assert temporaires(*dossiers) == []


# --- Point 2: duplicates in linear work, bounded messages -------------------------------------


def test_doublons_lineaires_et_message_borne(base, tmp_path):
    """20,000 identical rows (720 kB; 3.5 GB and 56 s before): one bounded message, bounded memory."""
    chemin = tmp_path / "doublons.csv"
    chemin.write_text(ENTETE + LIGNE.format(site="") * 20_000, encoding="utf-8")
    avant = empreinte(base)
    sortie, pic = _importer_ailleurs(chemin, base, type_import="campus")
    lignes = sortie.splitlines()
    assert lignes[0] == "import refusé : 20000 lignes rejetées sur 20000, rien n'a été écrit"
    assert lignes[1] == "  ligne 2 : campus en double « hostile » (lignes 2, 3, 4, 5, 6 … et 19995 autres)"
    assert lignes[6] == "  … et 19995 autres"
    assert len(sortie) < 2000
    assert pic < MEMOIRE_MAX_MO
    _inchangee(base, avant, tmp_path)


def test_doublons_rapport_de_rejets_borne(base, tmp_path):
    """Partial import: every duplicate is listed in `_rejets.csv`, each with the same bounded reason."""
    chemin = tmp_path / "doublons.csv"
    chemin.write_text(ENTETE + LIGNE.format(site="") * 300, encoding="utf-8")
    with pytest.raises(ErreurImport, match=r"^aucune ligne valide à importer \(300 rejetée\(s\)"):
        importer_fichier(chemin, url=base, type_import="campus", partiel=True, rapport=tmp_path / "r.csv")
    rangs = _cellules((tmp_path / "r.csv").read_bytes(), ";")[1:]
    assert [r[0] for r in rangs] == [str(n) for n in range(2, 302)]
    assert {r[1] for r in rangs} == {"campus en double « hostile » (lignes 2, 3, 4, 5, 6 … et 295 autres)"}


# --- Point 3: oversized lines, cells and decompression bombs, refused early --------------------


def test_entete_de_200_mo_sur_une_ligne(base, tmp_path):
    chemin = ligne_unique(tmp_path / "entete.csv", 200 * MO)
    avant = empreinte(base)
    sortie, pic = _importer_ailleurs(chemin, base)
    assert (
        sortie == "entete.csv : en-tête (ligne 1) de plus de 512 Ko sans fin de ligne : ce n'est pas un tableau lisible"
    )
    assert pic < MEMOIRE_MAX_MO
    _inchangee(base, avant, tmp_path)


def test_cellule_de_200_mo(base, tmp_path):
    chemin = ligne_unique(tmp_path / "cellule.csv", 200 * MO, debut=b"nom;filiere\nx;")
    avant = empreinte(base)
    sortie, pic = _importer_ailleurs(chemin, base)
    assert sortie == "cellule.csv : ligne 2 de plus de 512 Ko : cellule démesurée"
    assert pic < MEMOIRE_MAX_MO
    _inchangee(base, avant, tmp_path)


def test_xlsx_cellule_de_200_mo(base, tmp_path):
    """A 0.2 MB workbook holding one 200 MB cell: refused from the sheet's compression ratio."""
    chemin = xlsx_cellule_geante(tmp_path / "bombe.xlsx", 200 * MO)
    assert chemin.stat().st_size < 1 * MO
    avant = empreinte(base)
    sortie, pic = _importer_ailleurs(chemin, base)
    assert sortie == (
        "bombe.xlsx : partie « xl/worksheets/sheet1.xml » du classeur refusée : taux de compression anormal "
        "(plus de 200 pour 1) (cellule ou feuille démesurée, bombe de décompression ?)"
    )
    assert pic < MEMOIRE_MAX_MO
    _inchangee(base, avant, tmp_path)


def test_xlsx_cellule_au_dela_de_la_limite_d_excel(base, tmp_path):
    chemin = xlsx_cellule_geante(tmp_path / "long.xlsx", 40_000)
    avant = empreinte(base)
    with pytest.raises(FichierIllisible) as refus:
        importer_fichier(chemin, url=base)
    assert str(refus.value) == (
        "long.xlsx : ligne 2 de la feuille « Feuil1 » : cellule de plus de 32767 caractères (limite d'Excel)"
    )
    _inchangee(base, avant, tmp_path)


# --- Point 7: stale <dimension> -----------------------------------------------------------------


def test_xlsx_dimension_perimee_lue_jusqu_au_bout(base, tmp_path):
    """A sheet claiming A1:G2 while holding 5 rows: every row is read (not "import réussi" with 1)."""
    entete = ENTETE.strip().split(";")
    lignes = [LIGNE.format(site="").strip().split(";") for _ in range(5)]
    for i, ligne in enumerate(lignes, start=1):
        ligne[0] = f"Campus hostile {i}"
    source = classeur(tmp_path / "source.xlsx", {"Feuil1": [entete, *lignes]})
    chemin = dimension_perimee(source, tmp_path / "perimee.xlsx", "A1:G2")
    assert len(lire_tableau(chemin).lignes) == 5
    rapport = importer_fichier(chemin, url=base, type_import="campus")
    assert (rapport.lues, rapport.statut) == (5, "ok")
    assert compter(base, "campus") == 1 + 5


# --- Point 8: only http(s) links ----------------------------------------------------------------


@pytest.mark.parametrize(
    "site", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "ftp://exemple.fr", "//exemple.fr"]
)
def test_lien_non_http_refuse_a_l_import(base, tmp_path, site):
    chemin = tmp_path / "liens.csv"
    chemin.write_text(ENTETE + LIGNE.format(site=site), encoding="utf-8")
    avant = empreinte(base)
    with pytest.raises(ErreurImport) as refus:
        importer_fichier(chemin, url=base, type_import="campus")
    assert (
        f"ligne 2 : site_web : adresse web « {site} » refusée : seules les adresses http:// ou https:// sont acceptées"
        in str(refus.value)
    )
    _inchangee(base, avant, tmp_path)


def test_lien_http_accepte(base, tmp_path):
    chemin = tmp_path / "liens.csv"
    chemin.write_text(ENTETE + LIGNE.format(site="HTTPS://exemple.fr/campus"), encoding="utf-8")
    rapport = importer_fichier(chemin, url=base, type_import="campus")
    assert (rapport.lues, rapport.statut, compter(base, "campus")) == (1, "ok", 2)


# --- Point 6: CSV formula injection, one writer ------------------------------------------------

HOSTILES = ["=1+2", "+33 6 12", "-2+3", "@SOMME(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']


def _cellules(contenu: bytes, separateur: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig"), newline=""), delimiter=separateur))


def test_neutralisation_owasp():
    assert [ecrivain.neutraliser(t) for t in HOSTILES] == ["'" + t for t in HOSTILES]
    # plain numbers written as text are read as numbers by a spreadsheet, not as formulas: kept
    assert [ecrivain.neutraliser(t) for t in ("-3.5", "+33", "-1,55", "-2e3", "a=b", "")] == [
        "-3.5",
        "+33",
        "-1,55",
        "-2e3",
        "a=b",
        "",
    ]


@pytest.mark.parametrize("separateur, bom", [(",", False), (";", True), ("\t", False)])
def test_exports_csv_neutralises(separateur, bom):
    lignes = [[t, -3.5, -2, date(2025, 1, 1), None, ["=a", "b"]] for t in HOSTILES]
    contenu = exports.exporter(
        ["nom", "x", "n", "jour", "vide", "liste"], lignes, "csv", separateur=separateur, bom=bom
    )
    assert contenu.startswith(b"\xef\xbb\xbf") is bom
    rangs = _cellules(contenu, separateur)[1:]
    nombre = "-3,5" if separateur == ";" else "-3.5"
    assert rangs == [["'" + t, nombre, "-2", "2025-01-01", "", "'=a|b"] for t in HOSTILES]


def test_xlsx_garde_les_textes_comme_textes(tmp_path):
    from openpyxl import load_workbook

    chemin = tmp_path / "x.xlsx"
    textes = [t for t in HOSTILES if t != "\rx"]  # XML turns a lone CR into LF: not the point here
    exports.exporter(["nom", "x"], [[t, -3.5] for t in textes], "xlsx", chemin)
    feuille = load_workbook(chemin).active
    assert [(c.value, c.data_type) for c in feuille["A"][1:]] == [(t, "s") for t in textes]
    assert {c.value for c in feuille["B"][1:]} == {-3.5}


def test_rapport_de_rejets_neutralise(base, tmp_path):
    chemin = tmp_path / "rejets.csv"
    chemin.write_text(ENTETE + "=cmd|' /C calc'!A0;Filière inconnue;Non;;;;\n", encoding="utf-8")
    with pytest.raises(ErreurImport):
        importer_fichier(chemin, url=base, type_import="campus", partiel=True, rapport=tmp_path / "r.csv")
    rangs = _cellules((tmp_path / "r.csv").read_bytes(), ";")
    assert rangs[1][2] == "'=cmd|' /C calc'!A0"


def test_cli_export_csv_neutralise(base, tmp_path, monkeypatch):
    with db.moteur(base).begin() as connexion:
        connexion.execute(
            insert(Base.metadata.tables["campus"]).values(id="formule", nom="=1+2", filiere="tourisme-gastronomie")
        )
    monkeypatch.setenv("CMQ_DATABASE_URL", base)
    sortie = tmp_path / "campus.csv"
    resultat = runner.invoke(app, ["exporter", "campus", "--sortie", str(sortie), "--separateur", ";", "--bom"])
    assert resultat.exit_code == 0, resultat.output
    noms = {r[1] for r in _cellules(sortie.read_bytes(), ";")[1:]}
    assert "'=1+2" in noms and "Existant" in noms


def test_cli_liste_format_csv_neutralisee(base, monkeypatch):
    with db.moteur(base).begin() as connexion:
        connexion.execute(
            insert(Base.metadata.tables["campus"]).values(
                id="formule", nom="@SOMME(A1)", filiere="tourisme-gastronomie"
            )
        )
    monkeypatch.setenv("CMQ_DATABASE_URL", base)
    resultat = runner.invoke(app, ["campus", "liste", "--format", "csv"])
    assert resultat.exit_code == 0, resultat.output
    assert "'@SOMME(A1)" in resultat.output and "Existant" in resultat.output
