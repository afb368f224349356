"""The deterministic memory manager, decision by decision (no store, no model)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.consolidation import Decision, KnownMemory, RuleMemoryManager, is_single_valued
from agents.extraction import CandidateFact

JAN, MAR, JUN = (datetime(2024, m, 1, tzinfo=UTC) for m in (1, 3, 6))


def fact(
    statement: str,
    attribute: str = "location",
    *,
    at: datetime | None = MAR,
    negated: bool = False,
    source: str = "ep_9",
) -> CandidateFact:
    return CandidateFact("user", attribute, statement, "fact", at, negated, 0.8, (source,))


def known(
    key: int,
    text: str,
    attribute: str = "location",
    *,
    similarity: float = 0.5,
    status: str = "active",
    valid_at: datetime | None = JAN,
    invalid_at: datetime | None = None,
    sources: tuple[str, ...] = ("ep_1",),
    invalidated_by: tuple[str, ...] = (),
) -> KnownMemory:
    return KnownMemory(
        key,
        "user",
        attribute,
        text,
        status,
        valid_at,
        invalid_at,
        similarity,
        sources,
        invalidated_by,  # type: ignore[arg-type]
    )


LISBON = known(1, "User lives in Lisbon.", similarity=0.7)
SUSHI = known(2, "User loves sushi.", "preference:sushi", similarity=0.88)
DOG = known(3, "User has a dog named Rex.", "pet:dog", similarity=0.6)

CASES: list[tuple[str, CandidateFact, list[KnownMemory], tuple[str, int | None, bool]]] = [
    ("nothing known: add", fact("User lives in Berlin."), [], ("ADD", None, False)),
    ("same words: noop", fact("user lives in lisbon"), [LISBON], ("NOOP", 1, False)),
    (
        "near duplicate: noop",
        fact("User is living in Lisbon."),
        [known(1, "User lives in Lisbon.", similarity=0.95)],
        ("NOOP", 1, False),
    ),
    ("newer location replaces", fact("User moved to Berlin.", at=MAR), [LISBON], ("UPDATE", 1, True)),
    (
        "older location is history",
        fact("User lived in Porto.", at=datetime(2023, 1, 1, tzinfo=UTC)),
        [LISBON],
        ("ADD", None, False),
    ),
    ("negation invalidates", fact("User no longer lives in Lisbon.", negated=True), [LISBON], ("DELETE", 1, False)),
    (
        "negation with nothing to end is a fact",
        fact("User no longer eats meat.", "diet", negated=True),
        [],
        ("ADD", None, False),
    ),
    ("multi-valued: a second pet adds", fact("User has a cat named Tom.", "pet:cat"), [DOG], ("ADD", None, False)),
    (
        "multi-valued restatement merges",
        fact("User loves sushi, salmon most of all.", "preference:sushi"),
        [SUSHI],
        ("UPDATE", 2, False),
    ),
    ("other liking adds", fact("User likes jazz.", "preference:jazz"), [SUSHI], ("ADD", None, False)),
    (
        "replay of the same episode",
        fact("User lives in Lisbon.", source="ep_1"),
        [known(1, "User lives in Lisbon.", status="invalid", invalid_at=MAR)],
        ("NOOP", 1, False),
    ),
    (
        "past value said again in its time",
        fact("User lives in Lisbon.", at=datetime(2024, 2, 1, tzinfo=UTC)),
        [
            known(1, "User lives in Lisbon.", status="invalid", invalid_at=MAR),
            known(4, "User moved to Berlin.", valid_at=MAR),
        ],
        ("NOOP", 1, False),
    ),
    (
        "moving back supersedes the current",
        fact("User moved back to Lisbon.", at=JUN),
        [
            known(1, "User lives in Lisbon.", status="invalid", invalid_at=MAR, similarity=0.8),
            known(4, "User moved to Berlin.", valid_at=MAR),
        ],
        ("UPDATE", 4, True),
    ),
    (
        "negation replay is a noop",
        fact("User no longer lives in Lisbon.", negated=True, source="ep_5"),
        [known(1, "User lives in Lisbon.", status="invalid", invalid_at=MAR, invalidated_by=("ep_5",))],
        ("NOOP", 1, False),
    ),
]


@pytest.mark.parametrize(("candidate", "related", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_decisions(
    candidate: CandidateFact, related: list[KnownMemory], expected: tuple[str, int | None, bool]
) -> None:
    decision = RuleMemoryManager().decide(candidate, related)
    assert (decision.event, decision.target, decision.supersede) == expected
    assert decision.decided_by == "rules"


def test_replacement_and_invalidation_carry_the_candidate_time() -> None:
    manager = RuleMemoryManager()
    update = manager.decide(fact("User moved to Berlin.", at=MAR), [LISBON])
    assert update.valid_at == MAR and update.text == "User moved to Berlin."
    delete = manager.decide(fact("User no longer lives in Lisbon.", at=JUN, negated=True), [LISBON])
    assert delete.invalid_at == JUN
    older = manager.decide(fact("User lived in Porto.", at=datetime(2023, 1, 1, tzinfo=UTC)), [LISBON])
    assert older.invalid_at == JAN  # a past value: it ended when the current one began


def test_replays_do_not_reinforce() -> None:
    replay = RuleMemoryManager().decide(fact("User lives in Lisbon.", source="ep_1"), [LISBON])
    assert replay.event == "NOOP" and not replay.reinforce
    again = RuleMemoryManager().decide(fact("User lives in Lisbon.", source="ep_7"), [LISBON])
    assert again.event == "NOOP" and again.reinforce


@pytest.mark.parametrize(
    ("attribute", "single"),
    [
        ("location", True),
        ("job", True),
        ("employer", True),
        ("relationship:partner", True),
        ("diet", True),
        ("preference:sushi", False),
        ("pet:dog", False),
        ("relationship:sister", False),
        ("hobby", False),
    ],
)
def test_single_valued_attributes(attribute: str, single: bool) -> None:
    assert is_single_valued(attribute) is single


def test_a_decision_other_than_add_needs_a_target() -> None:
    with pytest.raises(ValueError, match="needs a target"):
        Decision("DELETE", "x")


def test_a_negation_naming_its_value_ends_only_the_memory_holding_it() -> None:
    manager = RuleMemoryManager()
    siemens = known(7, "User works at Siemens as a nurse.", "employer", valid_at=JAN)
    google = known(8, "User works at Google.", "employer", valid_at=MAR)
    left = CandidateFact("user", "employer", "User left Siemens.", "profile", JUN, True, 0.6, ("ep_9",), "Siemens")

    assert (manager.decide(left, [siemens]).event, manager.decide(left, [siemens]).target) == ("DELETE", 7)
    # Google replaced Siemens already: leaving Siemens says nothing about Google.
    decision = manager.decide(left, [google])
    assert decision.event == "ADD" and decision.target is None
    unnamed = CandidateFact("user", "employer", "User quit their job.", "profile", JUN, True, 0.6, ("ep_9",))
    assert manager.decide(unnamed, [google]).target == 8  # no value said: the current one ends
