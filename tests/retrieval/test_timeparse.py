"""Time expressions in queries resolve to the documented [start, end) ranges."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest

from retrieval.timeparse import TimeRange, find_time_expressions, parse_time_range

NOW = datetime(2023, 5, 30, 23, 40, tzinfo=UTC)  # a Tuesday, late in the day
TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO_NOW = NOW.astimezone(TOKYO)  # the same instant: Wednesday 2023-05-31 08:40 JST
DST_NOW = datetime(2024, 3, 10, 12, 0, tzinfo=NEW_YORK)  # clocks jumped 02:00 -> 03:00 that morning


def d(year: int, month: int, day: int, hour: int = 0, minute: int = 0, tz: tzinfo = UTC) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


Expected = tuple[datetime | None, datetime | None]

CASES: list[tuple[str, Expected]] = [
    # single days
    ("what did I do today", (d(2023, 5, 30), d(2023, 5, 31))),
    ("What did we talk about yesterday?", (d(2023, 5, 29), d(2023, 5, 30))),
    ("the day before yesterday", (d(2023, 5, 28), d(2023, 5, 29))),
    ("plans for tonight", (d(2023, 5, 30), d(2023, 5, 31))),
    ("what I ate this morning", (d(2023, 5, 30), d(2023, 5, 31))),
    ("last night", (d(2023, 5, 29), d(2023, 5, 30))),
    # calendar units, weeks start on Monday
    ("last week", (d(2023, 5, 22), d(2023, 5, 29))),
    ("this week", (d(2023, 5, 29), d(2023, 6, 5))),
    ("next week", (d(2023, 6, 5), d(2023, 6, 12))),
    ("LAST MONTH", (d(2023, 4, 1), d(2023, 5, 1))),
    ("this month", (d(2023, 5, 1), d(2023, 6, 1))),
    ("next month", (d(2023, 6, 1), d(2023, 7, 1))),
    ("last year", (d(2022, 1, 1), d(2023, 1, 1))),
    ("this year", (d(2023, 1, 1), d(2024, 1, 1))),
    ("last weekend", (d(2023, 5, 27), d(2023, 5, 29))),
    # rolling windows end at now
    ("past 3 days", (d(2023, 5, 27, 23, 40), NOW)),
    ("over the past week", (d(2023, 5, 23, 23, 40), NOW)),
    ("in the last two weeks", (d(2023, 5, 16, 23, 40), NOW)),
    ("in the past 3 months", (d(2023, 2, 28, 23, 40), NOW)),
    ("the last few days", (d(2023, 5, 25, 23, 40), NOW)),
    ("last 24 hours", (d(2023, 5, 29, 23, 40), NOW)),
    ("anything recently?", (d(2023, 4, 30, 23, 40), NOW)),
    ("what have I been reading lately", (d(2023, 4, 30, 23, 40), NOW)),
    ("earlier today", (d(2023, 5, 30), NOW)),
    ("earlier this week", (d(2023, 5, 29), NOW)),
    ("earlier this year", (d(2023, 1, 1), NOW)),
    # "N units ago": one unit wide, centred on the day N units back
    ("3 days ago", (d(2023, 5, 27), d(2023, 5, 28))),
    ("a week ago", (d(2023, 5, 20), d(2023, 5, 27))),
    ("two weeks ago", (d(2023, 5, 13), d(2023, 5, 20))),
    ("a month ago", (d(2023, 4, 15), d(2023, 5, 16))),
    ("one year ago", (d(2021, 11, 29), d(2022, 11, 29))),
    ("a couple of days ago", (d(2023, 5, 27), d(2023, 5, 30))),
    ("a few weeks ago", (d(2023, 4, 22), d(2023, 5, 20))),
    # months: bare = most recent that has started, "last" = most recent that is over
    ("in May", (d(2023, 5, 1), d(2023, 6, 1))),
    ("May 2023", (d(2023, 5, 1), d(2023, 6, 1))),
    ("last May", (d(2022, 5, 1), d(2022, 6, 1))),
    ("in June", (d(2022, 6, 1), d(2022, 7, 1))),
    ("this June", (d(2023, 6, 1), d(2023, 7, 1))),
    ("early March", (d(2023, 3, 1), d(2023, 4, 1))),
    ("last December", (d(2022, 12, 1), d(2023, 1, 1))),
    ("in jan", (d(2023, 1, 1), d(2023, 2, 1))),
    # weekdays: the most recent one before today
    ("on Monday", (d(2023, 5, 29), d(2023, 5, 30))),
    ("last Friday", (d(2023, 5, 26), d(2023, 5, 27))),
    ("Tuesday", (d(2023, 5, 23), d(2023, 5, 24))),
    ("this Friday", (d(2023, 6, 2), d(2023, 6, 3))),
    ("next Tuesday", (d(2023, 6, 6), d(2023, 6, 7))),
    # days of the month and explicit dates
    ("on the 3rd", (d(2023, 5, 3), d(2023, 5, 4))),
    ("what did we discuss the 15th?", (d(2023, 5, 15), d(2023, 5, 16))),
    ("the 31st", (d(2023, 3, 31), d(2023, 4, 1))),
    ("2023-05-30", (d(2023, 5, 30), d(2023, 5, 31))),
    ("2023/05/30", (d(2023, 5, 30), d(2023, 5, 31))),
    ("logged at 2023-05-30T10:00:00Z", (d(2023, 5, 30), d(2023, 5, 31))),
    ("May 30", (d(2023, 5, 30), d(2023, 5, 31))),
    ("30 May 2023", (d(2023, 5, 30), d(2023, 5, 31))),
    ("May 30th, 2023", (d(2023, 5, 30), d(2023, 5, 31))),
    ("the 1st of June", (d(2022, 6, 1), d(2022, 6, 2))),
    ("Feb 29", (d(2020, 2, 29), d(2020, 3, 1))),
    ("Sept. 5", (d(2022, 9, 5), d(2022, 9, 6))),
    ("2023-05", (d(2023, 5, 1), d(2023, 6, 1))),
    ("in 2022", (d(2022, 1, 1), d(2023, 1, 1))),
    # seasons (northern, meteorological, named by the year they start in)
    ("last summer", (d(2022, 6, 1), d(2022, 9, 1))),
    ("this winter", (d(2023, 12, 1), d(2024, 3, 1))),
    ("last winter", (d(2022, 12, 1), d(2023, 3, 1))),
    ("in the spring", (d(2023, 3, 1), d(2023, 6, 1))),
    ("the summer of 2021", (d(2021, 6, 1), d(2021, 9, 1))),
    ("fall 2021", (d(2021, 9, 1), d(2021, 12, 1))),
    # connectives
    ("since last week", (d(2023, 5, 22), NOW)),
    ("ever since yesterday", (d(2023, 5, 29), NOW)),
    ("before 2020", (None, d(2020, 1, 1))),
    ("after May", (d(2023, 6, 1), None)),
    ("until yesterday", (None, d(2023, 5, 30))),
    ("between March and May", (d(2023, 3, 1), d(2023, 6, 1))),
    ("from 2019 to 2021", (d(2019, 1, 1), d(2022, 1, 1))),
    ("since I moved last year", (d(2022, 1, 1), NOW)),
    # a measured stretch before or after a date, the date itself kept
    ("the week before May 3, 2023", (d(2023, 4, 26), d(2023, 5, 4))),
    ("two weeks before April 11", (d(2023, 3, 28), d(2023, 4, 12))),
    ("a few days after May 3", (d(2023, 5, 3), d(2023, 5, 9))),
    ("a month after March 2023", (d(2023, 3, 1), d(2023, 5, 1))),
    ("what did I buy three days prior to May 20", (d(2023, 5, 17), d(2023, 5, 21))),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[query for query, _ in CASES])
def test_phrase_resolves_to_range(query: str, expected: Expected) -> None:
    found = parse_time_range(query, NOW)
    assert found is not None
    assert (found.start, found.end) == expected
    assert found.phrase and found.phrase.lower() in query.lower()


OTHER_ZONE_CASES: list[tuple[str, datetime, Expected]] = [
    ("today", TOKYO_NOW, (d(2023, 5, 31, tz=TOKYO), d(2023, 6, 1, tz=TOKYO))),
    ("yesterday", TOKYO_NOW, (d(2023, 5, 30, tz=TOKYO), d(2023, 5, 31, tz=TOKYO))),
    ("3 days ago", TOKYO_NOW, (d(2023, 5, 28, tz=TOKYO), d(2023, 5, 29, tz=TOKYO))),
    ("this month", TOKYO_NOW, (d(2023, 5, 1, tz=TOKYO), d(2023, 6, 1, tz=TOKYO))),
    ("on Tuesday", TOKYO_NOW, (d(2023, 5, 30, tz=TOKYO), d(2023, 5, 31, tz=TOKYO))),
    ("today", DST_NOW, (d(2024, 3, 10, tz=NEW_YORK), d(2024, 3, 11, tz=NEW_YORK))),
    ("this weekend", DST_NOW, (d(2024, 3, 9, tz=NEW_YORK), d(2024, 3, 11, tz=NEW_YORK))),
    ("past day", DST_NOW, (d(2024, 3, 9, 12, tz=NEW_YORK), DST_NOW)),
    ("past 24 hours", DST_NOW, (d(2024, 3, 9, 11, tz=NEW_YORK), DST_NOW)),
]


@pytest.mark.parametrize(("query", "now", "expected"), OTHER_ZONE_CASES)
def test_ranges_follow_the_timezone_of_now(query: str, now: datetime, expected: Expected) -> None:
    found = parse_time_range(query, now)
    assert found is not None
    assert (found.start, found.end) == expected
    assert found.start is not None and found.start.tzinfo is now.tzinfo


def test_day_boundaries_are_wall_clock_midnights_across_dst() -> None:
    found = parse_time_range("today", DST_NOW)
    assert found is not None and found.start is not None and found.end is not None
    assert found.end - found.start == timedelta(days=1)  # wall-clock difference
    assert found.end.astimezone(UTC) - found.start.astimezone(UTC) == timedelta(hours=23)


NEGATIVE = [
    "",
    "What is my favourite colour?",
    "May I ask you something?",
    "I may have seen it",
    "5 may be enough",
    "we should march forward",
    "The march was long",
    "what did April say about the budget",
    "on second thought",
    "give me a second",
    "the first time we met",
    "the 3rd time I asked",
    "meet me on the 2nd floor",
    "did I fall asleep",
    "a hot spring",
    "I have 2022 points",
    "room 2023 is booked",
    "version 2.0 release notes",
    "I ran 5 miles",
    "it took 10 days",
    "in a week",
    "2 hours ago",
    "what do we usually discuss on Sundays",
    "2023-02-30",
    "since I moved",
    "before the wedding",
    "after my trip to Rome",
]


@pytest.mark.parametrize("query", NEGATIVE)
def test_no_time_expression(query: str) -> None:
    assert find_time_expressions(query, NOW) == []
    assert parse_time_range(query, NOW) is None


@pytest.mark.parametrize("function", [parse_time_range, find_time_expressions])
def test_naive_now_is_rejected(function: Callable[[str, datetime], object]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        function("yesterday", datetime(2023, 5, 30, 23, 40))


def test_all_expressions_are_found_in_order() -> None:
    found = find_time_expressions("May I ask what we did yesterday and last week?", NOW)
    assert [r.phrase for r in found] == ["yesterday", "last week"]
    assert found[0] == TimeRange(d(2023, 5, 29), d(2023, 5, 30), "yesterday")


def test_overlapping_expressions_are_intersected() -> None:
    found = parse_time_range("last Friday in May", NOW)
    assert found == TimeRange(d(2023, 5, 26), d(2023, 5, 27), "last Friday & May")
    found = parse_time_range("what did I buy last year before July", NOW)
    assert found is not None and (found.start, found.end) == (d(2022, 1, 1), d(2022, 7, 1))


def test_disjoint_expressions_fall_back_to_the_first() -> None:
    found = parse_time_range("last summer in 2021", NOW)
    assert found == TimeRange(d(2022, 6, 1), d(2022, 9, 1), "last summer")


def test_longest_match_wins() -> None:
    found = find_time_expressions("the day before yesterday", NOW)
    assert [r.phrase for r in found] == ["the day before yesterday"]
    found = find_time_expressions("in the last 3 days", NOW)
    assert [r.phrase for r in found] == ["in the last 3 days"]
