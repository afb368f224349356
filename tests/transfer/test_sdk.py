"""``export_memories`` and ``import_memories`` through every client, on SQLite and PostgreSQL.

An export file goes in through a client (from its lines, and from a path) and comes out again
through the same client, the same records; bad arguments fail alike in every client.
"""

# ruff: noqa: F811 - the shared client fixtures are imported by name, and tests take them by name
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from memory_service.errors import InvalidInputError, NotFoundError
from memory_service.sdk._transfer import LineSplitter, iter_chunks
from tests.sdk.fixtures import Client, app, call, client, collect, live_server  # noqa: F401 - fixtures
from tests.transfer.conftest import NS, USER


def _as(user_id: str, exported: Path) -> list[str]:
    """The export file's lines with its user renamed, so runs sharing a database stay apart."""
    return [line.replace(USER, user_id) for line in exported.read_text(encoding="utf-8").splitlines(keepends=True)]


IDS = {"id", "lineage_id", "memory_id", "source_id", "target_id", "source_episode_ids", "episode_ids"}
"""Fields holding the store's own ids, which an import renumbers (exact ids: ``test_round_trip``)."""


def _records(lines: list[str]) -> list[dict[str, Any]]:
    """The records after the header, without the ids the target store gave them."""
    records = [json.loads(line) for line in lines[1:]]
    return [{k: v for k, v in r.items() if k not in IDS | {"invalidated_by", "details"}} for r in records]


async def test_an_export_file_goes_in_and_comes_out_the_same(
    client: Client, exported: Path, user_id: str, tmp_path: Path
) -> None:
    lines = _as(user_id, exported)
    result = await call(client.import_memories(lines))
    assert (result.namespace, result.imported, result.skipped) == ("default", [user_id], [])
    assert result.counts["episodes"] > 0 and result.counts["memories"] > 0

    again = await collect(client.export_memories(user_id))
    assert all(line.endswith("\n") for line in again)
    assert json.loads(again[0])["scope"] == {"namespace": "default", "user_id": user_id}
    assert _records(again) == _records(lines)
    assert (await call(client.list_memories(user_id))).items  # the layers read what came in

    path = tmp_path / "again.jsonl"
    path.write_text("".join(again), encoding="utf-8")
    assert (await call(client.import_memories(path))).skipped == [user_id]  # a path; the user is there
    renamed = await call(client.import_memories(str(path), on_conflict="new-ids"))
    assert renamed.renamed_users == {user_id: f"{user_id}-imported"}

    everyone = await collect(client.export_memories())  # the whole namespace
    users = {json.loads(line)["id"] for line in everyone if json.loads(line)["kind"] == "user"}
    assert {user_id, f"{user_id}-imported"} <= users


async def test_remap_namespace_sends_the_file_elsewhere(client: Client, exported: Path, user_id: str) -> None:
    result = await call(client.import_memories(_as(user_id, exported), remap_namespace={NS: f"{user_id}-ns"}))
    assert result.namespace == f"{user_id}-ns" and result.imported == [user_id]
    assert (await call(client.list_memories(user_id))).items == []  # not in the caller's own namespace


async def test_bad_arguments_and_missing_users_fail_alike(client: Client, exported: Path, user_id: str) -> None:
    with pytest.raises(InvalidInputError, match="on_conflict"):
        await call(client.import_memories(_as(user_id, exported), on_conflict="merge"))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="cannot read"):
        await call(client.import_memories(exported.parent / "missing.jsonl"))
    cut = _as(user_id, exported)[:-1]  # the end record lost
    with pytest.raises(InvalidInputError, match="line"):
        await call(client.import_memories(cut))
    with pytest.raises(NotFoundError):
        await collect(client.export_memories(f"{user_id}-nobody"))
    with pytest.raises(InvalidInputError):
        await collect(client.export_memories("not a valid id!"))
    with pytest.raises(NotFoundError):  # nothing of the refused imports landed
        await collect(client.export_memories(user_id))


def test_lines_keep_their_newline_and_a_cut_line_stays_cut() -> None:
    chunks = ['{"a":1}\n{"b"', ":2}\n", '{"c":']
    assert list(iter_chunks(LineSplitter(), chunks)) == ['{"a":1}\n', '{"b":2}\n', '{"c":']
    assert list(iter_chunks(LineSplitter(), ["x\n", "", "y\n"])) == ["x\n", "y\n"]
