"""SIGKILL mid-write on the embedded SQLite store loses no acknowledged write (see ``kill.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.operations.kill import every_acknowledged_write_survives_sigkill

pytestmark = pytest.mark.slow


def test_every_acknowledged_write_survives_sigkill_on_sqlite(tmp_path: Path) -> None:
    every_acknowledged_write_survives_sigkill(tmp_path / "data", None)
