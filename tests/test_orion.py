"""Orion's restitution export as it really is (CSV and XLSX dialect), audited and corrected with no option."""

import csv
import hashlib
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cmq import resolve
from cmq.audit import auditer, corriger
from cmq.cli import app
from cmq.errors import ColonneManquante, EntreeInvalide, FichierIllisible
from cmq.init import initialiser
from cmq.store import db, ecriture
from cmq.tableau import lire_tableau
from tests import orion_export as orion

SYNTHESE = {
    "lignes": 20,
    "mentions": 10,
    "trouves": 8,
    "ambigus": 1,
    "inconnus": 1,
    "remplissages": 8,
    "libelles_de_filiere": 2,
    "hors_region": 1,
    "cmq_implique_sans_nom": 0,
    "nom_sans_cmq_implique": 0,
    "non_membres": 4,
    "membres_non_renseignes": 4,
    "uai_invalides": 0,
    "filieres_incoherentes": 0,
    "filieres_illisibles": 1,
}


def _empreinte(chemin: Path) -> str:
    return hashlib.sha256(chemin.read_bytes()).hexdigest()


def _resultats(audit) -> dict[str, tuple]:
    return {l["N° demande"]: (l["statut_resolution"], l["campus_id"], l["anomalie"]) for l in audit.lignes}


def test_le_generateur_ecrit_le_dialecte_d_orion(tmp_path):
    brut = orion.ecrire_csv(tmp_path).read_bytes()
    assert brut.startswith(b"\xef\xbb\xbf")
    entete, premiere = brut[3:].decode("utf-8").splitlines()[:2]
    assert entete.startswith('"UAI";"Établissement";"Commune";"CodeRegion";') and entete.count(";") == 80
    assert '"Avis \\"favorable\\" du campus à confirmer"' in premiere  # \" escape, line break -> space
    assert ";2026,00;12,00;" in premiere and ";true;" in premiere and ";14/10/2025 11:34;" in premiere
    assert load_workbook(orion.ecrire_xlsx(tmp_path)).sheetnames == ["restitution_export_2025-10-14T1"]


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_lecture_sans_option(tmp_path, format):
    chemin = orion.ecrire_csv(tmp_path) if format == "csv" else orion.ecrire_xlsx(tmp_path)
    tableau = lire_tableau(chemin)
    assert tableau.colonnes == list(orion.COLONNES) and len(tableau.lignes) == 20
    premiere = tableau.lignes[0]
    saut = " " if format == "csv" else "\n"  # the CSV turns line breaks into spaces, the XLSX keeps them
    assert premiere["Commentaire"] == f'Avis "favorable" du campus{saut}à confirmer'
    assert tableau.lignes[11]["Commentaire"] == "chemin C:\\partage\\demandes"  # other backslashes stay
    attendu = ("2026,00", "true") if format == "csv" else ("2026", "true")
    assert (premiere["RS"], premiere["Action prioritaire ?"]) == attendu
    if format == "csv":
        assert (tableau.separateur, tableau.encodage, tableau.echappement) == (";", "utf-8-sig", "\\")


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_audit_de_l_export_d_orion(base_embarquee, tmp_path, format):
    chemin = orion.ecrire_csv(tmp_path) if format == "csv" else orion.ecrire_xlsx(tmp_path)
    audit = auditer(chemin, url=base_embarquee)
    assert _resultats(audit) == orion.ATTENDUS
    assert audit.synthese.model_dump() == SYNTHESE
    libelles = dict(audit.synthese.libelles())
    assert (libelles["mentions inconnues"], libelles["nomCmq de remplissage (non, NC, -, aucun…)"]) == (1, 8)


def test_etablissement_non_membre_avec_des_membres_connus(base_url, tmp_path):
    resolve.vider_cache()  # a database recreated at the same address may have the same counts as a previous one
    initialiser(base_url)
    with db.session(base_url, ecriture=True) as s:
        ecriture.ecrire_membres(
            s,
            [
                {"campus_id": "aeronautique-et-du-spatial-occitanie", "uai": "0310049K", "role": "support"},
                {"campus_id": "numerique-et-photonique-lannion", "uai": "0220023F", "role": "membre"},
            ],
        )
    audit = auditer(orion.ecrire_csv(tmp_path), url=base_url)
    resultats = _resultats(audit)
    assert resultats["24A0001"][2] == "etablissement_non_membre"  # 0310036W is not a member
    assert resultats["24A0017"][2] == "etablissement_non_membre"  # 0311111P neither
    assert resultats["24A0015"][2] == ""  # 0220023F is one
    assert (audit.synthese.non_membres, audit.synthese.membres_non_renseignes) == (4, 3)


def test_cli_csv_orion_vers_csv_et_copie_corrigee(base_embarquee, tmp_path, monkeypatch):
    monkeypatch.setenv("CMQ_DATABASE_URL", base_embarquee)
    entree = orion.ecrire_csv(tmp_path)
    avant = _empreinte(entree)
    sortie = tmp_path / "audit.csv"
    resultat = CliRunner().invoke(app, ["audit-demandes", str(entree), "-o", str(sortie), "--corriger"])
    assert resultat.exit_code == 0, resultat.output
    assert _empreinte(entree) == avant
    brut = sortie.read_bytes()
    assert brut.startswith(b"\xef\xbb\xbf") and brut[3:].split(b"\n")[0].startswith(b"UAI;")  # input's conventions
    with sortie.open(encoding="utf-8-sig") as flux:
        lignes = {l["N° demande"]: l for l in csv.DictReader(flux, delimiter=";")}
    assert {n: (l["statut_resolution"], l["campus_id"], l["anomalie"]) for n, l in lignes.items()} == orion.ATTENDUS
    assert lignes["24A0001"]["score"] == "93,9" and lignes["24A0001"]["RS"] == "2026,00"  # decimal commas
    copie = tmp_path / f"{orion.NOM}_corrige.csv"
    assert f"Copie corrigée écrite dans {copie} (5 ligne(s) corrigée(s))" in resultat.output.replace("\n", "")
    assert copie.read_bytes().startswith(b"\xef\xbb\xbf")
    corrigees = {l["N° demande"]: l for l in lire_tableau(copie).lignes}
    origine = {l["N° demande"]: l for l in lire_tableau(entree).lignes}
    assert (corrigees["24A0001"]["Nom CMQ"], corrigees["24A0001"]["Filière CMQ"]) == (
        "Campus des métiers et des qualifications de l'aéronautique et du spatial Occitanie",
        orion.MOBILITE,
    )
    assert corrigees["24A0013"]["Nom CMQ"] == "Plasticampus (Plasti Campus d'Oyonnax-Bellignat)"
    assert corrigees["24A0013"]["Filière CMQ"] == orion.MATERIAUX
    # not resolved with confidence: left as typed (bare label, other region, placeholder, ambiguous)
    for numero in ("24A0002", "24A0010", "24A0011", "24A0014", "24A0018"):
        assert corrigees[numero] == origine[numero]
    assert all(corrigees[n][c] == origine[n][c] for n in origine for c in orion.COLONNES if c != "Nom CMQ")


def test_cli_xlsx_orion_cellules_typees(base_embarquee, tmp_path, monkeypatch):
    monkeypatch.setenv("CMQ_DATABASE_URL", base_embarquee)
    entree = orion.ecrire_csv(tmp_path)
    resultat = CliRunner().invoke(app, ["audit-demandes", str(entree)])
    assert resultat.exit_code == 0, resultat.output
    feuille = load_workbook(tmp_path / f"{orion.NOM}_audit.xlsx")["audit"]
    entetes = [c.value for c in feuille[1]]
    premiere = dict(zip(entetes, [c.value for c in feuille[2]], strict=True))
    assert premiere["RS"] == 2026 and premiere["Tx d'emploi à 6 mois régional"] == 0.5
    assert premiere["Action prioritaire ?"] is True and premiere["AMI/CMA ?"] is False
    assert premiere["Date de création"] == datetime(2025, 10, 14, 11, 34)
    assert premiere["CodeRegion"] == "76" and premiere["UAI"] == "0310036W"  # codes stay text
    assert isinstance(premiere["score"], float)
    synthese = dict(list(load_workbook(tmp_path / f"{orion.NOM}_audit.xlsx")["synthese"].values)[1:])
    assert synthese["nomCmq de remplissage (non, NC, -, aucun…)"] == 8 and synthese["mentions inconnues"] == 1


def test_copie_corrigee_xlsx(base_embarquee, tmp_path):
    entree = orion.ecrire_xlsx(tmp_path)
    audit = auditer(entree, url=base_embarquee)
    chemin, changees = corriger(audit)
    assert (chemin.name, changees) == (f"{orion.NOM}_corrige.xlsx", 5)
    classeur = load_workbook(chemin)
    assert classeur.sheetnames == ["restitution_export_2025-10-14T1"]  # the input's sheet name, kept
    feuille = classeur.active
    entetes = [c.value for c in feuille[1]]
    premiere = dict(zip(entetes, [c.value for c in feuille[2]], strict=True))
    assert premiere["Nom CMQ"] == "Campus des métiers et des qualifications de l'aéronautique et du spatial Occitanie"
    assert premiere["RS"] == 2026 and premiere["Action prioritaire ?"] is True and premiere["CodeRegion"] == "76"
    with pytest.raises(EntreeInvalide, match="est le fichier d'entrée : choisissez un autre nom"):
        corriger(audit, entree)
    with pytest.raises(EntreeInvalide, match="extension .xlsx attendue"):
        corriger(audit, tmp_path / "copie.csv")


def test_correspondance_explicite_des_colonnes(base_embarquee, tmp_path, monkeypatch):
    monkeypatch.setenv("CMQ_DATABASE_URL", base_embarquee)
    entree = tmp_path / "autre_outil.csv"
    entree.write_text(
        "Référence,Code établissement,Domaine,Campus cité\n1,0310036W,aéronautique,CMQ aéronautique\n",
        encoding="utf-8",
    )
    avant = _empreinte(entree)
    sans = CliRunner().invoke(app, ["audit-demandes", str(entree)])
    assert sans.exit_code == 1
    assert "colonne(s) obligatoire(s) absente(s) : numero, uai, filiereCmq, nomCmq" in sans.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["autre_outil.csv"]
    options = ["--colonne", "numero=Référence", "--colonne", "uai=Code établissement"]
    options += ["--colonne", "filiereCmq=Domaine", "--colonne", "nomCmq=Campus cité"]
    avec = CliRunner().invoke(app, ["audit-demandes", str(entree), "-o", str(tmp_path / "a.csv"), *options])
    assert avec.exit_code == 0, avec.output
    with (tmp_path / "a.csv").open(encoding="utf-8") as flux:
        (ligne,) = list(csv.DictReader(flux))
    assert (ligne["statut_resolution"], ligne["campus_id"]) == ("trouve", "aeronautique-et-du-spatial-occitanie")
    assert _empreinte(entree) == avant


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("nomCmq", "correspondance « nomCmq » illisible : CHAMP=COLONNE attendu"),
        ("campus=Nom CMQ", "champ inconnu « campus » ; champs possibles : numero, uai, cmqImplique"),
        ("nomCmq=Campus", "colonne « Campus » (indiquée pour nomCmq) absente"),
    ],
)
def test_correspondance_refusee(base_embarquee, tmp_path, monkeypatch, option, message):
    monkeypatch.setenv("CMQ_DATABASE_URL", base_embarquee)
    entree = orion.ecrire_csv(tmp_path)
    avant = _empreinte(entree)
    resultat = CliRunner().invoke(app, ["audit-demandes", str(entree), "--colonne", option])
    assert resultat.exit_code == 1 and "Erreur : " in resultat.output and message in resultat.output
    assert _empreinte(entree) == avant and sorted(p.name for p in tmp_path.iterdir()) == [entree.name]


def test_fichier_vraiment_mal_forme(base_embarquee, tmp_path, monkeypatch):
    """A quote neither doubled nor escaped: the line, the column and the reason; nothing written."""
    monkeypatch.setenv("CMQ_DATABASE_URL", base_embarquee)
    texte = orion.texte_csv().splitlines()
    texte[3] = texte[3].replace('"demande_validee"', '"demande "validee"')
    entree = tmp_path / "export.csv"
    entree.write_bytes(b"\xef\xbb\xbf" + "\n".join(texte).encode("utf-8"))
    avant = _empreinte(entree)
    resultat = CliRunner().invoke(app, ["audit-demandes", str(entree), "--corriger"])
    assert resultat.exit_code == 1
    attendu = (
        "export.csv : fichier tronqué ou mal formé ligne 4, colonne n° 77 (« Statut ») : caractère « v » après "
        "le guillemet fermant"
    )
    assert attendu in " ".join(resultat.output.split())
    assert _empreinte(entree) == avant and sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]
    with pytest.raises(FichierIllisible, match="ligne 2, colonne n° 2 \\(« b »\\) : guillemet ouvert jamais fermé"):
        (tmp_path / "t.csv").write_text('a;b\n1;"ouvert\n', encoding="utf-8")
        lire_tableau(tmp_path / "t.csv")


def test_champ_obligatoire_absent(tmp_path, base_embarquee):
    entree = orion.ecrire_csv(tmp_path)
    texte = entree.read_text(encoding="utf-8-sig").replace('"Nom CMQ"', '"Nom du campus"')
    entree.write_text(texte, encoding="utf-8-sig")
    with pytest.raises(ColonneManquante, match="absente\\(s\\) : nomCmq ; colonnes du fichier : UAI, Établissement"):
        auditer(entree, url=base_embarquee)


def test_filieres_normalize_lit_l_export_sans_option(tmp_path):
    entree = orion.ecrire_csv(tmp_path)
    avant = _empreinte(entree)
    resultat = CliRunner().invoke(app, ["filieres", "normalize", str(entree)])
    assert resultat.exit_code == 0, resultat.output
    sortie = tmp_path / f"{orion.NOM}_filieres.csv"
    assert sortie.read_bytes().startswith(b"\xef\xbb\xbf") and _empreinte(entree) == avant
    lignes = {l["N° demande"]: l for l in lire_tableau(sortie).lignes}
    assert lignes["24A0001"]["filiere_code"] == "mobilite-aeronautique-transports-terrestres-et-maritimes"
    assert (lignes["24A0016"]["filiere_statut"], lignes["24A0019"]["filiere_statut"]) == ("ambigu", "vide")
    assert "normalisées\t18\t90.0 %\nambiguës\t1\t5.0 %\ninconnues\t0\t0.0 %\nvides\t1\t5.0 %" in resultat.output
