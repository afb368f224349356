"""The server secret: the setting, else a 0600 file in the data dir made once and read back ever after."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from memory_service.errors import UnavailableError
from memory_service.security.secret import SECRET_FILE, load_or_create, server_secret
from memory_service.settings import Settings


def test_without_the_setting_a_secret_is_made_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = server_secret(settings)
    path = tmp_path / "data" / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32 and server_secret(Settings(data_dir=tmp_path / "data")) == first
    assert server_secret(Settings(data_dir=tmp_path / "other")) != first
    assert sorted(p.name for p in path.parent.iterdir()) == [SECRET_FILE]  # no staging file left


def test_the_setting_wins_and_writes_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", key_secret=SecretStr("s" * 40))
    assert server_secret(settings) == b"s" * 40
    assert not (tmp_path / "data" / SECRET_FILE).exists()
    with pytest.raises(ValidationError, match="key_secret"):
        Settings(data_dir=tmp_path, key_secret=SecretStr("short"))


def test_processes_starting_at_once_agree_on_one_secret(tmp_path: Path) -> None:
    path = tmp_path / "data" / SECRET_FILE
    start = threading.Barrier(8)
    seen: list[bytes] = []

    def load() -> None:
        start.wait()
        seen.append(load_or_create(path))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and len(set(seen)) == 1 and path.read_bytes().strip() == seen[0]


def test_a_damaged_secret_file_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / SECRET_FILE
    path.write_bytes(b"")
    path.chmod(0o600)
    with pytest.raises(UnavailableError, match="too short"):
        load_or_create(path)
