"""Server time of each console page for one user with 10,000 memories and 2,000 graph relations.

Rows go straight into the store (no extraction, no embedding: the pages list and read, they do
not rank), then each page is asked for ``--repeat`` times through the app in process on an open
server; the table gives the median and the worst server time per page. The evaluation pages are
timed over two finished runs (two recipes) of ``--eval-questions`` LongMemEval_oracle questions.

    python -m bench.console_pages [--memories 10000] [--relations 2000] [--repeat 5] [--eval-questions 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from memory_service.api.app import create_app
from memory_service.runtime import build_runtime
from memory_service.settings import Settings
from memory_service.store import partitions
from memory_service.store.database import Database
from memory_service.store.tables import GraphEntityRow, GraphRelationRow, GraphRevisionRow, MemoryRow

USER = "heavy"
LONGMEMEVAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "longmemeval" / "longmemeval_oracle_dev.json"
"""The shared data folder next to the checkout (see shared/data/README.md)."""


def fill(db: Database, memories: int, relations: int, namespace: str = "default", user_id: str = USER) -> None:
    """``memories`` semantic memories and ``relations`` graph relations (between half as many entities)
    for one user, inserted in bulk."""
    start = datetime(2023, 1, 1, tzinfo=UTC)
    with db.write() as session:
        ns = partitions.get_or_create_namespace(session, namespace)
        user = partitions.get_or_create_user(session, ns, user_id).id
        if memories:
            session.execute(
                insert(MemoryRow),
                [
                    {
                        "user_id": user,
                        "subject": "user",
                        "attribute": f"a{i}",
                        "text": f"fact number {i}",
                        "kind": "fact",
                        "status": "active",
                        "valid_at": start + timedelta(hours=i),
                        "content_hash": f"{i:064d}",
                        "source_episode_ids": [],
                        "invalidated_by": [],
                        "metadata_": {},
                    }
                    for i in range(memories)
                ],
            )
        if not relations:
            return
        entities = max(2, relations // 2)
        first = session.scalar(select(func.coalesce(func.max(GraphEntityRow.id), 0))) or 0
        session.execute(
            insert(GraphEntityRow),
            [
                {
                    "user_id": user,
                    "id": first + i,
                    "name": f"entity {i}",
                    "normalized_name": f"entity {i}",
                    "type": "thing",
                }
                for i in range(1, entities + 1)
            ],
        )
        first_relation = session.scalar(select(func.coalesce(func.max(GraphRelationRow.id), 0))) or 0
        session.execute(
            insert(GraphRelationRow),
            [
                {
                    "user_id": user,
                    "id": first_relation + i,
                    "source_id": first + 1 + i % entities,
                    "target_id": first + 1 + (i * 7 + 3) % entities,
                    "predicate": "knows",
                    "fact": f"relation {i}",
                    "valid_at": start + timedelta(days=i % 700),
                    "invalid_at": start + timedelta(days=i % 700 + 90) if i % 3 == 0 else None,
                    "created_at": start + timedelta(days=i % 700),
                    "episode_ids": [],
                }
                for i in range(1, relations + 1)
            ],
        )
        session.execute(insert(GraphRevisionRow), [{"user_id": user, "revision": 1}])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=10_000)
    parser.add_argument("--relations", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--eval-questions", type=int, default=2)
    parser.add_argument("--longmemeval", type=Path, default=LONGMEMEVAL)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        datasets = Path(tmp) / "datasets"
        datasets.mkdir()
        questions = json.loads(args.longmemeval.read_text())[: args.eval_questions]
        (datasets / "tiny.json").write_text(json.dumps(questions))
        settings = Settings(data_dir=Path(tmp) / "data", eval_datasets_dir=datasets)
        runtime = build_runtime(settings)
        fill(runtime.db, args.memories, args.relations)
        pages = {
            "overview": "/admin",
            "users": "/admin/users",
            "user (first 50 memories, sessions)": f"/admin/users/{USER}",
            "user, past included": f"/admin/users/{USER}?past=1",
            "memory with history": f"/admin/users/{USER}/memories/mem_5000",
            "graph page": f"/admin/users/{USER}/graph",
            "graph data (all)": f"/admin/users/{USER}/graph.json",
            "graph data as_of": f"/admin/users/{USER}/graph.json?as_of=2024-01-01T00:00:00Z",
            "keys": "/admin/keys",
            "audit log": "/admin/audit",
        }
        try:
            with TestClient(create_app(runtime=runtime)) as client:
                first, second = (finished_job(client, recipe) for recipe in ("hybrid", "bm25"))
                pages.update(
                    {
                        "evaluation jobs": "/admin/eval",
                        "evaluation job with results": f"/admin/eval/{first}",
                        "evaluation job progress (JSON)": f"/admin/eval/{first}/progress.json",
                        "evaluation chart (PNG)": f"/admin/eval/{first}/charts/recall_by_type.png",
                        "two runs compared": f"/admin/eval/compare?a={first}&b={second}",
                    }
                )
                print(f"{args.memories} memories, {args.relations} relations, {args.repeat} requests a page\n")
                print("| page | median ms | worst ms | bytes |\n|---|---:|---:|---:|")
                for name, path in pages.items():
                    times, size = [], 0
                    for _ in range(args.repeat):
                        started = time.perf_counter()
                        answer = client.get(path)
                        times.append((time.perf_counter() - started) * 1000)
                        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
                        size = len(answer.content)
                    print(f"| {name} | {statistics.median(times):.1f} | {max(times):.1f} | {size} |")
        finally:
            runtime.close()


def finished_job(client: TestClient, recipe: str) -> str:
    """A job over the tiny dataset, run to its end through the REST API; its id."""
    created = client.post(
        "/v1/eval/jobs",
        json={"benchmark": "longmemeval", "dataset_path": "tiny.json", "options": {"recipes": [recipe]}},
    )
    assert created.status_code == 201, created.text
    job_id = str(created.json()["id"])
    deadline = time.monotonic() + 600
    while (status := client.get(f"/v1/eval/jobs/{job_id}").json()["status"]) in ("queued", "running"):
        assert time.monotonic() < deadline, f"{job_id} still {status}"
        time.sleep(0.2)
    assert status == "succeeded", status
    return job_id


if __name__ == "__main__":
    main()
