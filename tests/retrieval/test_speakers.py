"""Speaker names: read from metadata, found in a query as whole words, and the others' turns weighted."""

from __future__ import annotations

import pytest

from retrieval.rerank import weight_by_role
from retrieval.speakers import MAX_NAME_LENGTH, SpeakerNames, speaker_of


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"speaker": "Maria"}, "maria"),
        ({"speaker": "  Mary   Ann "}, "mary ann"),
        ({"speaker": ""}, None),
        ({"speaker": 7}, None),
        ({"speaker": "x" * (MAX_NAME_LENGTH + 1)}, None),
        ({}, None),
        (None, None),
    ],
)
def test_the_speaker_is_the_metadata_name_folded(metadata: dict[str, object] | None, expected: str | None) -> None:
    assert speaker_of(metadata) == expected


def test_a_query_names_one_speaker_as_a_whole_word() -> None:
    names = SpeakerNames()
    names.add(["maria", "john", None])
    assert names.named_in("What types of yoga has Maria practiced?") == "maria"
    assert names.named_in("What did MARIA's sister say?") == "maria"
    assert names.named_in("Where do Johnny and Mariana live?") is None  # parts of other words
    assert names.named_in("What do Maria and John both like?") is None  # two speakers: no one subject
    assert names.named_in("What is the weather?") is None
    assert names.named_in("what did maria say?") == "maria"  # a query in lower case names in any case


def test_a_name_that_is_also_a_word_is_read_as_a_name_only_when_capitalized() -> None:
    names = SpeakerNames()
    names.add(["will", "john"])
    assert names.named_in("What will John do next?") == "john"
    assert names.named_in("What will Will do next?") == "will"
    assert names.named_in("what will john do next?") is None  # lower case: both read as names


def test_a_name_added_later_is_found() -> None:
    names = SpeakerNames()
    names.add(["maria"])
    assert names.named_in("Where did Mary Ann go?") is None
    names.add(["mary ann"])
    assert names.named_in("Where did Mary Ann go?") == "mary ann"


def test_no_names_name_no_one() -> None:
    assert SpeakerNames().named_in("Maria?") is None


def test_only_another_named_speakers_turns_are_weighted() -> None:
    scored = [(1, 1.0), (2, 0.9), (3, 0.8)]
    speakers = {1: "john", 2: "maria"}  # turn 3 names no speaker
    names = SpeakerNames()
    names.add(["john", "maria"])
    assert weight_by_role(scored, speakers, names.others("maria", 0.5)) == [(2, 0.9), (3, 0.8), (1, 0.5)]
    assert weight_by_role(scored, speakers, names.others("maria", 1.0)) == scored
