"""The labelled extraction dev set is well formed and cites real turns; the benchmark scores right."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bench.extraction_quality import (
    DEV_SET,
    KINDS,
    POLARITIES,
    Expected,
    Predicted,
    family,
    load_dev_set,
    matches,
    period,
    score_item,
    tally,
    time_ok,
    value_in,
)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
LOCOMO = SHARED / "locomo" / "locomo_dev.json"
LONGMEMEVAL = SHARED / "longmemeval" / "longmemeval_s_dev.json"

DATE_LABEL = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def raw_items() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


@cache
def locomo_turns() -> dict[tuple[str, str, str], tuple[str, str]]:
    """(sample id, session key, dia id) -> (speaker, text)."""
    turns = {}
    for conversation in json.loads(LOCOMO.read_text(encoding="utf-8")):
        for key, value in conversation["conversation"].items():
            if key.startswith("session_") and isinstance(value, list):
                for turn in value:
                    turns[(conversation["sample_id"], key, turn["dia_id"])] = (turn["speaker"], turn["text"])
    return turns


@cache
def longmemeval_turns() -> dict[tuple[str, str, int], tuple[str, str]]:
    """(question id, session id, 1-based position in the session) -> (role, content)."""
    turns = {}
    for question in json.loads(LONGMEMEVAL.read_text(encoding="utf-8")):
        for session_id, session in zip(question["haystack_session_ids"], question["haystack_sessions"], strict=True):
            for position, turn in enumerate(session, start=1):
                turns[(question["question_id"], session_id, position)] = (turn["role"], turn["content"])
    return turns


# --- the file ---------------------------------------------------------------------------------


def test_every_line_is_a_well_formed_item() -> None:
    for raw in raw_items():
        assert set(raw) == {"id", "kind", "source", "speaker", "occurred_at", "text", "statements"}, raw["id"]
        assert raw["kind"] in KINDS, raw["id"]
        assert raw["text"].strip() and raw["speaker"].strip(), raw["id"]
        occurred = datetime.fromisoformat(raw["occurred_at"])
        assert occurred.utcoffset() is not None, f"{raw['id']}: occurred_at must be timezone-aware"
        for st in raw["statements"]:
            assert set(st) <= {"subject", "attribute", "value", "polarity", "valid_from", "valid_until"}, raw["id"]
            assert st["polarity"] in POLARITIES, raw["id"]
            assert st["subject"] and st["attribute"] and st["value"].strip(), raw["id"]
            assert st["attribute"] == st["attribute"].lower(), raw["id"]
            for name in ("valid_from", "valid_until"):
                if name in st:
                    assert re.match(DATE_LABEL, st[name]), f"{raw['id']}: {name} {st[name]!r}"
            if "valid_until" in st:
                assert "valid_from" in st, raw["id"]
                start, end = period(st["valid_from"], st["valid_until"])
                assert start <= end, raw["id"]
        if raw["kind"] == "relative_time":
            assert any("valid_from" in st for st in raw["statements"]), f"{raw['id']}: relative_time needs a time"


def test_the_loader_reads_the_whole_file() -> None:
    items = load_dev_set()
    assert len(items) == len(raw_items())
    assert all(item.occurred_at.tzinfo is not None for item in items)


def test_ids_are_unique() -> None:
    ids = Counter(raw["id"] for raw in raw_items())
    assert [name for name, count in ids.items() if count > 1] == []


def test_sizes() -> None:
    items = raw_items()
    assert sum(len(raw["statements"]) for raw in items) >= 200
    per_kind = Counter(raw["kind"] for raw in items)
    for kind in KINDS:
        if kind != "not_a_statement":
            assert per_kind[kind] >= 20, kind
            assert sum(len(raw["statements"]) for raw in items if raw["kind"] == kind) >= 20, kind
    quiet = [raw for raw in items if raw["kind"] == "not_a_statement"]
    assert len(quiet) >= 40
    assert sum(not raw["statements"] for raw in quiet) >= 0.8 * len(quiet)


def test_about_half_the_items_come_from_real_turns() -> None:
    sources = Counter(raw["source"].split(":", 1)[0] for raw in raw_items())
    assert set(sources) <= {"written", "locomo", "longmemeval"}
    real = sources["locomo"] + sources["longmemeval"]
    assert 0.3 <= real / sum(sources.values()) <= 0.75


def test_written_items_are_not_repeated() -> None:
    texts = Counter(raw["text"].casefold() for raw in raw_items())
    assert [text for text, count in texts.items() if count > 1] == []


def test_written_items_speak_for_the_user() -> None:
    for raw in raw_items():
        if raw["source"] == "written":
            assert all(st["subject"] == raw["speaker"] for st in raw["statements"]), raw["id"]


@pytest.mark.skipif(not LOCOMO.exists() or not LONGMEMEVAL.exists(), reason="shared benchmark data not present")
def test_real_turns_are_cited_exactly() -> None:
    locomo, longmemeval = locomo_turns(), longmemeval_turns()
    for raw in raw_items():
        kind, _, rest = raw["source"].partition(":")
        if kind == "locomo":
            sample, session, dia = rest.split(":", 2)
            assert (sample, session, dia) in locomo, f"{raw['id']}: no turn {raw['source']}"
            speaker, text = locomo[(sample, session, dia)]
            assert raw["speaker"] == speaker, raw["id"]
            assert raw["text"] in text, f"{raw['id']}: text not in {raw['source']}"
            assert dia.startswith(f"D{session.removeprefix('session_')}:"), raw["id"]
        elif kind == "longmemeval":
            question, session_id, position = rest.rsplit(":", 2)
            key = (question, session_id, int(position))
            assert key in longmemeval, f"{raw['id']}: no turn {raw['source']}"
            role, content = longmemeval[key]
            assert role == "user" and raw["speaker"] == "user", raw["id"]
            assert raw["text"] in content, f"{raw['id']}: text not in {raw['source']}"
        else:
            assert raw["source"] == "written", raw["id"]


# --- the scorer -------------------------------------------------------------------------------

WHEN = datetime(2024, 3, 2, 10, tzinfo=UTC)


def test_a_match() -> None:
    expected = Expected("user", "employer", "Google", "holds")
    assert matches(expected, Predicted("User", "employer", "holds", "User works at Google."))


def test_a_polarity_mismatch() -> None:
    expected = Expected("user", "employer", "Shopify", "stopped")
    assert not matches(expected, Predicted("user", "employer", "holds", "User works at Shopify."))
    assert matches(expected, Predicted("user", "employer", "negated", "User no longer works at Shopify."))


def test_a_value_word_missing() -> None:
    expected = Expected("user", "possession:car", "Honda Civic", "holds")
    assert not matches(expected, Predicted("user", "possession:honda", "holds", "User owns a Honda."))
    assert matches(expected, Predicted("user", "possession", "holds", "User owns a honda civic!"))


def test_a_wrong_family_or_subject() -> None:
    expected = Expected("Caroline", "location", "Sweden", "holds")
    assert not matches(expected, Predicted("Caroline", "origin", "holds", "Caroline is from Sweden."))
    assert not matches(expected, Predicted("Melanie", "location", "holds", "Melanie lives in Sweden."))
    assert matches(expected, Predicted("caroline", "residence", "holds", "Caroline lives in Sweden."))


def test_families_and_words() -> None:
    assert family("relationship:sister") == "relationship"
    assert family("home") == "location"
    assert family("occupation:teacher") == "job"
    assert value_in("Ph.D.", "User is doing a PhD.")
    assert value_in("vegetarian", "User's family is Vegetarians.")
    assert not value_in("Ana", "User has a sister.")


def test_the_time_check() -> None:
    month = Expected("user", "location", "Lisbon", "holds", valid_from="2024-09")
    assert time_ok(month, Predicted("user", "location", "holds", "x", valid_from=datetime(2024, 9, 30, 23, tzinfo=UTC)))
    assert not time_ok(month, Predicted("user", "location", "holds", "x", valid_from=datetime(2024, 10, 1, tzinfo=UTC)))
    assert not time_ok(month, Predicted("user", "location", "holds", "x"))
    week = Expected("user", "employer", "Zalando", "holds", valid_from="2025-01-03", valid_until="2025-01-09")
    assert time_ok(week, Predicted("user", "employer", "holds", "x", valid_from=datetime(2025, 1, 9, tzinfo=UTC)))
    assert not time_ok(week, Predicted("user", "employer", "holds", "x", valid_from=datetime(2025, 1, 10, tzinfo=UTC)))
    ended = Expected("user", "relationship:partner", "Dan", "stopped", valid_from="2024-10")
    graph_style = Predicted("user", "relationship", "stopped", "x", valid_until=datetime(2024, 10, 12, tzinfo=UTC))
    assert time_ok(ended, graph_style)
    assert period("2024") == (datetime(2024, 1, 1).date(), datetime(2024, 12, 31).date())
    assert period("2024-02")[1].day == 29


def test_scoring_is_one_to_one_and_counts_per_item() -> None:
    expected = [
        Expected("user", "location", "Lisbon", "holds", valid_from="2024-02"),
        Expected("user", "location", "Porto", "stopped"),
    ]
    predicted = [
        Predicted("user", "location", "holds", "User moved to Lisbon.", valid_from=WHEN),
        Predicted("user", "location", "holds", "User lives in Lisbon."),
        Predicted("user", "job", "holds", "User is a nurse."),
    ]
    score = score_item("change", expected, predicted)
    assert [st.value for st, _ in score.pairs] == ["Lisbon"]
    assert [st.value for st in score.missed] == ["Porto"]
    assert len(score.spurious) == 2
    empty = score_item("not_a_statement", [], [Predicted("user", "location", "holds", "User lives in Paris.")])
    total = tally([score, empty])
    assert (total.items, total.expected, total.predicted, total.matched) == (2, 2, 4, 1)
    assert total.precision == pytest.approx(0.25)
    assert total.recall == pytest.approx(0.5)
    assert total.time == pytest.approx(0.0)
    assert tally([]).precision is None
