"""cmq.store.masse: the bulk upsert of a frame, on SQLite (multi-row VALUES, index rebuild) and PostgreSQL (COPY)."""

from datetime import date

import polars as pl
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from cmq import codes
from cmq.errors import ErreurStockage
from cmq.store import db, masse
from cmq.store.tables import CampusTable, EtablissementTable
from tests.postgres import SQLITE_SEULEMENT

TABLE = EtablissementTable.__table__
SCHEMA = {"uai": pl.String, "nom": pl.String, "type": pl.String, "departement": pl.String, "latitude": pl.Float64}
# Text the PostgreSQL COPY (CSV) and the SQLite parameters must carry unchanged.
NOMS_PIEGES = [
    "Lycée « Jean-Zay »",
    "tab\there",
    "retour\nligne",
    "retour\rchariot\r\n",
    "anti\\slash",
    "\\N",
    "l'apostrophe",
    '"guillemets"',
    "",
    "  espaces  ",
    "émoji 🎓",
    "x" * 5000,
]


def uai(i: int) -> str:
    chiffres = f"{690_0000 + i:07d}"
    return chiffres + codes.lettre_uai(chiffres)


def cadre(n: int, nom=lambda i: f"Lycée {i}", latitude=lambda i: 45 + i / 1e6) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "uai": [uai(i) for i in range(n)],
            "nom": [nom(i) for i in range(n)],
            "type": [None if i % 3 else "LP" for i in range(n)],
            "departement": [("69", "01", "974")[i % 3] for i in range(n)],
            "latitude": [None if i % 7 == 0 else latitude(i) for i in range(n)],
        },
        schema=SCHEMA,
    )


def stockees(url: str) -> pl.DataFrame:
    with db.session(url) as s:
        lignes = s.execute(select(*(TABLE.c[c] for c in SCHEMA)).order_by(TABLE.c.uai)).all()
    return pl.DataFrame(lignes, schema=SCHEMA, orient="row")


def ecrire(url: str, lignes: pl.DataFrame, **options) -> None:
    with db.session(url, ecriture=True) as s:
        masse.ecrire(s, TABLE, lignes, ("uai",), **options)


def index_sqlite(url: str) -> list[tuple[str, str]]:
    with db.session(url) as s:
        return s.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'etablissements' ORDER BY name"
            )
        ).all()


def test_valeurs_pieges_identiques_apres_ecriture(base_vide):
    n = len(NOMS_PIEGES)
    lignes = cadre(n, nom=lambda i: NOMS_PIEGES[i], latitude=lambda i: (0.1 + 0.2, -1e-300, 48.856614, 1 / 3)[i % 4])
    ecrire(base_vide, lignes)
    assert stockees(base_vide).equals(lignes)


@pytest.mark.parametrize("n", [1, 199, 200, 201, 10_001])
def test_nombre_de_lignes_autour_des_paquets(base_vide, n):
    """Batches of LIGNES_PAR_INSTRUCTION rows and a shorter last statement: every row once, in place."""
    lignes = cadre(n)
    ecrire(base_vide, lignes)
    assert stockees(base_vide).equals(lignes)


def test_mise_a_jour_et_insertion_seule(base_vide):
    ecrire(base_vide, cadre(300))
    change = cadre(400, nom=lambda i: f"Nouveau {i}")
    ecrire(base_vide, change, inserer_seulement=True)  # the 300 stored rows stay, 100 new ones come
    apres = stockees(base_vide)
    assert apres.height == 400
    assert apres["nom"].to_list() == [f"Lycée {i}" for i in range(300)] + [f"Nouveau {i}" for i in range(300, 400)]
    ecrire(base_vide, change)
    assert stockees(base_vide).equals(change)


def test_echec_annule_tout(base_vide):
    """A row the table refuses (no name) fails the statement: the transaction leaves the table as it was."""
    ecrire(base_vide, cadre(50))
    avant = stockees(base_vide)
    mauvaises = cadre(masse.SEUIL_INDEX + 10).with_columns(
        pl.when(pl.col("uai") == uai(masse.SEUIL_INDEX + 5)).then(None).otherwise("nom").alias("nom")
    )
    with pytest.raises(IntegrityError):
        ecrire(base_vide, mauvaises)
    assert stockees(base_vide).equals(avant)


@SQLITE_SEULEMENT
def test_sqlite_index_reconstruits_a_l_identique(base_vide):
    index = index_sqlite(base_vide)
    assert {nom for nom, _ in index} >= {"ix_etablissements_departement", "ix_etablissements_academie"}
    lignes = cadre(masse.SEUIL_INDEX + 1)
    ecrire(base_vide, lignes)  # more rows than stored: indexes dropped then rebuilt
    assert index_sqlite(base_vide) == index
    with db.session(base_vide) as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        plan = " ".join(
            r[-1]
            for r in s.execute(text("EXPLAIN QUERY PLAN SELECT uai FROM etablissements WHERE departement = '974'"))
        )
        assert "ix_etablissements_departement" in plan
        assert (
            s.execute(text("SELECT count(*) FROM etablissements WHERE departement = '974'")).scalar_one()
            == lignes.filter(pl.col("departement") == "974").height
            > 3000
        )


@SQLITE_SEULEMENT
def test_sqlite_index_rendus_apres_un_echec(base_vide):
    index = index_sqlite(base_vide)
    mauvaises = cadre(masse.SEUIL_INDEX + 10).with_columns(pl.lit(None, pl.String).alias("nom"))
    with pytest.raises(IntegrityError):
        ecrire(base_vide, mauvaises)
    assert index_sqlite(base_vide) == index and stockees(base_vide).is_empty()


@SQLITE_SEULEMENT
def test_sqlite_limite_de_parametres_basse(base_vide, monkeypatch):
    """An SQLite built with 999 parameters per statement (before 3.32): shorter batches, same rows."""
    limites = []
    reel = masse._limite_parametres

    def limite_basse(connexion):
        import sqlite3

        connexion.connection.driver_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
        limites.append(reel(connexion))
        return limites[-1]

    monkeypatch.setattr(masse, "_limite_parametres", limite_basse)
    lignes = cadre(1000)
    ecrire(base_vide, lignes)
    assert limites == [999] and stockees(base_vide).equals(lignes)


def test_booleens_et_refus_des_dates(base_vide):
    lignes = pl.DataFrame(
        {"id": ["a", "b", "c"], "nom": ["A", "B", "C"], "filiere": ["numerique"] * 3, "excellence": [True, False, None]}
    )
    with db.session(base_vide, ecriture=True) as s:
        masse.ecrire(s, CampusTable.__table__, lignes, ("id",))
    with db.session(base_vide) as s:
        assert s.execute(select(CampusTable.id, CampusTable.excellence).order_by(CampusTable.id)).all() == [
            ("a", True),
            ("b", False),
            ("c", None),
        ]
    datees = lignes.with_columns(pl.lit(date(2024, 9, 1)).alias("date_debut_label"))
    with (
        pytest.raises(
            ErreurStockage,
            match=r"écriture en masse : colonnes de dates non prises en charge "
            r"\(date_debut_label\)",
        ),
        db.session(base_vide, ecriture=True) as s,
    ):
        masse.ecrire(s, CampusTable.__table__, datees.with_columns(pl.lit("x").alias("nom")), ("id",))
    with db.session(base_vide) as s:
        assert s.scalars(select(CampusTable.nom).order_by(CampusTable.id)).all() == ["A", "B", "C"]


def test_cadre_vide_ne_fait_rien(base_vide):
    ecrire(base_vide, cadre(0))
    assert stockees(base_vide).is_empty()
