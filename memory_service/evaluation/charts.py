"""PNG charts of a run: recall@k per question type (or category), recipes side by side, query latency.

Drawn on bare ``matplotlib.figure.Figure`` objects, which render with Agg and touch no global
pyplot state or display, so charts are safe in a server thread and on a headless machine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

RECALL_BY_TYPE = "recall_by_type.png"
RECALL_BY_CATEGORY = "recall_by_category.png"
RECIPES_CHART = "recipes.png"
LATENCY_CHART = "query_latency.png"


def draw_charts(root: Path, metrics: Mapping[str, Any], latencies: Mapping[str, Sequence[float]]) -> list[str]:
    """Write the run's charts into ``root``; returns the file names written."""
    written = []
    if metrics.get("benchmark") == "longmemeval":
        if _recall_by_type(root / RECALL_BY_TYPE, metrics):
            written.append(RECALL_BY_TYPE)
        if len(metrics.get("recipes", {})) > 1 and _recipes(root / RECIPES_CHART, metrics["recipes"]):
            written.append(RECIPES_CHART)
    elif _recall_by_category(root / RECALL_BY_CATEGORY, metrics):
        written.append(RECALL_BY_CATEGORY)
    if any(latencies.values()):
        _latency(root / LATENCY_CHART, latencies)
        written.append(LATENCY_CHART)
    return written


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def _ks(scores: Mapping[str, float], metric: str) -> list[int]:
    return sorted(int(key.split("@")[1]) for key in scores if key.startswith(f"{metric}@"))


def _recall_by_type(path: Path, metrics: Mapping[str, Any], metric: str = "recall_all") -> bool:
    rankings = [name for name in ("session", "turn") if metrics.get(name)]
    if not rankings:
        return False
    figure = _figure(6 * len(rankings), 4.2)
    axes = figure.subplots(1, len(rankings), squeeze=False)[0]
    for axis, ranking in zip(axes, rankings, strict=True):
        ks = _ks(metrics[ranking], metric)
        for qtype, entry in metrics.get("by_type", {}).items():
            if ranking in entry:
                axis.plot(ks, [entry[ranking][f"{metric}@{k}"] for k in ks], marker="o", label=qtype, alpha=0.8)
        overall = metrics[ranking]
        axis.plot(ks, [overall[f"{metric}@{k}"] for k in ks], color="black", linewidth=2.5, label="all questions")
        _recall_axis(axis, ks, f"{ranking}: {metric}@k ({metrics.get('recipe')})")
    axes[-1].legend(fontsize=7, loc="lower right")
    figure.savefig(path)
    return True


def _recall_by_category(path: Path, metrics: Mapping[str, Any]) -> bool:
    by_category = metrics.get("by_category") or {}
    if not by_category:
        return False
    figure = _figure(6.5, 4.2)
    axis = figure.subplots()
    ks = _ks(metrics.get("overall") or next(iter(by_category.values())), "recall")
    for category, entry in by_category.items():
        axis.plot(ks, [entry[f"recall@{k}"] for k in ks], marker="o", label=f"{category} {entry['name']}")
    if metrics.get("overall"):
        overall = metrics["overall"]
        axis.plot(ks, [overall[f"recall@{k}"] for k in ks], color="black", linewidth=2.5, label="overall (official)")
    _recall_axis(axis, ks, f"evidence recall@k by category ({metrics.get('recipe')})")
    axis.legend(fontsize=7, loc="lower right")
    figure.savefig(path)
    return True


def _recipes(path: Path, recipes: Mapping[str, Mapping[str, Any]]) -> bool:
    columns = [
        (ranking, key) for ranking in ("session", "turn") for key in ("recall_all@5", "recall_all@10", "ndcg_any@10")
    ]
    columns = [(r, k) for r, k in columns if all(k in (m.get(r) or {}) for m in recipes.values())]
    if not columns:
        return False
    figure = _figure(max(6.0, 1.3 * len(columns) * max(1, len(recipes)) / 2), 4.2)
    axis = figure.subplots()
    width = 0.8 / len(recipes)
    for index, (name, metrics) in enumerate(recipes.items()):
        positions = [column + index * width for column in range(len(columns))]
        axis.bar(positions, [metrics[r][k] for r, k in columns], width=width, label=name)
    axis.set_xticks([column + 0.4 - width / 2 for column in range(len(columns))])
    axis.set_xticklabels([f"{r}\n{k}" for r, k in columns], fontsize=8)
    axis.set_ylim(0, 1)
    axis.set_title("recipes compared")
    axis.legend(fontsize=8)
    axis.grid(axis="y", alpha=0.3)
    figure.savefig(path)
    return True


def _latency(path: Path, latencies: Mapping[str, Sequence[float]]) -> None:
    figure = _figure(6.5, 4.0)
    axis = figure.subplots()
    for name, values in latencies.items():
        if values:
            axis.hist(values, bins=40, alpha=0.55, label=f"{name} (n={len(values)})")
    axis.set_xlabel("search latency (ms)")
    axis.set_ylabel("queries")
    axis.set_title("query latency")
    axis.legend(fontsize=8)
    figure.savefig(path)


def _recall_axis(axis: Any, ks: Sequence[int], title: str) -> None:
    axis.set_xscale("log")
    axis.set_xticks(list(ks))
    axis.set_xticklabels([str(k) for k in ks])
    axis.set_ylim(0, 1.02)
    axis.set_xlabel("k")
    axis.set_title(title, fontsize=10)
    axis.grid(alpha=0.3)
