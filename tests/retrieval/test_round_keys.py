from datetime import UTC, datetime

import numpy as np

from retrieval.keys import MAX_ROUND_TURNS, RoundFacts, RoundKeys, TurnRef, unit
from retrieval.lexical import BM25Index
from retrieval.vector_index import FaissFlatIndex

DIM = 4
T = datetime(2024, 5, 1, tzinfo=UTC)


def _vec(*values: float) -> np.ndarray:
    return unit(np.array(values, dtype=np.float32))


def _keys() -> RoundKeys:
    return RoundKeys(FaissFlatIndex(DIM))


def _two_rounds() -> list[TurnRef]:
    """user, assistant, user, assistant in one session."""
    return [TurnRef(pk, 10, "user" if pk % 2 else "assistant", T) for pk in range(1, 5)]


def test_a_user_turn_opens_a_round_and_replies_join_it() -> None:
    keys = _keys()
    turns = _two_rounds()
    vectors = np.stack([_vec(1, 0, 0, 0), _vec(0, 1, 0, 0), _vec(0, 0, 1, 0), _vec(0, 0, 0, 1)])
    keys.add_turns(turns, ["a", "b", "c", "d"], vectors)
    assert keys.members == {1: (1, 2), 3: (3, 4)}
    assert keys.anchor_of == {1: 1, 2: 1, 3: 3, 4: 3}
    # The round's dense key is the unit mean of its turns' vectors.
    np.testing.assert_allclose(keys.dense.vectors([1])[0], _vec(1, 1, 0, 0), atol=1e-6)


def test_evidence_split_across_a_round_is_found_by_its_lexical_key() -> None:
    keys = _keys()
    turns = _two_rounds()
    texts = ["any ideas for my trip to Kyoto?", "visit the Fushimi Inari shrine early", "thanks", "you're welcome"]
    keys.add_turns(turns, texts, np.stack([_vec(1, 0, 0, 0)] * 4))
    ranked = [anchor for anchor, _ in keys.lexical.search("Kyoto shrine", k=5)]
    assert ranked == [1]
    assert keys.expand(ranked, None) == ([1], [2])


def test_a_rounds_lexical_key_scores_like_its_turns_texts_joined() -> None:
    keys = _keys()
    texts = ["any ideas for my trip to Kyoto?", "visit the Fushimi Inari shrine early", "thanks", "you're welcome"]
    keys.add_turns(_two_rounds(), texts, np.stack([_vec(1, 0, 0, 0)] * 4))
    joined = BM25Index()
    joined.add([1, 3], ["\n".join(texts[:2]), "\n".join(texts[2:])])
    for query in ("Kyoto shrine early", "thanks welcome", "trip"):
        assert keys.lexical.search(query, k=5) == joined.search(query, k=5)


def test_a_reply_in_a_later_write_rekeys_the_open_round() -> None:
    keys = _keys()
    keys.add_turns([TurnRef(1, 10, "user", T)], ["my dog is called Pixel"], np.stack([_vec(1, 0, 0, 0)]))
    keys.add_turns([TurnRef(2, 10, "assistant", T)], ["what a lovely name"], np.stack([_vec(0, 1, 0, 0)]))
    assert keys.members == {1: (1, 2)}
    assert len(keys.dense) == 1
    np.testing.assert_allclose(keys.dense.vectors([1])[0], _vec(1, 1, 0, 0), atol=1e-6)
    assert [a for a, _ in keys.lexical.search("lovely Pixel", k=5)] == [1]


def test_sessions_keep_their_own_rounds_and_a_leading_reply_opens_one() -> None:
    keys = _keys()
    turns = [TurnRef(1, 10, "assistant", T), TurnRef(2, 20, "user", T), TurnRef(3, 10, "assistant", T)]
    keys.add_turns(turns, ["hello", "hi", "how can I help"], np.stack([_vec(1, 0, 0, 0)] * 3))
    assert keys.members == {1: (1, 3), 2: (2,)}


def test_long_streams_of_replies_are_split() -> None:
    keys = _keys()
    count = MAX_ROUND_TURNS + 2
    turns = [TurnRef(1, 10, "user", T)] + [TurnRef(pk, 10, "tool", T) for pk in range(2, count + 1)]
    keys.add_turns(turns, [f"t{i}" for i in range(count)], np.stack([_vec(1, 0, 0, 0)] * count))
    assert [len(m) for m in keys.members.values()] == [MAX_ROUND_TURNS, count - MAX_ROUND_TURNS]


def test_filters_apply_to_rounds_and_to_the_turns_they_expand_to() -> None:
    keys = _keys()
    turns = [TurnRef(1, 10, "user", T), TurnRef(2, 10, "assistant", T), TurnRef(3, 20, "user", T)]
    keys.add_turns(turns, ["a", "b", "c"], np.stack([_vec(1, 0, 0, 0)] * 3))
    assert keys.allowed_anchors({2}) == {1}
    assert keys.allowed_anchors(None) is None
    assert keys.expand([1, 3], {2}) == ([], [2])
    assert keys.allowed_anchors(set()) == set()


def test_facts_join_a_round_key_and_leave_it_when_gone() -> None:
    keys = _keys()
    turns = [TurnRef(1, 10, "user", T), TurnRef(2, 10, "assistant", T), TurnRef(3, 10, "user", T)]
    texts = {1: "we got a puppy", 2: "congratulations", 3: "thanks"}
    vectors = {1: _vec(1, 0, 0, 0), 2: _vec(0, 1, 0, 0), 3: _vec(0, 0, 1, 0)}
    keys.add_turns(turns, list(texts.values()), np.stack(list(vectors.values())))

    def turn_vectors(pks: object) -> np.ndarray:
        return np.stack([vectors[pk] for pk in pks])  # type: ignore[attr-defined]

    def turn_texts(pks: object) -> dict[int, str]:
        return {pk: texts[pk] for pk in pks}  # type: ignore[attr-defined]

    facts = {1: RoundFacts.of(["user owns a beagle named Biscuit"], np.stack([_vec(0, 0, 0, 1)]))}
    assert keys.set_facts(facts, turn_vectors, turn_texts) == 1
    assert [a for a, _ in keys.lexical.search("beagle Biscuit", k=5)] == [1]
    np.testing.assert_allclose(keys.dense.vectors([1])[0], _vec(1, 1, 0, 1), atol=1e-6)
    assert keys.set_facts(facts, turn_vectors, turn_texts) == 0  # unchanged facts re-key nothing

    # A reply joining the open round keeps the facts of that round in its key.
    keys.add_turns([TurnRef(4, 10, "assistant", T)], ["welcome"], np.stack([_vec(0, 1, 0, 0)]))
    facts[3] = RoundFacts.of(["user said thanks"], np.stack([_vec(0, 0, 0, 1)]))
    keys.set_facts(facts, turn_vectors, turn_texts)
    keys.add_turns([TurnRef(5, 10, "tool", T)], ["ok"], np.stack([_vec(0, 0, 1, 0)]))
    assert [a for a, _ in keys.lexical.search("said thanks", k=5)] == [3]

    assert keys.set_facts({}, turn_vectors, turn_texts) == 2
    assert keys.lexical.search("beagle", k=5) == []
    np.testing.assert_allclose(keys.dense.vectors([1])[0], _vec(1, 1, 0, 0), atol=1e-6)
