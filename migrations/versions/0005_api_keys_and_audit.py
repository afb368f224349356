"""Managed API keys (keyed hashes only, with scopes, expiry and revocation) and the audit log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", BigPK, primary_key=True, autoincrement=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("namespace", sa.String(128), nullable=False),
        sa.Column("scopes", JSONType, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("created_by", sa.String(160), nullable=False),
        sa.Column("expires_at", Time, nullable=True),
        sa.Column("revoked_at", Time, nullable=True),
        sa.Column("last_used_at", Time, nullable=True),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_index("ix_api_keys_namespace", "api_keys", ["namespace", "id"])
    op.create_table(
        "audit_events",
        sa.Column("id", BigPK, primary_key=True, autoincrement=True),
        sa.Column("at", Time, nullable=False),
        sa.Column("actor", sa.String(160), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(160), nullable=True),
        sa.Column("namespace", sa.String(128), nullable=True),
        sa.Column("details", JSONType, nullable=False),
    )
    op.create_index("ix_audit_events_namespace", "audit_events", ["namespace", "id"])
    op.create_index("ix_audit_events_action", "audit_events", ["action", "id"])
    op.create_index("ix_audit_events_actor", "audit_events", ["actor", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_actor", table_name="audit_events")
    op.drop_index("ix_audit_events_action", table_name="audit_events")
    op.drop_index("ix_audit_events_namespace", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index("ix_api_keys_namespace", table_name="api_keys")
    op.drop_table("api_keys")
