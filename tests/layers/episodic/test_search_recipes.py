"""Search recipes, session granularity, neighbours and time-aware queries, on each store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from memory_service.domain import NewMessage, SearchQuery, TimeWindow
from memory_service.errors import InvalidInputError
from memory_service.runtime import Runtime, build_runtime
from memory_service.settings import Settings
from retrieval.config import RECIPES
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.tokenize import tokenize

NS = "default"
NOW = datetime(2024, 6, 20, 12, 0, tzinfo=UTC)
MAY = datetime(2024, 5, 10, 18, 0, tzinfo=UTC)
FEB = datetime(2024, 2, 3, 18, 0, tzinfo=UTC)

# The same activity in two months; only the date tells them apart.
FEBRUARY = [
    NewMessage("user", "We had dinner at an Italian restaurant downtown with my parents.", FEB),
    NewMessage("assistant", "Sounds lovely, what did you order?", FEB + timedelta(seconds=1)),
    NewMessage("user", "I ordered the mushroom risotto and a tiramisu.", FEB + timedelta(seconds=2)),
]
MAY_SESSION = [
    NewMessage("user", "We had dinner at a Thai restaurant near the river with friends.", MAY),
    NewMessage("assistant", "Nice! Was it spicy?", MAY + timedelta(seconds=1)),
    NewMessage("user", "Very spicy, I had the green curry.", MAY + timedelta(seconds=2)),
]
GARDEN = [
    NewMessage("user", "I planted tomatoes and basil in the garden.", MAY - timedelta(days=3)),
    NewMessage("user", "The basil is growing fast, the tomatoes are slow.", MAY - timedelta(days=2)),
]


@pytest.fixture
def seeded(runtime: Runtime, user_id: str) -> str:
    runtime.episodic.add_messages(NS, f"{user_id}-feb", user_id, FEBRUARY)
    runtime.episodic.add_messages(NS, f"{user_id}-may", user_id, MAY_SESSION)
    runtime.episodic.add_messages(NS, f"{user_id}-garden", user_id, GARDEN)
    return user_id


def search(runtime: Runtime, text: str, user_id: str, **options: object) -> list:  # type: ignore[type-arg]
    return runtime.search.search(NS, SearchQuery(text, user_id, now=NOW, **options))  # type: ignore[arg-type]


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_every_recipe_finds_an_exact_match(runtime: Runtime, seeded: str, recipe: str) -> None:
    hits = search(runtime, "green curry spicy", seeded, recipe=recipe, top_k=3)
    assert hits[0].text == MAY_SESSION[2].content
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False))


def test_dense_and_bm25_recipes_rank_differently(runtime: Runtime, seeded: str) -> None:
    # No word overlap with the stored turn: only the embedding can find it.
    dense = search(runtime, "vegetables in my backyard", seeded, recipe="dense", top_k=2)
    lexical = search(runtime, "vegetables in my backyard", seeded, recipe="bm25", top_k=2)
    assert dense[0].text in {GARDEN[0].content, GARDEN[1].content}
    assert lexical == []


def test_unknown_recipe_is_refused(runtime: Runtime, seeded: str) -> None:
    with pytest.raises(InvalidInputError, match="unknown search recipe 'fastest'"):
        search(runtime, "dinner", seeded, recipe="fastest")


def test_time_phrase_in_the_query_boosts_turns_in_its_range(runtime: Runtime, seeded: str) -> None:
    every = len(FEBRUARY) + len(MAY_SESSION) + len(GARDEN)
    plain = search(runtime, "where did we have dinner in February?", seeded, recipe="hybrid_plain", top_k=every)
    timed = search(runtime, "where did we have dinner in February?", seeded, top_k=every)
    feb_rank = [h.text for h in timed].index(FEBRUARY[0].content)
    assert feb_rank == 0
    assert [h.text for h in plain].index(FEBRUARY[0].content) > 0  # without the phrase, May ranks first
    assert {h.text for h in plain} == {h.text for h in timed}  # boost re-orders, keeps everything


def test_time_filter_recipe_keeps_only_the_range(runtime: Runtime, seeded: str) -> None:
    hits = search(runtime, "what restaurant did we go to last month?", seeded, recipe="hybrid_time_filter")
    assert hits and all(h.occurred_at.month == 5 for h in hits)


def test_explicit_time_range_wins_over_the_query(runtime: Runtime, seeded: str) -> None:
    window = TimeWindow(FEB - timedelta(days=1), FEB + timedelta(days=1))
    hits = search(runtime, "dinner in May", seeded, recipe="hybrid_time_filter", time_range=window)
    assert hits and all(h.occurred_at.month == 2 for h in hits)


def test_session_granularity_ranks_whole_sessions(runtime: Runtime, seeded: str) -> None:
    hits = search(runtime, "tomatoes basil garden", seeded, granularity="session", top_k=3)
    assert [h.id for h in hits][0] == f"{seeded}-garden"
    assert len({h.id for h in hits}) == len(hits)
    best = hits[0]
    assert best.granularity == "session" and best.session_id == best.id
    assert len(best.provenance) == 2 and all(p.startswith("ep_") for p in best.provenance)
    assert "basil" in best.text


def test_neighbours_come_back_in_session_order(runtime: Runtime, seeded: str) -> None:
    hits = search(runtime, "what did the assistant ask about spicy food?", seeded, roles=("assistant",), neighbors=1)
    top = hits[0]
    assert top.text == MAY_SESSION[1].content
    assert [e.content for e in top.context] == [MAY_SESSION[0].content, MAY_SESSION[2].content]
    assert search(runtime, "spicy", seeded, top_k=1)[0].context == ()


def test_mmr_recipe_spreads_results_over_near_duplicates(runtime: Runtime, user_id: str) -> None:
    t = datetime(2024, 1, 1, tzinfo=UTC)
    repeats = [NewMessage("user", f"I really love hiking in the Alps{'!' * i}", t) for i in range(4)]
    other = NewMessage("user", "Hiking boots should be broken in before a long trip.", t)
    runtime.episodic.add_messages(NS, f"{user_id}-hike", user_id, [*repeats, other])
    plain = search(runtime, "hiking in the Alps", user_id, top_k=2)
    diverse = search(runtime, "hiking in the Alps", user_id, top_k=2, recipe="hybrid_mmr")
    assert all("Alps" in h.text for h in plain)
    assert {h.text for h in diverse} >= {other.content}


def test_a_recipe_can_restrict_roles_and_a_request_filter_wins(runtime: Runtime, seeded: str) -> None:
    hits = search(runtime, "spicy food", seeded, recipe="dense_user_turns")
    assert hits and all(h.role == "user" for h in hits)
    asked = search(runtime, "spicy food", seeded, recipe="dense_user_turns", roles=("assistant",))
    assert asked and all(h.role == "assistant" for h in asked)


def test_an_assistants_turns_keep_their_share_of_the_score_and_peoples_keep_all(runtime: Runtime, user_id: str) -> None:
    said = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    turns = [
        NewMessage("user", "I adopted a beagle puppy named Max.", said),
        NewMessage("assistant", "A beagle puppy! Beagle puppies need long walks; Max will love them.", said),
        NewMessage("person", "Sam: my beagle puppy chews every shoe.", said),
    ]
    runtime.episodic.add_messages(NS, f"{user_id}-dog", user_id, turns)
    whole = {
        h.role: h.score for h in search(runtime, "beagle puppy", user_id, recipe="hybrid_assistant_whole", top_k=3)
    }
    half = {h.role: h.score for h in search(runtime, "beagle puppy", user_id, recipe="hybrid", top_k=3)}
    assert half["assistant"] == pytest.approx(whole["assistant"] / 2)
    assert half["user"] == pytest.approx(whole["user"])
    assert half["person"] == pytest.approx(whole["person"])
    # Asked for what the assistant said, its turns keep their whole score.
    asked = "the beagle puppy walks you mentioned"
    recalled = {h.role: h.score for h in search(runtime, asked, user_id, recipe="hybrid", top_k=3)}
    unweighted = {h.role: h.score for h in search(runtime, asked, user_id, recipe="hybrid_assistant_whole", top_k=3)}
    assert recalled == pytest.approx(unweighted)


SWIM_QUESTION = "Sam: How often do you and the kids go swimming together?"
SWIM_ANSWER = "Three times a week, usually at the lake."


def _swim_chat(runtime: Runtime, user_id: str) -> None:
    said = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    turns = [
        NewMessage("person", SWIM_QUESTION, said),
        NewMessage("user", SWIM_ANSWER, said + timedelta(seconds=1)),
        NewMessage("person", "Sam: I bought a new bike yesterday, a red one.", said + timedelta(seconds=2)),
    ]
    runtime.episodic.add_messages(NS, f"{user_id}-chat", user_id, turns)
    runtime.episodic.add_messages(NS, f"{user_id}-bread", user_id, [NewMessage("user", "I baked rye bread.", said)])


def _scores(runtime: Runtime, query: str, user_id: str, recipe: str) -> dict[str, float]:
    return {h.text: h.score for h in search(runtime, query, user_id, recipe=recipe, top_k=10)}


def test_an_answer_gets_a_share_of_its_questions_score(runtime: Runtime, user_id: str) -> None:
    _swim_chat(runtime, user_id)
    query = "how often does the family swim"
    linked = _scores(runtime, query, user_id, "hybrid")
    unlinked = _scores(runtime, query, user_id, "hybrid:answer_weight=0")
    question_score = unlinked[SWIM_QUESTION]
    assert linked[SWIM_QUESTION] == pytest.approx(question_score)
    credit = RECIPES["hybrid"].answer_weight * question_score
    assert linked[SWIM_ANSWER] == pytest.approx(unlinked[SWIM_ANSWER] + credit)
    assert list(linked)[:2] == [SWIM_QUESTION, SWIM_ANSWER]


def test_a_short_turn_keeps_the_share_of_its_score_its_length_earns(runtime: Runtime, user_id: str) -> None:
    said = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    short = "Sam: Thanks, Max!"
    long = (
        "Sam: Max the beagle chewed my new running shoes while we were hiking in the hills last Sunday, "
        "then he rolled in mud, chased two geese across the pond and slept the whole drive home to Denver."
    )
    runtime.episodic.add_messages(NS, f"{user_id}-s", user_id, [NewMessage("person", short, said)])
    runtime.episodic.add_messages(NS, f"{user_id}-l", user_id, [NewMessage("person", long, said)])
    full_terms = 20
    weighted = _scores(runtime, "Max", user_id, f"hybrid:short_turn_terms={full_terms}")
    whole = _scores(runtime, "Max", user_id, "hybrid")
    assert len(tokenize(long)) >= full_terms
    assert weighted[long] == pytest.approx(whole[long])
    assert weighted[short] == pytest.approx(whole[short] * len(tokenize(short)) / full_terms)


def test_a_users_short_statement_is_not_buried_under_longer_turns(runtime: Runtime, user_id: str) -> None:
    said = datetime(2024, 5, 1, tzinfo=UTC)
    statement = "I'm allergic to peanuts."
    sessions = {
        "a": [
            NewMessage("user", statement, said),
            NewMessage(
                "assistant",
                "Thanks for telling me. I'll suggest peanut-free recipes; many Thai and West African dishes use "
                "peanuts, so I will offer substitutes such as sunflower seed butter or toasted coconut.",
                said,
            ),
        ],
        "b": [
            NewMessage(
                "user",
                "My sister has a severe allergy to shellfish and she is visiting next week, so I need to plan "
                "meals for the whole week that she can safely eat with us at home.",
                said,
            )
        ],
        "c": [
            NewMessage(
                "user",
                "I started learning to play the piano last month and practice every evening after work for "
                "about thirty minutes, mostly scales and simple pieces by Bach.",
                said,
            )
        ],
    }
    for name, messages in sessions.items():
        runtime.episodic.add_messages(NS, f"{user_id}-{name}", user_id, messages)
    # The default has no length prior: at 20 terms (hybrid:short_turn_terms=20) this statement
    # fell below the piano lessons.
    assert search(runtime, "what am I allergic to?", user_id, top_k=3)[0].text == statement


def _yoga_chat(runtime: Runtime, user_id: str) -> tuple[str, str]:
    said = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    # The speakers are named by metadata alone: neither text says who speaks.
    hers = "I've started aerial yoga on Tuesdays."
    his = "Yoga is how I relax: a beginner yoga class, yoga breathing and yoga poses every morning."
    turns = [
        NewMessage("user", his, said, {"speaker": "John"}),
        NewMessage("person", hers, said + timedelta(seconds=1), {"speaker": "Maria"}),
    ]
    runtime.episodic.add_messages(NS, f"{user_id}-yoga", user_id, turns)
    return hers, his


def test_a_query_naming_one_speaker_weights_the_others_turns(runtime: Runtime, user_id: str) -> None:
    hers, his = _yoga_chat(runtime, user_id)
    query = "What yoga does Maria do?"
    weighted = _scores(runtime, query, user_id, "hybrid")
    unweighted = _scores(runtime, query, user_id, "hybrid:named_speaker_weight=1")
    assert list(unweighted)[0] == his  # his turn says "yoga" four times
    assert list(weighted)[0] == hers
    assert weighted[hers] == pytest.approx(unweighted[hers])
    assert weighted[his] == pytest.approx(unweighted[his] * RECIPES["hybrid"].named_speaker_weight)
    # Naming both speakers, or none, names no one subject: nothing is weighted.
    for both in ("What yoga do Maria and John do?", "What yoga is done?"):
        assert _scores(runtime, both, user_id, "hybrid") == _scores(
            runtime, both, user_id, "hybrid:named_speaker_weight=1"
        )


@pytest.mark.parametrize(
    ("chat", "query"),
    [("answers", "how often does the family swim"), ("speakers", "What yoga does Maria do?")],
)
def test_answers_and_speakers_are_read_again_when_the_index_is_rebuilt(
    runtime: Runtime, user_id: str, settings: Settings, embedder: SentenceTransformerEmbedder, chat: str, query: str
) -> None:
    (_swim_chat if chat == "answers" else _yoga_chat)(runtime, user_id)
    before = _scores(runtime, query, user_id, "hybrid")
    reopened = build_runtime(settings, embedder=embedder)
    try:
        assert _scores(reopened, query, user_id, "hybrid") == pytest.approx(before)
    finally:
        reopened.close()
