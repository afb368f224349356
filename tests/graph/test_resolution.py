"""Entity resolution as a table: which names become one node and which never do."""

from __future__ import annotations

import pytest

from graph.model import EntityType
from graph.names import canonical_key, normalize_name, persons_compatible
from graph.temporal_graph import TemporalGraph
from retrieval.embedder import SentenceTransformerEmbedder


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("The Google, Inc.", "google"),
        ("Ana's", "ana"),
        ("José  Álvarez", "jose alvarez"),
        ("NYC", "new york city"),
        ("New York", "new york city"),
        ("Dr. Ana Silva", "ana silva"),
    ],
)
def test_canonical_keys(raw: str, key: str) -> None:
    assert canonical_key(raw) == key


# (first name, first type, second name, second type, merged?)
RESOLUTION = [
    pytest.param("Ana", "person", "ana", "person", True, id="case"),
    pytest.param("Ana", "person", "Ana's", "person", True, id="possessive"),
    pytest.param("The Louvre", "place", "Louvre", "place", True, id="article"),
    pytest.param("Acme Corp.", "organization", "Acme", "organization", True, id="company suffix"),
    pytest.param("New York City", "place", "NYC", "place", True, id="alias table"),
    pytest.param("International Business Machines", "organization", "IBM", "organization", True, id="initials"),
    pytest.param("Ana", "person", "Ana Silva", "person", True, id="given name then full name"),
    pytest.param("Melanie", "person", "Mel", "person", True, id="short form of a given name"),
    pytest.param("Ana Silva", "person", "Ana Costa", "person", False, id="NEVER: same given name, other surname"),
    pytest.param("Ana", "person", "Anabel", "person", False, id="different given names"),
    pytest.param("Paris", "place", "Paris", "person", False, id="a person is not a place"),
    pytest.param("Globex", "organization", "Initech", "organization", False, id="unrelated organizations"),
]


@pytest.mark.parametrize(("first", "first_type", "second", "second_type", "merged"), RESOLUTION)
def test_resolution_table(
    first: str, first_type: EntityType, second: str, second_type: EntityType, merged: bool
) -> None:
    graph = TemporalGraph()
    a = graph.upsert_entity(first, first_type)
    b = graph.upsert_entity(second, second_type)
    assert (a.entity.id == b.entity.id) is merged
    assert len(graph.entities) == (1 if merged else 2)


def test_never_merge_people_sharing_a_first_name_even_with_embeddings(embedder: SentenceTransformerEmbedder) -> None:
    graph = TemporalGraph()
    vectors = embedder.embed_batch(["Ana Silva", "Ana Costa", "Ana"])
    silva = graph.upsert_entity("Ana Silva", "person", embedding=vectors[0]).entity
    costa = graph.upsert_entity("Ana Costa", "person", embedding=vectors[1]).entity
    assert silva.id != costa.id
    # "Ana" alone could be either: ambiguous, so it is not folded into one of them.
    ana = graph.upsert_entity("Ana", "person", embedding=vectors[2]).entity
    assert ana.id not in (silva.id, costa.id)
    assert not persons_compatible("Ana Silva", "Ana Costa")


def test_embedding_similarity_merges_spelling_variants(embedder: SentenceTransformerEmbedder) -> None:
    graph = TemporalGraph()
    names = ["St Mary's Hospital", "Saint Mary's Hospital", "pottery workshop", "pottery class"]
    vectors = embedder.embed_batch(names)
    ids = [
        graph.upsert_entity(n, "organization" if "Hospital" in n else "event", embedding=v).entity.id
        for n, v in zip(names, vectors, strict=True)
    ]
    assert ids[0] == ids[1]  # similar names of one place
    assert ids[2] != ids[3]  # similar, but below the threshold: two different events
    assert "Saint Mary's Hospital" in graph.entity(ids[0]).aliases


def test_stand_in_name_is_replaced_by_the_proper_name() -> None:
    graph = TemporalGraph()
    stand_in = graph.upsert_entity("User's husband", "person").entity
    john = graph.upsert_entity("John", "person", aliases=["User's husband"]).entity
    assert john.id == stand_in.id
    assert john.name == "John" and "User's husband" in john.aliases
    assert normalize_name(john.name) == john.normalized_name


def test_full_name_upgrades_a_given_name_and_merge_repoints_relations() -> None:
    graph = TemporalGraph()
    ana = graph.upsert_entity("Ana", "person").entity
    full = graph.upsert_entity("Ana Silva", "person").entity
    assert full.id == ana.id and full.name == "Ana Silva" and "Ana" in full.aliases
    other = graph.upsert_entity("Lisbon", "place").entity
    dup = graph.upsert_entity("Lisboa", "place").entity
    from datetime import UTC, datetime

    now = datetime(2024, 1, 1, tzinfo=UTC)
    rel = graph.add_relation(full.id, "lives_in", dup.id, "Ana lives in Lisboa.", created_at=now).relation
    merge = graph.merge_entities(other.id, dup.id)
    assert merge.removed_entity_id == dup.id
    assert graph.relation(rel.id).target_id == other.id
    assert "Lisboa" in graph.entity(other.id).aliases
    assert dup.id not in graph.entities
