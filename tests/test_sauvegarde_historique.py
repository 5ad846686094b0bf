"""A restore is recorded (`restaurations`: when, who, which bundle) in its own transaction, shown in
every campus's history (store, CLI, API, page), never carried by a bundle: backup → restore →
backup stays byte-identical. Failed restores record nothing. Revision 0004 → 0005 keeps the data."""

import csv
import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import func, insert, inspect, select
from typer.testing import CliRunner

from cmq.cli import app
from cmq.errors import ErreurStockage, FichierIllisible
from cmq.store import db, etat_au, historique, schema
from cmq.store.conversion import utc
from cmq.store.sauvegarde import restaurer, sauvegarder
from cmq.store.tables import CampusTable, ChangementTable, RestaurationTable
from tests.api_serveur import arreter, demarrer
from tests.test_historique_au import V2, _au, _il_y_a, _importer, deux_versions  # noqa: F401
from tests.test_sauvegarde import CREE_LE, LARGE, LIGNES, contenu, genre, octets, reecrire, remplir

runner = CliRunner()
TOTAL = sum(map(len, LIGNES.values()))  # 25 rows in the example bundle
PHRASE = "restauration de a.zip (sauvegarde du 2026-01-15 10:30, {} lignes)"  # 09:30 UTC = 10:30 in Paris


def restaurations_de(url: str) -> list[tuple]:
    """The journal of restores: (id, auteur, source, sha256, cree_le, revision, remplacer, lignes), by id."""
    with db.session(url) as s:
        lignes = s.scalars(select(RestaurationTable).order_by(RestaurationTable.id)).all()
        return [(r.id, r.auteur, r.source, r.sha256, utc(r.cree_le), r.revision, r.remplacer, r.lignes) for r in lignes]


def _quand(url: str) -> list[datetime]:
    with db.session(url) as s:
        return [utc(q) for q in s.scalars(select(RestaurationTable.quand).order_by(RestaurationTable.id))]


@pytest.fixture
def source(base_url) -> str:
    remplir(base_url)
    return base_url


def test_restauration_inscrite_sans_entrer_dans_la_sauvegarde(source, fabrique_bases, tmp_path):
    premier = octets(source, tmp_path, "a.zip")
    empreinte = hashlib.sha256(premier).hexdigest()
    cible = fabrique_bases(genre(source))  # empty, not even migrated
    debut = datetime.now(UTC)
    restaurer(tmp_path / "a.zip", cible)
    fin = datetime.now(UTC)
    assert restaurations_de(cible) == [
        (1, "ligne de commande", "a.zip", empreinte, CREE_LE, schema.REVISION, False, TOTAL)
    ]
    assert debut <= _quand(cible)[0] <= fin
    assert restaurations_de(source) == []

    # the journal is not data: the next backup is the same bytes, and lists no `restaurations`
    assert octets(cible, tmp_path, "b.zip") == premier
    manifeste = json.loads(zipfile.ZipFile(tmp_path / "b.zip").read("manifeste.json"))
    assert "restaurations" not in manifeste["tables"]
    assert "restaurations.jsonl" not in zipfile.ZipFile(tmp_path / "b.zip").namelist()

    # --remplacer keeps the journal of this base (a fact about it) and adds to it
    restaurer(tmp_path / "b.zip", cible, remplacer=True)
    assert restaurations_de(cible) == [
        (1, "ligne de commande", "a.zip", empreinte, CREE_LE, schema.REVISION, False, TOTAL),
        (2, "ligne de commande", "b.zip", empreinte, CREE_LE, schema.REVISION, True, TOTAL),
    ]
    assert octets(cible, tmp_path, "c.zip") == premier
    assert contenu(cible) == contenu(source)


def test_restaurations_echouees_n_inscrivent_rien(source, fabrique_bases, tmp_path):
    octets(source, tmp_path, "a.zip")
    cible = fabrique_bases(genre(source))
    restaurer(tmp_path / "a.zip", cible)
    journal, donnees = restaurations_de(cible), contenu(cible)
    assert len(journal) == 1

    with pytest.raises(ErreurStockage, match=r"la base cible n'est pas vide \(3 campus, .*--remplacer"):
        restaurer(tmp_path / "a.zip", cible)
    tronquee = tmp_path / "tronquee.zip"
    tronquee.write_bytes((tmp_path / "a.zip").read_bytes()[:400])
    with pytest.raises(FichierIllisible, match=r"« tronquee.zip » illisible : archive ZIP corrompue ou tronquée"):
        restaurer(tronquee, cible, remplacer=True)
    # well formed, refused by the database (duplicate key) once the tables are emptied: rolled back
    membres = zipfile.ZipFile(tmp_path / "a.zip").read("membres.jsonl").decode().split("\n")
    doublon = "\n".join([membres[0], membres[0], *membres[2:]]).encode()
    incoherente = reecrire(tmp_path / "a.zip", tmp_path / "d.zip", tables={"membres": doublon})
    with pytest.raises(ErreurStockage, match=r"restauration impossible, base inchangée : sauvegarde incohérente"):
        restaurer(incoherente, cible, remplacer=True)
    # a bundle may not bring a journal of restores
    etrangere = reecrire(tmp_path / "a.zip", tmp_path / "j.zip", manifeste=_avec_journal)
    with pytest.raises(FichierIllisible, match=r"table « restaurations » interdite : le journal des restaurations"):
        restaurer(etrangere, cible, remplacer=True)
    assert restaurations_de(cible) == journal and contenu(cible) == donnees


def _avec_journal(entete):
    entete["tables"]["restaurations"] = {"lignes": 0, "sha256": hashlib.sha256(b"").hexdigest(), "colonnes": []}


def test_sauvegarde_de_revision_0004_restauree_et_inscrite(source, fabrique_bases, tmp_path):
    """A bundle written by the previous version (revision 0004_curation) restores and is recorded."""
    octets(source, tmp_path, "a.zip")
    ancienne = reecrire(tmp_path / "a.zip", tmp_path / "r0004.zip", manifeste=_revision_0004)
    cible = fabrique_bases(genre(source))
    restaurer(ancienne, cible)
    [(_, _, nom, empreinte, cree_le, revision, remplacer, lignes)] = restaurations_de(cible)
    assert (nom, revision, remplacer, lignes, cree_le) == ("r0004.zip", "0004_curation", False, TOTAL, CREE_LE)
    assert empreinte == hashlib.sha256(ancienne.read_bytes()).hexdigest()
    assert contenu(cible) == contenu(source)


def _revision_0004(entete):
    entete["revision_alembic"] = "0004_curation"


# --- In the history: store (order, pages), CLI, API, page ---------------------------------------


@pytest.fixture
def restauree(deux_versions, fabrique_bases, genre_base, tmp_path, monkeypatch):
    """`deux_versions` (v1 10 days ago, v2 today) backed up (CREE_LE) and restored into a new base,
    then v3 imported there (cmq-a no longer excellent: a change after the restore); CMQ_DATABASE_URL
    points at it."""
    sauvegarder(tmp_path / "a.zip", deux_versions, cree_le=CREE_LE)
    cible = fabrique_bases(genre_base)
    restaurer(tmp_path / "a.zip", cible)
    _importer(cible, [[*V2[0][:3], "non", *V2[0][4:]]], "https://exemple.fr/v3.csv")
    monkeypatch.setenv("CMQ_DATABASE_URL", cible)
    etat_au.vider()
    yield cible
    etat_au.vider()


def _resume(changements) -> list[tuple]:
    return [(c.operation, c.objet, c.action, c.source) for c in changements]


def test_historique_du_campus_montre_la_restauration(restauree, deux_versions):
    with db.session(deux_versions) as s:
        avant, total_avant = historique.du_campus(s, "cmq-a")
    with db.session(restauree) as s:
        apres, total = historique.du_campus(s, "cmq-a")
        b, total_b = historique.du_campus(s, "cmq-b")
    assert total == total_avant + 2 == len(apres)  # v3's change of cmq-a, and the restore
    assert _resume(apres[:2]) == [
        ("import", "campus", "modification", "https://exemple.fr/v3.csv"),
        ("restauration", "base", "restauration", "a.zip"),
    ]
    assert apres[2:] == avant  # the restored history, unchanged, before the restore
    restauration = apres[1]
    assert (restauration.id, restauration.auteur, restauration.campus_id, restauration.cle) == (
        1,
        "ligne de commande",
        None,
        None,
    )
    assert [(v.champ, v.avant, v.apres) for v in restauration.champs] == [
        ("cree_le", None, "2026-01-15T09:30:00+00:00"),
        ("lignes", None, restaurations_de(restauree)[0][7]),
        ("remplacer", None, False),
        ("revision", None, schema.REVISION),
        ("sha256", None, restaurations_de(restauree)[0][3]),
    ]
    # every campus shows it, at its time: cmq-b has no change since, the restore comes first
    assert total_b == len(b) and _resume(b[:1]) == [("restauration", "base", "restauration", "a.zip")]
    assert b[1:] == _historique(deux_versions, "cmq-b")


def test_pages_de_l_historique(restauree):
    """Every page is its slice of the whole list, restores included; total counts them."""
    with db.session(restauree) as s:
        tout, total = historique.du_campus(s, "cmq-a")
        for limite in (1, 2, 3, 7):
            for decalage in range(total + 2):
                page, n = historique.du_campus(s, "cmq-a", limite=limite, decalage=decalage)
                assert (page, n) == (tout[decalage : decalage + limite], total), (limite, decalage)


def test_au_avant_la_restauration_par_l_historique_restaure(restauree, deux_versions):
    """A day before the restore is rebuilt from the restored history; the restore is not undone."""
    for jour in (_il_y_a(5), _il_y_a(1)):
        assert _au(restauree, jour) == _au(deux_versions, jour)  # v1: cmq-a not excellent, old support
    assert _au(restauree, _il_y_a(5))[:2] == (False, "0690001B")
    with db.session(restauree) as s:
        assert s.scalar(select(func.count()).select_from(RestaurationTable)) == 1


def test_cli_historique_et_restaurer(restauree, tmp_path):
    r = runner.invoke(app, ["historique", "campus", "cmq-b", "--format", "csv", "--limite", "1"], env=LARGE)
    assert r.exit_code == 0, r.output
    [entete, ligne, *_] = csv.reader(io.StringIO(r.stdout))
    assert entete[:7] == ["N°", "Date (Paris)", "Auteur", "Source", "Objet", "Action", "Champs (avant → après)"]
    lignes = restaurations_de(restauree)[0][7]
    assert ligne[0] == "1" and ligne[2:] == [
        "ligne de commande",
        "a.zip",
        "base entière",
        "restauration",
        PHRASE.format(lignes),
    ]

    r = runner.invoke(app, ["restaurer", "--remplacer", str(tmp_path / "a.zip")], env=LARGE)
    assert r.exit_code == 0, r.output
    assert "Restauration inscrite à l'historique de la base (auteur : ligne de commande)" in r.stdout
    assert [(n, remplacer) for n, *_, remplacer, _ in restaurations_de(restauree)] == [(1, False), (2, True)]


def test_api_et_page_montrent_la_restauration(restauree):
    from cmq.serveur import creer_app

    fil, adresse = demarrer(creer_app(restauree))
    try:
        import httpx

        with httpx.Client(base_url=adresse, timeout=30) as client:
            page = client.get("/api/campus/cmq-b/historique", params={"limite": 1}).json()
            html = client.get("/campus/cmq-b").text
    finally:
        arreter(fil)
        db.moteur(restauree).dispose()
    [element] = page["elements"]
    assert page["total"] == len(_historique(restauree, "cmq-b")) == 2  # the restore, v1's creation
    assert {k: element[k] for k in ("id", "auteur", "source", "operation", "objet", "action", "campus_id")} == {
        "id": 1,
        "auteur": "ligne de commande",
        "source": "a.zip",
        "operation": "restauration",
        "objet": "base",
        "action": "restauration",
        "campus_id": None,
    }
    assert {v["champ"]: v["apres"] for v in element["champs"]}["cree_le"] == "2026-01-15T09:30:00+00:00"
    assert PHRASE.format(restaurations_de(restauree)[0][7]) in html and "base entière" in html


def _historique(url: str, campus_id: str):
    with db.session(url) as s:
        return historique.du_campus(s, campus_id)[0]


# --- Revision 0005_restaurations ------------------------------------------------------------------


def test_migration_0004_vers_0005_garde_les_donnees(genre_base, fabrique_bases):
    url = fabrique_bases(genre_base)
    command.upgrade(schema.configuration(url), "0004_curation")
    quand = datetime(2026, 2, 1, 10, tzinfo=UTC)
    with db.moteur(url).begin() as connexion:
        connexion.execute(insert(CampusTable), [{"id": "cmq-a", "nom": "A", "filiere": "tourisme-gastronomie"}])
        connexion.execute(insert(ChangementTable), [_changement(quand)])
    assert "restaurations" not in inspect(db.moteur(url)).get_table_names()
    schema.mettre_a_jour(url)
    assert schema.revision_courante(url) == schema.REVISION == "0005_restaurations"
    with db.session(url) as s:
        assert s.scalars(select(CampusTable.id)).all() == ["cmq-a"]
        changements, total = historique.du_campus(s, "cmq-a")
    assert total == 1 and [(c.id, c.quand, c.source) for c in changements] == [(1, quand, "v1.csv")]
    assert restaurations_de(url) == []
    command.downgrade(schema.configuration(url), "0004_curation")
    assert "restaurations" not in inspect(db.moteur(url)).get_table_names()
    with db.session(url) as s:
        assert s.scalar(select(func.count()).select_from(ChangementTable)) == 1
    db.fermer_tout()


def _changement(quand: datetime) -> dict:
    return {
        "id": 1,
        "quand": quand,
        "auteur": "ligne de commande",
        "source": "v1.csv",
        "operation": "import",
        "objet": "campus",
        "action": "creation",
        "campus_id": "cmq-a",
        "statut": "applique",
    }
