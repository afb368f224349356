"""Whole-session keys: weighted reciprocal-rank fusion and the session documents they are built from."""

from __future__ import annotations

from bench.session_keys import fused_sessions, lexical_sessions, user_texts

QUESTION = {
    "question": "which magazines do I subscribe to",
    "haystack_session_ids": ["s1", "s2"],
    "haystack_sessions": [
        [{"role": "user", "content": "I bake bread"}, {"role": "assistant", "content": "magazines magazines"}],
        [{"role": "user", "content": "I subscribe to two magazines"}],
    ],
}


def test_a_ranking_at_weight_zero_changes_nothing_and_a_heavier_one_leads() -> None:
    own, other = ["a", "b", "c"], ["c", "b", "a"]
    assert fused_sessions(own, other, 0.0, 10) == own
    assert fused_sessions(own, other, 3.0, 10)[0] == "c"


def test_a_session_document_is_its_users_words_only() -> None:
    assert user_texts(QUESTION) == ["I bake bread", "I subscribe to two magazines"]
    assert lexical_sessions(QUESTION) == ["s2"]  # the assistant's "magazines" in s1 do not count
