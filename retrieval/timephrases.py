"""Vocabulary and calendar arithmetic behind :mod:`retrieval.timeparse`.

Kept apart so the parser module holds only the phrase rules. Everything here
works on ``date`` objects and turns them into timezone-aware midnights at the
last moment, so day boundaries are always wall-clock midnights in the caller's
timezone (also across DST changes). Standard library only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal

Span = tuple[datetime | None, datetime | None]
Unit = Literal["hour", "day", "week", "month", "year"]

NUMBER_WORDS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
# Vague counts as (fewest, most) units: "a few weeks ago" covers 2..5 weeks ago.
VAGUE_COUNTS: dict[str, tuple[int, int]] = {"couple": (1, 3), "few": (2, 5), "several": (3, 7)}

MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
MONTH_ABBREVIATIONS: dict[str, int] = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sept": 9,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
# Month words that are also common verbs, names or adjectives ("May I", "march on",
# "April said", "an august body"); they need surrounding context to count as months.
AMBIGUOUS_MONTHS = frozenset(MONTH_ABBREVIATIONS) | {"may", "march", "april", "june", "august"}
WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
# Meteorological seasons, northern hemisphere: first month of each three-month season.
SEASONS: dict[str, int] = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}

# Words before a month or season that make it a date ("in May", "early March").
MONTH_CONTEXT: frozenset[str] = frozenset(
    {
        "in", "during", "since", "before", "after", "until", "till", "of", "last", "this", "next",
        "early", "late", "mid", "through", "throughout", "from", "between", "past", "over",
    }
)  # fmt: skip
SEASON_CONTEXT: frozenset[str] = MONTH_CONTEXT | {"the", "all"}
# Weaker joiners ("between March and May"): accepted unless a verb-like word follows.
WEAK_CONTEXT: frozenset[str] = frozenset({"and", "or", "to", "on"})
# Words after an ambiguous month that betray a verb ("and may I", "to march on").
VERB_FOLLOWERS: frozenset[str] = frozenset(
    {
        "i", "we", "you", "he", "she", "it", "they", "be", "have", "not", "also", "never", "still",
        "on", "forward", "ahead", "into", "down", "up", "along", "off", "away", "back", "across", "said",
    }
)  # fmt: skip

# Words that may follow "the 3rd" when it is a day of the month rather than "the 3rd time".
ORDINAL_FOLLOWERS: frozenset[str] = frozenset(
    {
        "at", "when", "i", "we", "you", "he", "she", "they", "did", "was", "were", "with",
        "about", "around", "so", "but", "then", "what", "while", "before", "after", "during",
    }
)  # fmt: skip
# Words before a bare year that make it a year rather than any number ("in 2022", "mid-2022").
YEAR_CONTEXT: frozenset[str] = frozenset(
    {
        "in", "during", "since", "before", "after", "until", "till", "of", "throughout", "from",
        "between", "and", "to", "through", "year", "early", "late", "mid", "by",
    }
)  # fmt: skip


def month_number(word: str) -> int:
    """Map a month name or abbreviation (optionally with a dot) to 1..12."""
    key = word.lower().rstrip(".")
    return MONTHS.get(key) or MONTH_ABBREVIATIONS[key]


def count_of(word: str) -> int:
    """Turn a digit string or number word into an int."""
    key = word.lower()
    return int(key) if key.isdigit() else NUMBER_WORDS[key]


def midnight(day: date, tz: tzinfo) -> datetime:
    """Wall-clock start of ``day`` in ``tz``; the building block of every calendar range."""
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def days_span(first: date, days: int, tz: tzinfo) -> Span:
    """``days`` whole calendar days starting at ``first``."""
    return midnight(first, tz), midnight(first + timedelta(days=days), tz)


def month_first(year: int, month: int, shift: int = 0) -> date:
    """First day of the month ``shift`` months away from ``year``/``month``."""
    index = year * 12 + (month - 1) + shift
    return date(index // 12, index % 12 + 1, 1)


def shift_months(day: date, months: int) -> date:
    """Same day-of-month ``months`` away, clamped to the month's length (Mar 31 - 1 -> Feb 28)."""
    first = month_first(day.year, day.month, months)
    last = (month_first(first.year, first.month, 1) - timedelta(days=1)).day
    return first.replace(day=min(day.day, last))


def month_span(year: int, month: int, tz: tzinfo) -> Span:
    """The whole calendar month."""
    return midnight(date(year, month, 1), tz), midnight(month_first(year, month, 1), tz)


def year_span(year: int, tz: tzinfo) -> Span:
    """The whole calendar year."""
    return midnight(date(year, 1, 1), tz), midnight(date(year + 1, 1, 1), tz)


def week_monday(day: date) -> date:
    """Monday of the calendar week holding ``day`` (weeks start on Monday)."""
    return day - timedelta(days=day.weekday())


def calendar_span(unit: str, offset: int, today: date, tz: tzinfo) -> Span:
    """The calendar week/weekend/month/year ``offset`` units away from the one holding today."""
    monday = week_monday(today) + timedelta(weeks=offset)
    if unit == "week":
        return days_span(monday, 7, tz)
    if unit == "weekend":
        return days_span(monday + timedelta(days=5), 2, tz)
    if unit == "month":
        first = month_first(today.year, today.month, offset)
        return month_span(first.year, first.month, tz)
    return year_span(today.year + offset, tz)


def most_recent_date(month: int, day: int, today: date) -> date:
    """Latest ``month``/``day`` not after today (looking back past missing Feb 29ths)."""
    for year in range(today.year, today.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise ValueError(f"no such date: {month}/{day}")


def most_recent_day_of_month(day: int, today: date) -> date | None:
    """Latest date with day-of-month ``day`` not after today (the 31st skips short months)."""
    for back in range(13):
        first = month_first(today.year, today.month, -back)
        try:
            found = first.replace(day=day)
        except ValueError:
            continue
        if found <= today:
            return found
    return None


def season_bounds(start_month: int, year: int) -> tuple[date, date]:
    """First day of the season starting in ``year`` and first day after it."""
    return date(year, start_month, 1), month_first(year, start_month, 3)


def season_year(start_month: int, modifier: str | None, today: date) -> int:
    """Start year of the season instance that ``modifier`` (last/this/next/None) points at."""
    year = today.year
    if modifier in ("last", "past"):  # most recent season that has fully ended
        while season_bounds(start_month, year)[1] > today:
            year -= 1
    elif modifier == "next":  # first season that starts after today
        while season_bounds(start_month, year)[0] <= today:
            year += 1
    elif modifier == "this":  # the one under way, else the one starting this calendar year
        first, after = season_bounds(start_month, year - 1)
        if first <= today < after:
            year -= 1
    elif season_bounds(start_month, year)[0] > today:  # bare: most recent one that has started
        year -= 1
    return year


def season_span(start_month: int, year: int, tz: tzinfo) -> Span:
    """Season starting in ``year`` (winter 2023 = Dec 2023 .. Feb 2024)."""
    first, after = season_bounds(start_month, year)
    return midnight(first, tz), midnight(after, tz)


def rolling_start(now: datetime, unit: Unit, count: int) -> datetime:
    """``now`` moved back ``count`` units; hours are absolute, longer units keep wall time."""
    if unit == "hour":
        return (now.astimezone(UTC) - timedelta(hours=count)).astimezone(now.tzinfo)
    if unit in ("day", "week"):
        return now - timedelta(days=count * (7 if unit == "week" else 1))
    moved = shift_months(now.date(), -count * (12 if unit == "year" else 1))
    return now.replace(year=moved.year, month=moved.month, day=moved.day)


# Half-width in days of the window around the target day of "N <unit> ago": the window
# is one unit wide (1, 7, 31, 365 days) and centred on that day.
AGO_HALF_WIDTH: dict[str, int] = {"day": 0, "week": 3, "month": 15, "year": 182}


def ago_span(today: date, unit: Unit, fewest: int, most: int, tz: tzinfo) -> Span:
    """Union of the "N <unit> ago" windows for N in fewest..most (exact counts: fewest == most)."""

    def target(count: int) -> date:
        if unit in ("day", "week"):
            return today - timedelta(days=count * (7 if unit == "week" else 1))
        return shift_months(today, -count * (12 if unit == "year" else 1))

    half = AGO_HALF_WIDTH[unit]
    first = target(most) - timedelta(days=half)
    last = target(fewest) + timedelta(days=half + 1)
    return midnight(first, tz), midnight(last, tz)
