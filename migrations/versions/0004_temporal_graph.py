"""Temporal knowledge graph: entities and bi-temporal relations per user, and their change counter.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def _user_fk() -> sa.Column:
    return sa.Column(
        "user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "graph_entities",
        _user_fk(),
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("normalized_name", sa.Text, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("aliases", JSONType, nullable=False),
        sa.Column("embedding", sa.LargeBinary, nullable=True),
    )
    op.create_table(
        "graph_relations",
        _user_fk(),
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("source_id", sa.BigInteger, nullable=False),
        sa.Column("target_id", sa.BigInteger, nullable=False),
        sa.Column("predicate", sa.String(128), nullable=False),
        sa.Column("fact", sa.Text, nullable=False),
        sa.Column("valid_at", Time, nullable=True),
        sa.Column("invalid_at", Time, nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("expired_at", Time, nullable=True),
        sa.Column("episode_ids", JSONType, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id", "source_id"], ["graph_entities.user_id", "graph_entities.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id", "target_id"], ["graph_entities.user_id", "graph_entities.id"], ondelete="CASCADE"
        ),
    )
    op.create_table(
        "graph_revisions",
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("graph_revisions")
    op.drop_table("graph_relations")
    op.drop_table("graph_entities")
