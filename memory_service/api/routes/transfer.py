"""Export and import: a user's or the caller's namespace's memory as a JSON Lines export file.

One user is a read (``read``); the whole namespace is everything it holds (``admin``). An import
writes (``write``) into the caller's namespace; another namespace needs the operator (a bootstrap
key or the open server).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from memory_service.api.deps import READ, WRITE, NamespaceDep, PrincipalDep, RuntimeDep
from memory_service.errors import InvalidInputError, PermissionDeniedError
from memory_service.schemas import ErrorResponse, Identifier
from memory_service.schemas.transfer import ImportResult
from memory_service.transfer import import_lines, iter_export

router = APIRouter(prefix="/v1", tags=["transfer"])
NDJSON = "application/x-ndjson"


@router.get(
    "/export",
    dependencies=[READ],
    response_class=StreamingResponse,
    responses={200: {"content": {NDJSON: {}}, "description": "The export file."}, 404: {"model": ErrorResponse}},
)
def export(
    runtime: RuntimeDep,
    principal: PrincipalDep,
    namespace: NamespaceDep,
    user_id: Annotated[Identifier | None, Query(description="One user; else all (admin).")] = None,
    vectors: Annotated[bool, Query(description="Include the embedding vectors.")] = False,
) -> StreamingResponse:
    """Stream a user's (or, with ``admin``, the namespace's) memory, one JSON record per line."""
    if user_id is None:
        principal.require("admin")
    lines = iter_export(runtime, namespace, user_id, vectors=vectors)  # a missing user is a 404 here, not mid-stream
    return StreamingResponse(_newlines(lines), media_type=NDJSON)


@router.post(
    "/import",
    dependencies=[WRITE],
    response_model=ImportResult,
    responses={409: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
    openapi_extra={"requestBody": {"required": True, "content": {NDJSON: {"schema": {"type": "string"}}}}},
)
async def import_(
    request: Request,
    runtime: RuntimeDep,
    principal: PrincipalDep,
    on_conflict: Annotated[Literal["skip", "overwrite", "new-ids"], Query()] = "skip",
    namespace: Annotated[
        Identifier | None, Query(description="Target namespace; another than the key's needs the operator.")
    ] = None,
) -> ImportResult:
    """Import an export file (the body) whole or not at all; the body's size is capped as any request's."""
    target = namespace or principal.namespace
    if target != principal.namespace and not principal.manages_all_namespaces:
        raise PermissionDeniedError(
            f"this API key may import into its namespace {principal.namespace!r} only",
            details={"namespace": target},
        )
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError("the export file is not UTF-8") from exc
    lines = text.splitlines(keepends=True)
    report = await run_in_threadpool(import_lines, runtime, lines, on_conflict=on_conflict, namespace=target)
    return ImportResult(**report.to_dict())


def _newlines(lines: Iterator[str]) -> Iterator[str]:
    for line in lines:
        yield line + "\n"
