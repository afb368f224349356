"""Export and import: a user's or the caller's namespace's memory as a JSON Lines export file.

One user is a read (``read``, ``/v1/export``); the whole namespace is everything it holds
(``admin``, ``/v1/admin/export``). An import
writes (``write``) into the caller's namespace; another namespace needs the operator (a bootstrap
key or the open server).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from memory_service.api.deps import ADMIN, READ, WRITE, NamespaceDep, PrincipalDep, RuntimeDep
from memory_service.errors import InvalidInputError, PermissionDeniedError
from memory_service.schemas import ErrorResponse, Identifier
from memory_service.schemas.transfer import ImportResult
from memory_service.transfer import import_lines, iter_export

router = APIRouter(tags=["transfer"])
NDJSON = "application/x-ndjson"


EXPORTED: dict[int | str, dict[str, Any]] = {
    200: {"content": {NDJSON: {}}, "description": "The export file."},
    404: {"model": ErrorResponse},
}
Vectors = Annotated[bool, Query(description="Include the embedding vectors.")]


@router.get("/v1/export", dependencies=[READ], response_class=StreamingResponse, responses=EXPORTED)
def export_user(
    runtime: RuntimeDep, namespace: NamespaceDep, user_id: Annotated[Identifier, Query()], vectors: Vectors = False
) -> StreamingResponse:
    """Stream one user's memory, one JSON record per line."""
    return _stream(iter_export(runtime, namespace, user_id, vectors=vectors))


@router.get("/v1/admin/export", dependencies=[ADMIN], response_class=StreamingResponse, responses=EXPORTED)
def export_namespace(runtime: RuntimeDep, namespace: NamespaceDep, vectors: Vectors = False) -> StreamingResponse:
    """Stream the memory of every user of the caller's namespace, one JSON record per line."""
    return _stream(iter_export(runtime, namespace, None, vectors=vectors))


@router.post(
    "/v1/import",
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


def _stream(lines: Iterator[str]) -> StreamingResponse:
    """The lines as a download; the scope was checked when ``lines`` was made, so a missing user or
    namespace answers 404 rather than breaking off a started stream."""
    return StreamingResponse((line + "\n" for line in lines), media_type=NDJSON)
