"""The offline reading: both rule tables joined into statements, and the two views agreeing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from agents.extraction import EpisodeText
from agents.statements import RuleStatementExtractor, Statement, StatementBatch, facts_view, graph_view
from agents.statements.order import in_saying_order
from agents.statements.slots import is_single_valued

SAID = datetime(2025, 1, 10, 9, tzinfo=UTC)


def read(text: str, role: str = "user", at: datetime = SAID) -> StatementBatch:
    return RuleStatementExtractor().extract([EpisodeText("e1", role, text, at)])


def single_valued(batch: StatementBatch) -> set[tuple[str, str, bool]]:
    """(attribute, value, holds) of every single-valued statement, as each view sees it."""
    return {(s.attribute, s.value or "", s.holds) for s in batch.statements if is_single_valued(s.attribute)}


def test_a_job_change_ends_the_old_employer_and_starts_the_new_in_both_views() -> None:
    batch = read("Big news: I just moved to Lisbon last week, and I quit Siemens, now I work at Google.")
    facts = {(f.attribute, f.value, f.negated) for f in facts_view(batch)}
    assert {("employer", "Siemens", True), ("employer", "Google", False), ("location", "Lisbon", False)} <= facts
    relations = {(r.predicate, r.target, r.ended) for r in graph_view(batch).relations}
    assert {("works_at", "Siemens", True), ("works_at", "Google", False), ("lives_in", "Lisbon", False)} <= relations


def test_the_ending_is_applied_before_the_beginning() -> None:
    batch = read("I quit Siemens, now I work at Google.")
    employer = [s for s in batch.statements if s.attribute == "employer"]
    assert [(s.value, s.holds) for s in employer] == [("Siemens", False), ("Google", True)]


@pytest.mark.parametrize(
    "text",
    [
        "I work at Siemens as a nurse.",
        "I live in Porto.",
        "I moved to Porto last month.",
        "I'm a designer at Acme Corp.",
    ],
)
def test_a_fact_and_a_relation_saying_the_same_are_one_statement(text: str) -> None:
    batch = read(text)
    joined = [s for s in batch.statements if is_single_valued(s.attribute) and s.predicate]
    assert joined, [s.text for s in batch.statements]
    for statement in joined:
        assert statement.value and statement.value.lower() in statement.text.lower()
    facts = [f for f in facts_view(batch) if is_single_valued(f.attribute)]
    assert len({(f.attribute, f.statement) for f in facts}) == len(facts)  # no sentence twice
    relation_values = {r.target for r in graph_view(batch).relations if r.predicate in ("works_at", "lives_in")}
    assert relation_values <= {f.value for f in facts}


@pytest.mark.parametrize("text", ["My sister Ana is visiting next week.", "Ana, my sister, loved it."])
def test_a_relative_reaches_both_views_once(text: str) -> None:
    batch = read(text)
    named = [f.statement for f in facts_view(batch) if "Ana" in f.statement]
    assert len(named) == 1, named
    (relation,) = [r for r in graph_view(batch).relations if r.predicate == "sister_of"]
    assert (relation.source, relation.target) == ("Ana", "user")


def test_a_relation_a_fact_already_names_stays_in_the_graph_only() -> None:
    batch = read("I have a dog named Max.")
    facts = [f.statement for f in facts_view(batch)]
    assert facts == ["User has a dog named Max."]
    assert [(r.predicate, r.target) for r in graph_view(batch).relations] == [("owns", "Max")]


def test_a_named_speaker_speaks_for_themselves() -> None:
    batch = read("I quit Sunrise Bakery last month. Now I'm working at Blue Door Cafe.", role="Caroline")
    assert {s.subject for s in batch.statements} == {"Caroline"}
    assert ("employer", "Sunrise Bakery", False) in single_valued(batch)
    assert {e.name for e in graph_view(batch).entities} >= {"Caroline", "Blue Door Cafe"}


def test_assistant_turns_make_no_relations() -> None:
    batch = read("I work at OpenMind Labs.", role="assistant")
    assert graph_view(batch).relations == ()


def test_repeats_merge_and_cite_every_episode() -> None:
    said = Statement("user", "location", "User lives in Porto.", "fact", SAID, source_episode_ids=("a",))
    again = Statement("user", "location", "User lives in Porto.", "fact", SAID, confidence=0.9)
    again = replace(again, source_episode_ids=("b",))
    (merged,) = in_saying_order([said, again])
    assert merged.source_episode_ids == ("a", "b") and merged.confidence == 0.9


def test_statements_refuse_bad_values() -> None:
    with pytest.raises(ValueError, match="polarity"):
        Statement("user", "location", "User lives in Porto.", "fact", SAID, polarity="maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timezone"):
        Statement("user", "location", "User lives in Porto.", "fact", datetime(2025, 1, 1))


@pytest.mark.parametrize("text", ["I retired from the fire service in March.", "I quit my job last week."])
def test_an_ending_naming_no_value_keeps_the_facts_words(text: str) -> None:
    batch = read(text)
    endings = [f for f in facts_view(batch) if f.negated]
    assert len(endings) == 1, [f.statement for f in facts_view(batch)]
    assert not any(word in endings[0].statement for word in (" on 1 ", " on 3 "))  # not the relation's dated stub
    assert [(r.predicate, r.target, r.ended) for r in graph_view(batch).relations] == [("works_at", None, True)]
