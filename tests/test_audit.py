"""`cmq audit-demandes`: audit of an Orion-like export of requests against the embedded directory."""

import csv
import hashlib
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cmq.audit import AJOUTEES, ETAPE, auditer, ecrire
from cmq.cli import app
from cmq.errors import ColonneManquante, EntreeInvalide
from cmq.init import initialiser
from cmq.store import db, ecriture
from tests.classeurs import classeur

FIXTURE = Path(__file__).parent / "fixtures" / "demandes_orion.csv"

# numero -> (statut_resolution, campus_id, anomalie)
ATTENDUS = {
    # "CMQ aéronautique" from a lycée of Occitanie
    # membership checked on the embedded members (membres.csv): 0310049K, a section (SEP) of the member
    # LPO Saint-Exupéry 0312686B, is not itself listed
    "D-2025-0001": ("trouve", "aeronautique-et-du-spatial-occitanie", "etablissement_non_membre"),
    "D-2025-0002": ("trouve", "aeronautique-pays-de-la-loire", ""),
    "D-2025-0003": ("trouve", "travaux-publics-bruay-la-buissiere", ""),
    "D-2025-0004": ("trouve", "numerique-et-photonique-lannion", ""),
    "D-2025-0005": ("trouve", "industries-de-la-mer-brest", ""),
    "D-2025-0006": ("trouve", "tourisme-hotellerie-restauration-nice", "etablissement_non_membre"),
    "D-2025-0007": ("trouve", "nautisme-pays-de-la-loire", ""),
    "D-2025-0008": ("trouve", "cmq2m", ""),
    "D-2025-0009": ("trouve", "plasticampus", "etablissement_non_membre"),
    "D-2025-0010": ("trouve", "mobicampus", ""),
    "D-2025-0011": ("trouve", "energies-et-de-l-efficacite-energetique-fecamp", ""),
    "D-2025-0012": ("trouve", "bois-epinal", ""),  # "CMQ du bois" from a lycée of Grand Est
    "D-2025-0013": ("trouve", "design-et-industries-creatives", "etablissement_non_membre"),
    "D-2025-0014": ("trouve", "aeronautique-et-spatial-guyane", ""),
    "D-2025-0015": ("trouve", "aerocampus", ""),  # filière Tourisme: incoherent
    "D-2025-0016": ("sans_nom", "", "cmq_implique_sans_nom"),
    "D-2025-0017": ("sans_nom", "", ""),
    "D-2025-0018": (
        "trouve",
        "aeronautique-et-du-spatial-occitanie",
        "uai_invalide: UAI invalide « 0310036X » : lettre de contrôle « X », « W » attendue",
    ),
    # "CMQ numérique" from Paris: a bare filière label, and no campus of that filière in Île-de-France
    "D-2025-0019": ("ambigu", "", "nom_cmq_libelle_de_filiere"),
    "D-2025-0020": ("inconnu", "", ""),
    "D-2025-0021": ("sans_nom", "", ""),
    "D-2025-0022": ("trouve", "batiment-durable-rennes", "nom_sans_cmq_implique"),
    "D-2025-0023": ("trouve", "stahr", ""),
    "D-2025-0024": ("trouve", "production-culinaire-terre-mer-et-gastronomie", ""),
    "D-2025-0025": ("trouve", "industrie-du-futur-mecanic-vallee", ""),
    "D-2025-0026": ("trouve", "agroequipements", ""),
    "D-2025-0027": ("trouve", "tourisme-pyreneen", ""),
    "D-2025-0028": ("trouve", "btp-et-usages-du-numerique", "etablissement_non_membre"),
    "D-2025-0029": ("trouve", "aeronautique-provence-alpes-cote-d-azur", ""),
    "D-2025-0030": ("trouve", "industrie-des-energies-cherbourg", ""),
    "D-2025-0031": ("trouve", "filiere-alimentaire-quimper", ""),
    "D-2025-0032": ("trouve", "transnum", "uai_invalide: UAI vide"),  # territory from codeRegion
    "D-2025-0033": ("trouve", "cosmetopharma", "cmq_implique_illisible: « ? »"),
}
SYNTHESE = {
    "lignes": 33,
    "mentions": 30,
    "trouves": 28,
    "ambigus": 1,
    "inconnus": 1,
    "remplissages": 0,
    "libelles_de_filiere": 1,
    "hors_region": 0,
    "cmq_implique_sans_nom": 1,
    "nom_sans_cmq_implique": 1,
    "non_membres": 5,  # checked against the embedded members (29 campus have some)
    "membres_non_renseignes": 19,
    "uai_invalides": 2,
    "filieres_incoherentes": 1,
    "filieres_illisibles": 0,
}


def _empreinte(chemin: Path) -> str:
    return hashlib.sha256(chemin.read_bytes()).hexdigest()


def _par_numero(audit) -> dict[str, dict]:
    return {ligne["numero"]: ligne for ligne in audit.lignes}


def test_audit_de_l_export(base_embarquee):
    progres = []
    audit = auditer(FIXTURE, url=base_embarquee, progression=lambda *a: progres.append(a))
    lignes = _par_numero(audit)
    assert {n: (l["statut_resolution"], l["campus_id"], l["anomalie"]) for n, l in lignes.items()} == ATTENDUS
    assert audit.synthese.model_dump() == SYNTHESE
    assert progres == [(ETAPE, 33, 33)]
    # every input column is kept (unknown ones too), the audit columns follow
    with FIXTURE.open(encoding="utf-8") as flux:
        entree = list(csv.DictReader(flux, delimiter=";"))
    assert audit.colonnes == list(entree[0]) + list(AJOUTEES)
    assert all(lignes[e["numero"]][c] == v for e in entree for c, v in e.items())
    incoherente = lignes["D-2025-0015"]
    assert (incoherente["filiere_incoherente"], incoherente["campus_nom"]) == (
        "oui",
        "Aérocampus Auvergne (CMQ d'excellence aéronautique et spatial)",
    )
    assert lignes["D-2025-0001"]["filiere_incoherente"] == "non" and lignes["D-2025-0001"]["score"] > 90
    ambigu = lignes["D-2025-0019"]
    assert ambigu["campus_nom"] == "" and "numerique-et-photonique-lannion" in ambigu["candidats"].split(" | ")


def test_audit_deux_bases_et_appartenance(base_url):
    """Same audit on SQLite and PostgreSQL; members recorded in the store make the membership check work."""
    initialiser(base_url)
    assert auditer(FIXTURE, url=base_url).synthese.model_dump() == SYNTHESE
    with db.session(base_url, ecriture=True) as s:
        ecriture.ecrire_membres(
            s,
            [
                {"campus_id": "aeronautique-et-du-spatial-occitanie", "uai": "0310036W", "role": "support"},
                {"campus_id": "aeronautique-pays-de-la-loire", "uai": "0440069L", "role": "membre"},
            ],
        )
    audit = auditer(FIXTURE, url=base_url)
    lignes = _par_numero(audit)
    assert lignes["D-2025-0001"]["anomalie"] == "etablissement_non_membre"  # 0310049K is not listed
    assert lignes["D-2025-0002"]["anomalie"] == ""  # 0440069L is a member
    assert lignes["D-2025-0018"]["anomalie"].startswith("uai_invalide")  # invalid UAI: not checked
    assert (audit.synthese.non_membres, audit.synthese.membres_non_renseignes) == (5, 18)


def test_en_tetes_souples_et_cellule_formule(base_embarquee, tmp_path):
    entree = tmp_path / "demandes.csv"
    entree.write_text(
        "Numéro,UAI,CMQ impliqué,Filière CMQ,Nom CMQ\n"
        '1,0310049K,oui,aeronautique,=HYPERLINK("http://exemple.org")\n'
        "2,0310049K,vrai,Mobilité,CMQ aéronautique\n",
        encoding="utf-8",
    )
    audit = auditer(entree, url=base_embarquee)
    assert [l["statut_resolution"] for l in audit.lignes] == ["inconnu", "trouve"]
    sortie = ecrire(audit)
    assert sortie == tmp_path / "demandes_audit.xlsx"
    cellule = load_workbook(sortie)["audit"]["E2"]
    assert (cellule.value, cellule.data_type) == ('=HYPERLINK("http://exemple.org")', "s")  # text, never a formula


def test_cli_audit(base_embarquee, tmp_path, monkeypatch):
    monkeypatch.setenv("CMQ_DATABASE_URL", base_embarquee)
    entree = tmp_path / "demandes_orion.csv"
    shutil.copy(FIXTURE, entree)
    avant = _empreinte(entree)
    resultat = CliRunner().invoke(app, ["audit-demandes", str(entree)])
    assert resultat.exit_code == 0, resultat.output
    assert "campus trouvés" in resultat.output and "Résultat écrit dans" in resultat.output
    assert _empreinte(entree) == avant
    classeur = load_workbook(tmp_path / "demandes_orion_audit.xlsx")
    assert classeur.sheetnames == ["audit", "synthese", "territoires"]
    lignes = list(classeur["audit"].values)
    assert len(lignes) == 34 and lignes[0][-len(AJOUTEES) :] == AJOUTEES
    synthese = dict(list(classeur["synthese"].values)[1:])
    assert (synthese["campus trouvés"], synthese["UAI invalides"], synthese["mentions ambiguës"]) == (28, 2, 1)
    # no formation-domain column: the formation checks are not made, and the synthesis says so
    absente = "non faits : colonne « Domaine de formation (NSF) » absente"
    assert synthese["contrôles domaine de formation ↔ filière"] == absente
    territoires_ = list(classeur["territoires"].values)
    assert territoires_[0] == (
        "region_academique",
        "region_academique_nom",
        "filiere_formation",
        "demandes",
        "declarant_un_campus",
        "d_etablissements_membres",
        "signalees",
    )
    assert {r[2] for r in territoires_[1:]} == {"colonne absente"}
    assert sum(r[3] for r in territoires_[1:]) == 33


def test_cli_audit_xlsx_vers_csv(base_embarquee, tmp_path, monkeypatch):
    monkeypatch.setenv("CMQ_DATABASE_URL", base_embarquee)
    with FIXTURE.open(encoding="utf-8") as flux:
        rangs = list(csv.reader(flux, delimiter=";"))
    entree = classeur(tmp_path / "export.xlsx", {"notes": [], "demandes": rangs})
    avant = _empreinte(entree)
    sortie = tmp_path / "resultat.csv"
    resultat = CliRunner().invoke(app, ["audit-demandes", str(entree), "--feuille", "demandes", "-o", str(sortie)])
    assert resultat.exit_code == 0, resultat.output
    with sortie.open(encoding="utf-8") as flux:
        lignes = {l["numero"]: l for l in csv.DictReader(flux)}
    assert {n: (l["statut_resolution"], l["campus_id"], l["anomalie"]) for n, l in lignes.items()} == ATTENDUS
    assert _empreinte(entree) == avant


MAUVAIS = [
    (
        "colonnes.csv",
        "numero;uai;filiereCmq;nomCmq2\n1;0310049K;Mobilité;aero\n",
        "colonne(s) obligatoire(s) absente(s) : nomCmq ; colonnes du fichier : numero, uai, filiereCmq, nomCmq2 "
        "(indiquez-les avec --colonne CHAMP=COLONNE)",
    ),
    ("vide.csv", "", "fichier vide"),
    ("entete.csv", "numero;uai;cmqImplique;filiereCmq;nomCmq\n", "aucune ligne de demande"),
    ("binaire.csv", b"\x00\x01\x02PK\x03\x04", "encodage non reconnu"),
    ("ancien.xls", b"\xd0\xcf\x11\xe0", "format .xls non pris en charge"),
    ("corrompu.xlsx", b"PK\x03\x04 pas un classeur", "classeur .xlsx illisible ou corrompu"),
]


@pytest.mark.parametrize(("nom", "contenu", "message"), MAUVAIS, ids=[m[0] for m in MAUVAIS])
def test_cli_mauvaises_entrees(base_embarquee, tmp_path, monkeypatch, nom, contenu, message):
    monkeypatch.setenv("CMQ_DATABASE_URL", base_embarquee)
    entree = tmp_path / nom
    entree.write_bytes(contenu.encode("utf-8") if isinstance(contenu, str) else contenu)
    avant = _empreinte(entree)
    resultat = CliRunner().invoke(app, ["audit-demandes", str(entree)])
    assert resultat.exit_code == 1
    assert "Erreur : " in resultat.output and message in resultat.output
    assert "Traceback" not in resultat.output
    assert _empreinte(entree) == avant
    assert sorted(p.name for p in tmp_path.iterdir()) == [nom]  # no output, no temporary file


@pytest.mark.parametrize(
    ("sortie", "message"),
    [
        ("demandes_orion.csv", "est le fichier d'entrée : choisissez un autre nom"),
        ("rapport.txt", "extension .xlsx ou .csv attendue"),
    ],
)
def test_cli_sortie_refusee(base_embarquee, tmp_path, monkeypatch, sortie, message):
    monkeypatch.setenv("CMQ_DATABASE_URL", base_embarquee)
    entree = tmp_path / "demandes_orion.csv"
    shutil.copy(FIXTURE, entree)
    avant = _empreinte(entree)
    resultat = CliRunner().invoke(app, ["audit-demandes", str(entree), "-o", str(tmp_path / sortie)])
    assert resultat.exit_code == 1 and message in resultat.output
    assert _empreinte(entree) == avant
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demandes_orion.csv"]


def test_cli_fichier_introuvable_et_base_absente(tmp_path, monkeypatch):
    monkeypatch.setenv("CMQ_DATABASE_URL", f"sqlite:///{tmp_path / 'absente.db'}")
    introuvable = CliRunner().invoke(app, ["audit-demandes", str(tmp_path / "nulle-part.csv")])
    assert introuvable.exit_code == 1 and "Erreur : " in introuvable.output
    entree = tmp_path / "demandes_orion.csv"
    shutil.copy(FIXTURE, entree)
    sans_base = CliRunner().invoke(app, ["audit-demandes", str(entree)])
    assert sans_base.exit_code == 1 and "base non initialisée" in sans_base.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demandes_orion.csv"]


def test_colonnes_manquantes_bibliotheque(base_embarquee, tmp_path):
    entree = tmp_path / "d.csv"
    entree.write_text("numero,uai\n1,0310049K\n", encoding="utf-8")
    with pytest.raises(
        ColonneManquante, match="absente\\(s\\) : filiereCmq, nomCmq ; colonnes du fichier : numero, uai"
    ):
        auditer(entree, url=base_embarquee)
    with pytest.raises(EntreeInvalide, match="est le fichier d.entrée : choisissez un autre nom"):
        ecrire(auditer(FIXTURE, url=base_embarquee), FIXTURE)
