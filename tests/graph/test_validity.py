"""The contradiction rules as a table: what a new relation does to what is already known."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graph.temporal_graph import TemporalGraph


def day(month: int, d: int = 1) -> datetime:
    return datetime(2024, month, d, tzinfo=UTC)


def build() -> tuple[TemporalGraph, dict[str, int]]:
    graph = TemporalGraph()
    names = {"user": "person", "Berlin": "place", "Paris": "place", "Acme": "organization", "Globex": "organization"}
    ids = {name: graph.upsert_entity(name, kind).entity.id for name, kind in names.items()}  # type: ignore[arg-type]
    return graph, ids


# (first, second, expected first after, expected second, reinforced)
# each relation: (predicate, target, valid month, learned month)
CASES = [
    pytest.param(
        ("lives_in", "Berlin", 1, 1),
        ("lives_in", "Paris", 5, 5),
        ("invalid", 5),
        ("current", None),
        False,
        id="functional newer retires older at its valid_at",
    ),
    pytest.param(
        ("works_at", "Acme", 1, 1),
        ("works_at", "Globex", 6, 6),
        ("invalid", 6),
        ("current", None),
        False,
        id="new employer retires old one",
    ),
    pytest.param(
        ("lives_in", "Berlin", 5, 5),
        ("lives_in", "Paris", 2, 8),
        ("current", None),
        ("invalid", 5),
        False,
        id="learned late about the past: stored already invalid, current kept",
    ),
    pytest.param(
        ("lives_in", "Berlin", 1, 1),
        ("lives_in", "Berlin", 3, 3),
        ("current", None),
        None,
        True,
        id="exact repeat reinforces",
    ),
    pytest.param(
        ("likes", "Paris", 1, 1),
        ("likes", "Berlin", 3, 3),
        ("current", None),
        ("current", None),
        False,
        id="non-functional likes accumulates",
    ),
    pytest.param(
        ("visited", "Paris", 1, 1),
        ("visited", "Berlin", 3, 3),
        ("current", None),
        ("current", None),
        False,
        id="non-functional visited accumulates",
    ),
    pytest.param(
        ("owns", "Acme", 1, 1),
        ("owns", "Globex", 3, 3),
        ("current", None),
        ("current", None),
        False,
        id="non-functional owns accumulates",
    ),
]


@pytest.mark.parametrize(("first", "second", "first_after", "second_state", "reinforced"), CASES)
def test_contradiction_table(
    first: tuple[str, str, int, int],
    second: tuple[str, str, int, int],
    first_after: tuple[str, int | None],
    second_state: tuple[str, int | None] | None,
    reinforced: bool,
) -> None:
    graph, ids = build()
    user = ids["user"]
    a = graph.add_relation(user, first[0], ids[first[1]], "first", valid_at=day(first[2]), created_at=day(first[3]))
    b = graph.add_relation(
        user, second[0], ids[second[1]], "second", valid_at=day(second[2]), created_at=day(second[3])
    )
    assert b.reinforced is reinforced
    old = graph.relation(a.relation.id)
    state, month = first_after
    if state == "current":
        assert old.is_current
    else:
        assert old.invalid_at == day(month)  # type: ignore[arg-type]
        assert old.expired_at == day(second[3])
        assert b.invalidated == (old,)
    if reinforced:
        assert b.relation.id == a.relation.id
        assert len(graph.relations) == 1
        assert old.valid_at == day(first[2])
    else:
        assert second_state is not None
        new = graph.relation(b.relation.id)
        assert len(graph.relations) == 2  # history is kept, never deleted
        if second_state[0] == "current":
            assert new.is_current
        else:
            assert new.invalid_at == day(second_state[1])  # type: ignore[arg-type]
            assert not new.is_current
            assert b.invalidated == ()


def test_repeat_keeps_provenance_and_earliest_start() -> None:
    graph, ids = build()
    first = graph.add_relation(
        ids["user"],
        "lives_in",
        ids["Berlin"],
        "User lives in Berlin.",
        valid_at=day(3),
        created_at=day(3),
        episode_ids=["e1"],
    )
    again = graph.add_relation(
        ids["user"],
        "lives_in",
        ids["Berlin"],
        "User lives in Berlin.",
        valid_at=day(1),
        created_at=day(4),
        episode_ids=["e2", "e1"],
    )
    assert again.reinforced and again.relation.id == first.relation.id
    assert again.relation.episode_ids == ("e1", "e2")
    assert again.relation.valid_at == day(1)


def test_moving_back_creates_a_new_current_relation() -> None:
    graph, ids = build()
    user = ids["user"]
    graph.add_relation(user, "lives_in", ids["Berlin"], "b", valid_at=day(1), created_at=day(1))
    graph.add_relation(user, "lives_in", ids["Paris"], "p", valid_at=day(3), created_at=day(3))
    back = graph.add_relation(user, "lives_in", ids["Berlin"], "b2", valid_at=day(6), created_at=day(6))
    assert not back.reinforced
    assert [r.fact for r in graph.current_relations()] == ["b2"]
    assert len(graph.timeline(user)) == 3


def test_instant_predicates_keep_each_occurrence() -> None:
    graph, ids = build()
    user = ids["user"]
    graph.add_relation(user, "visited", ids["Paris"], "v1", valid_at=day(1), created_at=day(1))
    same_day = graph.add_relation(user, "visited", ids["Paris"], "v1", valid_at=day(1), created_at=day(2))
    other_day = graph.add_relation(user, "visited", ids["Paris"], "v2", valid_at=day(5), created_at=day(5))
    assert same_day.reinforced and not other_day.reinforced
    assert len(graph.relations) == 2


def test_end_relations_and_retraction() -> None:
    graph, ids = build()
    user = ids["user"]
    job = graph.add_relation(user, "works_at", ids["Acme"], "User works at Acme.", valid_at=day(1), created_at=day(1))
    ended = graph.end_relations(user, "works_at", None, at=day(4), learned_at=day(5))
    assert [r.invalid_at for r in ended] == [day(4)]
    assert graph.current_relations() == []
    liked = graph.add_relation(user, "likes", ids["Paris"], "User likes Paris.", valid_at=day(1), created_at=day(1))
    graph.retract_relation(liked.relation.id, at=day(6))
    assert liked.relation.id not in {r.id for r in graph.as_of(day(2), include_past=True)}
    assert job.relation.id in {r.id for r in graph.as_of(day(2))}
    assert graph.as_of(day(7), by="known", include_past=True)[0].id == job.relation.id


def test_functional_set_is_configurable() -> None:
    graph = TemporalGraph(functional_predicates={"likes"})
    user = graph.upsert_entity("user", "person").entity.id
    a = graph.upsert_entity("Paris", "place").entity.id
    b = graph.upsert_entity("Rome", "place").entity.id
    graph.add_relation(user, "likes", a, "x", valid_at=day(1), created_at=day(1))
    change = graph.add_relation(user, "likes", b, "y", valid_at=day(2), created_at=day(2))
    assert len(change.invalidated) == 1


def test_a_retired_relation_records_the_episodes_that_ended_it() -> None:
    graph, ids = build()
    user = ids["user"]
    graph.add_relation(user, "lives_in", ids["Berlin"], "b", valid_at=day(1), created_at=day(1), episode_ids=["ep_1"])
    moved = graph.add_relation(
        user, "lives_in", ids["Paris"], "p", valid_at=day(5), created_at=day(5), episode_ids=["ep_2"]
    )
    assert [r.ended_by for r in moved.invalidated] == [("ep_2",)]
    graph.add_relation(user, "works_at", ids["Acme"], "a", valid_at=day(1), created_at=day(1), episode_ids=["ep_3"])
    quit_ = graph.end_relations(user, "works_at", ids["Acme"], at=day(6), learned_at=day(6), episode_ids=["ep_4"])
    assert [r.ended_by for r in quit_] == [("ep_4",)]
    assert moved.relation.ended_by == ()


def test_who_ended_a_relation_survives_its_row() -> None:
    graph, ids = build()
    user = ids["user"]
    graph.add_relation(user, "lives_in", ids["Berlin"], "b", valid_at=day(1), created_at=day(1), episode_ids=["ep_1"])
    graph.add_relation(user, "lives_in", ids["Paris"], "p", valid_at=day(5), created_at=day(5), episode_ids=["ep_2"])
    entities, relations = graph.to_rows()
    again = TemporalGraph.from_rows(entities, relations)
    assert {r.fact: r.ended_by for r in again.as_of(day(9), include_past=True)} == {"b": ("ep_2",), "p": ()}
