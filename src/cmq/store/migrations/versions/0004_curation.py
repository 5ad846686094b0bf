"""Curation : utilisateurs et périmètres, historique de chaque changement (avant / après par champ).

Revision ID: 0004_curation
Revises: 0003_index_types
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_curation"
down_revision: str | None = "0003_index_types"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # New tables only: existing rows are untouched (their history starts with this revision).
    op.create_table(
        "utilisateurs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("nom", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("relecture", sa.Boolean(), nullable=False),
        sa.Column("prefixe", sa.String(length=16), nullable=False),
        sa.Column("empreinte", sa.Text(), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expire_le", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoque_le", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_utilisateurs")),
        sa.UniqueConstraint("nom", name=op.f("uq_utilisateurs_nom")),
        sa.UniqueConstraint("prefixe", name=op.f("uq_utilisateurs_prefixe")),
    )
    op.create_table(
        "utilisateurs_perimetres",
        sa.Column("utilisateur_id", sa.Integer(), nullable=False),
        sa.Column("perimetre", sa.String(length=140), nullable=False),
        sa.ForeignKeyConstraint(
            ["utilisateur_id"],
            ["utilisateurs.id"],
            name=op.f("fk_utilisateurs_perimetres_utilisateur_id_utilisateurs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("utilisateur_id", "perimetre", name=op.f("pk_utilisateurs_perimetres")),
    )
    op.create_table(
        "changements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("quand", sa.DateTime(timezone=True), nullable=False),
        sa.Column("auteur", sa.String(length=200), nullable=False),
        sa.Column("utilisateur_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("operation", sa.String(length=20), nullable=False),
        sa.Column("objet", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("campus_id", sa.String(length=120), nullable=True),
        sa.Column("cle", sa.Text(), nullable=True),
        sa.Column("statut", sa.String(length=12), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("decide_par", sa.String(length=200), nullable=True),
        sa.Column("decide_le", sa.DateTime(timezone=True), nullable=True),
        sa.Column("motif", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["utilisateur_id"],
            ["utilisateurs.id"],
            name=op.f("fk_changements_utilisateur_id_utilisateurs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changements")),
    )
    op.create_index(op.f("ix_changements_quand"), "changements", ["quand"])
    op.create_index(op.f("ix_changements_campus_id"), "changements", ["campus_id"])
    op.create_index("ix_changements_statut", "changements", ["statut"])
    op.create_table(
        "changements_champs",
        sa.Column("changement_id", sa.Integer(), nullable=False),
        sa.Column("champ", sa.String(length=80), nullable=False),
        sa.Column("avant", sa.Text(), nullable=True),
        sa.Column("apres", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changement_id"],
            ["changements.id"],
            name=op.f("fk_changements_champs_changement_id_changements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("changement_id", "champ", name=op.f("pk_changements_champs")),
    )


def downgrade() -> None:
    op.drop_table("changements_champs")
    op.drop_index("ix_changements_statut", table_name="changements")
    op.drop_index(op.f("ix_changements_campus_id"), table_name="changements")
    op.drop_index(op.f("ix_changements_quand"), table_name="changements")
    op.drop_table("changements")
    op.drop_table("utilisateurs_perimetres")
    op.drop_table("utilisateurs")
