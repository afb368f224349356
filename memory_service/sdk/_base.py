"""What every client shares, without I/O: input validation, requests, response parsing, paging.

Each endpoint is described by a :class:`Call` (method, path, query, JSON body and how to read
the answer); the HTTP clients differ only in how they send it. Input is validated by building
the same request schemas the server builds, so a bad argument raises the same
:class:`~memory_service.errors.InvalidInputError` in every client, before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, TypeAdapter, ValidationError

from memory_service.errors import (
    ERRORS_BY_CODE,
    InvalidInputError,
    MemoryServiceError,
    UnavailableError,
)
from memory_service.layers.temporal.domain import TimeAxis
from memory_service.pagination import check_limit
from memory_service.schemas import (
    EpisodesForgotten,
    EpisodesPage,
    ExtractionStatus,
    GraphEdgesPage,
    GraphEntitiesPage,
    GraphEntityDetailPublic,
    GraphNeighborsResponse,
    Identifier,
    MemoriesPage,
    MemoryCreate,
    MemoryHistory,
    MemoryPublic,
    MemoryUpdate,
    MessageCreate,
    MessagesCreate,
    MessagesCreated,
    ProfilePublic,
    SearchRequest,
    SearchResponse,
    SessionPublic,
    SessionsPage,
    UserDeleted,
)
from memory_service.version import __version__

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT = 30.0
USER_AGENT = f"memory-service-sdk/{__version__}"

MessageInput = MessageCreate | Mapping[str, Any]
"""A message as the SDK takes it: the schema itself or a plain dict with the same fields."""

_IDENTIFIER: TypeAdapter[str] = TypeAdapter(Identifier)
_JSON_OBJECT: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])
_MOMENT: TypeAdapter[datetime] = TypeAdapter(AwareDatetime)
# Codes a server may send that are not in ERRORS_BY_CODE, and the error each one means.
_EXTRA_CODES: dict[str, type[MemoryServiceError]] = {"validation_error": InvalidInputError}
_ERRORS_BY_STATUS: dict[int, type[MemoryServiceError]] = {
    **{cls.status_code: cls for cls in ERRORS_BY_CODE.values()},
    400: InvalidInputError,
    502: UnavailableError,
    504: UnavailableError,
}


# -- input validation ------------------------------------------------------------------------


def invalid_input(exc: ValidationError, loc: tuple[str, ...] = ()) -> InvalidInputError:
    """The error a server answers for the same problem: first problem in the message, all in details."""
    problems = [
        {"loc": [*loc, *err["loc"]], "message": err["msg"], "type": err["type"]}
        for err in exc.errors(include_url=False)
    ]
    first = problems[0] if problems else {"loc": [], "message": "invalid input"}
    where = ".".join(str(part) for part in first["loc"])
    return InvalidInputError(f"{where}: {first['message']}" if where else str(first["message"]), problems)


def validated(schema: type[M], fields: Mapping[str, Any]) -> M:
    """``schema`` built from ``fields`` (``None`` values left to the schema's defaults)."""
    try:
        return schema.model_validate({name: value for name, value in fields.items() if value is not None})
    except ValidationError as exc:
        raise invalid_input(exc) from exc


def identifier(value: str, field: str) -> str:
    """A user or session id, checked as the server checks it in a path or query."""
    try:
        return _IDENTIFIER.validate_python(value)
    except ValidationError as exc:
        raise invalid_input(exc, (field,)) from exc


def moment(value: datetime | None, field: str) -> datetime | None:
    """A moment with a timezone, as the server requires in a query; None stays None."""
    try:
        return None if value is None else _MOMENT.validate_python(value)
    except ValidationError as exc:
        raise invalid_input(exc, (field,)) from exc


def hop_count(hops: int) -> int:
    """A whole number of hops; the service checks its range."""
    if isinstance(hops, bool) or not isinstance(hops, int):
        raise InvalidInputError("hops must be an integer", details={"hops": repr(hops)})
    return hops


def page_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidInputError("limit must be an integer", details={"limit": repr(limit)})
    return check_limit(limit)


def messages_create(
    user_id: str, messages: Sequence[MessageInput], *, agent_id: str | None, infer: bool
) -> MessagesCreate:
    return validated(
        MessagesCreate,
        {"user_id": user_id, "agent_id": agent_id, "messages": messages, "infer": infer},
    )


def search_request(**options: Any) -> SearchRequest:
    """The request for the clients' ``search`` arguments, named as ``SearchRequest``'s fields."""
    return validated(SearchRequest, options)


# -- requests and responses ------------------------------------------------------------------


@dataclass(frozen=True)
class Call(Generic[T]):
    """One HTTP request and how to read its successful answer."""

    method: str
    path: str
    read: Callable[[bytes], T]
    params: dict[str, Any] | None = None
    json: dict[str, Any] | None = None
    content: bytes | None = None
    """A body that is not JSON (an export file), sent with ``headers``."""
    headers: dict[str, str] | None = None

    def parse(self, status: int, content: bytes) -> T:
        """The answer's schema on 2xx; otherwise the service error the body names."""
        if not 200 <= status < 300:
            raise error_from_response(status, content)
        try:
            return self.read(content)
        except ValidationError as exc:
            raise MemoryServiceError(
                f"unexpected answer to {self.method} {self.path} (status {status}): is the URL a memory service?",
                details=str(exc),
            ) from exc


def error_from_response(status: int, content: bytes) -> MemoryServiceError:
    """The error an error response stands for: by its code, else by its status."""
    code, message, details = None, None, None
    try:
        body = json.loads(content)
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code, message, details = error.get("code"), error.get("message"), error.get("details")
    cls = ERRORS_BY_CODE.get(code or "") or _EXTRA_CODES.get(code or "") or _ERRORS_BY_STATUS.get(status)
    if message is None:
        text = content.decode("utf-8", errors="replace").strip()[:200]
        message = f"HTTP {status}" + (f": {text}" if text else "")
    return (cls or MemoryServiceError)(str(message), details)


def unreachable(base_url: object, exc: Exception) -> UnavailableError:
    return UnavailableError(
        f"cannot reach the memory service at {base_url}: {exc}; is it running (`memory-service serve`)?",
        details={"base_url": str(base_url)},
    )


def auth_headers(api_key: str | None) -> dict[str, str]:
    headers = {"user-agent": USER_AGENT, "accept": "application/json"}
    if api_key:
        headers["authorization"] = f"Bearer {api_key}"
    return headers


def _body(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)


def add_messages_call(
    session_id: str, user_id: str, messages: Sequence[MessageInput], *, agent_id: str | None, infer: bool
) -> Call[MessagesCreated]:
    session_id = identifier(session_id, "session_id")
    body = messages_create(user_id, messages, agent_id=agent_id, infer=infer)
    return Call("POST", f"/v1/sessions/{session_id}/messages", MessagesCreated.model_validate_json, json=_body(body))


def get_messages_call(session_id: str, *, limit: int, cursor: str | None) -> Call[EpisodesPage]:
    session_id = identifier(session_id, "session_id")
    params = _page_params(limit, cursor)
    return Call("GET", f"/v1/sessions/{session_id}/messages", EpisodesPage.model_validate_json, params=params)


def get_session_call(session_id: str) -> Call[SessionPublic]:
    session_id = identifier(session_id, "session_id")
    return Call("GET", f"/v1/sessions/{session_id}", SessionPublic.model_validate_json)


def list_sessions_call(user_id: str, *, limit: int, cursor: str | None) -> Call[SessionsPage]:
    params = {"user_id": identifier(user_id, "user_id"), **_page_params(limit, cursor)}
    return Call("GET", "/v1/sessions", SessionsPage.model_validate_json, params=params)


def search_call(request: SearchRequest) -> Call[SearchResponse]:
    return Call("POST", "/v1/search", SearchResponse.model_validate_json, json=_body(request))


def delete_user_call(user_id: str) -> Call[UserDeleted]:
    user_id = identifier(user_id, "user_id")
    return Call("DELETE", f"/v1/users/{user_id}", UserDeleted.model_validate_json)


def delete_session_call(session_id: str) -> Call[EpisodesForgotten]:
    session_id = identifier(session_id, "session_id")
    return Call("DELETE", f"/v1/sessions/{session_id}", EpisodesForgotten.model_validate_json)


def delete_episode_call(episode_id: str) -> Call[EpisodesForgotten]:
    episode_id = identifier(episode_id, "episode_id")
    return Call("DELETE", f"/v1/episodes/{episode_id}", EpisodesForgotten.model_validate_json)


def add_memory_call(
    user_id: str, text: str, *, valid_at: datetime | None, metadata: Mapping[str, Any] | None
) -> Call[MemoryPublic]:
    body = validated(MemoryCreate, {"user_id": user_id, "text": text, "valid_at": valid_at, "metadata": metadata})
    return Call("POST", "/v1/memories", MemoryPublic.model_validate_json, json=_body(body))


def list_memories_call(
    user_id: str, *, include_invalid: bool, limit: int, cursor: str | None, as_of: datetime | None = None
) -> Call[MemoriesPage]:
    params = {"user_id": identifier(user_id, "user_id"), **_page_params(limit, cursor)}
    if include_invalid:
        params["include_invalid"] = "true"
    params.update(_moment_param(as_of))
    return Call("GET", "/v1/memories", MemoriesPage.model_validate_json, params=params)


def get_memory_call(memory_id: str) -> Call[MemoryPublic]:
    return Call("GET", f"/v1/memories/{identifier(memory_id, 'memory_id')}", MemoryPublic.model_validate_json)


def memory_update(
    *, text: str | None, valid_at: datetime | None, invalid_at: datetime | None, metadata: Mapping[str, Any] | None
) -> MemoryUpdate:
    """The edit of the given (non-None) fields."""
    return validated(MemoryUpdate, {"text": text, "valid_at": valid_at, "invalid_at": invalid_at, "metadata": metadata})


def update_memory_call(memory_id: str, update: MemoryUpdate) -> Call[MemoryPublic]:
    path = f"/v1/memories/{identifier(memory_id, 'memory_id')}"
    return Call(
        "PATCH", path, MemoryPublic.model_validate_json, json=update.model_dump(mode="json", exclude_unset=True)
    )


def delete_memory_call(memory_id: str) -> Call[MemoryPublic]:
    return Call("DELETE", f"/v1/memories/{identifier(memory_id, 'memory_id')}", MemoryPublic.model_validate_json)


def memory_history_call(memory_id: str) -> Call[MemoryHistory]:
    path = f"/v1/memories/{identifier(memory_id, 'memory_id')}/history"
    return Call("GET", path, MemoryHistory.model_validate_json)


def extraction_status_call(user_id: str) -> Call[ExtractionStatus]:
    path = f"/v1/users/{identifier(user_id, 'user_id')}/extraction"
    return Call("GET", path, ExtractionStatus.model_validate_json)


def profile_call(user_id: str, *, as_of: datetime | None, subject: str | None) -> Call[ProfilePublic]:
    path = f"/v1/users/{identifier(user_id, 'user_id')}/profile"
    params = {**_moment_param(as_of), **_subject_param(subject)}
    return Call("GET", path, ProfilePublic.model_validate_json, params=params)


def subject(value: str | None) -> str | None:
    """Whose profile: a name of 1-128 characters, as the server takes it; None is the chat user."""
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= 128:
        raise InvalidInputError("subject must be a name of 1 to 128 characters", details={"subject": repr(value)})
    return value


def list_entities_call(user_id: str, *, limit: int, cursor: str | None) -> Call[GraphEntitiesPage]:
    params = {"user_id": identifier(user_id, "user_id"), **_page_params(limit, cursor)}
    return Call("GET", "/v1/graph/entities", GraphEntitiesPage.model_validate_json, params=params)


def get_entity_call(entity_id: str) -> Call[GraphEntityDetailPublic]:
    path = f"/v1/graph/entities/{identifier(entity_id, 'entity_id')}"
    return Call("GET", path, GraphEntityDetailPublic.model_validate_json)


def entity_neighbors_call(
    entity_id: str, *, hops: int, as_of: datetime | None, by: TimeAxis
) -> Call[GraphNeighborsResponse]:
    path = f"/v1/graph/entities/{identifier(entity_id, 'entity_id')}/neighbors"
    params = {"hops": hop_count(hops), "by": by, **_moment_param(as_of)}
    return Call("GET", path, GraphNeighborsResponse.model_validate_json, params=params)


def list_edges_call(
    user_id: str, *, as_of: datetime | None, by: TimeAxis, include_past: bool, limit: int, cursor: str | None
) -> Call[GraphEdgesPage]:
    params = {"user_id": identifier(user_id, "user_id"), "by": by, **_moment_param(as_of)}
    params |= _page_params(limit, cursor)
    if include_past:
        params["include_past"] = "true"
    return Call("GET", "/v1/graph/edges", GraphEdgesPage.model_validate_json, params=params)


def health_call() -> Call[dict[str, Any]]:
    return Call("GET", "/healthz", _JSON_OBJECT.validate_json)


def _moment_param(as_of: datetime | None) -> dict[str, str]:
    checked = moment(as_of, "as_of")
    return {"as_of": checked.isoformat()} if checked is not None else {}


def _subject_param(value: str | None) -> dict[str, str]:
    checked = subject(value)
    return {"subject": checked} if checked is not None else {}


def _page_params(limit: int, cursor: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": page_limit(limit)}
    if cursor:
        params["cursor"] = cursor
    return params
