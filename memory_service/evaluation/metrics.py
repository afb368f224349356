"""Retrieval metrics exactly as LongMemEval and LoCoMo define them.

Pure functions over id lists, no I/O: the caller ranks, these score. LongMemEval's conventions
are pinned by the benchmark's own worked cases (`longmemeval/metric_cases.json`), so our numbers
are comparable with published ones:

- relevance is binary (an id is gold or not);
- DCG gives ranks 1 and 2 both weight 1: ``rel_1 + sum_{r>=2} rel_r / log2(r)``;
- the ideal DCG is that of all gold items sorted first, truncated at the same cut-off as the
  ranking (so with one gold item a hit at rank 2 still scores 1.0);
- ``recall_all`` of an empty gold set is 1.0 and ``recall_any`` 0.0 (Python's ``all``/``any``),
  which is why aggregation skips questions whose gold set is empty.

Ranked ids are de-duplicated (first occurrence kept) before scoring: the benchmark ranks a corpus
and never repeats an id, while a caller mapping memories back to sessions easily can.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

_T = TypeVar("_T")
_K = TypeVar("_K")

DEFAULT_KS: tuple[int, ...] = (1, 3, 5, 10, 30, 50)
"""The cut-offs LongMemEval reports."""

METRIC_NAMES: tuple[str, ...] = ("recall_any", "recall_all", "ndcg_any")


@dataclass(frozen=True, slots=True)
class RetrievalScores:
    """One question's scores at one cut-off."""

    recall_any: float
    recall_all: float
    ndcg_any: float


# --- LongMemEval, one cut-off -------------------------------------------------------------


def recall_any(ranked_ids: Sequence[str], gold_ids: Collection[str], k: int) -> float:
    """1.0 when some gold id is in the top k."""
    top = set(_top_k(ranked_ids, k))
    return float(any(gold in top for gold in gold_ids))


def recall_all(ranked_ids: Sequence[str], gold_ids: Collection[str], k: int) -> float:
    """1.0 when every gold id is in the top k (vacuously 1.0 for an empty gold set)."""
    top = set(_top_k(ranked_ids, k))
    return float(all(gold in top for gold in gold_ids))


def ndcg_any(ranked_ids: Sequence[str], gold_ids: Collection[str], k: int) -> float:
    """Binary-relevance NDCG@k with the benchmark's DCG; 0.0 when there is no gold."""
    gold = frozenset(gold_ids)
    relevances = [1.0 if doc_id in gold else 0.0 for doc_id in _top_k(ranked_ids, k)]
    return _ndcg(relevances, gold_count=len(gold), cutoff=k)


def dcg(relevances: Sequence[float]) -> float:
    """LongMemEval's DCG: rank 1 undiscounted, rank r >= 2 divided by log2(r)."""
    if not relevances:
        return 0.0
    return relevances[0] + sum(rel / math.log2(rank) for rank, rel in enumerate(relevances[1:], start=2))


def retrieval_scores(ranked_ids: Sequence[str], gold_ids: Collection[str], k: int) -> RetrievalScores:
    """The three LongMemEval metrics at one cut-off."""
    gold = frozenset(gold_ids)
    return RetrievalScores(
        recall_any=recall_any(ranked_ids, gold, k),
        recall_all=recall_all(ranked_ids, gold, k),
        ndcg_any=ndcg_any(ranked_ids, gold, k),
    )


# --- LongMemEval, turn ranking scored at session level --------------------------------------


def session_of_turn_id(turn_id: str) -> str:
    """The session of a turn id ``<session_id>_<position>`` (the benchmark's id scheme)."""
    session_id, sep, position = turn_id.rpartition("_")
    if not sep or not position.isdigit():
        raise ValueError(f"turn id {turn_id!r} is not of the form <session_id>_<position>")
    return session_id


def turn_to_session_scores(
    ranked_turn_ids: Sequence[str],
    gold_turn_ids: Collection[str],
    k: int,
    session_of: Callable[[str], str] = session_of_turn_id,
) -> RetrievalScores:
    """Session-level scores of a turn ranking, as the benchmark computes them.

    Each turn maps to its session, except that a non-gold turn of an evidence session maps to a
    separate pseudo-session (the benchmark renames those turns ``noans``): it is no hit, and it
    takes a slot of its own when counting distinct sessions. The cut-off grows from k until the
    top turns hold k distinct sessions (or the ranking runs out); NDCG is then taken over that
    many turns, one relevance per gold turn, against the ideal of all gold turns.
    """
    _check_k(k)
    gold_turns = frozenset(gold_turn_ids)
    gold_sessions = frozenset(session_of(turn_id) for turn_id in gold_turns)
    keys = _turn_session_keys(ranked_turn_ids, gold_turns, session_of)
    cutoff = _distinct_cutoff(keys, k)
    recalled = set(keys[:cutoff])
    relevances = [1.0 if key in gold_sessions else 0.0 for key in keys[:cutoff]]
    return RetrievalScores(
        recall_any=float(any(session in recalled for session in gold_sessions)),
        recall_all=float(all(session in recalled for session in gold_sessions)),
        ndcg_any=_ndcg(relevances, gold_count=len(gold_turns), cutoff=cutoff),
    )


def turn_session_depth(
    ranked_turn_ids: Sequence[str],
    gold_turn_ids: Collection[str],
    session_of: Callable[[str], str] = session_of_turn_id,
) -> int:
    """How many distinct sessions (pseudo-sessions included) a turn ranking holds: below k, the
    turn-to-session ranking at k was cut short by the search, not by the benchmark's rule."""
    return len(set(_turn_session_keys(ranked_turn_ids, frozenset(gold_turn_ids), session_of)))


def cut_short(depth: int, available: int, ks: Iterable[int]) -> list[int]:
    """The cut-offs at which a ranking of ``depth`` distinct items stopped before k while the
    corpus had more (``available``) to rank."""
    return [k for k in ks if depth < k and depth < available]


# --- LongMemEval, all cut-offs and aggregation ----------------------------------------------


def score_at_ks(
    ranked_ids: Sequence[str], gold_ids: Collection[str], ks: Iterable[int] = DEFAULT_KS
) -> dict[str, float]:
    """Per-question scores keyed like ``"recall_all@5"``, for every k."""
    gold = frozenset(gold_ids)
    return _flatten({k: retrieval_scores(ranked_ids, gold, k) for k in ks})


def score_turns_as_sessions_at_ks(
    ranked_turn_ids: Sequence[str],
    gold_turn_ids: Collection[str],
    ks: Iterable[int] = DEFAULT_KS,
    session_of: Callable[[str], str] = session_of_turn_id,
) -> dict[str, float]:
    """`turn_to_session_scores` for every k, keyed like ``"recall_any@10"``."""
    gold = frozenset(gold_turn_ids)
    return _flatten({k: turn_to_session_scores(ranked_turn_ids, gold, k, session_of) for k in ks})


@dataclass(frozen=True, slots=True)
class QuestionMetrics:
    """One LongMemEval question's scores plus what aggregation needs to decide if it counts."""

    question_id: str
    question_type: str
    is_abstention: bool
    gold_size: int
    scores: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class MetricSummary:
    """Averages over the questions that count, overall and per question type."""

    overall: dict[str, float]
    by_type: dict[str, dict[str, float]]
    counted: int
    counted_by_type: dict[str, int]
    skipped_abstention: int
    skipped_empty_gold: int


def aggregate_longmemeval(results: Iterable[QuestionMetrics]) -> MetricSummary:
    """Average per-question scores, skipping abstention and empty-gold questions.

    Abstention questions have nothing to retrieve, and empty-gold questions (mostly
    single-session-assistant, whose evidence is only on the assistant side) would add a constant
    0 or 1 per metric; the benchmark leaves both out.
    """
    counted: list[QuestionMetrics] = []
    skipped_abstention = skipped_empty = 0
    for result in results:
        if result.is_abstention:
            skipped_abstention += 1
        elif result.gold_size == 0:
            skipped_empty += 1
        else:
            counted.append(result)
    groups = _group(counted, key=lambda result: result.question_type)
    return MetricSummary(
        overall=mean_scores(result.scores for result in counted),
        by_type={qtype: mean_scores(r.scores for r in members) for qtype, members in groups.items()},
        counted=len(counted),
        counted_by_type={qtype: len(members) for qtype, members in groups.items()},
        skipped_abstention=skipped_abstention,
        skipped_empty_gold=skipped_empty,
    )


def mean_scores(score_dicts: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Per-key mean, each key over the dicts that have it; keys in first-seen order."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for scores in score_dicts:
        for name, value in scores.items():
            sums[name] = sums.get(name, 0.0) + value
            counts[name] = counts.get(name, 0) + 1
    return {name: total / counts[name] for name, total in sums.items()}


# --- LoCoMo ---------------------------------------------------------------------------------


def evidence_recall(ranked_ids: Sequence[str], evidence_ids: Collection[str], k: int) -> float:
    """Fraction of a question's evidence turns (dia ids) in the top k; 0.0 without evidence."""
    evidence = frozenset(evidence_ids)
    if not evidence:
        _check_k(k)
        return 0.0
    top = set(_top_k(ranked_ids, k))
    return len(evidence & top) / len(evidence)


def evidence_recall_at_ks(
    ranked_ids: Sequence[str], evidence_ids: Collection[str], ks: Iterable[int] = DEFAULT_KS
) -> dict[str, float]:
    """`evidence_recall` for every k, keyed like ``"recall@5"``."""
    evidence = frozenset(evidence_ids)
    return {f"recall@{k}": evidence_recall(ranked_ids, evidence, k) for k in ks}


def official_evidence_recall(ranked_ids: Sequence[str], evidence_entries: Sequence[str], k: int) -> float:
    """LoCoMo's own recall (``task_eval/evaluation.py``): the share of the question's evidence
    entries, exactly as the file writes them, that are among the top k ids. An entry that names
    no turn (malformed, dangling, a list in one string) is a miss; a question without evidence
    scores 1.0."""
    _check_k(k)
    if not evidence_entries:
        return 1.0
    top = set(_top_k(ranked_ids, k))
    return sum(entry in top for entry in evidence_entries) / len(evidence_entries)


def official_evidence_recall_at_ks(
    ranked_ids: Sequence[str], evidence_entries: Sequence[str], ks: Iterable[int] = DEFAULT_KS
) -> dict[str, float]:
    """`official_evidence_recall` for every k, keyed like ``"recall@5"``."""
    return {f"recall@{k}": official_evidence_recall(ranked_ids, evidence_entries, k) for k in ks}


@dataclass(frozen=True, slots=True)
class LocomoQuestionMetrics:
    """One LoCoMo question's evidence recall scores and what aggregation needs."""

    category: int
    evidence_size: int
    scores: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class CategorySummary:
    """LoCoMo evidence recall averaged overall and per category."""

    overall: dict[str, float]
    by_category: dict[int, dict[str, float]]
    counted: int
    counted_by_category: dict[int, int]
    skipped_no_evidence: int


def aggregate_locomo(
    results: Iterable[LocomoQuestionMetrics],
    exclude_categories: Collection[int] = (),
    *,
    skip_no_evidence: bool = True,
) -> CategorySummary:
    """Average evidence recall per category; questions without valid evidence are skipped unless
    ``skip_no_evidence`` is false (the official scores give them 1.0 and keep them).

    ``exclude_categories`` drops whole categories (e.g. 5, adversarial) from every average.
    """
    excluded = frozenset(exclude_categories)
    counted: list[LocomoQuestionMetrics] = []
    skipped = 0
    for result in results:
        if result.category in excluded:
            continue
        if result.evidence_size == 0 and skip_no_evidence:
            skipped += 1
        else:
            counted.append(result)
    groups = _group(counted, key=lambda result: result.category)
    ordered = dict(sorted(groups.items()))
    return CategorySummary(
        overall=mean_scores(result.scores for result in counted),
        by_category={cat: mean_scores(r.scores for r in members) for cat, members in ordered.items()},
        counted=len(counted),
        counted_by_category={cat: len(members) for cat, members in ordered.items()},
        skipped_no_evidence=skipped,
    )


# --- helpers --------------------------------------------------------------------------------


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")


def _dedupe(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _top_k(ranked_ids: Sequence[str], k: int) -> list[str]:
    _check_k(k)
    return _dedupe(ranked_ids)[:k]


def _ndcg(relevances: Sequence[float], gold_count: int, cutoff: int) -> float:
    """Actual over ideal DCG; the ideal puts min(gold_count, cutoff) hits first."""
    ideal = dcg([1.0] * min(gold_count, cutoff))
    return dcg(relevances) / ideal if ideal > 0 else 0.0


def _turn_session_keys(
    ranked_turn_ids: Sequence[str], gold_turns: frozenset[str], session_of: Callable[[str], str]
) -> list[str | tuple[str, str]]:
    gold_sessions = frozenset(session_of(turn_id) for turn_id in gold_turns)
    return [_session_key(turn_id, gold_turns, gold_sessions, session_of) for turn_id in _dedupe(ranked_turn_ids)]


def _session_key(
    turn_id: str,
    gold_turns: frozenset[str],
    gold_sessions: frozenset[str],
    session_of: Callable[[str], str],
) -> str | tuple[str, str]:
    """The session a ranked turn counts for; evidence sessions' non-gold turns get a pseudo one."""
    if turn_id in gold_turns:
        return session_of(turn_id)
    session_id = _session_or_self(turn_id, session_of)
    return ("noans", session_id) if session_id in gold_sessions else session_id


def _session_or_self(turn_id: str, session_of: Callable[[str], str]) -> str:
    """A ranked id that is no turn id (e.g. a fact) stands for itself."""
    try:
        return session_of(turn_id)
    except ValueError:
        return turn_id


def _distinct_cutoff(keys: Sequence[object], k: int) -> int:
    """The smallest cut-off >= k whose top holds k distinct keys (capped by the ranking)."""
    seen: set[object] = set()
    for position, key in enumerate(keys, start=1):
        seen.add(key)
        if len(seen) >= k:
            return position
    return max(k, len(keys))


def _flatten(by_k: Mapping[int, RetrievalScores]) -> dict[str, float]:
    flat: dict[str, float] = {}
    for name in METRIC_NAMES:
        for k, scores in by_k.items():
            flat[f"{name}@{k}"] = getattr(scores, name)
    return flat


def _group(items: Iterable[_T], key: Callable[[_T], _K]) -> dict[_K, list[_T]]:
    groups: dict[_K, list[_T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups
