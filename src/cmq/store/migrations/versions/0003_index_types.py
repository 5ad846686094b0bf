"""Établissements : index (type, département, académie, région académique) pour compter les lycées.

Revision ID: 0003_index_types
Revises: 0002_membres
Create Date: 2026-12-09
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_index_types"
down_revision: str | None = "0002_membres"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Named as in cmq.store.tables (INDEX_TYPES); a migration does not import the current tables.
INDEX = "ix_etablissements_type_territoire"


def upgrade() -> None:
    # The lycée count per territory reads only this index: the distinct types by one seek each,
    # then the ranges of the lycée types, already in GROUP BY order (no table scan, no sort).
    op.create_index(INDEX, "etablissements", ["type", "departement", "academie", "region_academique"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="etablissements")
