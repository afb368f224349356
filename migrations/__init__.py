"""Alembic migrations: every schema change, in order."""
