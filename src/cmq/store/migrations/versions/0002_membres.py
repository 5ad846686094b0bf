"""Membres : rôle tel que la source l'écrit et page source de chaque adhésion ; membres sans UAI.

Revision ID: 0002_membres
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_membres"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable columns: a plain ADD COLUMN on SQLite and PostgreSQL, existing rows keep NULL.
    op.add_column("membres", sa.Column("libelle_role", sa.Text(), nullable=True))
    op.add_column("membres", sa.Column("source_url", sa.Text(), nullable=True))
    op.create_table(
        "membres_nommes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campus_id", sa.String(length=120), nullable=False),
        sa.Column("nom", sa.Text(), nullable=False),
        sa.Column("nature", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("libelle_role", sa.Text(), nullable=True),
        sa.Column("commune", sa.String(length=200), nullable=True),
        sa.Column("code_commune", sa.String(length=5), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campus_id"], ["campus.id"], name=op.f("fk_membres_nommes_campus_id_campus"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membres_nommes")),
        sa.UniqueConstraint("campus_id", "nom", name="uq_membres_nommes_campus_nom"),
    )
    op.create_index(op.f("ix_membres_nommes_campus_id"), "membres_nommes", ["campus_id"])


def downgrade() -> None:
    op.drop_table("membres_nommes")
    with op.batch_alter_table("membres") as lot:  # SQLite: batch mode rebuilds the table
        lot.drop_column("source_url")
        lot.drop_column("libelle_role")
