"""Applying decided consolidation steps to the store, each with its history row.

ADD and superseding UPDATE insert a memory (a superseding one joins the old value's lineage
and ends it); in-place UPDATE and DELETE bump the memory's version; a NOOP that brings new
episodes reinforces the memory; a replay writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from agents.extraction import CandidateFact
from memory_service.layers.semantic import repository as semantic_repo
from memory_service.layers.semantic.domain import Actor, ConsolidationReport, MemoryEvent, memory_public_id
from memory_service.layers.semantic.plan import Step
from memory_service.store import vectors as vector_store
from memory_service.store.tables import MemoryRow


def apply_steps(db: Session, user_pk: int, steps: Sequence[Step], actor: Actor) -> ConsolidationReport:
    """Write the decided steps with their history rows; the caller owns the transaction."""
    now = datetime.now(UTC)
    targets = [s.decision.target for s in steps if s.decision.target is not None and s.decision.target > 0]
    rows: dict[int, MemoryRow] = semantic_repo.memories_by_pk(db, targets)
    counts = {"ADD": 0, "UPDATE": 0, "DELETE": 0, "NOOP": 0}
    for step in steps:
        decision, candidate = step.decision, step.candidate
        sources = list(candidate.source_episode_ids)
        details = {"decided_by": decision.decided_by, "reason": decision.reason}
        target = rows.get(decision.target) if decision.target is not None else None
        if decision.event == "ADD" or decision.supersede:
            lineage = None
            if target is not None:  # supersede: the current value ends where the new one starts
                target.status, target.invalid_at, target.updated_at = "invalid", decision.valid_at or now, now
                target.invalidated_by = _union(target.invalidated_by, sources)
                lineage = target.lineage_id or target.id
                details |= {
                    "supersedes": memory_public_id(target.id),
                    "invalid_at": semantic_repo.json_value(target.invalid_at),
                }
            row = _insert(db, user_pk, candidate, step, lineage, now)
            assert step.created is not None
            rows[step.created] = row
            event: MemoryEvent = "ADD" if target is None else "UPDATE"
            old = None if target is None else target.text
            semantic_repo.record(
                db, row, event, actor, old_text=old, new_text=row.text, episode_ids=sources, details=details
            )
            counts[event] += 1
            continue
        assert target is not None
        if decision.event == "DELETE":
            target.status, target.invalid_at = "invalid", decision.invalid_at or now
            target.invalidated_by = _union(target.invalidated_by, sources)
            target.version = semantic_repo.next_version(db, target.lineage_id or target.id)
            target.updated_at = now
            details["statement"] = candidate.statement
            semantic_repo.record(
                db,
                target,
                "DELETE",
                actor,
                old_text=target.text,
                new_text=None,
                episode_ids=sources,
                details=details,
            )
            counts["DELETE"] += 1
        elif decision.event == "UPDATE":
            old_text = target.text
            target.text, target.content_hash = decision.text, vector_store.content_hash(decision.text)
            target.source_episode_ids = _union(target.source_episode_ids, sources)
            target.version = semantic_repo.next_version(db, target.lineage_id or target.id)
            target.updated_at = now
            semantic_repo.record(
                db,
                target,
                "UPDATE",
                actor,
                old_text=old_text,
                new_text=target.text,
                episode_ids=sources,
                details=details,
            )
            counts["UPDATE"] += 1
        elif decision.reinforce and target.status == "active" and not set(sources) <= set(target.source_episode_ids):
            target.reinforcements += 1
            target.last_reinforced_at = now
            target.source_episode_ids = _union(target.source_episode_ids, sources)
            target.updated_at = now
            semantic_repo.record(
                db,
                target,
                "NOOP",
                actor,
                old_text=target.text,
                new_text=target.text,
                episode_ids=sources,
                details=details,
            )
            counts["NOOP"] += 1
        else:
            counts["NOOP"] += 1
            continue
    if db.new or db.dirty:
        semantic_repo.bump_revision(db, user_pk)
    return ConsolidationReport(counts["ADD"], counts["UPDATE"], counts["DELETE"], counts["NOOP"])


def _insert(
    db: Session, user_pk: int, candidate: CandidateFact, step: Step, lineage: int | None, now: datetime
) -> MemoryRow:
    decision = step.decision
    return semantic_repo.insert_memory(
        db,
        user_id=user_pk,
        lineage_id=lineage,
        subject=candidate.subject,
        attribute=candidate.attribute,
        text=decision.text,
        kind=candidate.kind,
        status="invalid" if decision.invalid_at is not None else "active",
        valid_at=decision.valid_at if decision.valid_at is not None else candidate.valid_at,
        invalid_at=decision.invalid_at,
        version=semantic_repo.next_version(db, lineage) if lineage is not None else 1,
        confidence=candidate.confidence,
        importance=candidate.confidence,
        reinforcements=0,
        last_reinforced_at=now,
        accesses=0,
        source_episode_ids=list(candidate.source_episode_ids),
        invalidated_by=[],
        metadata_={},
        content_hash=vector_store.content_hash(decision.text),
    )


def _union(first: Sequence[str] | None, second: Sequence[str]) -> list[str]:
    return list(dict.fromkeys([*(first or []), *second]))
