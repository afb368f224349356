"""The LLM graph extractor: one JSON prompt per batch, validated with pydantic, retried with the error.

What the model returns (:class:`LLMGraph`) is kept apart from what the graph stores
(:class:`~graph.candidates.EntityCandidate` / :class:`~graph.candidates.RelationCandidate`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from agents.extraction.models import EpisodeText, speaker_subject
from agents.extraction.timing import resolve_when
from agents.graph_extraction.base import GraphExtraction, GraphExtractionError
from agents.llm import LLMError, complete
from graph.candidates import EntityCandidate, RelationCandidate

SYSTEM_PROMPT = """You build a knowledge graph from conversation turns.
Return JSON: {"entities": [{"name", "type", "summary"}], "relations": [{"source", "predicate", "target",
"fact", "valid_at", "ended"}]}.
- type is one of person, place, organization, thing, event, other.
- The speaker of a turn is the entity named in brackets before it; "user" means the user.
- predicate is snake_case (lives_in, works_at, sister_of, likes, owns, visited, partner_of).
- fact is one short sentence stating the relation; valid_at is when it became true: an ISO date or
  the time phrase used ("last week"), null if unknown; ended is true when the turn says it stopped
  ("I quit my job at Acme"), with target null when no target is named.
- Only relations the turns state; no guesses."""


class LLMEntity(BaseModel):
    name: str = Field(min_length=1)
    type: Literal["person", "place", "organization", "thing", "event", "other"] = "other"
    summary: str = ""


class LLMRelation(BaseModel):
    source: str = Field(min_length=1)
    predicate: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    target: str | None = None
    fact: str = Field(min_length=1)
    valid_at: str | None = None
    ended: bool = False


class LLMGraph(BaseModel):
    """The JSON the prompt asks for."""

    entities: list[LLMEntity] = Field(default_factory=list)
    relations: list[LLMRelation] = Field(default_factory=list)


class LLMGraphExtractor:
    """Graph extraction by a chat model through :func:`agents.llm.complete`.

    ``options`` pass through to litellm (``mock_response`` in tests, ``api_base``, ...).
    """

    def __init__(self, model: str, *, max_attempts: int = 2, **options: Any) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.model = model
        self.max_attempts = max_attempts
        self.options = options

    @property
    def backend(self) -> str:
        return f"llm:{self.model}"

    def extract(self, episodes: Sequence[EpisodeText]) -> GraphExtraction:
        turns = [(e, s) for e in episodes if (s := speaker_subject(e.role)) is not None]
        if not turns:
            return GraphExtraction(backend=self.backend)
        lines = [f"[{subject}] ({e.occurred_at.isoformat()}) {e.content}" for e, subject in turns]
        messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "\n".join(lines)}]
        prompt_tokens = completion_tokens = 0
        problem = ""
        for _ in range(self.max_attempts):
            try:
                answer = complete(self.model, messages, json_mode=True, **self.options)
            except LLMError as exc:
                raise GraphExtractionError(self.model, 1, str(exc), prompt_tokens, completion_tokens) from exc
            prompt_tokens += answer.prompt_tokens
            completion_tokens += answer.completion_tokens
            try:
                parsed = LLMGraph.model_validate(json.loads(answer.text))
            except (json.JSONDecodeError, ValidationError) as exc:
                problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                messages += [
                    {"role": "assistant", "content": answer.text},
                    {"role": "user", "content": f"That was not valid: {exc}. Answer again with the JSON only."},
                ]
                continue
            batch = [e for e, _ in turns]
            return _convert(parsed, batch, self.backend, prompt_tokens, completion_tokens)
        raise GraphExtractionError(self.model, self.max_attempts, problem, prompt_tokens, completion_tokens)


def _convert(parsed: LLMGraph, batch: list[EpisodeText], backend: str, prompt: int, completion: int) -> GraphExtraction:
    """Model output to candidates; times resolve against the batch's last episode, and the
    provenance is the whole batch (the model does not say which turn stated what)."""
    last, episode_ids = batch[-1], tuple(e.id for e in batch)
    entities = [EntityCandidate(e.name.strip(), e.type, e.summary, (), episode_ids) for e in parsed.entities]
    relations = []
    for r in parsed.relations:
        when = resolve_when(r.valid_at, last.occurred_at)
        relations.append(
            RelationCandidate(
                source=r.source.strip(),
                predicate=r.predicate,
                target=r.target.strip() if r.target else None,
                fact=r.fact.strip(),
                observed_at=last.occurred_at,
                valid_at=None if r.ended else when,
                invalid_at=when if r.ended else None,
                ended=r.ended or r.target is None,
                episode_ids=episode_ids,
            )
        )
    return GraphExtraction(entities, relations, prompt, completion, backend)
