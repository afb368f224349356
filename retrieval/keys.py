"""Round keys: a user turn and the replies that follow it, searched as one unit.

Evidence for a question may sit in the user's words, in the reply, or only in the two read
together ("what did you recommend for my trip to Kyoto?"). Turns are indexed one by one; a
round key adds the pair. Its dense key pools the turns' own vectors (a unit-length mean, the
way a long text's windows are pooled), so no text is embedded twice; its lexical key is the
turns' terms together (their counts summed, so no text is tokenized twice either). Facts
extracted from a round's turns may join its key (LongMemEval's "value + facts" key design):
their vectors join the pool, their texts the lexical key.

A round opens at each user turn, or at a session's first turn whatever its role; the turns
that follow (assistant, another person, tool, system) join the open round until the next user
turn or until the round holds ``MAX_ROUND_TURNS``. A round is named by its first turn (its anchor).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from retrieval.lexical import BM25Index, term_counts
from retrieval.vector_index import VectorIndex

MAX_ROUND_TURNS = 4
"""A round stops growing here: a stream of replies or events is split rather than pooled whole."""
OPENS_ROUND = "user"


@dataclass(frozen=True)
class TurnRef:
    """Where a stored turn sits: its id, its session, who spoke and when."""

    pk: int
    session: int
    role: str
    occurred_at: datetime
    speaker: str | None = None
    """The speaker's name as its message's metadata gives it, folded (retrieval.speakers)."""


@dataclass
class _OpenRound:
    anchor: int
    members: list[int]
    vector_sum: np.ndarray
    counts: Counter[str]
    """The members' term counts summed: the round's lexical key, without tokenizing it again."""


@dataclass(frozen=True)
class RoundFacts:
    """Facts extracted from a round's turns: their texts and the sum of their vectors."""

    texts: tuple[str, ...]
    vector_sum: np.ndarray

    @classmethod
    def of(cls, texts: Sequence[str], vectors: np.ndarray) -> RoundFacts:
        return cls(tuple(texts), vectors.sum(axis=0).astype(np.float32))

    def same_as(self, other: RoundFacts | None) -> bool:
        return other is not None and self.texts == other.texts


@dataclass
class RoundKeys:
    """The round keys of one partition, grown turn by turn in session order.

    ``dense`` and ``lexical`` are keyed by anchor. Only each session's last round can still
    grow, so only it keeps its pooled sum and text in memory.
    """

    dense: VectorIndex
    lexical: BM25Index = field(default_factory=BM25Index)
    members: dict[int, tuple[int, ...]] = field(default_factory=dict)
    anchor_of: dict[int, int] = field(default_factory=dict)
    _open: dict[int, _OpenRound] = field(default_factory=dict)
    """The open (last) round of each session."""
    _open_by_anchor: dict[int, _OpenRound] = field(default_factory=dict)
    _facts: dict[int, RoundFacts] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.members)

    def add_turns(
        self,
        turns: Sequence[TurnRef],
        texts: Sequence[str],
        vectors: np.ndarray,
        counts: Sequence[Mapping[str, int]] | None = None,
    ) -> None:
        """Place new turns (in the order they were said) in rounds and re-key the rounds they changed.

        ``counts`` are the turns' term counts when the caller has them (it indexed the turns).
        """
        if counts is None:
            counts = [term_counts(text) for text in texts]
        changed: dict[int, _OpenRound] = {}
        for turn, turn_counts, vector in zip(turns, counts, vectors, strict=True):
            current = self._open.get(turn.session)
            if current is None or turn.role == OPENS_ROUND or len(current.members) >= MAX_ROUND_TURNS:
                if current is not None:
                    del self._open_by_anchor[current.anchor]
                current = _OpenRound(turn.pk, [], np.zeros_like(vector, dtype=np.float32), Counter())
                self._open[turn.session] = current
                self._open_by_anchor[turn.pk] = current
            current.members.append(turn.pk)
            current.vector_sum = current.vector_sum + vector
            current.counts.update(turn_counts)
            self.anchor_of[turn.pk] = current.anchor
            changed[current.anchor] = current
        if not changed:
            return
        for anchor, current in changed.items():
            self.members[anchor] = tuple(current.members)
        self._rekey({anchor: (current.vector_sum, current.counts) for anchor, current in changed.items()})

    def set_facts(
        self,
        facts: Mapping[int, RoundFacts],
        turn_vectors: Callable[[Sequence[int]], np.ndarray],
        turn_texts: Callable[[Sequence[int]], Mapping[int, str]],
    ) -> int:
        """Make ``facts`` (by anchor) the facts joined to round keys; rounds not in it lose theirs.

        Only rounds whose facts changed are re-keyed; returns how many were.
        """
        known = {anchor: f for anchor, f in facts.items() if anchor in self.members}
        changed = [a for a, f in known.items() if not f.same_as(self._facts.get(a))]
        changed += [a for a in self._facts if a not in known]
        self._facts = dict(known)
        closed = [a for a in changed if self._open_round(a) is None]
        texts = turn_texts([pk for a in closed for pk in self.members[a]])
        bases: dict[int, tuple[np.ndarray, Counter[str]]] = {}
        for anchor in changed:
            current = self._open_round(anchor)
            if current is not None:
                bases[anchor] = (current.vector_sum, current.counts)
            else:
                members = self.members[anchor]
                joined = term_counts("\n".join(texts[pk] for pk in members))
                bases[anchor] = (turn_vectors(members).sum(axis=0), joined)
        self._rekey(bases)
        return len(changed)

    def _open_round(self, anchor: int) -> _OpenRound | None:
        return self._open_by_anchor.get(anchor)

    def _rekey(self, bases: Mapping[int, tuple[np.ndarray, Counter[str]]]) -> None:
        """Write the keys of rounds from their turns' pooled vector and term counts, and their facts."""
        if not bases:
            return
        anchors = list(bases)
        vectors: list[np.ndarray] = []
        keys: list[Counter[str]] = []
        for anchor in anchors:
            vector_sum, counts = bases[anchor]
            facts = self._facts.get(anchor)
            if facts is not None:
                vector_sum = vector_sum + facts.vector_sum
                counts = counts + term_counts("\n".join(facts.texts))
            vectors.append(vector_sum)
            keys.append(counts)
        self.dense.add(anchors, unit_rows(np.stack(vectors)))
        self.lexical.add_counts(anchors, keys)

    def allowed_anchors(self, allowed_turns: Collection[int] | None) -> set[int] | None:
        """The rounds holding at least one allowed turn (None: no filter)."""
        if allowed_turns is None:
            return None
        return {self.anchor_of[pk] for pk in allowed_turns if pk in self.anchor_of}

    def expand(self, anchors: Sequence[int], allowed_turns: Collection[int] | None) -> tuple[list[int], list[int]]:
        """The ranked rounds as two turn rankings: their openers, and their replies (round by round).

        Kept apart so that a recipe can credit the replies of a matching round less than its
        opener: where evidence is what the user said, a long reply that shares the round's topic
        would otherwise crowd out the user's own turns.
        """
        openers: list[int] = []
        replies: list[int] = []
        for anchor in anchors:
            members = self.members.get(anchor, ())
            for position, pk in enumerate(members):
                if allowed_turns is None or pk in allowed_turns:
                    (replies if position else openers).append(pk)
        return openers, replies


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to unit length (a zero row stays zero), all rows in one pass."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def unit(vector: np.ndarray) -> np.ndarray:
    """``vector`` scaled to unit length (a zero vector stays zero)."""
    return unit_rows(vector.reshape(1, -1))[0]
