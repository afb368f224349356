"""SIGKILL mid-write on PostgreSQL loses no acknowledged write (see ``kill.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.operations.kill import every_acknowledged_write_survives_sigkill

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_every_acknowledged_write_survives_sigkill_on_postgres(own_postgres_url: str, tmp_path: Path) -> None:
    every_acknowledged_write_survives_sigkill(tmp_path / "data", own_postgres_url)
