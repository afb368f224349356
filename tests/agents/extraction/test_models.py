"""The plain values refuse inputs that would corrupt facts downstream."""

from __future__ import annotations

from datetime import datetime

import pytest

from agents.extraction import USER_SUBJECT, CandidateFact, EpisodeText, speaker_subject
from tests.agents.extraction.conftest import NOW


def test_episode_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        EpisodeText("e1", "user", "hi", datetime(2023, 5, 30, 12, 0))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "opinion"}, "kind must be one of"),
        ({"confidence": 1.5}, "confidence"),
        ({"statement": "  "}, "must not be empty"),
        ({"valid_at": datetime(2023, 1, 1)}, "timezone-aware"),
    ],
)
def test_candidate_fact_validates(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "subject": USER_SUBJECT,
        "attribute": "location",
        "statement": "User lives in Berlin.",
        "kind": "fact",
        "valid_at": NOW,
        **changes,
    }
    with pytest.raises(ValueError, match=message):
        CandidateFact(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("role", "subject"),
    [
        ("user", "user"),
        ("Human", "user"),
        ("assistant", None),
        ("system", None),
        ("Caroline", "Caroline"),
        ("  Melanie  ", "Melanie"),
    ],
)
def test_speaker_subject(role: str, subject: str | None) -> None:
    assert speaker_subject(role) == subject
