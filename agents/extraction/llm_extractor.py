"""Fact extraction by any litellm model, with validated JSON output and bounded retries.

The model gets the batch with each episode's id and time and answers ``{"facts": [...]}``.
An answer that is not valid JSON of that shape is sent back with the problem named, up to
``max_retries`` times; then :class:`ExtractionError` is raised. A model that cannot be reached
raises :class:`agents.llm.LLMError` unchanged, so callers can tell "down" from "answers
badly". Facts citing only episode ids that are not in the batch are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from agents import llm
from agents.extraction.base import ExtractionError
from agents.extraction.models import USER_SUBJECT, CandidateFact, EpisodeText, ExtractionResult
from agents.extraction.prompt import build_messages, retry_message
from agents.extraction.rules import merge_facts
from agents.extraction.schema import FactReply, InvalidReply, parse_reply
from agents.extraction.timing import resolve_when

logger = logging.getLogger(__name__)

CompleteFn = Callable[..., llm.Completion]
"""Signature of :func:`agents.llm.complete`, the default way to call the model."""

_USER_NAMES = frozenset({"user", "the user", "me", "i", "human", "speaker"})


def _subject(raw: str) -> str:
    cleaned = " ".join(raw.split())
    return USER_SUBJECT if cleaned.lower() in _USER_NAMES else cleaned


def _attribute(raw: str) -> str:
    return ":".join("_".join(part.lower().split()) for part in raw.split(":") if part.strip()) or "unspecified"


def _statement(raw: str) -> str:
    text = " ".join(raw.split())
    return text if text.endswith((".", "!", "?")) else f"{text}."


def to_candidates(replies: Sequence[FactReply], episodes: Sequence[EpisodeText]) -> tuple[list[CandidateFact], int]:
    """Candidate facts for the model's facts, and how many were dropped for citing no known episode."""
    known = {episode.id: episode for episode in episodes}
    facts, dropped = [], 0
    for reply in replies:
        ids = tuple(dict.fromkeys(source for source in reply.source_ids if source in known))
        if not ids:
            dropped += 1
            continue
        anchor = min((known[source] for source in ids), key=lambda episode: episode.occurred_at)
        facts.append(
            CandidateFact(
                subject=_subject(reply.subject),
                attribute=_attribute(reply.attribute),
                statement=_statement(reply.statement),
                kind=reply.kind,
                valid_at=resolve_when(reply.when, anchor.occurred_at, ahead=reply.kind == "plan"),
                negated=reply.negated,
                confidence=reply.confidence,
                source_episode_ids=ids,
            )
        )
    return facts, dropped


class LLMExtractor:
    """Extract facts with a litellm model (``"gpt-4o-mini"``, ``"ollama/llama3"``, ...).

    ``completion_kwargs`` pass through to :func:`agents.llm.complete` (``api_base``,
    ``timeout_s``, ``mock_response`` in tests); ``complete`` replaces the call itself.
    """

    def __init__(
        self,
        model: str,
        max_retries: int = 2,
        *,
        complete: CompleteFn = llm.complete,
        **completion_kwargs: Any,
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more; got {max_retries}")
        self.model = model
        self.max_retries = max_retries
        self._complete = complete
        self._kwargs = completion_kwargs

    @property
    def name(self) -> str:
        return f"llm:{self.model}"

    def extract(self, episodes: Sequence[EpisodeText]) -> ExtractionResult:
        if not episodes:
            return ExtractionResult(facts=(), backend=self.name)
        messages = build_messages(episodes)
        prompt_tokens = completion_tokens = 0
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            reply = self._complete(self.model, messages, json_mode=True, **self._kwargs)
            prompt_tokens += reply.prompt_tokens
            completion_tokens += reply.completion_tokens
            try:
                parsed = parse_reply(reply.text)
            except InvalidReply as exc:
                problem = str(exc)
                logger.info("extraction answer %d/%d from %s unusable: %s", attempt, attempts, self.model, problem)
                messages = [*messages, {"role": "assistant", "content": reply.text}, retry_message(problem)]
                continue
            facts, dropped = to_candidates(parsed.facts, episodes)
            warnings = (f"dropped {dropped} fact(s) citing episode ids not in the batch",) if dropped else ()
            return ExtractionResult(
                facts=merge_facts(facts),
                backend=self.name,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                warnings=warnings,
            )
        raise ExtractionError(self.model, attempts, problem, prompt_tokens, completion_tokens)
