"""Graph relations remember the episodes that ended them, so forgetting those restores them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    # Nullable: relations ended before this revision did not record by what.
    op.add_column("graph_relations", sa.Column("ended_by", JSONType, nullable=True))


def downgrade() -> None:
    op.drop_column("graph_relations", "ended_by")
