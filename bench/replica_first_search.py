"""First search on a replica of a partition it has never loaded, on a shared PostgreSQL store.

Replica A (a ``memory-service serve`` process) ingests ``--memories`` short messages for each of
``--users`` users into a fresh database. Replica B, a second process on the same database with
its own empty data dir, then answers one warm-up search of another user (so the query model's
first call is not counted), and the first search of each ingested user is timed: B builds the
partition from the store (turns, their stored vectors, BM25; nothing is re-embedded). The next
searches of the same partitions, from B's cache, are the baseline. Goal: first search <= 100 ms.

    python -m bench.replica_first_search [--memories 1000] [--users 3] [--repeats 20]
                                         [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench._server import serving_process

WORDS = [
    *("garden", "bicycle", "recipe", "Lisbon", "sister", "marathon", "guitar", "office", "piano", "coffee"),
    *("train", "river", "mountain", "doctor", "birthday", "library", "museum", "holiday", "kitchen"),
    *("camera", "jacket", "violin", "soup", "harbour", "lantern"),
]


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A database made for the run on ``admin_url``'s server, dropped after it."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def messages(count: int, rng: random.Random) -> list[str]:
    return [f"Note {n}: {' '.join(rng.sample(WORDS, 6))}." for n in range(count)]


def ingest(client: httpx.Client, user: str, texts: list[str], batch: int = 100) -> None:
    for start in range(0, len(texts), batch):
        body = {"user_id": user, "messages": [{"role": "user", "content": t} for t in texts[start : start + batch]]}
        client.post(f"/v1/sessions/{user}-{start // batch}/messages", json=body).raise_for_status()


def timed_search(client: httpx.Client, user: str, query: str) -> float:
    """Milliseconds for one search, checked to return hits."""
    started = time.perf_counter()
    response = client.post("/v1/search", json={"query": query, "user_id": user, "top_k": 10})
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    assert response.json()["results"], f"no hits for {user}"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=1000)
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    rng = random.Random(7)
    users = [f"user-{n}" for n in range(args.users)]
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.postgres) as url:
        with serving_process(Path(tmp) / "a", database_url=url) as a:
            started = time.perf_counter()
            for user in users:
                ingest(a, user, messages(args.memories, rng))
            took = time.perf_counter() - started
            print(f"replica A ingested {args.users} x {args.memories} memories in {took:.1f} s")
        with serving_process(Path(tmp) / "b", database_url=url) as b:
            warm_up = b.post("/v1/search", json={"query": "warm up", "user_id": "nobody"})
            warm_up.raise_for_status()
            first = [timed_search(b, user, "when is my sister's birthday?") for user in users]
            cached = [timed_search(b, user, rng.choice(WORDS)) for user in users for _ in range(args.repeats)]
    print(f"first search on replica B, {args.memories} memories never loaded there:")
    print("  " + ", ".join(f"{ms:.1f} ms" for ms in first) + f" (median {statistics.median(first):.1f} ms)")
    print(
        f"later searches, cached on B (n={len(cached)}): p50 {statistics.median(cached):.1f} ms, "
        f"max {max(cached):.1f} ms"
    )


if __name__ == "__main__":
    main()
