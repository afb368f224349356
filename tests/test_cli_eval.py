"""``memory-service eval``: runs end to end in process, resumes, and refuses bad input with a clear message."""

from __future__ import annotations

import json
import traceback
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_service.cli import app
from memory_service.cli_eval import parse_llm_options
from memory_service.errors import InvalidInputError
from tests.evaluation.test_runner import write_locomo, write_longmemeval


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing from the caller's MEMORY_* settings leaks in; the model runs on the CPU."""
    for name in ("MEMORY_DATABASE_URL", "MEMORY_URL", "MEMORY_API_KEY", "MEMORY_API_KEYS", "MEMORY_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MEMORY_DATA_DIR", str(tmp_path / "unused"))
    monkeypatch.setenv("MEMORY_DEVICE", "cpu")
    monkeypatch.setattr("memory_service.cli_eval.default_cache_dir", lambda: tmp_path / "user-cache")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["eval", *args])
    stderr = result.stderr
    if result.exc_info is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))  # shown when a test fails
    return result.exit_code, result.stdout, stderr


def test_longmemeval_writes_metrics_report_and_charts(tmp_path: Path) -> None:
    dataset = write_longmemeval(tmp_path / "lme.json")
    out = tmp_path / "out"
    code, stdout, _ = invoke("longmemeval", str(dataset), "--out", str(out), "--recipe", "hybrid", "--recipe", "bm25")
    assert code == 0, stdout
    assert "LongMemEval retrieval" in stdout and "bm25" in stdout and "QA skipped" in stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["benchmark"] == "longmemeval" and metrics["questions_scored"] == 2
    for section in ("session", "turn", "turn_to_session", "by_type", "timing", "recipes"):
        assert section in metrics
    assert {"ingest_s", "query_p50_ms", "total_s"} <= set(metrics["timing"])
    assert metrics["qa"] is None
    assert (out / "store").is_dir()  # the run's own embedded store, not the configured data dir
    assert not (tmp_path / "unused").exists()
    for name in ("report.md", "results.jsonl", "recall_by_type.png", "recipes.png", "query_latency.png"):
        assert (out / name).stat().st_size > 0

    code, _, stderr = invoke("longmemeval", str(dataset), "--out", str(out))
    assert code == 2 and "--resume" in stderr
    code, _, stderr = invoke("longmemeval", str(dataset), "--out", str(out), "--resume")
    assert code == 2 and "other options" in stderr  # resuming needs the same recipes


def test_runs_keep_their_vectors_in_the_cache_folder_unless_told_not_to(tmp_path: Path) -> None:
    dataset = write_longmemeval(tmp_path / "lme.json")
    code, stdout, stderr = invoke("longmemeval", str(dataset), "--out", str(tmp_path / "first"))
    assert code == 0, stdout + stderr
    assert list((tmp_path / "user-cache").glob("*.sqlite"))  # the default folder
    code, stdout, stderr = invoke(
        "longmemeval", str(dataset), "--out", str(tmp_path / "second"), "--cache-dir", str(tmp_path / "c")
    )
    assert code == 0, stdout + stderr
    assert list((tmp_path / "c").glob("*.sqlite"))
    code, stdout, stderr = invoke(
        "longmemeval", str(dataset), "--out", str(tmp_path / "third"), "--cache-dir", str(tmp_path / "n"), "--no-cache"
    )
    assert code == 0, stdout + stderr
    assert not (tmp_path / "n").exists()


def test_qa_runs_with_an_llm_option(tmp_path: Path) -> None:
    dataset = write_longmemeval(tmp_path / "lme.json")
    code, stdout, _ = invoke(
        "longmemeval", str(dataset), "--out", str(tmp_path / "out"), "--limit", "2", "--granularity", "turn",
        "--llm-model", "gpt-4o-mini", "--llm-option", "mock_response=yes",
    )  # fmt: skip
    assert code == 0, stdout
    assert "QA (gpt-4o-mini, judge gpt-4o-2024-08-06): accuracy 1.000" in stdout
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["qa"]["questions"] == 2 and "session" not in metrics and "turn" in metrics


def test_locomo_prints_recall_per_category(tmp_path: Path) -> None:
    dataset = write_locomo(tmp_path / "locomo.json")
    code, stdout, _ = invoke("locomo", str(dataset), "--out", str(tmp_path / "out"), "--top-k", "10")
    assert code == 0, stdout
    assert "LoCoMo evidence recall" in stdout and "4 single-hop" in stdout and "overall 1-4" in stdout
    assert "cleaned 1-4" in stdout
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["cleaned"]["skipped_evidence_ids"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["longmemeval", "MISSING", "--out", "OUT"], "dataset file not found"),
        (["longmemeval", "LOCOMO", "--out", "OUT"], "in the benchmark's format"),
        (["locomo", "LME", "--out", "OUT"], "in the benchmark's format"),
        (["longmemeval", "GARBAGE", "--out", "OUT"], "not valid JSON"),
        (["longmemeval", "LME", "--out", "OUT", "--recipe", "nope"], "unknown search recipe 'nope'"),
        (["longmemeval", "LME", "--out", "OUT", "--granularity", "word"], "granularity must be one of"),
        (["longmemeval", "LME", "--out", "OUT", "--limit", "0"], "limit must be at least 1"),
        (["longmemeval", "LME", "--out", "OUT", "--workers", "0"], "workers must be at least 1"),
        (["longmemeval", "LME", "--out", "OUT", "--resume", "--overwrite"], "contradict"),
        (["longmemeval", "LME", "--out", "OUT", "--llm-option", "novalue"], "KEY=VALUE"),
        (["longmemeval", "LME", "--out", "OUT", "--qa-prompt", "MISSING"], "cannot read --qa-prompt"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    files = {
        "LME": str(write_longmemeval(tmp_path / "lme.json")),
        "LOCOMO": str(write_locomo(tmp_path / "locomo.json")),
        "GARBAGE": str(tmp_path / "garbage.json"),
        "MISSING": str(tmp_path / "missing.json"),
        "OUT": str(tmp_path / "out"),
    }
    (tmp_path / "garbage.json").write_text("{not json")
    code, stdout, stderr = invoke(*(files.get(arg, arg) for arg in args))
    assert code == 2, stdout + stderr
    assert stderr.startswith("error: ") and message in stderr and "Traceback" not in stderr + stdout
    assert not (tmp_path / "out" / "results.jsonl").exists()


def test_an_unreachable_server_exits_1(tmp_path: Path) -> None:
    dataset = write_longmemeval(tmp_path / "lme.json")
    code, _, stderr = invoke("longmemeval", str(dataset), "--out", str(tmp_path / "out"), "--url", "http://127.0.0.1:9")
    assert code == 1 and "cannot reach the memory service" in stderr


def test_llm_options_parse_json_values() -> None:
    assert parse_llm_options(["api_base=http://localhost:11434", "num_retries=3", "stream=false"]) == {
        "api_base": "http://localhost:11434",
        "num_retries": 3,
        "stream": False,
    }
    with pytest.raises(InvalidInputError):
        parse_llm_options(["=x"])
