"""The directory at a past date (`store.etat_au`, `indicateurs(au=…)`, `cmq campus … --au`): campus
file v1 then v2, history of both, state and figures of v1 in between; refusals; backup/restore."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update
from typer.testing import CliRunner

from cmq import alias, indicateurs
from cmq.cli import app
from cmq.errors import EntreeInvalide
from cmq.importation.pipeline import importer_lignes
from cmq.store import db, etat_au, historique, lecture
from cmq.store.sauvegarde import restaurer, sauvegarder
from cmq.store.tables import CampusTable, ChangementTable

runner = CliRunner()
COLONNES = ["id", "nom", "filiere", "excellence", "region_academique", "academies", "uai_support", "date_debut_label"]
V1 = [
    ["cmq-a", "Campus A", "numerique", "non", "84", "10", "0690001B", "2020-01-01"],
    ["cmq-b", "Campus B", "numerique", "oui", "84", "10|08", "", "2020-01-01"],
]
V2 = [["cmq-a", "Campus A", "numerique", "oui", "84", "10", "0692418D", "2020-01-01"]]
PARTENAIRES = [{"campus_id": "cmq-a", "nom": "Orange", "nature": "entreprise"}]


def _importer(url: str, lignes, source: str, type_import: str = "campus", colonnes=COLONNES):
    dicts = [dict(zip(colonnes, ligne, strict=True)) if isinstance(ligne, list) else ligne for ligne in lignes]
    return importer_lignes(dicts, colonnes=list(dicts[0]), source=source, type_import=type_import, url=url)


def vieillir(url: str, jours: int) -> None:
    """Move every recorded change `jours` days into the past."""
    with db.session(url, ecriture=True) as s:
        s.execute(update(ChangementTable).values(quand=datetime.now(UTC) - timedelta(days=jours)))


def _il_y_a(jours: int) -> date:
    return etat_au.aujourd_hui() - timedelta(days=jours)


@pytest.fixture
def deux_versions(base_vide):
    """v1 (campus, partner, alias) imported 10 days ago, then v2 (cmq-a becomes excellent, new
    support) and the alias removed today."""
    etat_au.vider()
    _importer(base_vide, V1, "https://exemple.fr/v1.csv")
    _importer(base_vide, PARTENAIRES, "partenaires.csv", "partenaires")
    alias.ajouter("campus a lyon", "cmq-a", url=base_vide)
    vieillir(base_vide, 10)
    _importer(base_vide, V2, "https://exemple.fr/v2.csv")
    alias.supprimer("campus a lyon", url=base_vide)
    yield base_vide
    etat_au.vider()


def _au(url: str, jour: date):
    with db.session(etat_au.url_au(url, jour)) as s:
        a = lecture.campus(s, "cmq-a")
        membres = [(m.uai, m.role.value) for m, _ in lecture.membres(s, "cmq-a")]
        partenaires = [p.nom for p in lecture.partenaires(s, "cmq-a")]
        alias_ = s.scalar(select(func.count()).select_from(CampusTable.metadata.tables["alias"]))
    return a.excellence, a.uai_support, sorted(membres), partenaires, alias_


def test_historique_des_deux_imports(deux_versions):
    with db.session(deux_versions) as s:
        changements, total = historique.du_campus(s, "cmq-a")
    resume = [(c.objet, c.action, c.cle, c.source, c.operation) for c in changements]
    v1, v2, cli = "https://exemple.fr/v1.csv", "https://exemple.fr/v2.csv", "ligne de commande : cmq alias"
    assert total == 8
    assert resume == [
        ("alias", "suppression", "lyon", cli, "alias"),
        ("membre", "modification", "0690001B", v2, "import"),
        ("membre", "creation", "0692418D", v2, "import"),
        ("campus", "modification", "cmq-a", v2, "import"),
        ("alias", "creation", "lyon", cli, "alias"),
        ("partenaire", "creation", "Orange", "partenaires.csv", "import"),
        ("membre", "creation", "0690001B", v1, "import"),
        ("campus", "creation", "cmq-a", v1, "import"),
    ]
    assert {c.auteur for c in changements} == {"ligne de commande"}
    v2 = changements[3]
    assert changements[0].champs[0].avant == "cmq-a" and changements[0].champs[0].champ == "campus_id"
    assert [(v.champ, v.avant, v.apres) for v in v2.champs] == [
        ("excellence", False, True),
        ("uai_support", "0690001B", "0692418D"),
    ]
    assert [(v.champ, v.avant, v.apres) for v in changements[1].champs] == [("role", "support", "membre")]
    assert v2.import_id is not None and v2.import_id != changements[-1].import_id


def test_etat_entre_les_deux_versions(deux_versions):
    assert _au(deux_versions, _il_y_a(5)) == (False, "0690001B", [("0690001B", "support")], ["Orange"], 1)
    aujourd_hui = (True, "0692418D", [("0690001B", "membre"), ("0692418D", "support")], ["Orange"], 0)
    assert _au(deux_versions, etat_au.aujourd_hui()) == aujourd_hui
    assert _au(deux_versions, _il_y_a(1)) == _au(deux_versions, _il_y_a(9))  # v2 and the removal: today
    with db.session(etat_au.url_au(deux_versions, _il_y_a(5))) as s:
        b = lecture.campus(s, "cmq-b")
    assert (b.excellence, b.academies) == (True, ["08", "10"])


def test_indicateurs_de_la_version_1(deux_versions):
    jour = _il_y_a(5)
    [v1] = indicateurs.indicateurs("france", au=jour, url=deux_versions)
    [maintenant] = indicateurs.indicateurs("france", url=deux_versions)
    assert (v1.nb_campus, v1.nb_excellence, v1.date, v1.au) == (2, 1, jour, jour)
    assert "établissements de l'annuaire tels que chargés aujourd'hui" in v1.note
    assert (maintenant.nb_campus, maintenant.nb_excellence) == (2, 2)
    assert not isinstance(maintenant, indicateurs.LigneIndicateursAu)


@pytest.mark.parametrize(
    ("jours", "message"),
    [
        (20, "historique tenu depuis le"),
        (-1, "dans le futur"),
    ],
)
def test_dates_refusees(deux_versions, jours, message):
    with pytest.raises(EntreeInvalide, match=message):
        etat_au.url_au(deux_versions, _il_y_a(jours))
    with pytest.raises(EntreeInvalide, match=message):
        indicateurs.indicateurs("france", au=_il_y_a(jours), url=deux_versions)


def test_base_mise_a_niveau_sans_historique(base_vide):
    """Rows written before the history (a base upgraded from 0003): a past date is refused, today is
    the current state; after a change, the history starts with it."""
    etat_au.vider()
    with db.moteur(base_vide).begin() as connexion:
        connexion.execute(insert(CampusTable).values(id="ancien", nom="Ancien", filiere="numerique-telecommunications"))
    with pytest.raises(EntreeInvalide, match="aucun changement n'est enregistré.*état antérieur inconnu"):
        etat_au.url_au(base_vide, _il_y_a(1))
    assert etat_au.url_au(base_vide, etat_au.aujourd_hui()) == db.ouvrir(base_vide)
    _importer(base_vide, V1, "v1.csv")
    with pytest.raises(EntreeInvalide, match=f"historique tenu depuis le {etat_au.aujourd_hui()}"):
        etat_au.url_au(base_vide, _il_y_a(1))


def test_cli_au_et_historique(deux_versions):
    jour = str(_il_y_a(5))
    r = runner.invoke(app, ["campus", "voir", "cmq-a", "--au", jour, "--format", "json"])
    assert r.exit_code == 0, r.output
    assert '"excellence": false' in r.output and '"uai_support": "0690001B"' in r.output
    r = runner.invoke(app, ["campus", "liste", "--au", jour, "--excellence", "--format", "csv"])
    assert r.exit_code == 0 and [ligne.split(",")[0] for ligne in r.output.splitlines()] == ["id", "cmq-b"]
    r = runner.invoke(app, ["campus", "liste", "--au", str(_il_y_a(30))])
    assert r.exit_code != 0 and "historique tenu depuis le" in r.output
    r = runner.invoke(app, ["campus", "liste", "--au", "2025-02-30"])
    assert r.exit_code != 0 and "date invalide : « 2025-02-30 »" in r.output
    r = runner.invoke(app, ["indicateurs", "--au", jour, "--echelle", "academie", "--code", "10"])
    assert r.exit_code == 0 and "tels qu'au " + jour in r.output.replace("\n", " ")
    r = runner.invoke(app, ["historique", "campus", "cmq-a", "--format", "csv", "--limite", "2"])
    assert r.exit_code == 0, r.output
    lignes = r.output.splitlines()
    assert lignes[0].startswith("N°,Date (Paris),Auteur,Source,Objet,Action")
    assert "alias lyon,suppression" in lignes[1] and "role : support → membre" in lignes[2]
    r = runner.invoke(app, ["historique", "campus", "inconnu"])
    assert r.exit_code != 0 and "campus inconnu : inconnu" in r.output


def test_sauvegarde_restauration_garde_historique_et_au(deux_versions, fabrique_bases, genre_base, tmp_path):
    jour = _il_y_a(5)
    avant = _au(deux_versions, jour), indicateurs.indicateurs("academie", "10", au=jour, url=deux_versions)
    with db.session(deux_versions) as s:
        historique_avant = historique.lire(s)
    sauvegarder(tmp_path / "s.zip", deux_versions)
    cible = fabrique_bases(genre_base)
    restaurer(tmp_path / "s.zip", cible)
    with db.session(cible) as s:
        assert historique.lire(s) == historique_avant
    assert (_au(cible, jour), indicateurs.indicateurs("academie", "10", au=jour, url=cible)) == avant
    sauvegarder(tmp_path / "t.zip", cible, cree_le=datetime(2026, 1, 1, tzinfo=UTC))
    sauvegarder(tmp_path / "u.zip", deux_versions, cree_le=datetime(2026, 1, 1, tzinfo=UTC))
    assert (tmp_path / "t.zip").read_bytes() == (tmp_path / "u.zip").read_bytes()


def test_base_poussee_hors_du_cache_reste_lisible_un_temps(deux_versions, monkeypatch):
    """A rebuilt day pushed out of the cache by requests for other days is closed only later: a
    request still reading it is not cut off; the number kept open stays bounded."""
    import sqlite3

    monkeypatch.setattr(etat_au, "TAILLE_CACHE", 2)
    monkeypatch.setattr(etat_au, "RETRAITES_MAX", 3)
    tenue = etat_au.base_au(deux_versions, _il_y_a(9))
    for jours in (8, 7, 6):  # pushes `tenue` out of the cache of 2
        etat_au.base_au(deux_versions, _il_y_a(jours))
    assert tenue not in etat_au._cache.values() and tenue in etat_au._retraites
    with db.session(tenue.url) as s:  # still readable by the request holding it
        assert lecture.campus(s, "cmq-a").excellence is not True
    for jours in (5, 4, 3, 2):
        etat_au.base_au(deux_versions, _il_y_a(jours))
    assert len(etat_au._retraites) == 3 and tenue not in etat_au._retraites
    with pytest.raises(sqlite3.ProgrammingError):  # closed once 3 newer ones were pushed out
        tenue.gardien.execute("SELECT 1")
