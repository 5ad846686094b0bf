"""Backup bundle: deterministic dump, restore, round-trips across SQLite and PostgreSQL, bad inputs."""

import hashlib
import json
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from cmq import __version__
from cmq.cli import app
from cmq.errors import EntreeInvalide, ErreurEcriture, ErreurStockage, FichierIllisible, ImportEnCours
from cmq.store import db, schema
from cmq.store.sauvegarde import lire, restaurer, sauvegarder, tables
from cmq.store.tables import Base

T = Base.metadata.tables
CREE_LE = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
LARGE = {"COLUMNS": "200"}
runner = CliRunner()

CAMPUS = [
    {
        "id": "cmq-aura-aeronautique",
        "nom": "Campus d'excellence Aéronautique & Spatial — Œuvre « Lyon »",
        "sigle": "CMQE AÉRO",
        "filiere": "mobilite-aeronautique-transports-terrestres-et-maritimes",
        "excellence": True,
        "region_academique": "84",
        "ville_siege": "Saint-Étienne",
        "code_commune_siege": "42218",
        "latitude": 45.764043,
        "longitude": 4.835659,
        "date_debut_label": date(2019, 2, 1),
        "date_fin_label": date(2024, 1, 31),
        "reference_arrete": "Arrêté du 1er février 2019",
        "site_web": "https://exemple.fr/aéro",
        "uai_support": "0690001B",
        "description": "Ligne 1\nLigne 2\u2028séparateur",
        "note": None,
        "source_nom": "data.gouv.fr",
        "source_url": "https://www.data.gouv.fr/",
        "date_recuperation": date(2025, 9, 1),
    },
    {
        "id": "cmq-bretagne-mer",
        "nom": "Campus de la mer",
        "sigle": None,
        "filiere": "tourisme-gastronomie",
        "excellence": False,
        "region_academique": "53",
        "ville_siege": None,
        "code_commune_siege": None,
        "latitude": -0.1,
        "longitude": 1e-7,
        "date_debut_label": None,
        "date_fin_label": None,
        "reference_arrete": None,
        "site_web": None,
        "uai_support": None,
        "description": None,
        "note": "",
        "source_nom": None,
        "source_url": None,
        "date_recuperation": None,
    },
    {
        "id": "cmq-idf-numerique",
        "nom": "Campus du numérique",
        "sigle": None,
        "filiere": "numerique-telecommunications",
        "excellence": None,
        "region_academique": None,
        "ville_siege": None,
        "code_commune_siege": None,
        "latitude": None,
        "longitude": None,
        "date_debut_label": date(2021, 12, 31),
        "date_fin_label": None,
        "reference_arrete": None,
        "site_web": None,
        "uai_support": None,
        "description": None,
        "note": None,
        "source_nom": None,
        "source_url": None,
        "date_recuperation": None,
    },
]
LIGNES = {
    "campus": CAMPUS,
    "campus_academies": [
        {"campus_id": "cmq-aura-aeronautique", "academie": "10"},
        {"campus_id": "cmq-aura-aeronautique", "academie": "08"},
        {"campus_id": "cmq-bretagne-mer", "academie": "14"},
    ],
    "etablissements": [
        {
            "uai": "0690001B",
            "nom": "Lycée Édouard-Herriot",
            "type": "LYC",
            "secteur": "Public",
            "code_commune": "69123",
            "nom_commune": "Lyon",
            "code_postal": "69006",
            "departement": "69",
            "academie": "10",
            "region_academique": "84",
            "latitude": 45.7697,
            "longitude": 4.8512,
        },
        {
            "uai": "0290001U",
            "nom": "Lycée maritime",
            "type": None,
            "secteur": None,
            "code_commune": None,
            "nom_commune": None,
            "code_postal": None,
            "departement": None,
            "academie": None,
            "region_academique": None,
            "latitude": None,
            "longitude": None,
        },
    ],
    "membres": [
        {
            "campus_id": "cmq-aura-aeronautique",
            "uai": "0690001B",
            "role": "support",
            "libelle_role": "chef de file",
            "source_url": "https://www.ac-lyon.fr/campus-aero",
        },
        {
            "campus_id": "cmq-aura-aeronautique",
            "uai": "0421234N",
            "role": "membre",
            "libelle_role": None,
            "source_url": None,
        },
        {
            "campus_id": "cmq-bretagne-mer",
            "uai": "0290001U",
            "role": "membre",
            "libelle_role": None,
            "source_url": None,
        },
    ],
    "membres_nommes": [
        {
            "id": 4,
            "campus_id": "cmq-bretagne-mer",
            "nom": "IUT de Lannion",
            "nature": "iut",
            "role": "partenaire",
            "libelle_role": "partenaire historique (supérieur)",
            "commune": "Lannion",
            "code_commune": "22113",
            "source_url": "https://www.univ-rennes1.fr/actualites/lannion",
        },
        {
            "id": 9,
            "campus_id": "cmq-aura-aeronautique",
            "nom": "GRETA Lyon Métropole",
            "nature": "greta",
            "role": "membre",
            "libelle_role": None,
            "commune": None,
            "code_commune": None,
            "source_url": None,
        },
    ],
    "partenaires": [
        {
            "id": 5,
            "campus_id": "cmq-aura-aeronautique",
            "nom": "Airbus Opérations",
            "nature": "entreprise",
            "siret": "38347481400100",
        },
        {
            "id": 12,
            "campus_id": "cmq-bretagne-mer",
            "nom": "Université de Bretagne",
            "nature": "laboratoire",
            "siret": None,
        },
    ],
    "alias": [
        {
            "texte": "campus aero lyon",
            "campus_id": "cmq-aura-aeronautique",
            "cree_le": datetime(2025, 3, 30, 1, 30, 15, 123456, tzinfo=UTC),
        },
        {"texte": "cmq mer", "campus_id": "cmq-bretagne-mer", "cree_le": None},
    ],
    "imports": [
        {
            "id": 3,
            "source": "annuaire.csv",
            "type_import": "etablissements",
            "debut": datetime(2025, 9, 1, 8, 0, tzinfo=UTC),
            "fin": datetime(2025, 9, 1, 8, 0, 2, 500000, tzinfo=UTC),
            "lignes_lues": 2,
            "inserees": 2,
            "mises_a_jour": 0,
            "rejetees": 0,
            "somme_controle": "ab" * 32,
            "statut": "ok",
            "message": None,
        },
        {
            "id": 7,
            "source": "campus.csv",
            "type_import": "campus",
            "debut": datetime(2025, 10, 2, 23, 59, tzinfo=UTC),
            "fin": None,
            "lignes_lues": 0,
            "inserees": 0,
            "mises_a_jour": 0,
            "rejetees": 3,
            "somme_controle": None,
            "statut": "echec",
            "message": "colonne « nom » manquante",
        },
    ],
    # Curation: users with their hashed token (never the token) and scopes, and the history.
    "utilisateurs": [
        {
            "id": 2,
            "nom": "Directrice CMQ aéronautique",
            "role": "editeur",
            "relecture": True,
            "prefixe": "a1b2c3d4e5f6",
            "empreinte": "$argon2id$v=19$m=65536,t=3,p=4$c2VsZHVzZWw$aGFjaMOpIGTDqW1vbnN0cmF0aW9u",
            "cree_le": datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
            "expire_le": datetime(2027, 1, 5, 0, 0, tzinfo=UTC),
            "revoque_le": None,
        },
    ],
    "utilisateurs_perimetres": [
        {"utilisateur_id": 2, "perimetre": "academie:10"},
        {"utilisateur_id": 2, "perimetre": "campus:cmq-aura-aeronautique"},
    ],
    "changements": [
        {
            "id": 11,
            "quand": datetime(2026, 2, 1, 10, 0, 0, 250000, tzinfo=UTC),
            "auteur": "Directrice CMQ aéronautique",
            "utilisateur_id": 2,
            "source": "https://www.ac-lyon.fr/arrete-cmq",
            "operation": "edition",
            "objet": "campus",
            "action": "modification",
            "campus_id": "cmq-aura-aeronautique",
            "cle": None,
            "statut": "a_valider",
            "import_id": None,
            "decide_par": None,
            "decide_le": None,
            "motif": None,
        },
    ],
    "changements_champs": [
        {"changement_id": 11, "champ": "excellence", "avant": "null", "apres": "true"},
        {"changement_id": 11, "champ": "description", "avant": '"Ancienne « description »"', "apres": None},
    ],
}


def remplir(url: str) -> None:
    """Insert the rows above with SQLAlchemy Core (parents first)."""
    with db.moteur(url).begin() as connexion:
        for table in tables():
            connexion.execute(insert(table), LIGNES[table.name])


def octets(url: str, dossier: Path, nom: str) -> bytes:
    """The bundle of `url` (fixed creation date), as bytes."""
    chemin = dossier / nom
    sauvegarder(chemin, url, cree_le=CREE_LE)
    return chemin.read_bytes()


def genre(url: str) -> str:
    return make_url(url).get_backend_name()


def contenu(url: str) -> dict[str, list[tuple]]:
    """Every row of every table a bundle carries, sorted (to check a target is unchanged; the
    journal of restores: `restaurations_de`)."""
    with db.moteur(url).connect() as connexion:
        return {t.name: sorted(connexion.execute(select(t)).all(), key=repr) for t in tables()}


@pytest.fixture
def source(base_url) -> str:
    """A migrated store of each kind, filled with rows in every table."""
    remplir(base_url)
    return base_url


@pytest.fixture
def bundle(source, tmp_path) -> Path:
    """The bundle of `source` (one per kind of database)."""
    chemin = tmp_path / "sauvegarde.zip"
    sauvegarder(chemin, source, cree_le=CREE_LE)
    return chemin


@pytest.fixture
def bundle_sqlite(fabrique_bases, tmp_path) -> Path:
    """A bundle from SQLite only: checking a bundle does not depend on the database."""
    url = fabrique_bases("sqlite")
    schema.mettre_a_jour(url)
    remplir(url)
    chemin = tmp_path / "sauvegarde.zip"
    sauvegarder(chemin, url, cree_le=CREE_LE)
    return chemin


# --- Round-trips --------------------------------------------------------------------------------


def test_aller_retour_octet_pour_octet(source, fabrique_bases, tmp_path):
    premier = octets(source, tmp_path, "a.zip")
    cible = fabrique_bases(genre(source))  # empty, not even migrated
    manifeste = restaurer(tmp_path / "a.zip", cible)
    assert manifeste.total_lignes == sum(len(v) for v in LIGNES.values())
    assert octets(cible, tmp_path, "b.zip") == premier
    assert contenu(cible) == contenu(source)


@pytest.mark.postgres
def test_croise_sqlite_postgresql_sqlite(fabrique_bases, tmp_path):
    sqlite, postgres, retour = fabrique_bases("sqlite"), fabrique_bases("postgresql"), fabrique_bases("sqlite")
    schema.mettre_a_jour(sqlite)
    remplir(sqlite)
    depart = octets(sqlite, tmp_path, "sqlite.zip")
    restaurer(tmp_path / "sqlite.zip", postgres)
    assert octets(postgres, tmp_path, "postgres.zip") == depart
    restaurer(tmp_path / "postgres.zip", retour)
    assert octets(retour, tmp_path, "retour.zip") == depart


def test_deux_sauvegardes_identiques_sans_date_fournie(source, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    sauvegarder(tmp_path / "1.zip", source)
    sauvegarder(tmp_path / "2.zip", source)
    assert (tmp_path / "1.zip").read_bytes() == (tmp_path / "2.zip").read_bytes()
    manifeste = json.loads(zipfile.ZipFile(tmp_path / "1.zip").read("manifeste.json"))
    assert manifeste["cree_le"] == "2026-01-01T00:00:00Z"


def test_contenu_du_bundle(bundle_sqlite):
    archive = zipfile.ZipFile(bundle_sqlite)
    noms = [t.name for t in tables()]
    assert archive.namelist() == ["manifeste.json", *(f"{n}.jsonl" for n in noms)]
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    manifeste = json.loads(archive.read("manifeste.json"))
    assert manifeste["format"] == "cmq-sauvegarde" and manifeste["version_format"] == 1
    assert manifeste["version_cmq"] == __version__
    assert manifeste["revision_alembic"] == schema.revision_cible()
    assert manifeste["cree_le"] == "2026-01-15T09:30:00Z"
    assert list(manifeste["tables"]) == noms
    for nom, entree in manifeste["tables"].items():
        donnees = archive.read(f"{nom}.jsonl")
        assert entree["sha256"] == hashlib.sha256(donnees).hexdigest()
        assert entree["lignes"] == len(LIGNES[nom]) == donnees.count(b"\n")
        assert entree["colonnes"] == list(T[nom].columns.keys())

    campus = [json.loads(l) for l in archive.read("campus.jsonl").decode().split("\n") if l]
    assert [c["id"] for c in campus] == ["cmq-aura-aeronautique", "cmq-bretagne-mer", "cmq-idf-numerique"]
    assert campus[0]["latitude"] == 45.764043 and campus[1]["longitude"] == 1e-7
    assert [c["excellence"] for c in campus] == [True, False, None]
    assert campus[0]["date_debut_label"] == "2019-02-01" and campus[2]["date_fin_label"] is None
    assert campus[0]["description"] == "Ligne 1\nLigne 2\u2028séparateur" and campus[1]["note"] == ""
    brut = archive.read("campus.jsonl").decode()
    assert '"latitude":45.764043,' in brut and "Œuvre « Lyon »" in brut  # JSON numbers, raw UTF-8
    academies = archive.read("campus_academies.jsonl").decode().splitlines()
    assert academies[:2] == [
        '{"campus_id":"cmq-aura-aeronautique","academie":"08"}',  # sorted by primary key
        '{"campus_id":"cmq-aura-aeronautique","academie":"10"}',
    ]
    alias = [json.loads(l) for l in archive.read("alias.jsonl").decode().splitlines()]
    assert alias[0]["cree_le"] == "2025-03-30T01:30:15.123456+00:00" and alias[1]["cree_le"] is None
    imports = [json.loads(l) for l in archive.read("imports.jsonl").decode().splitlines()]
    assert [i["id"] for i in imports] == [3, 7]
    assert imports[0]["fin"] == "2025-09-01T08:00:02.500000+00:00" and imports[1]["rejetees"] == 3


def test_ids_suivants_apres_restauration(bundle, fabrique_bases, source):
    cible = fabrique_bases(genre(source))
    restaurer(bundle, cible)
    with db.moteur(cible).begin() as connexion:
        partenaire = connexion.execute(
            insert(T["partenaires"]).values(campus_id="cmq-bretagne-mer", nom="Nouveau", nature="autre")
        ).inserted_primary_key[0]
        enregistrement = connexion.execute(
            insert(T["imports"]).values(
                source="x",
                type_import="campus",
                debut=CREE_LE,
                lignes_lues=0,
                inserees=0,
                mises_a_jour=0,
                rejetees=0,
                statut="ok",
            )
        ).inserted_primary_key[0]
    assert (partenaire, enregistrement) == (13, 8)


@pytest.mark.postgres
def test_postgresql_dates_heures_ramenees_en_utc(base_postgres, tmp_path):
    """The test server runs in Europe/Paris: values come back with +01/+02 offsets, dumped in UTC."""
    schema.mettre_a_jour(base_postgres)
    ete = timezone(timedelta(hours=2))
    with db.moteur(base_postgres).begin() as connexion:
        connexion.execute(insert(T["campus"]).values(id="c", nom="C", filiere="tourisme-gastronomie"))
        connexion.execute(
            insert(T["alias"]).values(texte="a", campus_id="c", cree_le=datetime(2025, 6, 1, 14, 30, tzinfo=ete))
        )
        lu = connexion.execute(select(T["alias"].c.cree_le)).scalar_one()
    assert lu.utcoffset() == timedelta(hours=2)  # the server session really is not in UTC
    sauvegarder(tmp_path / "s.zip", base_postgres, cree_le=CREE_LE)
    ligne = json.loads(zipfile.ZipFile(tmp_path / "s.zip").read("alias.jsonl"))
    assert ligne["cree_le"] == "2025-06-01T12:30:00+00:00"


# --- Restore refusals and errors ----------------------------------------------------------------


def test_cible_non_vide_refusee_puis_remplacee(bundle, source, fabrique_bases, tmp_path):
    cible = fabrique_bases(genre(source))
    schema.mettre_a_jour(cible)
    with db.moteur(cible).begin() as connexion:
        connexion.execute(insert(T["campus"]).values(id="autre", nom="Autre campus", filiere="tourisme-gastronomie"))
        connexion.execute(insert(T["partenaires"]).values(id=40, campus_id="autre", nom="P", nature="autre"))
    avant = contenu(cible)
    with pytest.raises(ErreurStockage, match=r"la base cible n'est pas vide \(1 campus, 1 partenaires\).*--remplacer"):
        restaurer(bundle, cible)
    assert contenu(cible) == avant
    restaurer(bundle, cible, remplacer=True)
    assert contenu(cible) == contenu(source)
    assert octets(cible, tmp_path, "c.zip") == bundle.read_bytes()


def test_restauration_pendant_un_import_refusee(bundle, source, fabrique_bases, monkeypatch):
    """A restore waits for the import lock like an import, then fails clearly; target unchanged."""
    from cmq.store import verrou

    cible = fabrique_bases(genre(source))
    schema.mettre_a_jour(cible)
    avant = contenu(cible)
    monkeypatch.setenv(db.VARIABLE_ATTENTE, "0.3")
    with db.session(cible, ecriture=True) as s:
        verrou.prendre(s)
        with pytest.raises(
            ImportEnCours,
            match=r"^un autre import est en cours sur cette base ; réessayez plus tard "
            r"\(attente de 0\.3 s dépassée, réglable par CMQ_ATTENTE_VERROU\)$",
        ):
            restaurer(bundle, cible)
    assert contenu(cible) == avant
    restaurer(bundle, cible)  # lock released
    assert contenu(cible) == contenu(source)


def reecrire(source: Path, cible: Path, *, tables: dict[str, bytes | None] | None = None, manifeste=None) -> Path:
    """Copy a bundle, replacing (or removing, None) table files with a recomputed manifest entry."""
    with zipfile.ZipFile(source) as archive:
        entrees = {nom: archive.read(nom) for nom in archive.namelist()}
    entete = json.loads(entrees.pop("manifeste.json"))
    for nom, donnees in (tables or {}).items():
        if donnees is None:
            del entrees[f"{nom}.jsonl"]
            continue
        entrees[f"{nom}.jsonl"] = donnees
        entete["tables"][nom].update(sha256=hashlib.sha256(donnees).hexdigest(), lignes=donnees.count(b"\n"))
    if manifeste:
        manifeste(entete)
    with zipfile.ZipFile(cible, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifeste.json", json.dumps(entete))
        for nom, donnees in entrees.items():
            archive.writestr(nom, donnees)
    return cible


def _ligne_modifiee(bundle: Path, table: str, numero: int, nouvelle: str) -> bytes:
    lignes = zipfile.ZipFile(bundle).read(f"{table}.jsonl").decode().split("\n")
    lignes[numero - 1] = nouvelle
    return "\n".join(lignes).encode()


def _modifier_manifeste(**champs):
    return lambda entete: entete.update(champs)


def _fausse_somme(entete):
    entete["tables"]["membres"]["sha256"] = "0" * 64


def _compte_faux(entete):
    entete["tables"]["alias"]["lignes"] = 3


def _table_inconnue(entete):
    entete["tables"]["inconnue"] = {"lignes": 0, "sha256": hashlib.sha256(b"").hexdigest(), "colonnes": []}


def _sans_tables(entete):
    del entete["tables"]


MAUVAIS_MANIFESTES = [
    pytest.param(
        _modifier_manifeste(version_format=2),
        r"version de format 2 non prise en charge \(cette version de cmq lit la version 1\)",
        id="version",
    ),
    pytest.param(_modifier_manifeste(format="autre-chose"), r"ce n'est pas une sauvegarde cmq", id="format"),
    pytest.param(_fausse_somme, r"somme de contrôle incorrecte pour « membres.jsonl » \(fichier altéré\)", id="somme"),
    pytest.param(_compte_faux, r"« alias.jsonl » contient 2 lignes, le manifeste en annonce 3", id="compte"),
    pytest.param(_table_inconnue, r"table inconnue « inconnue »", id="table-inconnue"),
    pytest.param(_sans_tables, r"manifeste.json invalide \(champ « tables » : obligatoire\)", id="manifeste-incomplet"),
]


def _verifier_refus(chemin: Path, erreur, message: str, cible: str) -> None:
    """The restore fails with `message`, and the target (filled, `remplacer=True`) is unchanged."""
    avant = contenu(cible)
    with pytest.raises(erreur, match=message):
        restaurer(chemin, cible, remplacer=True)
    assert contenu(cible) == avant


@pytest.fixture
def cible_remplie(fabrique_bases) -> str:
    """A filled SQLite target, different from the bundles' content."""
    url = fabrique_bases("sqlite")
    schema.mettre_a_jour(url)
    with db.moteur(url).begin() as connexion:
        connexion.execute(insert(T["campus"]).values(id="autre", nom="Autre", filiere="tourisme-gastronomie"))
    return url


@pytest.mark.parametrize("modification, message", MAUVAIS_MANIFESTES)
def test_manifeste_refuse(bundle_sqlite, tmp_path, cible_remplie, modification, message):
    _verifier_refus(
        reecrire(bundle_sqlite, tmp_path / "m.zip", manifeste=modification), FichierIllisible, message, cible_remplie
    )


@pytest.mark.parametrize(
    "table, numero, nouvelle, message",
    [
        ("membres", 2, "{pas du json", r"« membres.jsonl », ligne 2 : JSON mal formé, position 1$"),
        (
            "membres",
            2,
            "[1, 2]",
            r"« membres.jsonl », ligne 2 : objet JSON avec les colonnes campus_id, uai, role, libelle_role, "
            r"source_url attendu",
        ),
        ("membres", 1, '{"campus_id":"x","uai":"y"}', r"ligne 1 : objet JSON avec les colonnes"),
        (
            "campus",
            3,
            json.dumps({**json.loads(json.dumps(CAMPUS[2], default=str)), "latitude": "45,7"}),
            r"« campus.jsonl », ligne 3 : nombre attendu, pas '45,7'",
        ),
        (
            "campus",
            1,
            json.dumps({**json.loads(json.dumps(CAMPUS[0], default=str)), "excellence": 1}),
            r"ligne 1 : booléen attendu, pas 1",
        ),
        (
            "alias",
            1,
            '{"texte":"a","campus_id":"cmq-bretagne-mer","cree_le":"2025-03-30T01:30:15"}',
            r"« alias.jsonl », ligne 1 : date-heure sans fuseau horaire",
        ),
        ("imports", 2, '{"id":"7"}', r"« imports.jsonl », ligne 2 : objet JSON avec les colonnes"),
    ],
    ids=["json", "pas-un-objet", "colonne-manquante", "nombre", "booleen", "fuseau", "cles"],
)
def test_ligne_malformee_refusee(bundle_sqlite, tmp_path, cible_remplie, table, numero, nouvelle, message):
    chemin = reecrire(
        bundle_sqlite, tmp_path / "l.zip", tables={table: _ligne_modifiee(bundle_sqlite, table, numero, nouvelle)}
    )
    _verifier_refus(chemin, FichierIllisible, message, cible_remplie)


def test_fichier_de_table_absent(bundle_sqlite, tmp_path, cible_remplie):
    chemin = reecrire(bundle_sqlite, tmp_path / "t.zip", tables={"membres": None})
    _verifier_refus(chemin, FichierIllisible, r"fichier « membres.jsonl » absent de l'archive", cible_remplie)


def test_archive_tronquee_ou_corrompue(bundle_sqlite, tmp_path, cible_remplie):
    donnees = bundle_sqlite.read_bytes()
    tronquee = tmp_path / "tronquee.zip"
    tronquee.write_bytes(donnees[: len(donnees) // 2])
    _verifier_refus(
        tronquee,
        FichierIllisible,
        r"sauvegarde « tronquee.zip » illisible : archive ZIP corrompue ou tronquée",
        cible_remplie,
    )
    pas_zip = tmp_path / "texte.zip"
    pas_zip.write_text("campus;nom\n", encoding="utf-8")
    _verifier_refus(pas_zip, FichierIllisible, r"archive ZIP corrompue ou tronquée", cible_remplie)
    # flip one byte inside the compressed data of campus.jsonl: CRC or deflate error on read
    archive = zipfile.ZipFile(bundle_sqlite)
    info = archive.getinfo("campus.jsonl")
    position = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
    alteree = bytearray(donnees)
    alteree[position] ^= 0xFF
    corrompue = tmp_path / "corrompue.zip"
    corrompue.write_bytes(bytes(alteree))
    _verifier_refus(corrompue, FichierIllisible, r"« campus.jsonl » corrompu dans l'archive", cible_remplie)


def test_sans_manifeste_ou_introuvable(tmp_path, cible_remplie):
    autre = tmp_path / "autre.zip"
    with zipfile.ZipFile(autre, "w") as archive:
        archive.writestr("campus.jsonl", "")
    _verifier_refus(autre, FichierIllisible, r"fichier « manifeste.json » absent de l'archive", cible_remplie)
    _verifier_refus(tmp_path / "absent.zip", FichierIllisible, r"sauvegarde introuvable", cible_remplie)


def test_erreur_de_verification_ne_cree_pas_la_base(bundle_sqlite, tmp_path):
    chemin = reecrire(bundle_sqlite, tmp_path / "v.zip", manifeste=_modifier_manifeste(version_format=99))
    cible = tmp_path / "nouvelle" / "cmq.db"
    with pytest.raises(FichierIllisible, match="version de format 99"):
        restaurer(chemin, f"sqlite:///{cible}")
    assert not cible.parent.exists()


def test_sauvegarde_plus_ancienne_colonne_et_table_absentes(bundle_sqlite, fabrique_bases, tmp_path):
    """Older bundles: a missing column takes its default, a missing table is restored empty."""
    membres = [json.loads(l) for l in zipfile.ZipFile(bundle_sqlite).read("membres.jsonl").decode().splitlines()]
    sans_role = "".join(json.dumps({"campus_id": m["campus_id"], "uai": m["uai"]}) + "\n" for m in membres)

    def ancien(entete):
        entete["tables"]["membres"]["colonnes"] = ["campus_id", "uai"]
        del entete["tables"]["partenaires"]

    chemin = reecrire(bundle_sqlite, tmp_path / "ancien.zip", tables={"membres": sans_role.encode()}, manifeste=ancien)
    cible = fabrique_bases("sqlite")
    manifeste = restaurer(chemin, cible)
    assert "partenaires" not in manifeste.tables
    lignes = contenu(cible)
    assert lignes["partenaires"] == []
    assert sorted(lignes["membres"]) == [
        ("cmq-aura-aeronautique", "0421234N", "membre", None, None),
        ("cmq-aura-aeronautique", "0690001B", "membre", None, None),  # was "support": the default replaces it
        ("cmq-bretagne-mer", "0290001U", "membre", None, None),
    ]


def test_sauvegarde_de_revision_0001_restauree(bundle_sqlite, fabrique_bases, tmp_path):
    """A bundle written before 0002_membres (no libelle_role/source_url, no membres_nommes) restores."""
    membres = [json.loads(l) for l in zipfile.ZipFile(bundle_sqlite).read("membres.jsonl").decode().splitlines()]
    anciens = "".join(json.dumps({c: m[c] for c in ("campus_id", "uai", "role")}) + "\n" for m in membres)

    def ancien(entete):
        entete["revision_alembic"] = "0001"
        entete["tables"]["membres"]["colonnes"] = ["campus_id", "uai", "role"]
        del entete["tables"]["membres_nommes"]

    chemin = reecrire(bundle_sqlite, tmp_path / "r0001.zip", tables={"membres": anciens.encode()}, manifeste=ancien)
    cible = fabrique_bases("sqlite")
    restaurer(chemin, cible)
    lignes = contenu(cible)
    assert lignes["membres_nommes"] == []
    assert sorted(lignes["membres"]) == [
        ("cmq-aura-aeronautique", "0421234N", "membre", None, None),
        ("cmq-aura-aeronautique", "0690001B", "support", None, None),
        ("cmq-bretagne-mer", "0290001U", "membre", None, None),
    ]


def test_source_date_epoch_invalide(source, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "hier")
    with pytest.raises(EntreeInvalide, match="SOURCE_DATE_EPOCH invalide : « hier »"):
        sauvegarder(tmp_path / "s.zip", source)
    assert not (tmp_path / "s.zip").exists()


def test_sauvegarde_incoherente_base_inchangee(bundle, source, fabrique_bases, tmp_path):
    """A constraint violation during the inserts rolls everything back, deletions included."""
    cible = fabrique_bases(genre(source))
    schema.mettre_a_jour(cible)
    with db.moteur(cible).begin() as connexion:
        connexion.execute(insert(T["campus"]).values(id="autre", nom="Autre", filiere="tourisme-gastronomie"))
        connexion.execute(insert(T["membres"]).values(campus_id="autre", uai="0000001A", role="membre"))
    doublon = _ligne_modifiee(
        bundle, "membres", 2, zipfile.ZipFile(bundle).read("membres.jsonl").decode().split("\n")[0]
    )
    chemin = reecrire(bundle, tmp_path / "d.zip", tables={"membres": doublon})
    assert lire(chemin)[0].tables["membres"].lignes == 3  # the bundle itself is well formed
    _verifier_refus(chemin, ErreurStockage, r"restauration impossible, base inchangée : sauvegarde incohérente", cible)


# --- Writing the bundle -------------------------------------------------------------------------


def test_dossier_de_destination_absent(source, tmp_path):
    chemin = tmp_path / "absent" / "s.zip"
    with pytest.raises(ErreurEcriture, match=r"le dossier « .*absent » n'existe pas"):
        sauvegarder(chemin, source)
    assert not chemin.parent.exists()
    assert not list(tmp_path.rglob("*.zip*"))  # no temporary file left anywhere either


def test_base_non_initialisee(tmp_path):
    chemin = tmp_path / "s.zip"
    with pytest.raises(ErreurStockage, match="base non initialisée"):
        sauvegarder(chemin, f"sqlite:///{tmp_path / 'vide.db'}")
    assert not chemin.exists() and not (tmp_path / "vide.db").exists()


def test_ecriture_remplace_sans_fichier_temporaire(source, tmp_path):
    """An existing bundle is replaced whole; a folder in the way is refused and left as it was."""
    attendu = octets(source, tmp_path, "reference.zip")
    chemin = tmp_path / "s.zip"
    chemin.write_bytes(b"ancienne sauvegarde")
    sauvegarder(chemin, source, cree_le=CREE_LE)
    assert chemin.read_bytes() == attendu
    occupe = tmp_path / "occupe.zip"
    occupe.mkdir()
    with pytest.raises(ErreurEcriture, match=r"impossible d'écrire « .*occupe.zip » : c'est un dossier"):
        sauvegarder(occupe, source)
    assert list(occupe.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir() if ".zip" in p.name) == ["occupe.zip", "reference.zip", "s.zip"]


# --- CLI ----------------------------------------------------------------------------------------


def _ligne_tableau(sortie: str, premiere: str) -> list[str]:
    """The row of the table (tab-separated off a terminal) whose first cell is `premiere`."""
    for ligne in sortie.splitlines():
        cellules = ligne.split("\t")
        if cellules[0] == premiere:
            return cellules
    raise AssertionError(f"ligne « {premiere} » absente :\n{sortie}")


def test_cli_sauvegarder_puis_restaurer(source, fabrique_bases, tmp_path, monkeypatch):
    chemin = tmp_path / "cli.zip"
    resultat = runner.invoke(app, ["sauvegarder", str(chemin)], env=LARGE)
    assert resultat.exit_code == 0, resultat.output
    assert "Sauvegarde écrite" in resultat.stdout
    assert _ligne_tableau(resultat.stdout, "campus") == ["campus", "3"]
    assert _ligne_tableau(resultat.stdout, "total") == ["total", str(sum(map(len, LIGNES.values())))]
    assert lire(chemin)[0].total_lignes == sum(map(len, LIGNES.values())) == 25

    cible = fabrique_bases(genre(source))
    monkeypatch.setenv("CMQ_DATABASE_URL", cible)
    resultat = runner.invoke(app, ["restaurer", str(chemin)], env=LARGE)
    assert resultat.exit_code == 0, resultat.output
    assert "Base restaurée depuis" in resultat.stdout and "2" in _ligne_tableau(resultat.stdout, "partenaires")
    assert contenu(cible) == contenu(source)

    avant = contenu(cible)
    resultat = runner.invoke(app, ["restaurer", str(chemin)], env=LARGE)
    assert resultat.exit_code == 1
    assert "Erreur : la base cible n'est pas vide (3 campus" in resultat.stderr
    assert "Traceback" not in resultat.output
    assert contenu(cible) == avant

    resultat = runner.invoke(app, ["restaurer", "--remplacer", str(chemin)], env=LARGE)
    assert resultat.exit_code == 0, resultat.output
    assert contenu(cible) == avant


def test_cli_erreurs(source, tmp_path):
    resultat = runner.invoke(app, ["sauvegarder", str(tmp_path / "absent" / "s.zip")], env=LARGE)
    assert resultat.exit_code == 1
    assert "Erreur : impossible d'écrire" in resultat.stderr and "n'existe pas" in resultat.stderr
    assert not (tmp_path / "absent").exists()

    abime = tmp_path / "abime.zip"
    abime.write_bytes(b"PK\x03\x04 pas vraiment un zip")
    avant = contenu(source)
    resultat = runner.invoke(app, ["restaurer", "--remplacer", str(abime)], env=LARGE)
    assert resultat.exit_code == 1
    assert "Erreur : sauvegarde « abime.zip » illisible : archive ZIP corrompue ou tronquée" in resultat.stderr
    assert contenu(source) == avant
