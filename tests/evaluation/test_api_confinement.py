"""Evaluation jobs over the real app read only the datasets folder, and no answer quotes a file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from memory_service.api.app import create_app
from memory_service.evaluation import job_store
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from retrieval.embedder import SentenceTransformerEmbedder
from tests.evaluation.test_api import wait_for
from tests.evaluation.test_runner import longmemeval_questions, write_longmemeval

SECRET = "TOP-SECRET-CONTENT-7f3a"


@pytest.fixture
def runtime(sqlite_settings: Settings, embedder: SentenceTransformerEmbedder, tmp_path: Path) -> Iterator[Runtime]:
    settings = sqlite_settings.model_copy(update={"eval_datasets_dir": tmp_path / "sets"})
    rt = build_runtime(settings, embedder=embedder)
    yield rt
    rt.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client


@pytest.fixture
def folder(runtime: Runtime, client: TestClient) -> Path:
    """The configured datasets folder (made by the app at start), with one good dataset in it."""
    folder = runtime.settings.datasets_dir
    assert folder.is_dir() and folder == runtime.settings.eval_datasets_dir
    write_longmemeval(folder / "good.json")
    return folder


def submit(client: TestClient, dataset_path: str) -> Any:
    return client.post("/v1/eval/jobs", json={"benchmark": "longmemeval", "dataset_path": dataset_path})


def test_paths_outside_the_folder_are_refused_without_a_word_about_them(
    client: TestClient, folder: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "private.json"
    outside.write_text(json.dumps([{"question_id": SECRET}]))
    (folder / "link.json").symlink_to(outside)
    (folder / "dangling.json").symlink_to(tmp_path / "not-there.json")
    (folder / "etc").symlink_to("/etc")
    answers = {
        given: submit(client, given)
        for given in (
            "/etc/passwd",
            "/etc/not-there",
            "../private.json",
            "../not-there.json",
            str(outside),
            str(tmp_path / "not-there.json"),
            "link.json",
            "dangling.json",
            "etc/passwd",
        )
    }
    for given, answer in answers.items():
        assert answer.status_code == 403, given
        assert answer.json() == answers["/etc/passwd"].json(), given  # the same words, file or no file
        assert SECRET not in answer.text and "root:" not in answer.text and given not in answer.text
    assert "datasets folder" in answers["/etc/passwd"].json()["error"]["message"]
    assert client.get("/v1/eval/jobs").json()["items"] == []
    assert submit(client, "good.json").status_code == 201


def test_a_dataset_that_fails_to_parse_says_so_without_quoting_it(client: TestClient, folder: Path) -> None:
    broken = longmemeval_questions()[:1]
    broken[0]["haystack_dates"][0] = SECRET  # not a date: the parser's own message would quote it
    write_longmemeval(folder / "broken.json", broken)
    (folder / "not-json.json").write_text(f"{SECRET} is not JSON")
    for name in ("broken.json", "not-json.json"):
        created = submit(client, name)
        assert created.status_code == 201, created.text
        done = wait_for(client, created.json()["id"])
        assert done["status"] == "failed" and "is not a longmemeval file" in done["error"], done
        assert SECRET not in json.dumps(done)


def test_a_stored_job_reading_outside_the_folder_fails_when_it_runs(runtime: Runtime, tmp_path: Path) -> None:
    """A job kept from before the folder existed, or whose file became a link out since it was
    submitted, is checked again as it opens the file, and fails without reading it."""
    outside = tmp_path / "private.json"
    outside.write_text(json.dumps([{"question_id": SECRET}]))
    folder = runtime.settings.datasets_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "was-good.json").symlink_to(outside)
    with runtime.db.write() as db:
        old = job_store.insert_job(db, "default", "longmemeval", str(outside), "private.json", {}).id
        swapped = job_store.insert_job(db, "default", "longmemeval", str(folder / "was-good.json"), "g.json", {}).id
    with TestClient(create_app(runtime=runtime)) as client:  # the start resumes both
        for pk in (old, swapped):
            done = wait_for(client, job_store.public_job_id(pk))
            assert done["status"] == "failed" and "datasets folder" in done["error"], done
            assert SECRET not in json.dumps(done)


def test_uploads_still_work_and_bad_ones_quote_nothing(client: TestClient, folder: Path) -> None:
    content = (folder / "good.json").read_bytes()
    created = client.post(
        "/v1/eval/jobs", data={"benchmark": "longmemeval"}, files={"file": ("mine.json", content, "application/json")}
    )
    assert created.status_code == 201 and wait_for(client, created.json()["id"])["status"] == "succeeded"

    broken = longmemeval_questions()[:1]
    broken[0]["haystack_dates"][0] = SECRET
    for name, body in [
        ("dates.json", json.dumps(broken).encode()),
        ("text.json", f"{SECRET} is not JSON".encode()),
        ("binary.json", b"\xff\xfe" + SECRET.encode()),
        ("shape.json", json.dumps([{"question_id": SECRET}]).encode()),
    ]:
        answer = client.post("/v1/eval/jobs", data={"benchmark": "longmemeval"}, files={"file": (name, body)})
        assert answer.status_code == 422, name
        assert "not a longmemeval file" in answer.json()["error"]["message"]
        assert SECRET not in answer.text, name
