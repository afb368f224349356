"""What an import answers: the users it wrote, skipped, overwrote or renamed, and the rows per kind."""

from __future__ import annotations

from memory_service.schemas.common import PublicModel


class ImportResult(PublicModel):
    namespace: str
    imported: list[str]
    skipped: list[str]
    overwritten: list[str]
    renamed_users: dict[str, str]
    renamed_sessions: dict[str, str]
    counts: dict[str, int]
