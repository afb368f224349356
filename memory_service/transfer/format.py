"""The export format: one JSON object per line, a header first, then one record per stored row.

Every record kind has a Pydantic model that validates its line on import; ids are the service's
public ids (``ep_<n>``, ``mem_<n>``, ``ent_<user>_<n>``, ``rel_<user>_<n>``, a user's and a
session's own ids), and records refer to each other by them. ``docs/export-format.md`` describes
every field.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Final, Literal

import numpy as np
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

FORMAT: Final = "memory-service/export"
FORMAT_VERSION = 1
SUPPORTED_VERSIONS = frozenset({1})
END = "end"
"""The format versions this service reads; a newer file is refused rather than half understood."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmbeddingModel(_Record):
    name: str
    dim: int = Field(ge=1)


class Scope(_Record):
    namespace: str = Field(min_length=1, max_length=128)
    user_id: str | None = None


class Header(_Record):
    kind: Literal["header"] = "header"
    format: Literal["memory-service/export"] = FORMAT
    format_version: int
    service_version: str
    exported_at: AwareDatetime
    embedding_model: EmbeddingModel
    scope: Scope
    vectors: bool


class UserRecord(_Record):
    kind: Literal["user"] = "user"
    id: str = Field(min_length=1, max_length=128)
    created_at: AwareDatetime


class SessionRecord(_Record):
    kind: Literal["session"] = "session"
    id: str = Field(min_length=1, max_length=128)
    user_id: str
    agent_id: str | None
    created_at: AwareDatetime
    message_count: int = Field(ge=0)
    first_occurred_at: AwareDatetime | None
    last_occurred_at: AwareDatetime | None


class EpisodeRecord(_Record):
    kind: Literal["episode"] = "episode"
    id: str = Field(pattern=r"^ep_\d{1,18}$")
    user_id: str
    session_id: str
    agent_id: str | None
    role: str = Field(min_length=1, max_length=16)
    content: str
    position: int = Field(ge=0)
    occurred_at: AwareDatetime
    created_at: AwareDatetime
    metadata: dict[str, Any]
    vector: str | None = None


class MemoryRecord(_Record):
    kind: Literal["memory"] = "memory"
    id: str = Field(pattern=r"^mem_\d{1,18}$")
    user_id: str
    lineage_id: str | None
    subject: str = Field(max_length=128)
    attribute: str = Field(max_length=128)
    text: str
    memory_kind: str = Field(max_length=16)
    status: Literal["active", "invalid", "deleted"]
    version: int = Field(ge=1)
    valid_at: AwareDatetime | None
    invalid_at: AwareDatetime | None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    confidence: float
    importance: float
    reinforcements: int = Field(ge=0)
    last_reinforced_at: AwareDatetime | None
    accesses: int = Field(ge=0)
    last_accessed_at: AwareDatetime | None
    source_episode_ids: list[str]
    invalidated_by: list[str]
    metadata: dict[str, Any]
    vector: str | None = None


class MemoryHistoryRecord(_Record):
    kind: Literal["memory_history"] = "memory_history"
    user_id: str
    memory_id: str = Field(pattern=r"^mem_\d{1,18}$")
    version: int
    event: Literal["ADD", "UPDATE", "DELETE", "NOOP"]
    old_text: str | None
    new_text: str | None
    actor: str = Field(max_length=16)
    episode_ids: list[str]
    at: AwareDatetime
    details: dict[str, Any]


class EntityRecord(_Record):
    kind: Literal["entity"] = "entity"
    id: str = Field(pattern=r"^ent_\d{1,18}_\d{1,18}$")
    user_id: str
    name: str
    normalized_name: str
    type: str = Field(max_length=16)
    summary: str
    aliases: list[str]
    embedding: str | None = None


class RelationRecord(_Record):
    kind: Literal["relation"] = "relation"
    id: str = Field(pattern=r"^rel_\d{1,18}_\d{1,18}$")
    user_id: str
    source_id: str
    target_id: str
    predicate: str = Field(max_length=128)
    fact: str
    valid_at: AwareDatetime | None
    invalid_at: AwareDatetime | None
    created_at: AwareDatetime
    expired_at: AwareDatetime | None
    episode_ids: list[str]
    ended_by: list[str] = Field(default_factory=list)
    """The episodes that ended it (absent in files written before it was kept)."""


class EndRecord(_Record):
    """The last line: how many records precede it, so a file cut at a line break is still refused."""

    kind: Literal["end"] = "end"
    records: int = Field(ge=0)


Record = Annotated[
    UserRecord
    | SessionRecord
    | EpisodeRecord
    | MemoryRecord
    | MemoryHistoryRecord
    | EntityRecord
    | RelationRecord
    | EndRecord,
    Field(discriminator="kind"),
]
RECORD: TypeAdapter[Record] = TypeAdapter(Record)


class LineError(ValueError):
    """Why one line of a file cannot be read; the importer adds the line number."""


def dump(record: BaseModel) -> str:
    """One line of the file, without its newline; the same record always gives the same text."""
    return record.model_dump_json()


def parse_header(line: str) -> Header:
    data = _json(line)
    if not isinstance(data, dict) or data.get("kind") != "header":
        raise LineError("the first line must be the header (kind 'header')")
    if data.get("format") != FORMAT:
        raise LineError(f"not a {FORMAT} file (format {data.get('format')!r})")
    version = data.get("format_version")
    if version not in SUPPORTED_VERSIONS:
        supported = ", ".join(str(v) for v in sorted(SUPPORTED_VERSIONS))
        raise LineError(f"format_version {version!r} is not supported (this service reads {supported})")
    try:
        return Header.model_validate(data)
    except ValidationError as exc:
        raise LineError(_reason(exc)) from exc


def parse_record(line: str) -> Record:
    data = _json(line)
    if isinstance(data, dict) and data.get("kind") == "header":
        raise LineError("a second header")
    try:
        return RECORD.validate_python(data)
    except ValidationError as exc:
        raise LineError(_reason(exc)) from exc


def encode_vector(vector: np.ndarray | bytes) -> str:
    """A vector as base64 of its little-endian float32 bytes."""
    raw = vector if isinstance(vector, bytes) else np.ascontiguousarray(vector, dtype="<f4").tobytes()
    return base64.b64encode(raw).decode("ascii")


def decode_vector(text: str, dim: int) -> np.ndarray:
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise LineError("a vector that is not base64") from exc
    if len(raw) != 4 * dim:
        raise LineError(f"a vector of {len(raw) // 4} floats where the header's model has {dim}")
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


def _json(line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineError(f"not JSON ({exc.msg} at column {exc.colno}); a truncated file?") from exc


def _reason(exc: ValidationError) -> str:
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])
