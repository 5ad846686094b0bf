"""Restaurations : journal des restaurations de la base (jamais sauvegardé).

Revision ID: 0005_restaurations
Revises: 0004_curation
Create Date: 2026-12-15
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_restaurations"
down_revision: str | None = "0004_curation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A new table only: existing rows are untouched (no restore is known before this revision).
    op.create_table(
        "restaurations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("quand", sa.DateTime(timezone=True), nullable=False),
        sa.Column("auteur", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.String(length=32), nullable=True),
        sa.Column("remplacer", sa.Boolean(), nullable=False),
        sa.Column("lignes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restaurations")),
    )
    op.create_index(op.f("ix_restaurations_quand"), "restaurations", ["quand"])


def downgrade() -> None:
    op.drop_index(op.f("ix_restaurations_quand"), table_name="restaurations")
    op.drop_table("restaurations")
