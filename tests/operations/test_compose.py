"""docker-compose.yml: the service on PostgreSQL, both health-checked, data in named volumes, migrated at start."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def compose_config() -> dict[str, Any]:
    """The file as ``docker compose config`` resolves it; skips without a docker client with compose."""
    if shutil.which("docker") is None:
        pytest.skip("no docker client (command -v docker)")
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("the docker client has no compose plugin")
    done = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    config: dict[str, Any] = json.loads(done.stdout)
    return config


def test_compose_runs_the_service_on_postgres_migrated_and_health_checked() -> None:
    config = compose_config()
    postgres, memory = config["services"]["postgres"], config["services"]["memory"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert "/readyz" in " ".join(memory["healthcheck"]["test"])
    assert memory["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert memory["environment"]["MEMORY_DATABASE_URL"].startswith("postgresql+psycopg://")
    command = " ".join(memory["command"])
    assert command.index("memory-service db upgrade") < command.index("exec memory-service serve")
    volumes = {volume["source"] for service in (postgres, memory) for volume in service["volumes"]}
    assert volumes == {"pgdata", "memdata"} <= set(config["volumes"])
