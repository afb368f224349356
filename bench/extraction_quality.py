"""Precision and recall of the statement extractors on a labelled dev set, per kind of item.

Reads ``tests/data/extraction_dev.jsonl`` (one conversation turn per line, with the statements a
careful reader takes from it), runs each extractor on every item alone and compares what it
proposes with the labels:

* a prediction matches an expected statement of the same item when the subject is equal
  (case-insensitive), the attribute family is equal (the part before the first colon, with
  ``residence``/``home`` read as ``location`` and ``occupation`` as ``job``), the polarity agrees
  (``holds`` against not-holds: ``stopped`` and ``negated`` are both "not holds") and every word
  of the expected value appears in the predicted text (lower-cased, punctuation stripped; a word
  also matches a longer word it begins, "vegetarian" in "vegetarians");
* each expected statement matches at most one prediction (greedy, in label order);
* precision = matched predictions / predictions, recall = matched expected / expected;
* time: of the matched expected statements that carry ``valid_from``, the share whose predicted
  time falls inside the labelled period (``valid_from`` to ``valid_until``, each at the
  precision written: ``2024``, ``2024-09``, ``2024-09-14``). For a statement that no longer holds
  the labelled time is when it ended, and the predicted time is the prediction's ``valid_until``
  when it has one, else its ``valid_from``.

    python -m bench.extraction_quality [--extractor facts|graph|statements|semantic|all] [--show-misses N] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from agents.extraction import EpisodeText
from bench.extraction_adapters import ADAPTERS, Adapter, Predicted

DEV_SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "extraction_dev.jsonl"

KINDS: tuple[str, ...] = (
    "shared_subject",
    "present_state",
    "change",
    "ending",
    "relative_time",
    "not_a_statement",
    "plain",
)
"""What an item tests, in the order the table prints them."""

POLARITIES: tuple[str, ...] = ("holds", "stopped", "negated")

FAMILY_ALIASES = {"residence": "location", "home": "location", "occupation": "job"}


@dataclass(frozen=True, slots=True)
class Expected:
    """One labelled statement: what must be said about whom, whether it holds, and since when."""

    subject: str
    attribute: str
    value: str
    polarity: str
    valid_from: str | None = None
    valid_until: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One dev-set line: a turn and the statements it makes."""

    id: str
    kind: str
    source: str
    speaker: str
    occurred_at: datetime
    text: str
    statements: tuple[Expected, ...]

    def episode(self) -> EpisodeText:
        return EpisodeText(self.id, self.speaker, self.text, self.occurred_at, self.id)


def load_dev_set(path: Path = DEV_SET) -> list[Item]:
    """Every item of a dev-set file, in file order."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            items.append(parse_item(json.loads(line)))
    return items


def parse_item(raw: dict[str, Any]) -> Item:
    statements = tuple(
        Expected(
            subject=st["subject"],
            attribute=st["attribute"],
            value=st["value"],
            polarity=st["polarity"],
            valid_from=st.get("valid_from"),
            valid_until=st.get("valid_until"),
        )
        for st in raw["statements"]
    )
    return Item(
        id=raw["id"],
        kind=raw["kind"],
        source=raw["source"],
        speaker=raw["speaker"],
        occurred_at=datetime.fromisoformat(raw["occurred_at"]),
        text=raw["text"],
        statements=statements,
    )


# --- matching ---------------------------------------------------------------------------------


def family(attribute: str) -> str:
    """The attribute's family: the part before the first colon, with aliases folded in."""
    head = attribute.split(":", 1)[0].strip().lower()
    return FAMILY_ALIASES.get(head, head)


def holds(polarity: str) -> bool:
    return polarity == "holds"


def words(text: str) -> list[str]:
    """Lower-cased words with punctuation stripped ("Ph.D." -> "phd", "e-bike" -> "e", "bike")."""
    folded = re.sub(r"['’.]", "", text.lower())
    return re.findall(r"\w+", folded)


def value_in(value: str, text: str) -> bool:
    """Whether every word of ``value`` appears in ``text`` (or begins a longer word there)."""
    said = words(text)
    return all(
        any(token == word or (len(word) >= 3 and token.startswith(word)) for token in said) for word in words(value)
    )


def matches(expected: Expected, predicted: Predicted) -> bool:
    return (
        expected.subject.casefold() == predicted.subject.casefold()
        and family(expected.attribute) == family(predicted.attribute)
        and holds(expected.polarity) == holds(predicted.polarity)
        and value_in(expected.value, predicted.text)
    )


def _bounds(label: str) -> tuple[date, date]:
    """First and last day a label of the form YYYY, YYYY-MM or YYYY-MM-DD covers."""
    parts = [int(part) for part in label.split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    if len(parts) == 2:
        first = date(parts[0], parts[1], 1)
        following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return first, following - timedelta(days=1)
    day = date(parts[0], parts[1], parts[2])
    return day, day


def period(valid_from: str, valid_until: str | None = None) -> tuple[date, date]:
    """The days a labelled time covers, both ends included."""
    start, end = _bounds(valid_from)
    if valid_until is not None:
        end = _bounds(valid_until)[1]
    return start, end


def predicted_time(predicted: Predicted) -> datetime | None:
    if not holds(predicted.polarity) and predicted.valid_until is not None:
        return predicted.valid_until
    return predicted.valid_from


def time_ok(expected: Expected, predicted: Predicted) -> bool:
    """Whether the prediction's time falls inside the labelled period (False without a time)."""
    if expected.valid_from is None:
        raise ValueError("time_ok needs an expected statement with valid_from")
    when = predicted_time(predicted)
    if when is None:
        return False
    start, end = period(expected.valid_from, expected.valid_until)
    return start <= when.date() <= end


@dataclass(slots=True)
class ItemScore:
    """How one item's predictions line up with its labels."""

    kind: str
    expected: list[Expected]
    predicted: list[Predicted]
    pairs: list[tuple[Expected, Predicted]] = field(default_factory=list)
    missed: list[Expected] = field(default_factory=list)
    spurious: list[Predicted] = field(default_factory=list)


def score_item(kind: str, expected: Sequence[Expected], predicted: Sequence[Predicted]) -> ItemScore:
    """Greedy one-to-one matching of an item's expected statements to its predictions."""
    score = ItemScore(kind, list(expected), list(predicted))
    free = list(range(len(predicted)))
    for statement in expected:
        hit = next((index for index in free if matches(statement, predicted[index])), None)
        if hit is None:
            score.missed.append(statement)
        else:
            free.remove(hit)
            score.pairs.append((statement, predicted[hit]))
    score.spurious = [predicted[index] for index in free]
    return score


@dataclass(slots=True)
class Tally:
    """Counts over some items and the rates they give."""

    items: int = 0
    expected: int = 0
    predicted: int = 0
    matched: int = 0
    timed: int = 0
    timed_ok: int = 0

    @property
    def precision(self) -> float | None:
        return self.matched / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.matched / self.expected if self.expected else None

    @property
    def time(self) -> float | None:
        return self.timed_ok / self.timed if self.timed else None


def tally(scores: Iterable[ItemScore]) -> Tally:
    total = Tally()
    for score in scores:
        total.items += 1
        total.expected += len(score.expected)
        total.predicted += len(score.predicted)
        total.matched += len(score.pairs)
        for statement, prediction in score.pairs:
            if statement.valid_from is not None:
                total.timed += 1
                total.timed_ok += time_ok(statement, prediction)
    return total


def tally_by_kind(scores: Sequence[ItemScore]) -> dict[str, Tally]:
    kinds = [kind for kind in KINDS if any(score.kind == kind for score in scores)]
    kinds += sorted({score.kind for score in scores} - set(kinds))
    return {kind: tally(score for score in scores if score.kind == kind) for kind in kinds}


def run(adapter: Adapter, items: Sequence[Item]) -> list[ItemScore]:
    """Each item extracted alone and scored."""
    return [score_item(item.kind, item.statements, adapter([item.episode()])) for item in items]


# --- report -----------------------------------------------------------------------------------


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def format_table(name: str, scores: Sequence[ItemScore]) -> str:
    header = (
        f"{'kind':<17}{'items':>6}{'expected':>9}{'predicted':>10}{'matched':>8}"
        f"{'precision':>10}{'recall':>8}{'time':>7}"
    )
    lines = [f"extractor: {name}", header, "-" * len(header)]

    def row(label: str, t: Tally) -> str:
        return (
            f"{label:<17}{t.items:>6}{t.expected:>9}{t.predicted:>10}{t.matched:>8}"
            f"{_rate(t.precision):>10}{_rate(t.recall):>8}{_rate(t.time):>7}"
        )

    for kind, t in tally_by_kind(scores).items():
        lines.append(row(kind, t))
    lines.append("-" * len(header))
    lines.append(row("overall", tally(scores)))
    return "\n".join(lines)


def _expected_line(st: Expected) -> str:
    when = f" [{st.valid_from}{'..' + st.valid_until if st.valid_until else ''}]" if st.valid_from else ""
    return f"{st.subject} {st.attribute} {st.polarity} {st.value!r}{when}"


def _predicted_line(p: Predicted) -> str:
    when = predicted_time(p)
    return f"{p.subject} {p.attribute} {p.polarity} {p.text!r}" + (f" [{when.date()}]" if when else "")


def format_misses(items: Sequence[Item], scores: Sequence[ItemScore], limit: int) -> str:
    lines = []
    for kind in tally_by_kind(scores):
        missed = [(i, st) for i, s in zip(items, scores, strict=True) if s.kind == kind for st in s.missed]
        spurious = [(i, p) for i, s in zip(items, scores, strict=True) if s.kind == kind for p in s.spurious]
        lines.append(f"== {kind}: {len(missed)} missed, {len(spurious)} spurious")
        for item, st in missed[:limit]:
            lines.append(f"  missed   {item.id}: {_expected_line(st)}  <- {item.text[:100]!r}")
        for item, p in spurious[:limit]:
            lines.append(f"  spurious {item.id}: {_predicted_line(p)}  <- {item.text[:100]!r}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extractor", choices=[*ADAPTERS, "all"], default="all")
    parser.add_argument("--show-misses", type=int, default=0, metavar="N", help="missed and spurious per kind")
    parser.add_argument("--data", type=Path, default=DEV_SET, help="the dev set (JSON lines)")
    args = parser.parse_args(argv)

    items = load_dev_set(args.data)
    names = list(ADAPTERS) if args.extractor == "all" else [args.extractor]
    print(f"{args.data.name}: {len(items)} items, {sum(len(item.statements) for item in items)} expected statements")
    for name in names:
        scores = run(ADAPTERS[name], items)
        print()
        print(format_table(name, scores))
        if args.show_misses:
            print()
            print(format_misses(items, scores, args.show_misses))


if __name__ == "__main__":
    main()
