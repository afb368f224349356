"""Server time of each console page for one user with 10,000 memories and 2,000 graph relations.

Rows go straight into the store (no extraction, no embedding: the pages list and read, they do
not rank), then each page is asked for ``--repeat`` times through the app in process on an open
server; the table gives the median and the worst server time per page.

    python -m bench.console_pages [--memories 10000] [--relations 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert

from memory_service.api.app import create_app
from memory_service.runtime import build_runtime
from memory_service.settings import Settings
from memory_service.store import partitions
from memory_service.store.tables import GraphEntityRow, GraphRelationRow, GraphRevisionRow, MemoryRow

USER = "heavy"


def fill(settings: Settings, memories: int, relations: int) -> None:
    runtime = build_runtime(settings)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    try:
        with runtime.db.write() as db:
            namespace = partitions.get_or_create_namespace(db, "default")
            user = partitions.get_or_create_user(db, namespace, USER).id
            db.execute(
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
            entities = max(2, relations // 2)
            db.execute(
                insert(GraphEntityRow),
                [
                    {"user_id": user, "id": i, "name": f"entity {i}", "normalized_name": f"entity {i}", "type": "thing"}
                    for i in range(1, entities + 1)
                ],
            )
            db.execute(
                insert(GraphRelationRow),
                [
                    {
                        "user_id": user,
                        "id": i,
                        "source_id": 1 + i % entities,
                        "target_id": 1 + (i * 7 + 3) % entities,
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
            db.execute(insert(GraphRevisionRow), [{"user_id": user, "revision": 1}])
    finally:
        runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=10_000)
    parser.add_argument("--relations", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        fill(settings, args.memories, args.relations)
        runtime = build_runtime(settings)
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


if __name__ == "__main__":
    main()
