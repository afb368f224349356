"""Reading an export file whole before anything is written: the header, every line, every reference.

A file is refused at its first problem with the 1-based line number and the reason, so a bad or
truncated file never lands half-imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from memory_service.errors import InvalidInputError
from memory_service.transfer.format import (
    END,
    EndRecord,
    EntityRecord,
    EpisodeRecord,
    Header,
    LineError,
    MemoryHistoryRecord,
    MemoryRecord,
    RelationRecord,
    SessionRecord,
    UserRecord,
    decode_vector,
    parse_header,
    parse_record,
)

EPISODE_PREFIX = "ep_"
MEMORY_PREFIX = "mem_"


@dataclass
class UserBundle:
    """One user's records, in file order, with the line each came from."""

    user: UserRecord
    line: int
    sessions: list[tuple[int, SessionRecord]] = field(default_factory=list)
    episodes: list[tuple[int, EpisodeRecord]] = field(default_factory=list)
    memories: list[tuple[int, MemoryRecord]] = field(default_factory=list)
    history: list[tuple[int, MemoryHistoryRecord]] = field(default_factory=list)
    entities: list[tuple[int, EntityRecord]] = field(default_factory=list)
    relations: list[tuple[int, RelationRecord]] = field(default_factory=list)


@dataclass
class ParsedFile:
    header: Header
    users: list[UserBundle]
    records: int


def read_lines(lines: Iterable[str]) -> ParsedFile:
    """Parse and check a whole file; ``InvalidInputError`` naming the line at the first problem."""
    reader = _Reader()
    number = 0
    for number, raw in enumerate(lines, start=1):
        try:
            reader.feed(number, raw)
        except LineError as exc:
            raise _refused(number, str(exc)) from exc
    return reader.finish(number)


def refs(values: Iterable[str], prefix: str) -> list[str]:
    return [value for value in values if value.startswith(prefix)]


class _Reader:
    def __init__(self) -> None:
        self.header: Header | None = None
        self.users: dict[str, UserBundle] = {}
        self.sessions: dict[str, str] = {}
        self.episodes: dict[str, str] = {}
        self.memories: dict[str, str] = {}
        self.entities: dict[str, str] = {}
        self.relations: set[str] = set()
        self.end: EndRecord | None = None
        self.records = 0

    def feed(self, number: int, raw: str) -> None:
        if not raw.endswith("\n"):
            raise LineError("the line does not end with a newline; a truncated file?")
        line = raw.rstrip("\r\n")
        if self.end is not None:
            raise LineError(f"a line after the {END!r} record")
        if self.header is None:
            self.header = parse_header(line)
            return
        record = parse_record(line)
        if isinstance(record, EndRecord):
            if record.records != self.records:
                raise LineError(f"the file holds {self.records} record(s) where its end says {record.records}")
            self.end = record
            return
        self.records += 1
        if isinstance(record, UserRecord):
            self._user(number, record)
            return
        bundle = self._owner(record.user_id)
        if isinstance(record, SessionRecord):
            _unique(self.sessions, record.id, record.user_id, "session")
            bundle.sessions.append((number, record))
        elif isinstance(record, EpisodeRecord):
            if self.sessions.get(record.session_id) != record.user_id:
                raise LineError(f"session_id {record.session_id!r} names no session of this user above")
            self._vector(record.vector)
            _unique(self.episodes, record.id, record.user_id, "episode")
            bundle.episodes.append((number, record))
        elif isinstance(record, MemoryRecord):
            _unique(self.memories, record.id, record.user_id, "memory")
            self._vector(record.vector)
            bundle.memories.append((number, record))
        elif isinstance(record, MemoryHistoryRecord):
            bundle.history.append((number, record))
        elif isinstance(record, EntityRecord):
            _unique(self.entities, record.id, record.user_id, "entity")
            self._vector(record.embedding)
            bundle.entities.append((number, record))
        else:
            if record.id in self.relations:
                raise LineError(f"relation {record.id!r} appears twice")
            self.relations.add(record.id)
            bundle.relations.append((number, record))

    def finish(self, last_line: int) -> ParsedFile:
        if self.header is None:
            raise _refused(1, "an empty file: no header")
        if self.end is None:
            raise _refused(last_line + 1, f"no {END!r} record after line {last_line}; a truncated file?")
        for bundle in self.users.values():
            self._check_references(bundle)
        return ParsedFile(self.header, list(self.users.values()), self.records)

    def _user(self, number: int, record: UserRecord) -> None:
        assert self.header is not None
        scoped = self.header.scope.user_id
        if scoped is not None and record.id != scoped:
            raise LineError(f"user {record.id!r} in a file exported for user {scoped!r}")
        if record.id in self.users:
            raise LineError(f"user {record.id!r} appears twice")
        self.users[record.id] = UserBundle(record, number)

    def _owner(self, user_id: str) -> UserBundle:
        bundle = self.users.get(user_id)
        if bundle is None:
            raise LineError(f"user_id {user_id!r} names no user above")
        return bundle

    def _vector(self, text: str | None) -> None:
        assert self.header is not None
        if text is not None:
            decode_vector(text, self.header.embedding_model.dim)

    def _check_references(self, bundle: UserBundle) -> None:
        """Every id a record names must be a record of the same user, anywhere in the file."""
        user = bundle.user.id
        for number, memory in bundle.memories:
            self._expect(number, user, self.memories, [memory.lineage_id] if memory.lineage_id else [], "lineage_id")
            self._expect(number, user, self.episodes, refs(memory.source_episode_ids, EPISODE_PREFIX), "source")
            self._expect(number, user, self.episodes, refs(memory.invalidated_by, EPISODE_PREFIX), "invalidated_by")
        for number, change in bundle.history:
            self._expect(number, user, self.memories, [change.memory_id], "memory_id")
            self._expect(number, user, self.episodes, refs(change.episode_ids, EPISODE_PREFIX), "episode_ids")
            self._expect(number, user, self.memories, refs(_strings(change.details), MEMORY_PREFIX), "details")
        for number, relation in bundle.relations:
            self._expect(number, user, self.entities, [relation.source_id, relation.target_id], "entity")
            self._expect(number, user, self.episodes, refs(relation.episode_ids, EPISODE_PREFIX), "episode_ids")
            self._expect(number, user, self.episodes, refs(relation.ended_by, EPISODE_PREFIX), "ended_by")

    @staticmethod
    def _expect(number: int, user: str, known: dict[str, str], ids: list[str], what: str) -> None:
        for public_id in ids:
            if known.get(public_id) != user:
                raise _refused(number, f"{what} {public_id!r} names no record of user {user!r} in the file")


def _strings(value: Any) -> list[str]:
    """Every string inside a JSON value (the ids a history entry's details name)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _unique(known: dict[str, str], public_id: str, user: str, what: str) -> None:
    if public_id in known:
        raise LineError(f"{what} {public_id!r} appears twice")
    known[public_id] = user


def _refused(number: int, reason: str) -> InvalidInputError:
    return InvalidInputError(f"line {number}: {reason}", details={"line": number, "reason": reason})
