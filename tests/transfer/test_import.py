"""Import refuses bad files whole, and resolves users that are already there as asked."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from memory_service.errors import ConflictError, InvalidInputError
from memory_service.runtime import Runtime
from memory_service.store.tables import EpisodeRow, MemoryRow, NamespaceRow, SessionRow, UserRow
from memory_service.transfer import import_file, iter_export
from tests.transfer.conftest import NS, USER


def _count(runtime: Runtime, table: type) -> int:
    with runtime.db.read() as db:
        return int(db.scalar(select(func.count()).select_from(table)) or 0)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _refused(runtime: Runtime, path: Path, line: int, reason: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        import_file(runtime, path)
    assert caught.value.details["line"] == line, caught.value.message
    assert reason in caught.value.message
    assert caught.value.message.startswith(f"line {line}: ")
    for table in (NamespaceRow, UserRow, SessionRow, EpisodeRow, MemoryRow):
        assert _count(runtime, table) == 0, table


def test_a_truncated_file_is_refused_and_nothing_lands(
    exported: Path, make_runtime: Callable[[str], Runtime], tmp_path: Path
) -> None:
    target = make_runtime("target")
    lines = _lines(exported)
    cut = _write(tmp_path / "cut.jsonl", lines[:20])
    _refused(target, cut, 21, "truncated")
    half = _write(tmp_path / "half.jsonl", [*lines[:20], lines[20][: len(lines[20]) // 2]])
    _refused(target, half, 21, "truncated")


def test_a_bad_field_is_refused_with_its_line(
    exported: Path, make_runtime: Callable[[str], Runtime], tmp_path: Path
) -> None:
    target = make_runtime("target")
    lines = _lines(exported)
    number = next(i for i, line in enumerate(lines) if json.loads(line)["kind"] == "episode") + 1
    record = json.loads(lines[number - 1]) | {"position": "first"}
    lines[number - 1] = json.dumps(record) + "\n"
    _refused(target, _write(tmp_path / "bad.jsonl", lines), number, "position")


def test_a_dangling_reference_or_newer_version_is_refused(
    exported: Path, make_runtime: Callable[[str], Runtime], tmp_path: Path
) -> None:
    target = make_runtime("target")
    lines = _lines(exported)
    number = next(i for i, line in enumerate(lines) if json.loads(line)["kind"] == "memory") + 1
    memory = json.loads(lines[number - 1]) | {"source_episode_ids": ["ep_999999"]}
    dangling = [*lines[: number - 1], json.dumps(memory) + "\n", *lines[number:]]
    _refused(target, _write(tmp_path / "dangling.jsonl", dangling), number, "ep_999999")
    header = json.loads(lines[0]) | {"format_version": 99}
    _refused(target, _write(tmp_path / "v99.jsonl", [json.dumps(header) + "\n", *lines[1:]]), 1, "format_version")


def test_on_conflict_skip_overwrite_and_new_ids(exported: Path, make_runtime: Callable[[str], Runtime]) -> None:
    target = make_runtime("target")
    assert import_file(target, exported).imported == [USER]
    episodes, memories = _count(target, EpisodeRow), _count(target, MemoryRow)

    skipped = import_file(target, exported, on_conflict="skip")
    assert (skipped.imported, skipped.skipped) == ([], [USER])
    assert _count(target, EpisodeRow) == episodes

    overwritten = import_file(target, exported, on_conflict="overwrite")
    assert (overwritten.imported, overwritten.overwritten) == ([USER], [USER])
    assert (_count(target, EpisodeRow), _count(target, MemoryRow), _count(target, UserRow)) == (
        episodes,
        memories,
        1,
    )

    renamed = import_file(target, exported, on_conflict="new-ids")
    assert renamed.imported == [f"{USER}-imported"]
    assert set(renamed.renamed_sessions.values()) == {f"{s}-imported" for s in renamed.renamed_sessions}
    assert _count(target, EpisodeRow) == 2 * episodes
    body = [json.loads(line) for line in list(iter_export(target, NS, f"{USER}-imported"))[1:-1]]
    assert len(body) == len(_lines(exported)) - 2


def test_a_session_of_another_user_is_a_conflict(exported: Path, make_runtime: Callable[[str], Runtime]) -> None:
    target = make_runtime("target")
    import_file(target, exported)
    lines = list(iter_export(target, NS, USER))
    with pytest.raises(ConflictError):
        renamed = [line.replace(f'"{USER}"', '"someone-else"') for line in lines]
        path = exported.parent / "other.jsonl"
        path.write_text("".join(line + "\n" for line in renamed), encoding="utf-8")
        import_file(target, path)
    assert _count(target, UserRow) == 1


def test_remap_namespace(exported: Path, make_runtime: Callable[[str], Runtime]) -> None:
    target = make_runtime("target")
    report = import_file(target, exported, remap_namespace={NS: "elsewhere"})
    assert report.namespace == "elsewhere" and report.imported == [USER]
    original = list(iter_export(target, "elsewhere", USER))
    assert json.loads(original[0])["scope"] == {"namespace": "elsewhere", "user_id": USER}
    assert len(original) == len(_lines(exported))
