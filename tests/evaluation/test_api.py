"""Evaluation jobs over the real app: submit, progress, metrics, paging, cancel, restart, errors."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from tests.evaluation.test_runner import longmemeval_questions, write_locomo, write_longmemeval

FINISHED = {"succeeded", "failed", "cancelled"}


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client


def wait_for(client: TestClient, job_id: str, timeout_s: float = 120.0, headers: Any = None) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(f"/v1/eval/jobs/{job_id}", headers=headers).json()
        if job["status"] in FINISHED:
            return job
        assert time.monotonic() < deadline, f"job still {job['status']}: {job}"
        time.sleep(0.1)


def datasets(settings: Settings) -> Path:
    """The server's datasets folder, the only place a job's dataset_path may point into."""
    settings.datasets_dir.mkdir(parents=True, exist_ok=True)
    return settings.datasets_dir


def many_questions(count: int) -> list[dict[str, Any]]:
    """``count`` questions in LongMemEval's format, each a copy of the sample's first one."""
    base = longmemeval_questions()[0]
    return [{**base, "question_id": f"q{index}"} for index in range(count)]


def test_submit_a_job_and_read_its_metrics(client: TestClient, runtime: Runtime) -> None:
    write_longmemeval(datasets(runtime.settings) / "lme.json")
    created = client.post(
        "/v1/eval/jobs",
        json={"benchmark": "longmemeval", "dataset_path": "lme.json", "options": {"recipes": ["hybrid", "bm25"]}},
    )
    assert created.status_code == 201, created.text
    job = created.json()
    assert job["id"].startswith("evaljob_") and job["status"] in {"queued", "running"}
    assert job["dataset"] == "lme.json" and job["options"]["recipes"] == ["hybrid", "bm25"]

    done = wait_for(client, job["id"])
    assert done["status"] == "succeeded", done
    assert done["progress"]["done"] == done["progress"]["total"] == 4 and done["progress"]["fraction"] == 1.0
    assert done["progress"]["unit"] == "questions" and done["finished_at"] is not None
    metrics = done["metrics"]
    assert metrics["benchmark"] == "longmemeval" and metrics["questions_scored"] == 2
    assert metrics["session"]["recall_all@5"] == 1.0 and set(metrics["recipes"]) == {"hybrid", "bm25"}
    assert metrics["qa"] is None and "no LLM configured" in metrics["qa_skipped"]


def test_upload_a_locomo_file(client: TestClient, tmp_path: Path) -> None:
    content = write_locomo(tmp_path / "locomo.json").read_bytes()
    created = client.post(
        "/v1/eval/jobs",
        data={"benchmark": "locomo", "options": json.dumps({"top_k": 10})},
        files={"file": ("my locomo.json", content, "application/json")},
    )
    assert created.status_code == 201, created.text
    done = wait_for(client, created.json()["id"])
    assert done["status"] == "succeeded" and done["dataset"] == "my locomo.json"
    assert done["metrics"]["cleaned"]["skipped_evidence_ids"] == 2 and "recall@10" in done["metrics"]["overall"]
    assert "recall@30" not in done["metrics"]["overall"]  # only cut-offs up to top_k


def test_a_job_whose_judge_cannot_be_reached_fails_saying_how_to_choose_another(
    client: TestClient, runtime: Runtime
) -> None:
    write_longmemeval(datasets(runtime.settings) / "lme.json")
    client.app.state.eval_jobs.llm_model = "gpt-4o-mini"  # the server's answering model; never called here
    # litellm refuses a model without a provider before sending anything: an unreachable judge, offline.
    options = {"judge_model": "no-such-provider-model"}
    created = client.post(
        "/v1/eval/jobs", json={"benchmark": "longmemeval", "dataset_path": "lme.json", "options": options}
    )
    assert created.status_code == 201, created.text
    done = wait_for(client, created.json()["id"])
    assert done["status"] == "failed" and "cannot be reached" in done["error"]
    assert "judge_with_answer_model" in done["error"] and done["progress"]["done"] == 0


def test_jobs_are_listed_newest_first_a_page_at_a_time(client: TestClient, runtime: Runtime) -> None:
    dataset = str(write_longmemeval(datasets(runtime.settings) / "lme.json"))  # absolute, inside the folder
    ids = []
    for _ in range(3):
        body = {"benchmark": "longmemeval", "dataset_path": dataset, "options": {"limit": 1, "granularity": "session"}}
        ids.append(client.post("/v1/eval/jobs", json=body).json()["id"])
    first = client.get("/v1/eval/jobs", params={"limit": 2}).json()
    assert [job["id"] for job in first["items"]] == ids[::-1][:2] and first["next_cursor"]
    listed, cursor = [], first["next_cursor"]
    while cursor:  # a shared PostgreSQL test database may hold other tests' jobs further down
        page = client.get("/v1/eval/jobs", params={"limit": 2, "cursor": cursor}).json()
        assert len(page["items"]) <= 2
        listed += [job["id"] for job in page["items"]]
        cursor = page["next_cursor"]
    assert listed[0] == ids[0] and len(listed) == len(set(listed))
    for job_id in ids:
        assert wait_for(client, job_id)["status"] == "succeeded"


@pytest.mark.parametrize("form", [False, True], ids=["json", "multipart"])
def test_a_job_can_extract_on_ingest_and_search_every_layer(client: TestClient, runtime: Runtime, form: bool) -> None:
    dataset = write_longmemeval(datasets(runtime.settings) / "lme.json")
    options = {"infer": True, "layers": ["episodic", "semantic", "graph"], "granularity": "turn", "keep": True}
    if form:
        files = {"file": ("lme.json", dataset.read_bytes(), "application/json")}
        data = {"benchmark": "longmemeval", "options": json.dumps(options)}
        created = client.post("/v1/eval/jobs", data=data, files=files)
    else:
        body = {"benchmark": "longmemeval", "dataset_path": dataset.name, "options": options}
        created = client.post("/v1/eval/jobs", json=body)
    assert created.status_code == 201, created.text
    job = created.json()
    assert job["options"]["infer"] is True and job["options"]["layers"] == options["layers"]

    done = wait_for(client, job["id"])
    assert done["status"] == "succeeded", done
    assert done["metrics"]["questions_scored"] == 2 and "turn" in done["metrics"] and "session" not in done["metrics"]
    folder = runtime.settings.data_dir / "eval_jobs" / job["id"].removeprefix("evaljob_")
    run = json.loads((folder / "run.json").read_text())
    assert run["options"]["infer"] is True and run["options"]["layers"] == options["layers"]
    records = [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines()]
    assert records and all(record["ingest"]["extraction_wait_s"] >= 0 for record in records)
    move = next(record for record in records if record["unit"] == "q_move")
    assert move["recipes"]["hybrid"]["ranked"]["turn"][0] == "answer_move_2_1"


def test_cancel_stops_a_job_between_questions(client: TestClient, runtime: Runtime) -> None:
    write_longmemeval(datasets(runtime.settings) / "lme.json", many_questions(8))
    job = client.post("/v1/eval/jobs", json={"benchmark": "longmemeval", "dataset_path": "lme.json"}).json()
    cancelled = client.post(f"/v1/eval/jobs/{job['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] in {"running", "cancelled"}
    done = wait_for(client, job["id"])
    assert done["status"] == "cancelled" and done["progress"]["done"] < 8
    again = client.post(f"/v1/eval/jobs/{job['id']}/cancel")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_a_job_survives_a_restart(sqlite_settings: Settings, embedder: SentenceTransformerEmbedder) -> None:
    write_longmemeval(datasets(sqlite_settings) / "lme.json", many_questions(6))
    first = build_runtime(sqlite_settings, embedder=embedder)
    app = create_app(runtime=first)
    with TestClient(app) as client:
        job = client.post("/v1/eval/jobs", json={"benchmark": "longmemeval", "dataset_path": "lme.json"}).json()
        time.sleep(0.3)
    # The server stops: the job is put back in the queue after the question in hand.
    paused = app.state.eval_jobs.get("default", job["id"])
    first.close()
    assert paused.status == "queued" and paused.done < 6

    second = build_runtime(sqlite_settings, embedder=embedder)
    try:
        with TestClient(create_app(runtime=second)) as client:
            done = wait_for(client, job["id"])
    finally:
        second.close()
    assert done["status"] == "succeeded" and done["progress"]["done"] == 6
    lines = (sqlite_settings.data_dir / "eval_jobs" / job["id"].removeprefix("evaljob_") / "results.jsonl").read_text()
    assert sorted(json.loads(line)["unit"] for line in lines.splitlines()) == [f"q{i}" for i in range(6)]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"benchmark": "longmemeval", "dataset_path": "nowhere.json"}, 422, "no dataset 'nowhere.json'"),
        ({"benchmark": "longmemeval", "dataset_path": "/nowhere.json"}, 403, "inside the server's datasets folder"),
        ({"benchmark": "mystery", "dataset_path": "x"}, 422, "benchmark"),
        ({"benchmark": "longmemeval", "dataset_path": "DATA", "options": {"recipes": ["nope"]}}, 422, "unknown search"),
        ({"benchmark": "longmemeval", "dataset_path": "DATA", "options": {"top_k": 0}}, 422, "top_k"),
        ({"benchmark": "longmemeval", "dataset_path": "DATA", "options": {"colour": "red"}}, 422, "colour"),
        ({"benchmark": "longmemeval", "dataset_path": "DATA", "options": {"qa_prompt": "{nope}"}}, 422, "placeholder"),
        ({"benchmark": "longmemeval", "dataset_path": "DATA", "options": {"layers": ["semantic"]}}, 422, "add infer"),
        ({"benchmark": "longmemeval", "dataset_path": "DATA", "options": {"layers": ["dreams"]}}, 422, "layers"),
        ({"benchmark": "locomo", "dataset_path": "DATA", "options": {"infer": True}}, 422, "LongMemEval"),
    ],
)
def test_bad_submissions_are_4xx(
    client: TestClient, runtime: Runtime, body: dict[str, Any], status: int, message: str
) -> None:
    dataset = write_longmemeval(datasets(runtime.settings) / "lme.json").name
    body = json.loads(json.dumps(body).replace('"DATA"', json.dumps(dataset)))
    before = client.get("/v1/eval/jobs").json()["items"]
    response = client.post("/v1/eval/jobs", json=body)
    assert response.status_code == status and message in response.json()["error"]["message"]
    assert client.get("/v1/eval/jobs").json()["items"] == before


def test_bad_uploads_and_unknown_jobs(client: TestClient) -> None:
    wrong = client.post(
        "/v1/eval/jobs", data={"benchmark": "longmemeval"}, files={"file": ("x.json", b'[{"sample_id": 1}]')}
    )
    assert wrong.status_code == 422 and "not a longmemeval file" in wrong.json()["error"]["message"]
    missing = client.post("/v1/eval/jobs", data={"benchmark": "longmemeval"})
    assert missing.status_code == 422 and "'file'" in missing.json()["error"]["message"]
    for job_id in ("evaljob_999", "nonsense"):
        response = client.get(f"/v1/eval/jobs/{job_id}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
        assert client.post(f"/v1/eval/jobs/{job_id}/cancel").status_code == 404


def test_jobs_are_private_to_their_namespace(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, sqlite_settings: Settings
) -> None:
    settings = sqlite_settings.model_copy(update={"api_keys": {"key-a": "team-a", "key-b": "team-b"}})
    runtime = build_runtime(settings, embedder=embedder)
    dataset = write_longmemeval(datasets(settings) / "lme.json").name
    a, b = {"authorization": "Bearer key-a"}, {"authorization": "Bearer key-b"}
    try:
        with TestClient(create_app(runtime=runtime)) as client:
            body = {"benchmark": "longmemeval", "dataset_path": dataset, "options": {"limit": 1}}
            assert client.post("/v1/eval/jobs", json=body).status_code == 401
            job = client.post("/v1/eval/jobs", json=body, headers=a).json()
            assert client.get(f"/v1/eval/jobs/{job['id']}", headers=b).status_code == 404
            assert client.get("/v1/eval/jobs", headers=b).json()["items"] == []
            assert client.post(f"/v1/eval/jobs/{job['id']}/cancel", headers=b).status_code == 404
            assert wait_for(client, job["id"], headers=a)["status"] == "succeeded"
    finally:
        runtime.close()
