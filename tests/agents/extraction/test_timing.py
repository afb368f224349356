"""valid_at comes from the episode time and the relative phrases in the text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from agents.extraction.timing import resolve_valid_at, resolve_when
from tests.agents.extraction.conftest import NOW


def day(year: int, month: int, date: int) -> datetime:
    return datetime(year, month, date, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I live in Berlin since March", day(2023, 3, 1)),
        ("I went there yesterday", day(2023, 5, 29)),
        ("I moved two weeks ago", day(2023, 5, 16)),  # centre of the "two weeks ago" window
        ("I moved 3 months ago", day(2023, 2, 28)),
        ("I ran a race last Saturday", day(2023, 5, 27)),
        ("we go camping next month", day(2023, 6, 1)),
        ("I graduated on May 3rd", day(2023, 5, 3)),
        ("I repotted it on the 15th of last month", day(2023, 4, 15)),
        ("I joined last Tuesday", day(2023, 5, 23)),
        ("I moved here in 2019", day(2019, 1, 1)),
        ("I went to the Holiday Market a week before Black Friday", None),  # not the last Friday
        ("May I ask you something", None),
        ("nothing about time here", None),
    ],
)
def test_resolve_valid_at(text: str, expected: datetime | None) -> None:
    assert resolve_valid_at(text, NOW) == expected


def test_durations_count_back_from_now() -> None:
    assert resolve_valid_at("I have been vegan for 3 years", NOW) == NOW - timedelta(days=3 * 365)


def test_resolution_uses_the_episode_timezone() -> None:
    tokyo = timezone(timedelta(hours=9))
    now = NOW.astimezone(tokyo)  # already Wednesday in Tokyo
    assert resolve_valid_at("yesterday", now) == datetime(2023, 5, 30, tzinfo=tokyo)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (None, NOW),
        ("", NOW),
        ("2024-03-01", day(2024, 3, 1)),
        ("2024-03-01T10:00:00+02:00", datetime(2024, 3, 1, 10, tzinfo=timezone(timedelta(hours=2)))),
        ("last month", day(2023, 4, 1)),
        ("since March", day(2023, 3, 1)),
        ("May", day(2023, 5, 1)),  # a bare month is a month when it is the whole answer
        ("when I was little", None),
        ("2024-13-45", None),
    ],
)
def test_resolve_when(when: str | None, expected: datetime | None) -> None:
    assert resolve_when(when, NOW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I've lived here since New Year", day(2023, 1, 1)),
        ("since New Year's Day", day(2023, 1, 1)),
        ("we got engaged on New Year's Eve", day(2022, 12, 31)),
        ("I moved in at Christmas", day(2022, 12, 25)),
        ("last Christmas I gave you my heart", day(2022, 12, 25)),
        ("I met her on Halloween", day(2022, 10, 31)),
        ("we're hosting next Christmas", day(2023, 12, 25)),
        ("I bought a Christmas tree", None),  # a thing named after the day, not the day
    ],
)
def test_fixed_date_holidays_are_their_latest_day(text: str, expected: datetime | None) -> None:
    assert resolve_valid_at(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we moved over the summer", day(2022, 6, 1)),  # said in May: the summer before
        ("we moved in the autumn", day(2022, 9, 1)),
        ("we moved in the fall", day(2022, 9, 1)),
        ("I started back in March", day(2023, 3, 1)),
        ("I moved earlier this year", day(2023, 1, 1)),
        ("I retired two years ago", day(2021, 5, 30)),
    ],
)
def test_vague_past_times(text: str, expected: datetime) -> None:
    assert resolve_valid_at(text, NOW) == expected
