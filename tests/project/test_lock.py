"""The reviewed dependency lock: complete, hashed, and inside what ``pyproject.toml`` allows.

The service installs from ``requirements/*.lock`` (``make install``, CI, the Dockerfile); these
tests fail when ``pyproject.toml`` and the lock drift apart, so a dependency change must come
with a refreshed lock (``make lock``) in the same commit.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
DEV_LOCK = ROOT / "requirements" / "dev.lock"
SERVICE_LOCK = ROOT / "requirements" / "service.lock"

# Releases known to be malicious: they must never be admitted by a range nor pinned.
COMPROMISED = {"litellm": {Version("1.82.7"), Version("1.82.8")}}

_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)")


def read_lock(path: Path) -> dict[str, tuple[Version, list[str]]]:
    """Each pinned package of a pip-compile lock: its version and its sha256 hashes."""
    pins: dict[str, tuple[Version, list[str]]] = {}
    current: str | None = None
    for line in path.read_text().splitlines():
        if match := _PIN.match(line):
            current = canonicalize_name(match.group(1))
            pins[current] = (Version(match.group(2)), [])
        elif current and (hashed := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            pins[current][1].append(hashed.group(1))
        elif not line.startswith(" "):
            current = None
    return pins


def project_requirements(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(text) for text in project["dependencies"]]
    for extra in extras:
        wanted += [Requirement(text) for text in project["optional-dependencies"][extra]]
    return [req for req in wanted if canonicalize_name(req.name) != "memory-service"]


@pytest.mark.parametrize(("lock", "extras"), [(SERVICE_LOCK, ()), (DEV_LOCK, ("test", "lint"))])
def test_every_declared_dependency_is_pinned_within_its_range(lock: Path, extras: tuple[str, ...]) -> None:
    pins = read_lock(lock)
    for requirement in project_requirements(*extras):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in {lock.name}: run `make lock`"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock.name} pins {name}=={version}, outside pyproject's {requirement}: run `make lock`"
        )


@pytest.mark.parametrize("lock", [SERVICE_LOCK, DEV_LOCK])
def test_every_pin_carries_a_hash(lock: Path) -> None:
    unhashed = [name for name, (_, hashes) in read_lock(lock).items() if not hashes]
    assert not unhashed, f"{lock.name} pins without hashes: {unhashed}"


def test_the_service_lock_is_the_dev_lock_without_the_tools() -> None:
    dev = read_lock(DEV_LOCK)
    for name, (version, hashes) in read_lock(SERVICE_LOCK).items():
        assert name in dev, f"{name} is in service.lock only"
        assert dev[name][0] == version, f"{name}: service.lock {version}, dev.lock {dev[name][0]}"
        assert set(hashes) <= set(dev[name][1])


def test_torch_is_the_cpu_build() -> None:
    version, _ = read_lock(DEV_LOCK)["torch"]
    assert version.local == "cpu", f"torch {version} is not the CPU wheel"


def test_compromised_releases_are_neither_allowed_nor_pinned() -> None:
    declared = {canonicalize_name(req.name): req for req in project_requirements("test", "lint")}
    for lock in (SERVICE_LOCK, DEV_LOCK):
        pins = read_lock(lock)
        for name, versions in COMPROMISED.items():
            assert pins[name][0] not in versions
            admitted = [v for v in versions if declared[name].specifier.contains(v)]
            assert not admitted, f"pyproject admits {name} {admitted}"


def test_the_reader_sees_a_drifted_pin(tmp_path: Path) -> None:
    """The checks above read real pins: a lock holding a compromised version is seen as such."""
    lock = tmp_path / "drifted.lock"
    lock.write_text("litellm==1.82.7 \\\n    --hash=sha256:" + "0" * 64 + "\n    # via memory-service\nrich==13.0\n")
    pins = read_lock(lock)
    assert pins["litellm"] == (Version("1.82.7"), ["0" * 64])
    assert pins["rich"] == (Version("13.0"), [])
    assert pins["litellm"][0] in COMPROMISED["litellm"]
