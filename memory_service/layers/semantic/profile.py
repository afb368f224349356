"""A user's core profile: the current single-valued facts and standing preferences an agent should
always see (name, home, work, relationships, diet, pets, likes), drawn from the semantic memories.

Which slots hold one value at a time is read from the one slot table
(:mod:`agents.statements.slots`): such a slot shows its current value alone (the latest
``valid_at``), whatever older values the store still holds; every other family is a list,
ranked by importance then recency and capped at ``MAX_LISTED``. Sections come in a fixed order
(``SECTIONS``), empty ones included, so a prompt built from the profile keeps its shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from agents.extraction import USER_SUBJECT
from agents.statements.slots import family, is_single_valued, slot_of
from memory_service.errors import InvalidInputError
from memory_service.layers.semantic import repository as semantic_repo
from memory_service.layers.semantic.domain import (
    Memory,
    Profile,
    ProfileEntry,
    ProfileSection,
    ProfileSectionName,
)
from memory_service.layers.semantic.index import SemanticIndexes
from memory_service.store import partitions as partition_store
from memory_service.store.database import Database

SECTIONS: tuple[tuple[ProfileSectionName, tuple[str, ...]], ...] = (
    ("identity", ("name", "age", "origin", "nationality")),
    ("home", ("location", "residence", "home")),
    ("work", ("employer", "job", "occupation", "education")),
    ("relationships", ("relationship", "relationship_status", "marital_status")),
    ("diet_and_health", ("diet", "health", "allergy")),
    ("pets", ("pet",)),
    ("preferences", ("preference", "hobby", "likes", "dislikes")),
)
"""Each section and the attribute families it gathers, in the order they are shown. A family in
no section (notes, events, plans) is no part of the profile: search finds those when asked."""

MAX_LISTED = 8
"""Most entries of a section's list (the multi-valued families): enough for the people, pets and
likes a conversation keeps coming back to, few enough that the whole profile stays a few hundred
tokens in a prompt. The rest are counted in the section's ``omitted``."""

_SECTION_OF = {name: (section, rank) for section, names in SECTIONS for rank, name in enumerate(names)}


def build_profile(
    user_id: str, memories: Iterable[Memory], *, subject: str = USER_SUBJECT, as_of: datetime | None = None
) -> Profile:
    """The profile of ``subject`` from ``memories``, all of them standing at the moment asked about.

    Pure: the caller chooses the memories (current ones, or those that stood at ``as_of``).
    Subjects compare without regard to case.
    """
    wanted = subject.strip().casefold()
    single: dict[str, Memory] = {}
    listed: dict[ProfileSectionName, list[Memory]] = {}
    for memory in memories:
        placed = _SECTION_OF.get(family(memory.attribute))
        if placed is None or memory.subject.strip().casefold() != wanted:
            continue
        if is_single_valued(memory.attribute):
            slot = slot_of(memory.attribute)
            key = slot.attribute if slot is not None else memory.attribute
            held = single.get(key)
            if held is None or _started(memory) > _started(held):
                single[key] = memory
        else:
            listed.setdefault(placed[0], []).append(memory)
    sections = []
    for name, _ in SECTIONS:
        ones = sorted(
            (m for m in single.values() if _SECTION_OF[family(m.attribute)][0] == name),
            key=lambda m: (_SECTION_OF[family(m.attribute)][1], m.attribute),
        )
        many = _distinct(sorted(listed.get(name, ()), key=_rank))
        entries = [_entry(m, single_valued=True) for m in ones] + [
            _entry(m, single_valued=False) for m in many[:MAX_LISTED]
        ]
        sections.append(ProfileSection(name, tuple(entries), omitted=max(0, len(many) - MAX_LISTED)))
    return Profile(user_id=user_id, subject=subject, as_of=as_of, sections=tuple(sections))


class ProfileReader:
    """Reads a user's profile from the store, now or as memory stood at ``as_of``."""

    def __init__(self, db: Database, indexes: SemanticIndexes) -> None:
        self._db = db
        self._indexes = indexes  # shared with search: the same "learned by, valid at" per memory

    def profile(
        self, namespace: str, user_id: str, *, as_of: datetime | None = None, subject: str | None = None
    ) -> Profile:
        """The profile of ``subject`` (default the chat user, ``user``; a named speaker by name).

        Without ``as_of``: the active memories. With it: those learned by then and valid then, as
        ``list_memories(as_of=)`` lists them. An unknown user has an empty profile.
        """
        if as_of is not None and as_of.utcoffset() is None:
            raise InvalidInputError("as_of needs a timezone, e.g. 2024-05-01T09:30:00Z", details={"field": "as_of"})
        about = (subject or USER_SUBJECT).strip()
        if not about:
            raise InvalidInputError("subject must not be blank", details={"field": "subject"})
        with self._db.read() as db:
            user = partition_store.find_named_user(db, namespace, user_id)
        if user is None:
            return build_profile(user_id, (), subject=about, as_of=as_of)
        stood = None
        if as_of is not None:
            stood = {pk for pk, fact in self._indexes.get(user.id).facts.items() if fact.stood_at(as_of)}
        with self._db.read() as db:
            rows = semantic_repo.visible_memories(db, user.id)
            memories = [
                semantic_repo.to_memory(row, user_id)
                for row in rows
                if (row.status == "active" if stood is None else row.id in stood)
            ]
        return build_profile(user_id, memories, subject=about, as_of=as_of)


def _started(memory: Memory) -> tuple[datetime, int]:
    """When the value began to hold (else when it was stored), the later-stored first on a tie."""
    return (memory.valid_at or memory.created_at, memory.pk)


def _rank(memory: Memory) -> tuple[float, float, int]:
    """Most important first, then the most recent."""
    started, pk = _started(memory)
    return (-memory.importance, -started.timestamp(), -pk)


def _distinct(memories: Sequence[Memory]) -> list[Memory]:
    """The same statement said twice is one entry (the better ranked)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for memory in memories:
        key = (memory.attribute, " ".join(memory.text.casefold().split()))
        if key not in seen:
            seen.add(key)
            kept.append(memory)
    return kept


def _entry(memory: Memory, *, single_valued: bool) -> ProfileEntry:
    return ProfileEntry(
        memory_id=memory.id,
        attribute=memory.attribute,
        text=memory.text,
        valid_at=memory.valid_at,
        invalid_at=memory.invalid_at,
        provenance=memory.provenance,
        single_valued=single_valued,
        importance=memory.importance,
        confidence=memory.confidence,
    )
