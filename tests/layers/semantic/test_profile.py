"""The core profile: one current value per single-valued slot, capped lists, fixed sections, as_of.

The pure part (``build_profile``) is tested on memories made here; the store part (``ProfileReader``)
on a conversation extracted by the service itself, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from memory_service.domain import NewMessage
from memory_service.errors import InvalidInputError
from memory_service.layers.semantic.domain import Memory, Profile
from memory_service.layers.semantic.profile import MAX_LISTED, SECTIONS, build_profile
from memory_service.runtime import Runtime

T0 = datetime(2024, 1, 1, tzinfo=UTC)
_pks = iter(range(1, 10_000))


def memory(
    attribute: str,
    text: str,
    *,
    days: int = 0,
    importance: float = 0.8,
    subject: str = "user",
    sources: tuple[str, ...] = ("ep_1",),
) -> Memory:
    at = T0 + timedelta(days=days)
    pk = next(_pks)
    return Memory(
        pk=pk,
        user_id="ana",
        subject=subject,
        attribute=attribute,
        text=text,
        kind="fact",
        status="active",
        valid_at=at,
        invalid_at=None,
        created_at=at,
        updated_at=at,
        version=1,
        confidence=0.9,
        importance=importance,
        reinforcements=0,
        last_reinforced_at=at,
        accesses=0,
        last_accessed_at=None,
        provenance=sources,
        metadata={},
        lineage_pk=pk,
    )


def section(profile: Profile, name: str) -> list[str]:
    return [entry.text for s in profile.sections if s.name == name for entry in s.entries]


def test_sections_come_in_a_fixed_order_even_when_empty() -> None:
    profile = build_profile("ana", [])
    assert [s.name for s in profile.sections] == [name for name, _ in SECTIONS]
    assert [s.name for s in profile.sections] == [
        "identity",
        "home",
        "work",
        "relationships",
        "diet_and_health",
        "pets",
        "preferences",
    ]
    assert profile.entries == () and profile.subject == "user"


def test_a_single_valued_slot_shows_its_latest_value_only() -> None:
    profile = build_profile(
        "ana",
        [
            memory("location", "User lives in Porto.", days=0),
            memory("location", "User lives in Lisbon.", days=300),
            memory("diet:vegan", "User is vegan.", days=10),  # diet:* fills the one diet slot
            memory("diet", "User is vegetarian.", days=200),
            memory("employer", "User works at Google.", days=5),
            memory("job", "User is a nurse.", days=1),
            memory("name", "User's name is Ana.", days=2),
            memory("relationship:partner", "User's partner is Rui.", days=3),
        ],
    )
    assert section(profile, "home") == ["User lives in Lisbon."]
    assert section(profile, "diet_and_health") == ["User is vegetarian."]
    assert section(profile, "work") == ["User works at Google.", "User is a nurse."]  # the section's own order
    assert section(profile, "identity") == ["User's name is Ana."]
    assert all(entry.single_valued for entry in profile.entries)
    home = next(s for s in profile.sections if s.name == "home").entries[0]
    assert home.memory_id.startswith("mem_") and home.attribute == "location" and home.provenance == ("ep_1",)
    assert home.valid_at == T0 + timedelta(days=300)


def test_lists_rank_by_importance_then_recency_and_are_capped() -> None:
    likes = [memory(f"preference:thing{n}", f"User likes thing {n}.", days=n, importance=0.5) for n in range(12)]
    favourite = memory("preference:sushi", "User loves sushi.", days=0, importance=0.9)
    again = memory("preference:sushi", "User  loves sushi.", days=1, importance=0.9)  # the same statement twice
    profile = build_profile("ana", [*likes, favourite, again])
    shown = section(profile, "preferences")
    assert len(shown) == MAX_LISTED
    assert shown[0] in {"User loves sushi.", "User  loves sushi."} and shown.count("User loves sushi.") <= 1
    assert shown[1:] == [f"User likes thing {n}." for n in range(11, 11 - MAX_LISTED + 1, -1)]  # newest first
    preferences = next(s for s in profile.sections if s.name == "preferences")
    assert preferences.omitted == 13 - MAX_LISTED and not any(e.single_valued for e in preferences.entries)


def test_relationships_hold_one_partner_and_a_list_of_others() -> None:
    profile = build_profile(
        "ana",
        [
            memory("relationship:sister", "User has a sister named Inês.", days=1),
            memory("relationship:spouse", "User's wife is Maria.", days=0, importance=0.5),
            memory("relationship:friend", "User's friend is Joana.", days=2),
            memory("pet:dog", "User has a dog named Rex.", days=0),
            memory("pet:cat", "User has a cat.", days=4),
        ],
    )
    # The single-valued spouse first, whatever its importance; then the others.
    assert section(profile, "relationships") == [
        "User's wife is Maria.",
        "User's friend is Joana.",
        "User has a sister named Inês.",
    ]
    assert section(profile, "pets") == ["User has a cat.", "User has a dog named Rex."]


def test_only_the_subject_asked_for_and_only_profile_families() -> None:
    memories = [
        memory("location", "User lives in Porto."),
        memory("location", "Caroline lives in Boston.", subject="Caroline"),
        memory("pet:dog", "Caroline has a dog.", subject="Caroline"),
        memory("note", "User's locker code is 4512."),  # a note fills no profile slot
        memory("event", "User went hiking."),
    ]
    mine = build_profile("ana", memories)
    assert [e.text for e in mine.entries] == ["User lives in Porto."]
    hers = build_profile("ana", memories, subject="caroline")  # names compare without case
    assert [e.text for e in hers.entries] == ["Caroline lives in Boston.", "Caroline has a dog."]


SAID = [
    ("2024-03-01T10:00:00Z", "I moved to Porto."),
    ("2024-03-02T10:00:00Z", "I am vegetarian and I work at Siemens as a nurse."),
    ("2025-01-10T10:00:00Z", "Big news: I just moved to Lisbon last week, and I quit Siemens, now I work at Google."),
]
BEFORE_THE_MOVE = datetime(2024, 6, 1, tzinfo=UTC)
AFTER_THE_MOVE = datetime(2025, 2, 1, tzinfo=UTC)


def remember(runtime: Runtime, user_id: str, namespace: str = "default") -> None:
    for n, (at, text) in enumerate(SAID):
        message = NewMessage("user", text, occurred_at=datetime.fromisoformat(at))
        runtime.episodic.add_messages(namespace, f"{user_id}-s{n}", user_id, [message], infer=True)
    deadline = time.monotonic() + 60
    while not runtime.semantic.extraction_status(namespace, user_id).idle:
        assert time.monotonic() < deadline, "extraction did not finish"
        time.sleep(0.05)


def texts(profile: Profile, name: str) -> str:
    return " ".join(section(profile, name))


def test_the_stored_profile_now_and_as_of_before_and_after_a_move(runtime: Runtime, user_id: str) -> None:
    remember(runtime, user_id)
    profiles = runtime.profiles
    before = profiles.profile("default", user_id, as_of=BEFORE_THE_MOVE)
    assert "Porto" in texts(before, "home") and "Siemens" in texts(before, "work")
    assert "Lisbon" not in texts(before, "home") and "Google" not in texts(before, "work")
    assert before.as_of == BEFORE_THE_MOVE
    for moment in (AFTER_THE_MOVE, None):
        after = profiles.profile("default", user_id, as_of=moment)
        assert texts(after, "home") and "Lisbon" in texts(after, "home") and "Porto" not in texts(after, "home")
        assert "Google" in texts(after, "work") and "Siemens" not in texts(after, "work")
    for moment in (BEFORE_THE_MOVE, AFTER_THE_MOVE, None):
        assert "vegetarian" in texts(profiles.profile("default", user_id, as_of=moment), "diet_and_health")
    nothing_yet = profiles.profile("default", user_id, as_of=datetime(2024, 1, 1, tzinfo=UTC))
    assert nothing_yet.entries == ()
    # Every entry cites a memory that exists and the episodes it was learned from.
    for entry in profiles.profile("default", user_id).entries:
        assert runtime.semantic.get("default", entry.memory_id).text == entry.text and entry.provenance


def test_unknown_users_other_namespaces_and_other_subjects_are_empty(runtime: Runtime, user_id: str) -> None:
    remember(runtime, user_id)
    assert runtime.profiles.profile("default", f"{user_id}-nobody").entries == ()
    assert runtime.profiles.profile("elsewhere", user_id).entries == ()  # tenant-scoped
    assert runtime.profiles.profile("default", user_id, subject="Caroline").entries == ()
    assert runtime.profiles.profile("default", user_id).entries


def test_a_moment_without_a_timezone_or_a_blank_subject_is_refused(runtime: Runtime) -> None:
    with pytest.raises(InvalidInputError, match="timezone"):
        runtime.profiles.profile("default", "ana", as_of=datetime(2024, 6, 1))  # noqa: DTZ001 - the point
    with pytest.raises(InvalidInputError, match="subject"):
        runtime.profiles.profile("default", "ana", subject="  ")
