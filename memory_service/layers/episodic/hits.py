"""Search hits built from the episodic layer's winners: a turn with its context, or a session."""

from __future__ import annotations

from memory_service.domain import Episode, SearchHit, episode_public_id
from retrieval import rerank

SESSION_TURNS_SHOWN = 3
"""Turns of a session hit shown as its text: its best ones, enough to see why it matched."""


def session_hit(group: rerank.GroupScore, episodes: dict[int, Episode]) -> SearchHit:
    shown = [episodes[pk] for pk in group.members[:SESSION_TURNS_SHOWN] if pk in episodes]
    best = shown[0]
    return SearchHit(
        id=best.session_id,
        layer="episodic",
        text="\n".join(f"{e.role}: {e.content}" for e in shown),
        score=group.score,
        session_id=best.session_id,
        occurred_at=best.occurred_at,
        provenance=tuple(episode_public_id(pk) for pk in group.members),
        granularity="session",
    )


def episode_hit(episode: Episode, score: float, context: tuple[Episode, ...] = ()) -> SearchHit:
    return SearchHit(
        id=episode.id,
        layer="episodic",
        text=episode.content,
        score=score,
        session_id=episode.session_id,
        role=episode.role,
        occurred_at=episode.occurred_at,
        provenance=(episode.id,),
        metadata=episode.metadata,
        context=context,
    )
