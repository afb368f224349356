"""Score adjustments after fusion: speaker roles, time boosts, recency, diversity and session aggregation.

Pure functions over candidate ids, their fused scores and a few attributes, so each step
can be tested alone and switched by :class:`retrieval.config.SearchConfig`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import numpy as np

Key = TypeVar("Key", bound=Hashable)
Scored = list[tuple[int, float]]


def boost_in_window(
    scored: Sequence[tuple[int, float]],
    moment_of: Mapping[int, datetime],
    start: datetime | None,
    end: datetime | None,
    boost: float,
) -> Scored:
    """Multiply the score of candidates whose time lies in [start, end) by ``1 + boost``."""

    def inside(pk: int) -> bool:
        moment = moment_of.get(pk)
        return moment is not None and (start is None or moment >= start) and (end is None or moment < end)

    boosted = [(pk, score * (1.0 + boost) if inside(pk) else score) for pk, score in scored]
    return sorted(boosted, key=lambda pair: pair[1], reverse=True)


def weight_by_role(
    scored: Sequence[tuple[int, float]], role_of: Mapping[int, str], weights: Mapping[str, float]
) -> Scored:
    """Multiply each candidate's score by its speaker's weight, by role or by name (one not named keeps 1)."""
    weighted = [(pk, score * weights.get(role_of.get(pk, ""), 1.0)) for pk, score in scored]
    return sorted(weighted, key=lambda pair: pair[1], reverse=True)


def weight_by_length(scored: Sequence[tuple[int, float]], terms_of: Mapping[int, int], full_terms: int) -> Scored:
    """Scale the score of a candidate with fewer than ``full_terms`` terms by ``terms / full_terms``.

    A length prior (Singhal et al., 1996, on why relevance rises with document length): a
    greeting or an acknowledgement matches a query through a name or a common word alone and
    seldom holds what is asked for.
    """
    if full_terms <= 0:
        return list(scored)
    weighted = [(pk, score * min(1.0, terms_of.get(pk, full_terms) / full_terms)) for pk, score in scored]
    return sorted(weighted, key=lambda pair: pair[1], reverse=True)


def blend_recency(
    scored: Sequence[tuple[int, float]],
    moment_of: Mapping[int, datetime],
    now: datetime,
    weight: float,
    half_life_days: float,
) -> Scored:
    """(1 - weight) * relevance + weight * recency, both scaled to [0, 1] over the candidates.

    Recency halves every ``half_life_days`` before ``now``; future moments count as now.
    """
    if not scored or weight <= 0:
        return list(scored)
    top = max(score for _, score in scored) or 1.0
    blended = []
    for pk, score in scored:
        moment = moment_of.get(pk)
        age_days = max(0.0, (now - moment).total_seconds() / 86400) if moment is not None else math.inf
        recency = 0.5 ** (age_days / half_life_days)
        blended.append((pk, (1 - weight) * score / top + weight * recency))
    return sorted(blended, key=lambda pair: pair[1], reverse=True)


def maximal_marginal_relevance(
    scored: Sequence[tuple[int, float]],
    vector_of: Callable[[Sequence[int]], np.ndarray],
    lambda_: float,
    k: int,
) -> Scored:
    """Greedy MMR (Carbonell & Goldstein, 1998) over normalized vectors.

    Picks, ``k`` times, the candidate maximizing ``lambda * rel - (1 - lambda) * max_sim``,
    with relevance scaled to [0, 1]. Returned scores are the MMR values, best first.
    """
    if not scored:
        return []
    ids = [pk for pk, _ in scored]
    relevance = np.array([score for _, score in scored], dtype=np.float32)
    relevance = relevance / (relevance.max() or 1.0)
    vectors = vector_of(ids)
    similarity = vectors @ vectors.T
    chosen: list[int] = []
    values: list[float] = []
    max_sim = np.full(len(ids), -np.inf, dtype=np.float32)
    remaining = np.ones(len(ids), dtype=bool)
    for _ in range(min(k, len(ids))):
        redundancy = np.where(np.isfinite(max_sim), max_sim, 0.0)
        mmr = lambda_ * relevance - (1 - lambda_) * redundancy
        mmr[~remaining] = -np.inf
        best = int(np.argmax(mmr))
        chosen.append(best)
        values.append(float(mmr[best]))
        remaining[best] = False
        max_sim = np.maximum(max_sim, similarity[best])
    return [(ids[i], value) for i, value in zip(chosen, values, strict=True)]


@dataclass(frozen=True)
class GroupScore:
    key: Hashable
    score: float
    members: tuple[int, ...]


def aggregate_groups(
    scored: Sequence[tuple[int, float]],
    group_of: Mapping[int, Key],
    decay: float,
) -> list[GroupScore]:
    """Score groups (sessions) from their members' scores: best + decay * second + decay^2 * third...

    A session with one excellent turn outranks one with many weak turns unless ``decay`` is
    large; ``decay=0`` is max-pooling. Members are kept best first.
    """
    members: dict[Hashable, list[tuple[int, float]]] = {}
    for pk, score in scored:
        group = group_of.get(pk)
        if group is not None:
            members.setdefault(group, []).append((pk, score))
    groups = []
    for key, items in members.items():
        items.sort(key=lambda pair: pair[1], reverse=True)
        total = sum(score * decay**i for i, (_, score) in enumerate(items))
        groups.append(GroupScore(key, total, tuple(pk for pk, _ in items)))
    groups.sort(key=lambda g: g.score, reverse=True)
    return groups
