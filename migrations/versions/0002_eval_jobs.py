"""Evaluation jobs: benchmark runs submitted over REST, with progress and final metrics.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "eval_jobs",
        sa.Column("id", BigPK, primary_key=True, autoincrement=True),
        sa.Column("namespace", sa.String(128), nullable=False),
        sa.Column("benchmark", sa.String(32), nullable=False),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("dataset_name", sa.String(256), nullable=False),
        sa.Column("options", JSONType, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total", sa.Integer, nullable=True),
        sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("metrics", JSONType, nullable=True),
        sa.Column("cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("started_at", Time, nullable=True),
        sa.Column("updated_at", Time, nullable=False),
        sa.Column("finished_at", Time, nullable=True),
    )
    op.create_index("ix_eval_jobs_namespace", "eval_jobs", ["namespace", "id"])
    op.create_index("ix_eval_jobs_status", "eval_jobs", ["status"])


def downgrade() -> None:
    op.drop_index("ix_eval_jobs_status", table_name="eval_jobs")
    op.drop_index("ix_eval_jobs_namespace", table_name="eval_jobs")
    op.drop_table("eval_jobs")
