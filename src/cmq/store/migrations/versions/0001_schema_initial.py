"""Schéma initial : campus, académies des campus, établissements, membres, partenaires, alias, imports.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk_campus(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["campus_id"], ["campus.id"], name=op.f(f"fk_{table}_campus_id_campus"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "campus",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("nom", sa.Text(), nullable=False),
        sa.Column("sigle", sa.String(length=120), nullable=True),
        sa.Column("filiere", sa.String(length=80), nullable=False),
        sa.Column("excellence", sa.Boolean(), nullable=True),
        sa.Column("region_academique", sa.String(length=3), nullable=True),
        sa.Column("ville_siege", sa.String(length=200), nullable=True),
        sa.Column("code_commune_siege", sa.String(length=5), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("date_debut_label", sa.Date(), nullable=True),
        sa.Column("date_fin_label", sa.Date(), nullable=True),
        sa.Column("reference_arrete", sa.Text(), nullable=True),
        sa.Column("site_web", sa.Text(), nullable=True),
        sa.Column("uai_support", sa.String(length=8), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_nom", sa.String(length=200), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("date_recuperation", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campus")),
    )
    op.create_index(op.f("ix_campus_filiere"), "campus", ["filiere"])
    op.create_index(op.f("ix_campus_region_academique"), "campus", ["region_academique"])

    op.create_table(
        "etablissements",
        sa.Column("uai", sa.String(length=8), nullable=False),
        sa.Column("nom", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=True),
        sa.Column("secteur", sa.String(length=20), nullable=True),
        sa.Column("code_commune", sa.String(length=5), nullable=True),
        sa.Column("nom_commune", sa.String(length=200), nullable=True),
        sa.Column("code_postal", sa.String(length=5), nullable=True),
        sa.Column("departement", sa.String(length=3), nullable=True),
        sa.Column("academie", sa.String(length=2), nullable=True),
        sa.Column("region_academique", sa.String(length=3), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("uai", name=op.f("pk_etablissements")),
    )
    op.create_index(op.f("ix_etablissements_academie"), "etablissements", ["academie"])
    op.create_index(op.f("ix_etablissements_departement"), "etablissements", ["departement"])
    op.create_index(op.f("ix_etablissements_region_academique"), "etablissements", ["region_academique"])

    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("type_import", sa.String(length=40), nullable=False),
        sa.Column("debut", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fin", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lignes_lues", sa.Integer(), nullable=False),
        sa.Column("inserees", sa.Integer(), nullable=False),
        sa.Column("mises_a_jour", sa.Integer(), nullable=False),
        sa.Column("rejetees", sa.Integer(), nullable=False),
        sa.Column("somme_controle", sa.String(length=64), nullable=True),
        sa.Column("statut", sa.String(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )

    op.create_table(
        "alias",
        sa.Column("texte", sa.String(length=300), nullable=False),
        sa.Column("campus_id", sa.String(length=120), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=True),
        _fk_campus("alias"),
        sa.PrimaryKeyConstraint("texte", name=op.f("pk_alias")),
    )
    op.create_index(op.f("ix_alias_campus_id"), "alias", ["campus_id"])

    op.create_table(
        "campus_academies",
        sa.Column("campus_id", sa.String(length=120), nullable=False),
        sa.Column("academie", sa.String(length=2), nullable=False),
        _fk_campus("campus_academies"),
        sa.PrimaryKeyConstraint("campus_id", "academie", name=op.f("pk_campus_academies")),
    )
    op.create_index("ix_campus_academies_academie", "campus_academies", ["academie"])

    op.create_table(
        "membres",
        sa.Column("campus_id", sa.String(length=120), nullable=False),
        sa.Column("uai", sa.String(length=8), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        _fk_campus("membres"),
        sa.PrimaryKeyConstraint("campus_id", "uai", name=op.f("pk_membres")),
    )
    op.create_index("ix_membres_uai", "membres", ["uai"])

    op.create_table(
        "partenaires",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campus_id", sa.String(length=120), nullable=False),
        sa.Column("nom", sa.Text(), nullable=False),
        sa.Column("nature", sa.String(length=20), nullable=False),
        sa.Column("siret", sa.String(length=14), nullable=True),
        _fk_campus("partenaires"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partenaires")),
        sa.UniqueConstraint("campus_id", "nom", name="uq_partenaires_campus_nom"),
    )
    op.create_index(op.f("ix_partenaires_campus_id"), "partenaires", ["campus_id"])


def downgrade() -> None:
    for table in ("partenaires", "membres", "campus_academies", "alias", "imports", "etablissements", "campus"):
        op.drop_table(table)
