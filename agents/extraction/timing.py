"""When a fact holds from: relative time phrases resolved against the episode's time.

Built on :mod:`retrieval.timeparse`, which turns phrases into ``[start, end)`` ranges; this
module picks one instant per fact. A range's start is the instant ("since March" -> March 1,
"last Saturday" -> that day), except for "N units ago", whose window is centred on the day
meant ("two weeks ago" -> 14 days back). Ranges open at the start ("before May") say nothing
about when something began and are skipped.

Three readings are added on top of timeparse: "for 3 years" counts back from the episode time
like "for the past 3 years", "the 15th of last month" is that day, not the whole month, and
fixed-date holidays ("since New Year", "at Christmas") are their latest day.
For plans, a bare name whose latest occurrence is over ("in August" said in September, "on
Friday" said on a Saturday) means the next one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from retrieval.timeparse import TimeRange, find_time_expressions

_NUMBER = r"\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|a couple of|several"
# "for 3 years" states a duration up to now; timeparse reads the rolling form "for the past 3 years".
_DURATION = re.compile(
    rf"\bfor (?!the\b)(?:about |around |almost |nearly |over |more than )?(?P<n>{_NUMBER}) "
    r"(?P<unit>days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
# "the 15th of last month": a day inside a relative month, which timeparse reads as the whole month.
_DAY_OF_MONTH = re.compile(
    r"\b(?:on )?the (?P<day>\d{1,2})(?:st|nd|rd|th)? of (?P<which>last|this|next|the previous|the coming) month\b",
    re.IGNORECASE,
)
_MONTH_OFFSET = {"last": -1, "the previous": -1, "this": 0, "next": 1, "the coming": 1}
# Named days that contain a weekday but are not "the last such weekday".
_NAMED_DAYS = re.compile(
    r"\b(?:Black|Good|Cyber|Easter|Palm|Ash|Fat|Super Bowl|Giving|Holy|Shrove|Small Business|Travel) "
    r"(?:Friday|Monday|Sunday|Wednesday|Tuesday|Thursday|Saturday)\b"
)
# Holidays on a fixed date; "last"/"this"/"next" pick the year, a bare name is the latest one.
_HOLIDAYS = {"new year's eve": (12, 31), "new year's day": (1, 1), "new year's": (1, 1), "new year": (1, 1),
             "new years": (1, 1), "christmas eve": (12, 24), "christmas day": (12, 25), "christmas": (12, 25),
             "valentine's day": (2, 14), "halloween": (10, 31)}  # fmt: skip
_HOLIDAY = re.compile(
    r"\b(?:(?P<which>last|this|next)\s+)?(?:the\s+)?(?P<day>"
    + "|".join(sorted((re.escape(name) for name in _HOLIDAYS), key=len, reverse=True))
    + r")(?!\s+(?:party|dinner|gift|present|tree|card|market|sale)s?\b)",
    re.IGNORECASE,
)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")


def _day_of_month(match: re.Match[str], now: datetime) -> TimeRange | None:
    """The day a "the 15th of last month" phrase names, or None for a day the month lacks."""
    month_index = now.year * 12 + now.month - 1 + _MONTH_OFFSET[match.group("which").lower()]
    try:
        day = date(month_index // 12, month_index % 12 + 1, int(match.group("day")))
    except ValueError:
        return None
    start = datetime.combine(day, time(), tzinfo=now.tzinfo)
    return TimeRange(start, start + timedelta(days=1), match.group(0))


def _holiday(match: re.Match[str], now: datetime) -> TimeRange:
    """The day a holiday phrase names: the latest one not after today, or as "last"/"this"/"next" say."""
    month, day_of = _HOLIDAYS[match.group("day").lower()]
    which, today = (match.group("which") or "").lower(), now.date()
    this_year = date(today.year, month, day_of)
    if which == "next":
        year = today.year if this_year > today else today.year + 1
    elif which == "this":
        year = today.year
    elif which == "last":
        year = today.year if this_year < today else today.year - 1
    else:
        year = today.year if this_year <= today else today.year - 1
    start = datetime.combine(date(year, month, day_of), time(), tzinfo=now.tzinfo)
    return TimeRange(start, start + timedelta(days=1), match.group(0))


def time_phrases(text: str, now: datetime) -> list[TimeRange]:
    """Every resolvable time phrase in ``text``, in text order, against the aware time ``now``."""
    found: list[tuple[int, TimeRange]] = []
    masked = _NAMED_DAYS.sub(lambda m: " " * len(m.group(0)), text)
    for match in _DAY_OF_MONTH.finditer(masked):
        resolved = _day_of_month(match, now)
        if resolved is not None:
            found.append((match.start(), resolved))
            masked = masked[: match.start()] + " " * len(match.group(0)) + masked[match.end() :]
    for match in _HOLIDAY.finditer(masked):
        found.append((match.start(), _holiday(match, now)))
        masked = masked[: match.start()] + " " * len(match.group(0)) + masked[match.end() :]
    masked = _DURATION.sub(lambda m: f"for the past {m.group('n')} {m.group('unit')}", masked)
    for resolved in find_time_expressions(masked, now):
        found.append((masked.find(resolved.phrase), resolved))
    return [resolved for _, resolved in sorted(found, key=lambda item: item[0])]


def range_instant(resolved: TimeRange) -> datetime | None:
    """The instant a range stands for as a fact's start (see the module docstring)."""
    start, end = resolved.start, resolved.end
    if start is None:
        return None
    if end is not None and re.search(r"\bago\b", resolved.phrase, re.IGNORECASE):
        middle = start + (end - start) / 2
        return datetime.combine(middle.date(), time(), tzinfo=start.tzinfo)
    return start


_RELATIVE_WORDS = re.compile(
    r"\b(?:last|ago|yesterday|previous|past|earlier|before|since|this|next|today|tonight|recently|lately|\d{4})\b",
    re.IGNORECASE,
)
_WEEKDAY_NAME = re.compile(r"(?:on )?(?:mon|tues|wednes|thurs|fri|satur|sun)day", re.IGNORECASE)


def _shift_ahead(resolved: TimeRange, instant: datetime, now: datetime) -> datetime:
    """For a plan, a bare name already past ("by summer", "on Friday") means the next one.

    timeparse reads bare names as the most recent such period, which is right for what
    happened but wrong for what is planned.
    """
    if resolved.end is None or resolved.end > now or _RELATIVE_WORDS.search(resolved.phrase):
        return instant
    if _WEEKDAY_NAME.fullmatch(resolved.phrase.strip()):
        return instant + timedelta(days=7)
    try:
        return instant.replace(year=instant.year + 1)
    except ValueError:  # February 29
        return instant + timedelta(days=365)


def first_instant(ranges: Sequence[TimeRange], now: datetime, *, ahead: bool = False) -> datetime | None:
    """The instant of the first usable range; with ``ahead``, bare names point to their next occurrence."""
    for resolved in ranges:
        instant = range_instant(resolved)
        if instant is not None:
            return _shift_ahead(resolved, instant, now) if ahead else instant
    return None


def resolve_valid_at(text: str, now: datetime, *, ahead: bool = False) -> datetime | None:
    """The instant the first usable time phrase in ``text`` names, or None when it names none.

    ``ahead`` is for plans: "in August" said in May means the coming August.
    """
    return first_instant(time_phrases(text, now), now, ahead=ahead)


def resolve_when(value: str | None, now: datetime, *, ahead: bool = False) -> datetime | None:
    """Read a model's ``when``: missing means ``now``; ISO dates parse; phrases go through timeparse.

    Naive ISO times take ``now``'s timezone. An unresolvable phrase gives None: an unknown
    start is better than a wrong one. ``ahead`` as in :func:`resolve_valid_at`.
    """
    text = (value or "").strip()
    if not text or text.lower() in ("null", "none", "now", "unknown", "n/a"):
        return now
    if _ISO.fullmatch(text):
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.utcoffset() is not None else parsed.replace(tzinfo=now.tzinfo)
    found = resolve_valid_at(text, now, ahead=ahead)
    if found is None and re.fullmatch(r"[A-Za-z][A-Za-z ]*", text) and not re.match(r"(?:in|on|at)\b", text, re.I):
        found = resolve_valid_at(f"in {text}", now, ahead=ahead)  # a bare "May" is a month here
    return found


def is_ahead(resolved: TimeRange, now: datetime) -> bool:
    """Whether a range reaches past ``now`` (a plan's time: "tomorrow", "next week", "today")."""
    if resolved.start is None:
        return False
    return resolved.end is None or resolved.end > now
