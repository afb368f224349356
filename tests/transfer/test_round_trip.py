"""Export, import into an empty service, export again: the same file, the same answers."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, select

from memory_service.domain import SearchQuery
from memory_service.runtime import Runtime
from memory_service.store.tables import GraphEntityRow, GraphRelationRow, MemoryHistoryRow, MemoryRow
from memory_service.transfer import export_user, import_file, iter_export
from tests.transfer.conftest import NS, USER

QUERIES = ("Where did Caroline go?", "What does Melanie like to paint?", "support group")
AT = datetime(2030, 1, 1, tzinfo=UTC)


def _body(text: str) -> list[str]:
    lines = text.splitlines()
    header = json.loads(lines[0])
    header.pop("exported_at")
    return [json.dumps(header, sort_keys=True), *lines[1:]]


def _top(runtime: Runtime, layers: tuple[str, ...]) -> list[list[str]]:
    return [
        [hit.text for hit in runtime.search.search(NS, SearchQuery(q, USER, layers=layers, top_k=5, reinforce=False))]  # type: ignore[arg-type]
        for q in QUERIES
    ]


def _count(runtime: Runtime, table: type) -> int:
    with runtime.db.read() as db:
        return int(db.scalar(select(func.count()).select_from(table)) or 0)


def test_round_trip_is_lossless(source: Runtime, make_runtime: Callable[[str], Runtime], tmp_path) -> None:  # type: ignore[no-untyped-def]
    for table in (MemoryRow, MemoryHistoryRow, GraphEntityRow, GraphRelationRow):
        assert _count(source, table) > 0, table  # the sample exercises every record kind
    first = tmp_path / "first.jsonl"
    with first.open("w", encoding="utf-8") as out:
        export_user(source, NS, USER, out)
    target = make_runtime("target")
    report = import_file(target, first)
    assert report.imported == [USER]
    assert target.semantic.extraction_status(NS, USER).idle
    again = io.StringIO()
    export_user(target, NS, USER, again)
    assert _body(again.getvalue()) == _body(first.read_text(encoding="utf-8"))
    for layers in (("episodic",), ("semantic",), ("graph",), ("episodic", "semantic", "graph")):
        assert _top(target, layers) == _top(source, layers), layers


def test_vectors_travel_and_are_reused(source: Runtime, make_runtime: Callable[[str], Runtime], tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "vectors.jsonl"
    path.write_text("".join(line + "\n" for line in iter_export(source, NS, USER, vectors=True)), encoding="utf-8")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    header, episode = records[0], next(r for r in records if r["kind"] == "episode")
    assert header["vectors"] is True and isinstance(episode.get("vector"), str), episode
    target = make_runtime("target")
    import_file(target, path)
    again = "".join(line + "\n" for line in iter_export(target, NS, USER, vectors=True))
    assert _body(again) == _body(path.read_text(encoding="utf-8"))
    assert _top(target, ("episodic",)) == _top(source, ("episodic",))
