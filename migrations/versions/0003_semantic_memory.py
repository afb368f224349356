"""Semantic memory: memories with validity and versions, their history, the extraction queue.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def _user_fk() -> sa.Column:
    return sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "memories",
        sa.Column("id", BigPK, primary_key=True, autoincrement=True),
        _user_fk(),
        sa.Column("lineage_id", sa.BigInteger, nullable=True),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("attribute", sa.String(128), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("valid_at", Time, nullable=True),
        sa.Column("invalid_at", Time, nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("confidence", sa.Float, nullable=False, server_default="1.0"),
        sa.Column("importance", sa.Float, nullable=False, server_default="0.5"),
        sa.Column("reinforcements", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_reinforced_at", Time, nullable=True),
        sa.Column("accesses", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_accessed_at", Time, nullable=True),
        sa.Column("source_episode_ids", JSONType, nullable=False),
        sa.Column("invalidated_by", JSONType, nullable=False),
        sa.Column("metadata", JSONType, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_memories_user_status", "memories", ["user_id", "status", "id"])
    op.create_index("ix_memories_user_slot", "memories", ["user_id", "subject", "attribute"])
    op.create_index("ix_memories_lineage", "memories", ["lineage_id"])
    op.create_table(
        "memory_history",
        sa.Column("id", BigPK, primary_key=True, autoincrement=True),
        sa.Column("memory_id", sa.BigInteger, sa.ForeignKey("memories.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event", sa.String(8), nullable=False),
        sa.Column("old_text", sa.Text, nullable=True),
        sa.Column("new_text", sa.Text, nullable=True),
        sa.Column("actor", sa.String(16), nullable=False),
        sa.Column("episode_ids", JSONType, nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.Column("details", JSONType, nullable=False),
    )
    op.create_index("ix_memory_history_memory", "memory_history", ["memory_id", "id"])
    op.create_table(
        "extraction_tasks",
        sa.Column("id", BigPK, primary_key=True, autoincrement=True),
        _user_fk(),
        sa.Column("namespace_id", sa.BigInteger, nullable=False),
        sa.Column("episode_ids", JSONType, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
        sa.Column("claimed_at", Time, nullable=True),
    )
    op.create_index("ix_extraction_tasks_status", "extraction_tasks", ["status", "id"])
    op.create_index("ix_extraction_tasks_user", "extraction_tasks", ["user_id", "status"])
    op.create_table(
        "semantic_revisions",
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("semantic_revisions")
    op.drop_index("ix_extraction_tasks_user", table_name="extraction_tasks")
    op.drop_index("ix_extraction_tasks_status", table_name="extraction_tasks")
    op.drop_table("extraction_tasks")
    op.drop_index("ix_memory_history_memory", table_name="memory_history")
    op.drop_table("memory_history")
    op.drop_index("ix_memories_lineage", table_name="memories")
    op.drop_index("ix_memories_user_slot", table_name="memories")
    op.drop_index("ix_memories_user_status", table_name="memories")
    op.drop_table("memories")
