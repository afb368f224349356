"""Episodic store: namespaces, users, sessions, episodes and the embedding cache.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "namespaces",
        sa.Column("id", BigPK, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("created_at", Time, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", BigPK, primary_key=True, autoincrement=True),
        sa.Column("namespace_id", sa.BigInteger, sa.ForeignKey("namespaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"),
        sa.UniqueConstraint("namespace_id", "external_id", name="uq_users_namespace_external"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", BigPK, primary_key=True, autoincrement=True),
        sa.Column("namespace_id", sa.BigInteger, sa.ForeignKey("namespaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("agent_id", sa.String(128), nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("message_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_occurred_at", Time, nullable=True),
        sa.Column("last_occurred_at", Time, nullable=True),
        sa.UniqueConstraint("namespace_id", "external_id", name="uq_sessions_namespace_external"),
    )
    op.create_index("ix_sessions_user", "sessions", ["user_id", "id"])
    op.create_table(
        "episodes",
        sa.Column("id", BigPK, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("session_id", sa.BigInteger, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("agent_id", sa.String(128), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("occurred_at", Time, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("metadata", JSONType, nullable=False),
        sa.UniqueConstraint("session_id", "position", name="uq_episodes_session_position"),
    )
    op.create_index("ix_episodes_user_occurred", "episodes", ["user_id", "occurred_at"])
    op.create_index("ix_episodes_content_hash", "episodes", ["content_hash"])
    op.create_table(
        "embeddings",
        sa.Column("model", sa.String(256), primary_key=True),
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("dim", sa.Integer, nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.Column("created_at", Time, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("embeddings")
    op.drop_index("ix_episodes_content_hash", table_name="episodes")
    op.drop_index("ix_episodes_user_occurred", table_name="episodes")
    op.drop_table("episodes")
    op.drop_index("ix_sessions_user", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("users")
    op.drop_table("namespaces")
