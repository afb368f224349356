"""A scripted multi-session conversation through statement extraction and its graph view,
resolution, the temporal rules, "as of" views and graph search, offline and with a mocked LLM."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from agents.extraction.models import EpisodeText
from agents.graph_extraction import RuleGraphExtractor
from agents.statements import GraphView, LLMStatementExtractor, RuleStatementExtractor, graph_view
from graph.ingest import apply_extraction
from graph.search import search
from graph.temporal_graph import TemporalGraph, TimeAxis
from retrieval.embedder import SentenceTransformerEmbedder


def at(month: int, d: int) -> datetime:
    return datetime(2024, month, d, 12, tzinfo=UTC)


SESSIONS = [
    (at(1, 10), "Hi! I work at Acme Corp as a designer. My sister Ana is great, and I live in Lisbon."),
    (at(3, 15), "Big news: I started a new job at Globex last week! Ana says hi."),
    (at(6, 20), "I moved to Berlin on June 1st. Ana is visiting me next month."),
    (at(7, 20), "Ana, my sister, loved it. I went to a pottery workshop yesterday."),
]
EPISODES = [EpisodeText(f"ep{i}", "user", text, when, f"s{i}") for i, (when, text) in enumerate(SESSIONS)]


def build(extract: list[GraphView]) -> TemporalGraph:
    graph = TemporalGraph()
    for extraction in extract:
        apply_extraction(graph, extraction.entities, extraction.relations)
    return graph


def facts(graph: TemporalGraph, t: datetime, by: TimeAxis = "valid") -> set[tuple[str, str]]:
    return {
        (r.predicate, graph.entity(r.target_id).name)
        for r in graph.as_of(t, by)
        if r.predicate in ("works_at", "lives_in")
    }


@pytest.fixture(scope="module")
def offline_graph() -> TemporalGraph:
    extractor = RuleStatementExtractor()
    return build([graph_view(extractor.extract([episode])) for episode in EPISODES])


def check_history(graph: TemporalGraph) -> None:
    names = sorted(e.name for e in graph.entities.values())
    assert names.count("Ana") == 1  # "my sister Ana" and "Ana" are one node
    assert {"user", "Acme Corp", "Globex", "Lisbon", "Berlin", "Ana"} <= set(names)
    user = graph.find_entity("user", "person")
    assert user is not None
    current = {(r.predicate, graph.entity(r.target_id).name) for r in graph.current_relations()}
    assert {("works_at", "Globex"), ("lives_in", "Berlin")} <= current
    assert not {("works_at", "Acme Corp"), ("lives_in", "Lisbon")} & current
    past = [r for r in graph.timeline(user.id) if not r.is_current]
    assert {graph.entity(r.target_id).name for r in past} == {"Acme Corp", "Lisbon"}
    # Three points in time: before the job change, between it and the move, after the move.
    assert facts(graph, at(2, 1)) == {("works_at", "Acme Corp"), ("lives_in", "Lisbon")}
    assert facts(graph, at(4, 1)) == {("works_at", "Globex"), ("lives_in", "Lisbon")}
    assert facts(graph, at(7, 1)) == {("works_at", "Globex"), ("lives_in", "Berlin")}


def test_offline_extraction_builds_the_history(offline_graph: TemporalGraph) -> None:
    check_history(offline_graph)
    assert len(offline_graph.entities) == 7  # user, Acme Corp, Ana, Lisbon, Globex, Berlin, pottery workshop
    ana = offline_graph.find_entity("Ana", "person")
    assert ana is not None
    sister = [r for r in offline_graph.relations_of(ana.id) if r.predicate == "sister_of"]
    assert len(sister) == 1 and sister[0].episode_ids == ("ep0", "ep3")
    job = next(r for r in offline_graph.current_relations() if r.predicate == "works_at")
    assert job.valid_at == datetime(2024, 3, 4, tzinfo=UTC)  # "last week" said on 15 March
    assert job.episode_ids == ("ep1",)


def test_known_view_differs_from_valid_view(offline_graph: TemporalGraph) -> None:
    # On 10 March the new job had started (4 March) but the service learned of it on 15 March.
    assert ("works_at", "Globex") in facts(offline_graph, at(3, 10), "valid")
    assert facts(offline_graph, at(3, 10), "known") == {("works_at", "Acme Corp"), ("lives_in", "Lisbon")}
    assert facts(offline_graph, at(3, 16), "known") == {("works_at", "Globex"), ("lives_in", "Lisbon")}


def test_rows_round_trip(offline_graph: TemporalGraph) -> None:
    entity_rows, relation_rows = offline_graph.to_rows()
    copy = TemporalGraph.from_rows(entity_rows, relation_rows)
    assert copy.to_rows() == (entity_rows, relation_rows)
    assert facts(copy, at(4, 1)) == facts(offline_graph, at(4, 1))
    ids = iter(range(1000, 2000))
    bigger = TemporalGraph.from_rows(entity_rows, relation_rows, next_entity_id=lambda: next(ids))
    assert bigger.upsert_entity("Madrid", "place").entity.id == 1000


def test_traversal(offline_graph: TemporalGraph) -> None:
    user = offline_graph.find_entity("user", "person")
    ana = offline_graph.find_entity("Ana", "person")
    berlin = offline_graph.find_entity("Berlin", "place")
    assert user and ana and berlin
    near = {e.name: d for e, d in offline_graph.neighbors(ana.id, hops=2)}
    assert near["user"] == 1 and near["Berlin"] == 2 and "Lisbon" not in near
    assert "Lisbon" in {e.name for e, _ in offline_graph.neighbors(user.id, at=at(2, 1))}
    (chain,) = offline_graph.paths(ana.id, berlin.id)
    assert [r.predicate for r in chain] == ["sister_of", "lives_in"]
    assert offline_graph.paths(ana.id, berlin.id, at=at(2, 1)) == []


@pytest.mark.parametrize("use_embedder", [False, True])
def test_search_puts_the_current_job_first(
    offline_graph: TemporalGraph, embedder: SentenceTransformerEmbedder, use_embedder: bool
) -> None:
    embed = embedder.embed_batch if use_embedder else None
    hits = search(offline_graph, "where do I work now?", at(8, 1), embed, k=5)
    assert hits[0].relation.predicate == "works_at" and hits[0].target.name == "Globex"
    assert hits[0].current and hits[0].provenance == ("ep1",)
    past = search(offline_graph, "where did I work before?", at(8, 1), embed, k=5)
    assert past[0].target.name == "Acme Corp" and not past[0].current
    in_february = search(offline_graph, "where was I working in February 2024?", at(8, 1), embed, k=5)
    assert in_february[0].target.name == "Acme Corp"


def test_search_she_in_a_conversation_between_people(embedder: SentenceTransformerEmbedder) -> None:
    turns = [
        ("Caroline", datetime(2023, 5, 8, tzinfo=UTC), "I work at Sunrise Bakery. My friend Tom is a chef."),
        ("Melanie", datetime(2023, 5, 8, tzinfo=UTC), "Nice! We moved to Denver last year."),
        (
            "Caroline",
            datetime(2023, 8, 2, tzinfo=UTC),
            "I quit Sunrise Bakery last month. Now I'm working at Blue Door Cafe.",
        ),
    ]
    episodes = [EpisodeText(f"d{i}", who, text, when) for i, (who, when, text) in enumerate(turns)]
    graph = TemporalGraph()
    extraction = RuleGraphExtractor().extract(episodes)
    apply_extraction(graph, extraction.entities, extraction.relations, embed=embedder.embed_batch)
    hits = search(graph, "where does she work now?", datetime(2023, 9, 1, tzinfo=UTC), embedder.embed_batch)
    assert (hits[0].source.name, hits[0].target.name) == ("Caroline", "Blue Door Cafe")
    bakery = next(r for r in graph.relations.values() if graph.entity(r.target_id).name == "Sunrise Bakery")
    assert bakery.invalid_at == datetime(2023, 7, 1, tzinfo=UTC)
    named = search(graph, "Where does Melanie live?", datetime(2023, 9, 1, tzinfo=UTC), embedder.embed_batch)
    assert named[0].target.name == "Denver"


def llm_answer(*relations: tuple[str, str, str, str, str | None]) -> str:
    """Statements of the user's relations, as the one extraction call writes them."""
    statements = []
    for source, predicate, target, fact, valid_from in relations:
        inverse = source != "user"
        statements.append(
            {
                "subject": "user",
                "attribute": predicate,
                "statement": fact,
                "kind": "fact",
                "value": source if inverse else target,
                "value_type": "person" if inverse else "other",
                "predicate": predicate,
                "inverse": inverse,
                "valid_from": valid_from,
                "source_ids": ["ep"],
            }
        )
    return json.dumps({"statements": statements})


LLM_ANSWERS = [
    llm_answer(
        ("user", "works_at", "Acme Corp", "User works at Acme Corp.", None),
        ("Ana", "sister_of", "user", "Ana is User's sister.", None),
        ("user", "lives_in", "Lisbon", "User lives in Lisbon.", None),
    ),
    llm_answer(("user", "works_at", "Globex", "User started a new job at Globex.", "last week")),
    llm_answer(("user", "lives_in", "Berlin", "User moved to Berlin.", "2024-06-01")),
    llm_answer(("Ana", "sister_of", "user", "Ana is User's sister.", None)),
]


def test_mocked_llm_extraction_builds_the_same_history() -> None:
    batches = []
    for answer, episode in zip(LLM_ANSWERS, EPISODES, strict=True):
        cited = answer.replace('"ep"', f'"{episode.id}"')
        batches.append(LLMStatementExtractor("gpt-4o-mini", mock_response=cited).extract([episode]))
    assert all(b.backend == "llm:gpt-4o-mini" and b.prompt_tokens > 0 for b in batches)
    graph = build([graph_view(b) for b in batches])
    check_history(graph)
    assert len(graph.entities) == 6
