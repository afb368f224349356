"""An evaluation run's ``metrics.json`` as tables for people, and two runs' tables side by side.

Pure work on the metrics dict the job stored (no I/O, no import of the evaluation package): the
same tables serve a job's page and the compare view, so a difference is always taken between
cells with the same row and column. Scores are the benchmark's own, in [0, 1], higher is better;
latencies are in milliseconds, lower is better.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Value = float | int | str | None

RANKING_TITLES = {
    "session": "sessions ranked",
    "turn": "turns ranked",
    "turn_to_session": "turn ranking scored by session",
}
BY_TYPE_KEYS = ("recall_all@5", "recall_all@10", "ndcg_any@10")
"""The per-type columns the markdown report shows: enough to see which question types fail."""
_AT_K = re.compile(r"^(?P<metric>[a-z_]+)@(?P<k>\d+)$")


@dataclass(frozen=True)
class Row:
    label: tuple[str, ...]
    values: tuple[Value, ...]


@dataclass(frozen=True)
class MetricTable:
    """One table: ``labels`` name the leading label cells, ``columns`` the value cells."""

    key: str
    title: str
    labels: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    lower_is_better: bool = False


def _recipes(metrics: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    recipes = metrics.get("recipes")
    return recipes if isinstance(recipes, Mapping) and recipes else {str(metrics.get("recipe")): metrics}


def _at_k_table(key: str, title: str, per_recipe: Mapping[str, Mapping[str, Any]]) -> MetricTable | None:
    """Rows recipe × metric family (recall_any, ndcg_any ...), a column per k."""
    families: dict[str, None] = {}
    ks: set[int] = set()
    for scores in per_recipe.values():
        for name in scores:
            found = _AT_K.match(name)
            if found:
                families.setdefault(found["metric"])
                ks.add(int(found["k"]))
    if not families:
        return None
    order = sorted(ks)
    rows = tuple(
        Row((recipe, family), tuple(_number(scores.get(f"{family}@{k}")) for k in order))
        for recipe, scores in per_recipe.items()
        for family in families
    )
    return MetricTable(key, title, ("recipe", "metric"), tuple(f"@{k}" for k in order), rows)


def _longmemeval(metrics: Mapping[str, Any]) -> list[MetricTable]:
    recipes = _recipes(metrics)
    tables = []
    for ranking, title in RANKING_TITLES.items():
        present = {name: m[ranking] for name, m in recipes.items() if isinstance(m.get(ranking), Mapping)}
        table = _at_k_table(f"retrieval-{ranking}", f"Retrieval: {title}", present) if present else None
        if table is not None:
            tables.append(table)
    for name, recipe in recipes.items():
        by_type = recipe.get("by_type") or {}
        columns = [(r, k) for r in ("session", "turn") for k in BY_TYPE_KEYS if isinstance(recipe.get(r), Mapping)]
        if not by_type or not columns:
            continue
        rows = tuple(
            Row((qtype,), (entry.get("questions"), *(_number((entry.get(r) or {}).get(k)) for r, k in columns)))
            for qtype, entry in by_type.items()
        )
        header = ("n", *(f"{r} {k}" for r, k in columns))
        tables.append(MetricTable(f"by-type-{name}", f"By question type: {name}", ("question type",), header, rows))
    return tables


def _locomo(metrics: Mapping[str, Any]) -> list[MetricTable]:
    recipes = _recipes(metrics)
    overall = {name: m.get("overall") or {} for name, m in recipes.items()}
    tables = [t for t in [_at_k_table("retrieval-overall", "Evidence recall, categories 1-4", overall)] if t]
    for name, recipe in recipes.items():
        by_category = recipe.get("by_category") or {}
        keys = sorted({k for e in by_category.values() for k in e if _AT_K.match(k)}, key=_k_order)
        rows = tuple(
            Row(
                (f"{category} {entry.get('name', '')}".strip(),),
                (entry.get("questions"), *(entry.get(k) for k in keys)),
            )
            for category, entry in by_category.items()
        )
        if rows:
            tables.append(MetricTable(f"by-category-{name}", f"By category: {name}", ("category",), ("n", *keys), rows))
    return tables


def _qa(metrics: Mapping[str, Any]) -> list[MetricTable]:
    qa = metrics.get("qa")
    if not isinstance(qa, Mapping):
        return []
    measures = [
        ("accuracy", qa.get("accuracy")),
        ("task-averaged accuracy", qa.get("task_averaged_accuracy")),
        ("abstention accuracy", qa.get("abstention_accuracy")),
        ("F1", qa.get("f1")),
    ]
    rows = [Row((name,), (_number(value),)) for name, value in measures if value is not None]
    tables = [MetricTable("qa", f"Question answering ({qa.get('model')})", ("measure",), ("value",), tuple(rows))]
    groups = qa.get("by_type") or qa.get("by_category") or {}
    if groups:
        group_rows = tuple(
            Row((str(name),), (entry.get("questions"), _number(entry.get("accuracy"))))
            for name, entry in groups.items()
        )
        tables.append(MetricTable("qa-groups", "Answer accuracy by group", ("group",), ("n", "accuracy"), group_rows))
    return tables


def _timing(metrics: Mapping[str, Any]) -> MetricTable | None:
    rows = []
    for name, recipe in _recipes(metrics).items():
        timing = recipe.get("timing") or {}
        if timing:
            rows.append(
                Row(
                    (name,),
                    (timing.get("queries"), _number(timing.get("query_p50_ms")), _number(timing.get("query_p95_ms"))),
                )
            )
    if not rows:
        return None
    return MetricTable("timing", "Search latency", ("recipe",), ("searches", "p50 ms", "p95 ms"), tuple(rows), True)


def tables(metrics: Mapping[str, Any] | None) -> list[MetricTable]:
    """Every table of a run's metrics, in the order the report gives them; empty for no metrics."""
    if not metrics:
        return []
    found = _longmemeval(metrics) if metrics.get("benchmark") == "longmemeval" else _locomo(metrics)
    found += _qa(metrics)
    timing = _timing(metrics)
    return found + ([timing] if timing else [])


def summary(metrics: Mapping[str, Any] | None) -> list[tuple[str, Value]]:
    """The run's headline facts: what was scored and skipped, how long it took."""
    if not metrics:
        return []
    timing = metrics.get("timing") or {}
    facts: list[tuple[str, Value]] = [
        ("units done / planned", f"{timing.get('units', 0)} / {metrics.get('units_planned', '—')}"),
        ("questions scored", metrics.get("questions_scored")),
        ("complete", "yes" if metrics.get("complete") else "no"),
        ("wall time (s)", _number(timing.get("total_s"))),
    ]
    skipped = [
        f"{metrics[key]} {key.removeprefix('skipped_').replace('_', ' ')}"
        for key in ("skipped_abstention", "skipped_empty_gold", "skipped_no_evidence", "skipped_evidence_ids")
        if metrics.get(key)
    ]
    if skipped:
        facts.append(("left out of the averages", ", ".join(skipped)))
    if metrics.get("qa_skipped"):
        facts.append(("question answering", str(metrics["qa_skipped"])))
    return facts


@dataclass(frozen=True)
class ComparedTable:
    """One table of each run as that run shows it, and B − A cell by cell (None where either lacks the cell)."""

    first: MetricTable | None
    second: MetricTable | None
    difference: MetricTable


def compare(first: Mapping[str, Any] | None, second: Mapping[str, Any] | None) -> list[ComparedTable]:
    """The tables of two runs matched by key, each with the difference over the union of rows and columns.

    Rows match by their labels; when each run scored one recipe, B's recipe stands in A's rows
    (two runs of one recipe each compare recipe against recipe, whatever their names).
    """
    mine, theirs = tables(first), tables(second)
    names = _one_recipe_each(first, second)
    matched = {(_renamed(t, *names) if names else t).key: t for t in theirs}
    keys = list(dict.fromkeys([t.key for t in mine] + list(matched)))
    by_key = {t.key: t for t in mine}
    return [_compared(by_key.get(key), matched.get(key), names) for key in keys]


def _one_recipe_each(first: Mapping[str, Any] | None, second: Mapping[str, Any] | None) -> tuple[str, str] | None:
    a, b = list(_recipes(first or {})), list(_recipes(second or {}))
    return (a[0], b[0]) if len(a) == len(b) == 1 and a != b else None


def _renamed(table: MetricTable, a_name: str, b_name: str) -> MetricTable:
    """``table`` of run B with its recipe called ``a_name``, to line up with run A's."""
    if table.labels[:1] != ("recipe",) and not table.key.endswith(f"-{b_name}"):
        return table
    rows = tuple(
        Row((a_name, *row.label[1:]), row.values) if table.labels[:1] == ("recipe",) and row.label[0] == b_name else row
        for row in table.rows
    )
    key = table.key.removesuffix(f"-{b_name}") + f"-{a_name}" if table.key.endswith(f"-{b_name}") else table.key
    return MetricTable(key, table.title, table.labels, table.columns, rows, table.lower_is_better)


def _compared(a: MetricTable | None, b: MetricTable | None, names: tuple[str, str] | None) -> ComparedTable:
    shape = a or b
    assert shape is not None
    lined_up = _renamed(b, *names) if b is not None and names else b
    columns = tuple(dict.fromkeys([*(a.columns if a else ()), *(b.columns if b else ())]))
    labels = list(dict.fromkeys([*_labels(a), *_labels(lined_up)]))
    rows = tuple(
        Row(
            _difference_label(shape, label, names),
            tuple(_minus(_cell(lined_up, label, c), _cell(a, label, c)) for c in columns),
        )
        for label in labels
    )
    title = shape.title if a is None or b is None or a.title == b.title else f"{a.title} · {b.title}"
    difference = MetricTable(shape.key, title, shape.labels, columns, rows, shape.lower_is_better)
    return ComparedTable(a, b, difference)


def _difference_label(table: MetricTable, label: tuple[str, ...], names: tuple[str, str] | None) -> tuple[str, ...]:
    if names and table.labels[:1] == ("recipe",) and label[:1] == (names[0],):
        return (f"{names[1]} − {names[0]}", *label[1:])
    return label


def _labels(table: MetricTable | None) -> Iterable[tuple[str, ...]]:
    return [row.label for row in table.rows] if table else []


def _cell(table: MetricTable | None, label: tuple[str, ...], column: str) -> Value:
    if table is None or column not in table.columns:
        return None
    index = table.columns.index(column)
    return next((row.values[index] for row in table.rows if row.label == label), None)


def _minus(b: Value, a: Value) -> float | None:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool | str):
        return round(float(b) - float(a), 4)
    return None


def _number(value: Any) -> Value:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _k_order(key: str) -> tuple[str, int]:
    found = _AT_K.match(key)
    return (found["metric"], int(found["k"])) if found else (key, 0)
