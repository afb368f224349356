"""The suite's warning policy: the project's own warnings fail it, known third-party ones do not.

Runs pytest in a child process with the project's own configuration on a small test file, so
the real ``filterwarnings`` of ``pyproject.toml`` decide.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBES = """
import warnings


def test_a_warning_from_the_project_code():
    warnings.warn_explicit("old call", DeprecationWarning, "retrieval/fusion.py", 1, module="retrieval.fusion")


def test_a_user_warning_from_the_project_code():
    warnings.warn_explicit("odd input", UserWarning, "memory_service/settings.py", 1, module="memory_service.settings")


def test_pydantic_schema_warning_about_a_dependency():
    warnings.warn_explicit(
        "any wording at all", UserWarning, "pydantic/_internal/_generate_schema.py", 1,
        module="pydantic._internal._generate_schema",
    )
"""


def test_own_warnings_fail_and_filtered_third_party_ones_pass(tmp_path: Path) -> None:
    probes = tmp_path / "test_probes.py"
    probes.write_text(PROBES)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
            "--tb=short",
            str(probes),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    out = result.stdout
    assert result.returncode == 1, out
    assert "FAILED test_probes.py::test_a_warning_from_the_project_code" in out
    assert "FAILED test_probes.py::test_a_user_warning_from_the_project_code" in out
    assert "DeprecationWarning: old call" in out
    assert "UserWarning: odd input" in out
    assert "2 failed, 1 passed" in out
