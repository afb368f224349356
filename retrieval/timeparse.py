"""Find time expressions in a search query and resolve them to time ranges.

The retrieval engine uses the result to filter or boost episodes by ``occurred_at``.
Everything is resolved against a reference time ``now`` that must be timezone-aware.

Conventions (calendar arithmetic lives in :mod:`retrieval.timephrases`):

* A range is ``[start, end)``: ``start`` inclusive, ``end`` exclusive, both in the
  timezone of ``now``; ``None`` means open-ended (only from "before"/"after"/"until").
* Calendar units are whole: a day is ``[00:00, next 00:00)`` in now's timezone, weeks
  run Monday..Sunday, months and years are calendar months and years. "last/this/next
  week|weekend|month|year" are the previous/current/next such unit.
* Day words: "today", "tonight", "this morning/afternoon/evening" are today; "yesterday"
  and "last night" are yesterday; "the day before yesterday" is two days back.
* Rolling windows end at ``now``: "past/last N days" and "in the last/past N ..." start N
  units before now ("the past week" = 7 days, "past few days" uses the upper count);
  "recently"/"lately" are the last 30 days; "earlier today/this week" start at the unit.
* "N <unit> ago" is a window one unit wide, in whole days, centred on the day N units
  back: days -> that day, weeks -> 7 days, months -> 31 days, years -> 365 days. Vague
  counts cover several windows: a couple = 1..3, a few = 2..5, several = 3..7 units ago.
* Bare names mean the most recent such period that has started (months, seasons) or
  is not after today (dates like "May 30", "the 3rd"): "in May" said in May is this May.
  "last May"/"last summer" is the most recent one that is over; weekdays ("Monday",
  "on Monday", "last Monday") are the most recent one before today; "this Monday" is in
  the current week; "next Monday"/"next May" the first one after today/this month.
* Seasons are northern meteorological ones (spring = Mar..May, ..., winter = Dec..Feb)
  and are named after the year they start in: "winter 2022" = Dec 2022..Feb 2023.
* "since X" = [X.start, now); "before X" = (.., X.start); "after X" = [X.end, ..);
  "until X" = (.., X.end); "between X and Y" / "from X to Y" = [X.start, Y.end).
  "N <unit> before X" = [X.start - N units, X.end) and "N <unit> after X" =
  [X.start, X.end + N units) ("the week before May 3", "two weeks after May 3"): X's own
  span is kept, as what happened in the weeks before a day is often told on that day.
* Ambiguous words need context: "May", "March", "April", "June", "August" and month
  abbreviations only count after "in", "since", "last", ... or next to a day/year
  ("May I ask" is not a date); bare years need a preposition ("in 2022"); "the 3rd" is a
  date only when not followed by a noun ("the 3rd time"); ordinal words are ignored.
* Phrases naming an event instead of a date ("since I moved") cannot be resolved here
  and yield nothing; a later layer resolves events from memory. When such a clause
  mentions a date ("since I moved last year"), "since" applies to that date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import cast

from retrieval import timephrases as tp
from retrieval.timephrases import Span, Unit


@dataclass(frozen=True)
class TimeRange:
    """A resolved time expression: ``[start, end)`` plus the text it came from."""

    start: datetime | None
    end: datetime | None
    phrase: str


@dataclass(frozen=True)
class _Ctx:
    now: datetime
    today: date
    tz: tzinfo


Handler = Callable[[re.Match[str], _Ctx], Span | None]

_NUM = r"\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|an?"
_COUNT = rf"(?:(?P<vague>(?:a\s+)?(?:couple(?:\s+of)?|few|several))|(?P<n>{_NUM}))"
_UNIT = r"(?P<unit>hour|day|week|month|year)s?"
_MONTH = rf"(?P<mon>(?:{'|'.join(tp.MONTHS)})\b|(?:{'|'.join(tp.MONTH_ABBREVIATIONS)})\b\.?)"
_YEAR = r"(?P<year>(?:19|20)\d{2})\b"
_DAY = r"(?P<day>\d{1,2})"
_ORD = r"(?:st|nd|rd|th)"
_CLOCK = r"(?:T\d[\d:.]*(?:Z|[+-][\d:]+)?)?"  # time of an ISO timestamp, ignored
_WEEKDAY = rf"(?P<wd>{'|'.join(tp.WEEKDAYS)})\b"
_SEASON = rf"(?P<season>{'|'.join(tp.SEASONS)})\b"


def _prev_word(m: re.Match[str], group: str | int = 0) -> str:
    """Lower-cased word just before ``group`` ("mid-" counts as "mid")."""
    start = m.start(group)
    found = re.search(r"([a-z]+)[\s-]*$", m.string[max(0, start - 40) : start], re.IGNORECASE)
    return found.group(1).lower() if found else ""


def _next_word(m: re.Match[str]) -> str:
    """Lower-cased word right after the match, or "" when punctuation or the end follows."""
    found = re.match(r"\s+([a-z']+)", m.string[m.end() : m.end() + 40], re.IGNORECASE)
    return found.group(1).lower() if found else ""


def _month_in_context(m: re.Match[str], day_before: bool = False) -> bool:
    """Whether the month word in ``m`` is really a month ("in May", not "May I ask")."""
    if m.group("mon").lower().rstrip(".") not in tp.AMBIGUOUS_MONTHS:
        return True
    previous = _prev_word(m, "mon")
    if previous in tp.MONTH_CONTEXT:
        return True
    weak = day_before or previous in tp.WEAK_CONTEXT
    return weak and _next_word(m) not in tp.VERB_FOLLOWERS


def _count_range(m: re.Match[str]) -> tuple[int, int]:
    """(fewest, most) for the count group: exact for numbers, a spread for vague words."""
    if m.group("vague"):
        word = re.search(r"couple|few|several", m.group("vague"), re.IGNORECASE)
        return tp.VAGUE_COUNTS[cast(re.Match[str], word).group(0).lower()]
    n = tp.count_of(m.group("n"))
    return n, n


def _day(offset: int) -> Handler:
    """Handler for a single calendar day ``offset`` days from today."""
    return lambda m, c: tp.days_span(c.today + timedelta(days=offset), 1, c.tz)


def _earlier(m: re.Match[str], c: _Ctx) -> Span:
    """ "earlier today/this week/...": from the start of that unit up to now."""
    what = m.group("what").lower().split()[-1]
    start = tp.calendar_span(what, 0, c.today, c.tz)[0] if what != "today" else tp.midnight(c.today, c.tz)
    return start, c.now


_OFFSETS = {"last": -1, "previous": -1, "past": -1, "this": 0, "next": 1, "coming": 1}


def _relative(m: re.Match[str], c: _Ctx) -> Span | None:
    """ "last/this/next week|weekend|month|year" (calendar units); "past week" is rolling."""
    mod, unit = m.group("mod").lower(), m.group("unit").lower()
    if mod == "past" and unit != "weekend":
        return None
    return tp.calendar_span(unit, _OFFSETS[mod], c.today, c.tz)


def _rolling(m: re.Match[str], c: _Ctx) -> Span | None:
    """ "past 3 days", "in the last week": a window ending now; vague counts use the upper bound."""
    counted = m.group("vague") or m.group("n")
    if not counted and not m.group("the") and m.group("mod").lower() == "last":
        return None  # plain "last week" is the calendar week
    most = _count_range(m)[1] if counted else 1
    return tp.rolling_start(c.now, cast(Unit, m.group("unit").lower()), most), c.now


def _ago(m: re.Match[str], c: _Ctx) -> Span | None:
    """ "3 days ago", "a couple of weeks ago" (see module docstring for the windows)."""
    unit = m.group("unit").lower()
    if unit == "hour":
        return None
    fewest, most = _count_range(m)
    return tp.ago_span(c.today, cast(Unit, unit), fewest, most, c.tz)


def _recently(m: re.Match[str], c: _Ctx) -> Span:
    """ "recently"/"lately": the last 30 days."""
    return c.now - timedelta(days=30), c.now


def _iso_date(m: re.Match[str], c: _Ctx) -> Span:
    """ "2023-05-30" or "2023/05/30"."""
    day = date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    return tp.days_span(day, 1, c.tz)


def _iso_month(m: re.Match[str], c: _Ctx) -> Span:
    """ "2023-05": the whole month."""
    return tp.month_span(int(m.group("y")), int(m.group("m")), c.tz)


def _month_day(m: re.Match[str], c: _Ctx, day_before: bool = False) -> Span | None:
    """ "May 30", "May 30th, 2023", "30 May 2023", "the 30th of May".

    A day number after the month is context enough; one before it ("5 may be") is not.
    """
    if day_before and not m.group("year") and not _month_in_context(m, day_before):
        return None
    month, day = tp.month_number(m.group("mon")), int(m.group("day"))
    year = m.group("year")
    found = date(int(year), month, day) if year else tp.most_recent_date(month, day, c.today)
    return tp.days_span(found, 1, c.tz)


def _month(m: re.Match[str], c: _Ctx) -> Span | None:
    """ "May", "in May", "May 2023", "last May" (most recent May before this month)."""
    mod = (m.group("mod") or "").lower()
    if not mod and not m.group("year") and not _month_in_context(m):
        return None
    month, year = tp.month_number(m.group("mon")), c.today.year
    if m.group("year"):
        year = int(m.group("year"))
    elif mod == "last":
        year -= month >= c.today.month
    elif mod == "next":
        year += month <= c.today.month
    elif not mod:
        year -= month > c.today.month
    return tp.month_span(year, month, c.tz)


def _weekday(m: re.Match[str], c: _Ctx) -> Span:
    """ "Monday", "last Friday" (most recent one before today), "this"/"next Friday"."""
    mod, target = (m.group("mod") or "last").lower(), tp.WEEKDAYS[m.group("wd").lower()]
    if mod == "this":
        day = tp.week_monday(c.today) + timedelta(days=target)
    elif mod == "next":
        day = c.today + timedelta(days=(target - c.today.weekday()) % 7 or 7)
    else:
        day = c.today - timedelta(days=(c.today.weekday() - target) % 7 or 7)
    return tp.days_span(day, 1, c.tz)


def _ordinal_day(m: re.Match[str], c: _Ctx) -> Span | None:
    """ "on the 3rd": the most recent 3rd of a month, today included."""
    if _next_word(m) and _next_word(m) not in tp.ORDINAL_FOLLOWERS:
        return None  # "the 3rd time", "the 2nd floor"
    found = tp.most_recent_day_of_month(int(m.group("day")), c.today)
    return tp.days_span(found, 1, c.tz) if found else None


def _year(m: re.Match[str], c: _Ctx) -> Span | None:
    """ "in 2022": a year needs a preposition so that other numbers are not dates."""
    if _prev_word(m) not in tp.YEAR_CONTEXT or re.match(r"[.,]\d|\s*%", m.string[m.end() : m.end() + 40]):
        return None
    return tp.year_span(int(m.group("year")), c.tz)


def _season(m: re.Match[str], c: _Ctx) -> Span | None:
    """ "last summer", "winter 2022", "in the spring" (northern meteorological seasons)."""
    mod = m.group("mod").lower() if m.group("mod") else None
    if not mod and not m.group("year") and _prev_word(m, "season") not in tp.SEASON_CONTEXT:
        return None  # "did I fall", "a hot spring"
    start_month = tp.SEASONS[m.group("season").lower()]
    year = int(m.group("year")) if m.group("year") else tp.season_year(start_month, mod, c.today)
    return tp.season_span(start_month, year, c.tz)


_RULES: list[tuple[str, Handler]] = [
    (r"(?:the\s+)?day\s+before\s+yesterday", _day(-2)),
    (r"yesterday|last\s+night", _day(-1)),
    (r"today|tonight|this\s+(?:morning|afternoon|evening)", _day(0)),
    (r"tomorrow", _day(1)),
    (r"earlier\s+(?P<what>today|this\s+(?:week|month|year))", _earlier),
    (rf"(?:this\s+)?(?P<mod>{'|'.join(_OFFSETS)})\s+(?P<unit>week|weekend|month|year)", _relative),
    (
        rf"(?:(?:in|over|during|within|for)\s+)?(?P<the>the\s+)?(?P<mod>last|past)\s+(?:{_COUNT}\s+)?{_UNIT}",
        _rolling,
    ),
    (rf"{_COUNT}\s+{_UNIT}\s+ago", _ago),
    (r"recently|lately", _recently),
    (rf"(?P<y>\d{{4}})(?P<sep>[-/])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}}){_CLOCK}", _iso_date),
    (r"(?P<y>\d{4})-(?P<m>\d{2})(?![-/]?\d)", _iso_month),
    (rf"{_MONTH}\s+{_DAY}{_ORD}?\b(?:,?\s+{_YEAR})?", _month_day),
    (rf"(?:the\s+)?{_DAY}{_ORD}?\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?", lambda m, c: _month_day(m, c, True)),
    (rf"(?:(?P<mod>last|this|next)\s+)?{_MONTH}(?:,?\s+(?:of\s+)?{_YEAR})?", _month),
    (rf"(?:(?P<mod>last|this|next|past)\s+)?{_WEEKDAY}", _weekday),
    (rf"(?:on\s+)?the\s+{_DAY}{_ORD}", _ordinal_day),
    (_YEAR, _year),
    (rf"(?:(?:this\s+)?(?P<mod>last|this|next|past)\s+)?{_SEASON}(?:\s+(?:of\s+)?{_YEAR})?", _season),
]
_COMPILED = [(re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), handler) for pattern, handler in _RULES]

# Connectives that turn an expression into an open or half-open range.
_SINCE = re.compile(r"\b(?:ever\s+)?since\b[^,.;:!?]*$", re.IGNORECASE)
_DIRECT = re.compile(r"\b(?P<kw>before|after|until|till|prior\s+to)\s+$", re.IGNORECASE)
_MEASURED = re.compile(rf"\b(?:the\s+)?(?:{_COUNT}\s+)?{_UNIT}\s+(?P<kw>before|after|prior\s+to)\s+$", re.IGNORECASE)
_PAIR_OPEN = re.compile(r"\b(?:between|from)\s+$", re.IGNORECASE)
_PAIR_JOIN = re.compile(r"\s+(?:and|to|until|till|through|thru)\s+|\s*-\s*", re.IGNORECASE)


@dataclass(frozen=True)
class _Hit:
    begin: int
    stop: int
    span: Span


def _valid(span: Span) -> bool:
    """A range is usable unless both ends are set and it is empty."""
    start, end = span
    return start is None or end is None or start < end


def _base_hits(query: str, c: _Ctx) -> list[_Hit]:
    """All rule matches, longest first when they overlap, returned in text order."""
    hits: list[_Hit] = []
    for pattern, handler in _COMPILED:
        for m in pattern.finditer(query):
            try:
                span = handler(m, c)
            except (ValueError, OverflowError):  # Feb 30, year 0, ...
                span = None
            if span is not None and _valid(span):
                hits.append(_Hit(m.start(), m.end(), span))
    chosen, taken = [], bytearray(len(query))
    for hit in sorted(hits, key=lambda h: (h.begin - h.stop, h.begin)):
        if not any(taken[hit.begin : hit.stop]):
            chosen.append(hit)
            taken[hit.begin : hit.stop] = b"\x01" * (hit.stop - hit.begin)
    return sorted(chosen, key=lambda h: h.begin)


def _connect(gap: str, offset: int, hit: _Hit, c: _Ctx) -> _Hit:
    """Apply "since"/"before"/"after"/"until" found in ``gap`` (the text before ``hit``).

    "since" may be followed by an event clause that mentions the date ("since I moved
    last year"): the result then starts at that date, which safely contains the answer.
    """
    start, end = hit.span
    since = _SINCE.search(gap)
    if since:
        return _Hit(offset + since.start(), hit.stop, (start, c.now))
    measured = _MEASURED.search(gap)
    if measured and start is not None and end is not None:
        # "two weeks before X" is the two weeks up to X, not all time before it; X itself is
        # kept, as what happened in the weeks before a day is often told on that day.
        unit = cast(Unit, measured.group("unit").lower())
        most = _count_range(measured)[1] if measured.group("vague") or measured.group("n") else 1
        if measured.group("kw").lower() == "after":
            return _Hit(offset + measured.start(), hit.stop, (start, tp.rolling_start(end, unit, -most)))
        return _Hit(offset + measured.start(), hit.stop, (tp.rolling_start(start, unit, most), end))
    direct = _DIRECT.search(gap)
    if not direct:
        return hit
    keyword = direct.group("kw").lower()
    if keyword == "after":
        span: Span = (end, None)
    else:
        span = (None, end if keyword in ("until", "till") else start)
    return _Hit(offset + direct.start(), hit.stop, span)


def _combine(query: str, hits: list[_Hit], c: _Ctx) -> list[_Hit]:
    """Merge "between A and B" / "from A to B" pairs and apply connectives."""
    out: list[_Hit] = []
    index, previous_stop = 0, 0
    while index < len(hits):
        hit, gap = hits[index], query[previous_stop : hits[index].begin]
        following = hits[index + 1] if index + 1 < len(hits) else None
        opener = _PAIR_OPEN.search(gap)
        if opener and following and _PAIR_JOIN.fullmatch(query[hit.stop : following.begin]):
            pair = _Hit(previous_stop + opener.start(), following.stop, (hit.span[0], following.span[1]))
            hit, index = (pair, index + 1) if _valid(pair.span) else (hit, index)
        else:
            hit = _connect(gap, previous_stop, hit, c)
        if _valid(hit.span):
            out.append(hit)
        previous_stop, index = hits[index].stop, index + 1
    return out


def _context(now: datetime) -> _Ctx:
    """Check ``now`` and precompute today's date in its timezone."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime (got a naive one); pass e.g. tzinfo=UTC")
    return _Ctx(now=now, today=now.date(), tz=now.tzinfo)


def find_time_expressions(query: str, now: datetime) -> list[TimeRange]:
    """Every time expression in ``query``, resolved against ``now``, in text order."""
    c = _context(now)
    hits = _combine(query, _base_hits(query, c), c)
    return [TimeRange(h.span[0], h.span[1], query[h.begin : h.stop]) for h in hits]


def parse_time_range(query: str, now: datetime) -> TimeRange | None:
    """The single range a query asks about, or None when it names no resolvable time.

    Several expressions ("last Friday in May") are intersected, because each one
    narrows the question; if they do not overlap the first expression wins, as the
    later ones are then more likely part of the content than of the question.
    """
    found = find_time_expressions(query, now)
    if len(found) <= 1:
        return found[0] if found else None
    start = max((r.start for r in found if r.start is not None), default=None)
    end = min((r.end for r in found if r.end is not None), default=None)
    if not _valid((start, end)):
        return found[0]
    return TimeRange(start, end, " & ".join(r.phrase for r in found))
