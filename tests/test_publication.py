"""`cmq publier`: versioned, reproducible open-data releases with a datapackage and a changelog."""

import csv
import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update
from typer.testing import CliRunner

from cmq import publication
from cmq.cli import app
from cmq.errors import ErreurEcriture, ErreurStockage
from cmq.init import initialiser
from cmq.models import Acteur, Partenaire
from cmq.store import db, ecriture, historique, lecture
from cmq.store.tables import ChangementTable

FICHIERS = {
    "CHANGELOG.md",
    "campus.csv",
    "campus.json",
    "changements.json",
    "datapackage.json",
    "membres.csv",
    "membres.geojson",
    "membres.json",
    "partenaires.csv",
    "partenaires.json",
    "sieges.geojson",
}
TYPES_FRICTIONLESS = {"string", "number", "integer", "boolean", "date"}
ALICE = Acteur(nom="Alice Martin", role="editeur", perimetres=("academie:10",))


@pytest.fixture
def base(base_vide) -> str:
    """A database with the embedded data (lycées, 91 campuses, their named members)."""
    initialiser(base_vide)
    return base_vide


def _contenus(dossier: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(dossier.iterdir())}


def _csv(contenu: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(contenu.decode("utf-8"))))


def test_publication_reproductible_et_decrite(base, tmp_path):
    premiere = publication.publier(tmp_path / "a", base)
    seconde = publication.publier(tmp_path / "b", base)
    assert (premiere.version, premiere.nouvelle, premiere.precedente) == (1, True, None)
    assert premiere.dossier == tmp_path / "a" / "v1"
    a, b = _contenus(premiere.dossier), _contenus(seconde.dossier)
    assert set(a) == FICHIERS and a == b  # same base, same bytes
    with db.session(base) as s:
        nb_campus = len(lecture.lister_campus(s)[0])
    assert premiere.lignes == {"campus": nb_campus, "membres": 58, "partenaires": 0}

    paquet = json.loads(a["datapackage.json"])
    assert paquet["name"] == "cmq-referentiel" and paquet["version"] == "1"
    assert paquet["licenses"][0]["name"] == "etalab-2.0"
    assert {r["path"] for r in paquet["resources"]} == FICHIERS - {"datapackage.json"}
    for ressource in paquet["resources"]:  # sizes and hashes describe the files exactly
        contenu = a[ressource["path"]]
        assert ressource["bytes"] == len(contenu)
        assert ressource["hash"] == "sha256:" + hashlib.sha256(contenu).hexdigest()
    tabulaires = {r["path"]: r for r in paquet["resources"] if r.get("profile") == "tabular-data-resource"}
    assert set(tabulaires) == {"campus.csv", "membres.csv", "partenaires.csv"}
    for chemin, ressource in tabulaires.items():
        champs = ressource["schema"]["fields"]
        entete = next(csv.reader(io.StringIO(a[chemin].decode("utf-8"))))
        assert [c["name"] for c in champs] == entete
        assert all(c["type"] in TYPES_FRICTIONLESS and c["description"] for c in champs)
    types = {c["name"]: c["type"] for c in tabulaires["campus.csv"]["schema"]["fields"]}
    assert (types["excellence"], types["date_debut_label"], types["latitude"], types["nom"]) == (
        "boolean",
        "date",
        "number",
        "string",
    )
    assert tabulaires["campus.csv"]["schema"]["primaryKey"] == ["id"]

    campus = _csv(a["campus.csv"])
    assert len(campus) == nb_campus == len(json.loads(a["campus.json"]))
    assert {ligne["excellence"] for ligne in campus} <= {"true", "false", ""}  # unknown stays empty
    sieges = json.loads(a["sieges.geojson"])
    avec_coordonnees = [c for c in campus if c["latitude"] and c["longitude"]]
    assert len(sieges["features"]) == len(avec_coordonnees)
    with db.session(base) as s:  # `cmq init` records its imports in the history: the release rests on it
        changements = historique.lire(s)
    assert paquet["cmq"] == {"version": 1, "precedente": None, "dernier_changement": changements[0].id}
    assert paquet["created"] == changements[0].quand.date().isoformat()  # the last change's date, not the clock
    assert len(json.loads(a["changements.json"])) == len(changements)
    entete = f"# cmq-referentiel v1 ({paquet['created']})\n\n{len(changements)} changement(s) depuis le début"
    assert a["CHANGELOG.md"].decode().startswith(entete)


def test_date_de_publication_en_utc(base, tmp_path):
    """The release's date is the UTC date of its last change, as its changelog's times: the test
    PostgreSQL server runs in Europe/Paris, where 23:30 UTC is already the next day."""
    with db.session(base, ecriture=True) as s:
        dernier = s.scalar(select(func.max(ChangementTable.id)).where(ChangementTable.statut == "applique"))
        s.execute(
            update(ChangementTable)
            .where(ChangementTable.id == dernier)
            .values(quand=datetime(2025, 1, 1, 23, 30, tzinfo=UTC))
        )
    paquet = json.loads((publication.publier(tmp_path / "pub", base).dossier / "datapackage.json").read_bytes())
    assert paquet["created"] == "2025-01-01"


def test_base_sans_historique_ne_date_rien(base, tmp_path):
    """A base whose history is empty (upgraded from before it): no date is invented."""
    with db.session(base, ecriture=True) as s:
        s.execute(delete(ChangementTable))
    paquet = json.loads((publication.publier(tmp_path / "pub", base).dossier / "datapackage.json").read_bytes())
    assert paquet["cmq"]["dernier_changement"] == 0 and "created" not in paquet


def test_rien_de_nouveau_n_ecrit_rien(base, tmp_path):
    dossier = tmp_path / "pub"
    publication.publier(dossier, base)
    avant = _contenus(dossier / "v1")
    encore = publication.publier(dossier, base)
    assert (encore.version, encore.nouvelle) == (1, False)
    assert sorted(p.name for p in dossier.iterdir()) == ["v1"] and _contenus(dossier / "v1") == avant


def test_nouvelle_version_avec_journal_des_changements(base, tmp_path):
    tmp_path = tmp_path / "pub"
    publication.publier(tmp_path, base)
    quand = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
    with db.session(base, ecriture=True) as s:
        campus = lecture.lister_campus(s)[0][0]
        partenaire = Partenaire(campus_id=campus.id, nom="Airbus « Atlantic »", nature="entreprise")
        ecriture.ecrire_partenaires(s, [partenaire.model_dump()])
        ids = historique.enregistrer(
            s,
            [historique.Nouveau("partenaire", campus.id, partenaire.nom, None, partenaire.model_dump(mode="json"))],
            acteur=ALICE,
            source="https://www.ac-lyon.fr/convention-2026",
            operation="edition",
            quand=quand,
        )
    v2 = publication.publier(tmp_path, base)
    assert (v2.version, v2.nouvelle, v2.precedente, v2.changements) == (2, True, 1, 1)
    fichiers = _contenus(v2.dossier)
    paquet = json.loads(fichiers["datapackage.json"])
    assert paquet["cmq"] == {"version": 2, "precedente": 1, "dernier_changement": ids[0]}
    assert paquet["created"] == "2026-11-30"  # the date of the last change, not the clock
    assert _csv(fichiers["partenaires.csv"]) == [
        {"campus_id": campus.id, "nom": "Airbus « Atlantic »", "nature": "entreprise", "siret": ""}
    ]
    journal = fichiers["CHANGELOG.md"].decode("utf-8")
    assert journal.startswith("# cmq-referentiel v2 (2026-11-30)\n\n1 changement(s) depuis la version v1.\n")
    assert f"## {campus.id}" in journal
    assert (
        "- 2026-11-30 09:15 UTC · edition · creation · partenaire Airbus « Atlantic » · par Alice Martin"
        " · source : https://www.ac-lyon.fr/convention-2026" in journal
    )
    assert "  - nom : (vide) → « Airbus « Atlantic » »" in journal
    changements = json.loads(fichiers["changements.json"])
    assert [(c["id"], c["objet"], c["action"], c["auteur"]) for c in changements] == [
        (ids[0], "partenaire", "creation", "Alice Martin")
    ]
    # v1 is left as it was; publishing again gives nothing new
    assert json.loads((tmp_path / "v1" / "datapackage.json").read_bytes())["cmq"]["dernier_changement"] < ids[0]
    assert publication.publier(tmp_path, base).nouvelle is False


def test_dossier_qui_est_un_fichier(base, tmp_path):
    fichier = tmp_path / "publications"
    fichier.write_text("pas un dossier")
    with pytest.raises(ErreurEcriture, match="existe et n'est pas un dossier"):
        publication.publier(fichier, base)
    assert fichier.read_text() == "pas un dossier"


def test_ecriture_interrompue_ne_laisse_rien(base, tmp_path, monkeypatch):
    """A failure while writing the files removes the temporary folder: no half release."""
    tmp_path = tmp_path / "pub"
    originale = Path.write_bytes

    def panne(self, contenu):
        if self.name == "membres.json":
            raise OSError(28, "No space left on device")
        return originale(self, contenu)

    monkeypatch.setattr(Path, "write_bytes", panne)
    with pytest.raises(ErreurEcriture, match="publication impossible à écrire .*No space left on device"):
        publication.publier(tmp_path, base)
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


def test_base_non_initialisee(tmp_path):
    with pytest.raises(ErreurStockage, match="base non initialisée"):
        publication.publier(tmp_path / "pub", f"sqlite:///{tmp_path / 'absente.db'}")
    assert not (tmp_path / "pub").exists()


def test_cli_publier(base, tmp_path):
    tmp_path = tmp_path / "pub"
    runner = CliRunner()
    resultat = runner.invoke(app, ["publier", str(tmp_path), "--format", "json"])
    assert resultat.exit_code == 0, resultat.output
    donnees = json.loads(resultat.stdout)
    assert (donnees["version"], donnees["nouvelle"], donnees["dossier"]) == (1, True, str(tmp_path / "v1"))
    texte = runner.invoke(app, ["publier", str(tmp_path)])
    assert texte.exit_code == 0 and "Rien de nouveau : la publication v1 est à jour" in texte.stdout
    refus = runner.invoke(app, ["publier", str(tmp_path), "--format", "csv"])
    assert refus.exit_code != 0 and "format csv non disponible" in refus.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v1"]
