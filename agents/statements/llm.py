"""Statement extraction by any litellm model: one call per batch, validated JSON, bounded retries.

An answer that is not valid JSON of the :mod:`~agents.statements.schema` shape is sent back with
the problem named, up to ``max_retries`` times; then :class:`StatementExtractionError` is raised.
A model that cannot be reached raises :class:`agents.llm.LLMError` unchanged, so callers can tell
"down" from "answers badly". Statements citing only ids not in the batch are dropped; relative
times resolve against the earliest cited episode.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from agents import llm
from agents.extraction.models import USER_SUBJECT, EpisodeText
from agents.extraction.timing import resolve_when
from agents.statements.base import StatementExtractionError
from agents.statements.model import Statement, StatementBatch
from agents.statements.order import in_saying_order
from agents.statements.prompt import build_messages, retry_message
from agents.statements.schema import InvalidReply, StatementReply, StatementsReply, parse_reply
from graph.candidates import EntityCandidate

logger = logging.getLogger(__name__)

CompleteFn = Callable[..., llm.Completion]
"""Signature of :func:`agents.llm.complete`, the default way to call the model."""

_USER_NAMES = frozenset({"user", "the user", "me", "i", "human", "speaker"})


def _subject(raw: str) -> str:
    cleaned = " ".join(raw.split())
    return USER_SUBJECT if cleaned.lower() in _USER_NAMES else cleaned


def _attribute(raw: str) -> str:
    return ":".join("_".join(part.lower().split()) for part in raw.split(":") if part.strip()) or "unspecified"


def _sentence(raw: str) -> str:
    text = " ".join(raw.split())
    return text if text.endswith((".", "!", "?")) else f"{text}."


def to_statement(reply: StatementReply, episodes: dict[str, EpisodeText]) -> Statement | None:
    """The model's statement in the service's shape, None when it cites no episode of the batch."""
    ids = tuple(dict.fromkeys(source for source in reply.source_ids if source in episodes))
    if not ids:
        return None
    anchor = min((episodes[source] for source in ids), key=lambda episode: episode.occurred_at).occurred_at
    holds = reply.polarity == "holds"
    starts = resolve_when(reply.valid_from, anchor, ahead=reply.kind == "plan") if holds else None
    ends = resolve_when(reply.valid_until, anchor) if reply.valid_until or not holds else None
    value = " ".join(reply.value.split()) if reply.value and reply.value.strip() else None
    return Statement(
        subject=_subject(reply.subject),
        attribute=_attribute(reply.attribute),
        text=_sentence(reply.statement),
        kind=reply.kind,
        observed_at=anchor,
        polarity=reply.polarity,
        value=value,
        value_type=reply.value_type,
        predicate=reply.predicate if value or not holds else None,
        inverse=reply.inverse,
        valid_from=starts,
        valid_until=ends,
        confidence=reply.confidence,
        source_episode_ids=ids,
    )


def to_batch(parsed: StatementsReply, episodes: Sequence[EpisodeText], backend: str) -> StatementBatch:
    known = {episode.id: episode for episode in episodes}
    statements = [to_statement(reply, known) for reply in parsed.statements]
    kept = [s for s in statements if s is not None]
    dropped = len(statements) - len(kept)
    batch_ids = tuple(known)
    entities = tuple(EntityCandidate(e.name, e.type, e.summary, (), batch_ids) for e in parsed.entities)
    warnings = (f"dropped {dropped} statement(s) citing episode ids not in the batch",) if dropped else ()
    return StatementBatch(in_saying_order(kept), entities, backend=backend, warnings=warnings)


class LLMStatementExtractor:
    """Read statements with a litellm model (``"gpt-4o-mini"``, ``"ollama/llama3"``, ...).

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

    def extract(self, episodes: Sequence[EpisodeText]) -> StatementBatch:
        if not episodes:
            return StatementBatch(backend=self.name)
        messages = build_messages(episodes)
        prompt_tokens = completion_tokens = 0
        attempts = self.max_retries + 1
        problem = ""
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
            batch = to_batch(parsed, episodes, self.name)
            return replace(batch, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)
        raise StatementExtractionError(self.model, attempts, problem, prompt_tokens, completion_tokens)
