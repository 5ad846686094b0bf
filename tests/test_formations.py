"""Formations ↔ filières in the audit of requests (`cmq.adequation`): Orion-dialect exports with a
"Domaine de formation (NSF)" column, each flag present and absent, the summary per territory."""

import csv
import hashlib
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cmq import resolve
from cmq.audit import auditer, ecrire
from cmq.cli import app
from cmq.errors import EntreeInvalide
from cmq.init import initialiser
from cmq.store import db, ecriture
from tests import orion_export as orion

NSF = "Domaine de formation (NSF)"


def _empreinte(chemin: Path) -> str:
    return hashlib.sha256(chemin.read_bytes()).hexdigest()


def _par_numero(audit) -> dict[str, dict]:
    return {ligne["N° demande"]: ligne for ligne in audit.lignes}


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_chaque_signalement(base_embarquee, tmp_path, format):
    rangs = orion.lignes_formations()
    chemin = orion.ecrire_csv(tmp_path, rangs) if format == "csv" else orion.ecrire_xlsx(tmp_path, rangs)
    audit = auditer(chemin, url=base_embarquee)
    lignes = _par_numero(audit)
    attendus = {n: (anomalie, filieres) for n, (*_, anomalie, filieres) in orion.FORMATIONS.items()}
    assert {n: (l["anomalie"], l["filieres_formation"]) for n, l in lignes.items()} == attendus
    assert lignes["24F0001"]["campus_id"] == "tourisme-pyreneen"  # the campus is still resolved
    assert lignes["24F0005"]["statut_resolution"] == "sans_nom"
    assert audit.formations.model_dump() == {
        "colonne_nsf": True,
        "domaines_reconnus": 7,  # 24F0008 unreadable, 24F0009 and 24F0010 empty
        "domaines_sans_filiere": 1,
        "domaines_illisibles": 1,
        "formations_hors_filiere": 2,
        "cmq_possibles": 1,
        "cmq_inattendus": 0,
    }


def test_export_complet_sans_faux_signalement(base_embarquee, tmp_path):
    """The 20 requests of the usual export carry domains that fit them: only cmq_inattendu is added."""
    audit = auditer(orion.ecrire_csv(tmp_path), url=base_embarquee)
    assert {l["N° demande"]: (l["statut_resolution"], l["campus_id"], l["anomalie"]) for l in audit.lignes} == (
        orion.ATTENDUS
    )
    lignes = _par_numero(audit)
    # 24A0014: a Toulouse lycée naming Plasticampus (Ain), whose members are known: unexpected
    assert lignes["24A0014"]["anomalie"].endswith("cmq_inattendu")
    # 24A0013: the same campus from Oyonnax, not a member but in the région académique: not unexpected
    assert "cmq_inattendu" not in lignes["24A0013"]["anomalie"]
    assert lignes["24A0002"]["filieres_formation"] == orion.MOBILITE_CODE  # Orion's lower-cased long label
    assert (audit.formations.domaines_reconnus, audit.formations.cmq_inattendus) == (20, 1)
    assert audit.formations.formations_hors_filiere == audit.formations.cmq_possibles == 0


def test_sans_colonne_nsf_rien_n_est_controle(base_embarquee, tmp_path):
    # Orion lets users pick the exported columns: the domain may be left out
    colonnes = tuple(c for c in orion.COLONNES if c != NSF)
    chemin = orion.ecrire_csv(tmp_path, orion.lignes_formations(), colonnes)
    audit = auditer(chemin, url=base_embarquee)
    assert not any(
        a.startswith(("formation_hors_filiere", "cmq_possible", "nsf_illisible"))
        for l in audit.lignes
        for a in l["anomalie"].split("; ")
    )
    assert all(l["filieres_formation"] == "" for l in audit.lignes)
    assert audit.formations.colonne_nsf is False
    assert dict(audit.formations.libelles())["contrôles domaine de formation ↔ filière"] == (
        "non faits : colonne « Domaine de formation (NSF) » absente"
    )
    assert {t["filiere_formation"] for t in audit.territoires} == {"colonne absente"}


def test_synthese_par_territoire(base_embarquee, tmp_path):
    audit = auditer(orion.ecrire_csv(tmp_path, orion.lignes_formations()), url=base_embarquee)
    lignes = {(t["region_academique"], t["filiere_formation"]): t for t in audit.territoires}
    assert [(t["region_academique"], t["filiere_formation"]) for t in audit.territoires] == [
        ("53", "tourisme-gastronomie"),
        ("76", orion.MOBILITE_CODE),
        ("76", "tourisme-gastronomie"),
        ("76", "services-aux-entreprises-logistique"),
        ("76", "alimentaire-agroalimentaire"),
        ("76", "aucune"),
        ("76", "non renseigné"),
        ("76", "illisible"),
    ]
    assert lignes[("53", "tourisme-gastronomie")]["region_academique_nom"] == "Bretagne"
    mobilite = lignes[("76", orion.MOBILITE_CODE)]  # 24F0001, 24F0005, 24F0007
    assert {k: mobilite[k] for k in ("demandes", "declarant_un_campus", "d_etablissements_membres", "signalees")} == {
        "demandes": 3,
        "declarant_un_campus": 2,
        "d_etablissements_membres": 2,
        "signalees": 2,
    }
    # 221 feeds two filières: 24F0003 counts under each
    assert (
        lignes[("76", "tourisme-gastronomie")]["demandes"]
        == lignes[("76", "alimentaire-agroalimentaire")]["demandes"]
        == 1
    )
    assert lignes[("76", "non renseigné")]["demandes"] == 2  # 24F0009 (empty) and 24F0010 ("NC")
    assert lignes[("76", "non renseigné")]["d_etablissements_membres"] == 2


def test_territoire_inconnu_jamais_devine(base_embarquee, tmp_path):
    rangs = orion.lignes_formations()[:1]
    rangs[0].update({"UAI": "0311111P", "CodeRegion": None, "CodeAcadémie": None, "Région": None})
    audit = auditer(orion.ecrire_csv(tmp_path, rangs), url=base_embarquee)
    assert [(t["region_academique"], t["region_academique_nom"]) for t in audit.territoires] == [
        ("inconnue", "inconnue")
    ]


def test_plusieurs_campus_possibles(base_url, tmp_path):
    """A lycée member of two campuses of the domain's filière: both are named (SQLite and PostgreSQL)."""
    resolve.vider_cache()
    initialiser(base_url)
    with db.session(base_url, ecriture=True) as s:
        ecriture.ecrire_membres(s, [{"campus_id": "aerocampus", "uai": "0311200L", "role": "membre"}])
    audit = auditer(orion.ecrire_csv(tmp_path, orion.lignes_formations()), url=base_url)
    lignes = _par_numero(audit)
    assert lignes["24F0005"]["anomalie"] == "cmq_possible: aerocampus, aeronautique-et-du-spatial-occitanie"
    # 24F0007 names the Occitanie campus, of which it is a member: still nothing to say
    assert lignes["24F0007"]["anomalie"] == ""


def test_sorties_csv_et_xlsx(base_embarquee, tmp_path, monkeypatch):
    monkeypatch.setenv("CMQ_DATABASE_URL", base_embarquee)
    entree = orion.ecrire_csv(tmp_path, orion.lignes_formations())
    avant = _empreinte(entree)
    sortie = tmp_path / "audit.csv"
    resultat = CliRunner().invoke(app, ["audit-demandes", str(entree), "-o", str(sortie)])
    assert resultat.exit_code == 0, resultat.output
    resume = tmp_path / "audit_territoires.csv"
    assert f"écrite dans {resume}" in resultat.output.replace("\n", "")
    assert "formations hors de la filière déclarée ou du campus" in resultat.output
    assert resume.read_bytes().startswith(b"\xef\xbb\xbf")  # the input's conventions
    with resume.open(encoding="utf-8-sig") as flux:
        rangs = list(csv.DictReader(flux, delimiter=";"))
    assert rangs[0] == {
        "region_academique": "53",
        "region_academique_nom": "Bretagne",
        "filiere_formation": "tourisme-gastronomie",
        "demandes": "1",
        "declarant_un_campus": "1",
        "d_etablissements_membres": "0",
        "signalees": "1",
    }
    assert _empreinte(entree) == avant
    classeur = load_workbook(ecrire(auditer(entree, url=base_embarquee), tmp_path / "audit.xlsx"))
    assert classeur.sheetnames == ["audit", "synthese", "territoires"]
    synthese = dict(list(classeur["synthese"].values)[1:])
    assert synthese["CMQ possibles (établissement membre d'un campus de la filière)"] == 1
    assert list(classeur["territoires"].values)[1] == ("53", "Bretagne", "tourisme-gastronomie", 1, 1, 0, 1)


def test_sortie_resume_sur_l_entree_refusee(base_embarquee, tmp_path):
    """The summary's companion file may not be the input: refused before anything is written."""
    entree = tmp_path / "x_territoires.csv"
    entree.write_bytes(orion.ecrire_csv(tmp_path, orion.lignes_formations()).read_bytes())
    avant = _empreinte(entree)
    audit = auditer(entree, url=base_embarquee)
    with pytest.raises(EntreeInvalide, match="est le fichier d'entrée"):
        ecrire(audit, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
    assert _empreinte(entree) == avant
