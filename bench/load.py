"""Mixed load over REST: many async clients adding messages and searching at once, for a fixed time.

A ``memory-service serve`` process (the embedded default: SQLite, the packaged model on CPU) is
seeded with ``--seed`` short messages for each of ``--users`` users; then, for each client
count, that many httpx async clients send requests back to back for ``--seconds``: a share
``--add-share`` of them add one message (``POST /v1/sessions/{id}/messages``), the rest search
(``POST /v1/search``, top 10), each for a random user. Printed per client count and operation:
requests, requests/s, p50 and p99 latency, and errors (any answer but 2xx, or no answer).
The clients run in the benchmark's process on the same machine as the server.

    python -m bench.load [--clients 16 64] [--seconds 10] [--users 8] [--seed 200] [--add-share 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx
import numpy as np

from bench._server import serving_process

WORDS = [
    *("garden", "bicycle", "recipe", "Lisbon", "sister", "marathon", "guitar", "office", "piano", "coffee"),
    *("train", "river", "mountain", "doctor", "birthday", "library", "museum", "holiday", "kitchen"),
    *("camera", "jacket", "violin", "soup", "harbour", "lantern", "dentist", "concert", "flight"),
]


def sentence(rng: random.Random) -> str:
    return f"I talked about the {' and the '.join(rng.sample(WORDS, 3))} today."


def seed(client: httpx.Client, users: int, count: int, rng: random.Random) -> None:
    for user in range(users):
        messages = [{"role": "user", "content": sentence(rng)} for _ in range(count)]
        for start in range(0, count, 100):
            body = {"user_id": f"user-{user}", "messages": messages[start : start + 100]}
            client.post(f"/v1/sessions/seed-{user}-{start}/messages", json=body).raise_for_status()


async def one_client(
    client: httpx.AsyncClient,
    number: int,
    deadline: float,
    args: argparse.Namespace,
    latencies: dict[str, list[float]],
    errors: dict[str, int],
) -> None:
    rng = random.Random(number)
    while time.perf_counter() < deadline:
        user = f"user-{rng.randrange(args.users)}"
        if rng.random() < args.add_share:
            operation = "add"
            request = client.post(
                f"/v1/sessions/load-{number}-{user}/messages",
                json={"user_id": user, "messages": [{"role": "user", "content": sentence(rng)}]},
            )
        else:
            operation = "search"
            request = client.post("/v1/search", json={"query": sentence(rng), "user_id": user, "top_k": 10})
        started = time.perf_counter()
        try:
            response = await request
            ok = response.is_success
        except httpx.TransportError:
            ok = False
        latencies[operation].append((time.perf_counter() - started) * 1000)
        if not ok:
            errors[operation] += 1


async def run_level(base_url: str, clients: int, args: argparse.Namespace) -> None:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
        started = time.perf_counter()
        deadline = started + args.seconds
        await asyncio.gather(*(one_client(client, n, deadline, args, latencies, errors) for n in range(clients)))
        elapsed = time.perf_counter() - started
    for operation in ("add", "search"):
        values = latencies[operation]
        if not values:
            continue
        p50, p99 = statistics.median(values), float(np.percentile(values, 99))
        print(
            f"| {clients} | {operation} | {len(values)} | {len(values) / elapsed:.1f} | {p50:.1f} | {p99:.1f} "
            f"| {errors[operation]} |"
        )
    total = sum(len(values) for values in latencies.values())
    print(f"| {clients} | all | {total} | {total / elapsed:.1f} | | | {sum(errors.values())} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seed", type=int, default=200, help="messages stored per user before the load")
    parser.add_argument("--add-share", type=float, default=0.2)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp, serving_process(Path(tmp) / "data") as client:
        started = time.perf_counter()
        seed(client, args.users, args.seed, rng)
        print(f"seeded {args.users} users x {args.seed} messages in {time.perf_counter() - started:.1f} s")
        for user in range(args.users):  # each partition loaded once, so the load measures steady state
            client.post("/v1/search", json={"query": "warm up", "user_id": f"user-{user}"}).raise_for_status()
        print("| clients | operation | requests | requests/s | p50 ms | p99 ms | errors |")
        print("|---:|---|---:|---:|---:|---:|---:|")
        for clients in args.clients:
            asyncio.run(run_level(str(client.base_url), clients, args))


if __name__ == "__main__":
    main()
