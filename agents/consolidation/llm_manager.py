"""The memory manager as an LLM decision: the model sees the candidate and the related memories
and answers one JSON decision, validated by pydantic before anything is applied.

Related memories are shown under small numbers rather than their store ids, so the model can
only point at memories it was shown. An answer that is not valid JSON of the required shape,
or names a memory it was not shown, raises :class:`ConsolidationError`; a model that cannot
be reached raises :class:`agents.llm.LLMError`. Replays are recognised without a call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents import llm
from agents.consolidation.models import Decision, KnownMemory
from agents.consolidation.rules import replay_of
from agents.extraction.models import CandidateFact

CompleteFn = Callable[..., llm.Completion]

SYSTEM_PROMPT = """You maintain a long-term memory of facts about people. Given one NEW fact and the \
EXISTING related memories, decide what to do and answer only JSON:
{"event": "ADD" | "UPDATE" | "DELETE" | "NOOP", "target": <number of an existing memory or null>, \
"text": <the memory text to store, or null>, "supersede": <true|false>, "reason": <short string>}
- ADD: the new fact is not known yet; target null.
- UPDATE: the new fact changes an existing memory (target). supersede=true when the old value stopped \
being true and the new one replaces it (a new home, job, partner); supersede=false to merge or refine \
the text in place. "text" is the resulting memory.
- DELETE: the new fact says the target memory is no longer true.
- NOOP: the new fact is already known as the target memory.
Only use target numbers from the EXISTING list."""


class ConsolidationError(RuntimeError):
    """The model answered, but not with a usable decision."""


class DecisionReply(BaseModel):
    """The model's answer, before it is checked against the memories it was shown."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    event: Literal["ADD", "UPDATE", "DELETE", "NOOP"]
    target: int | None = None
    text: str | None = Field(default=None, max_length=1000)
    supersede: bool = False
    reason: str = Field(default="", max_length=500)


def build_messages(candidate: CandidateFact, known: Sequence[KnownMemory]) -> list[dict[str, str]]:
    new = {
        "subject": candidate.subject,
        "attribute": candidate.attribute,
        "statement": candidate.statement,
        "negated": candidate.negated,
        "valid_at": candidate.valid_at.isoformat() if candidate.valid_at else None,
    }
    existing = [
        {
            "number": number,
            "subject": memory.subject,
            "attribute": memory.attribute,
            "text": memory.text,
            "status": memory.status,
            "valid_at": memory.valid_at.isoformat() if memory.valid_at else None,
        }
        for number, memory in enumerate(known, start=1)
    ]
    body = json.dumps({"new": new, "existing": existing}, ensure_ascii=False)
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": body}]


def parse_decision(text: str, candidate: CandidateFact, known: Sequence[KnownMemory], model: str) -> Decision:
    """The decision the answer stands for; raises :class:`ConsolidationError` when it is unusable."""
    try:
        reply = DecisionReply.model_validate_json(text.strip())
    except ValidationError as exc:
        raise ConsolidationError(f"decision from {model!r} is not valid JSON of the decision shape: {exc}") from exc
    target: KnownMemory | None = None
    if reply.event != "ADD":
        if reply.target is None or not 1 <= reply.target <= len(known):
            raise ConsolidationError(
                f"decision from {model!r}: {reply.event} names memory {reply.target!r}, "
                f"which is not among the {len(known)} shown"
            )
        target = known[reply.target - 1]
    decided_by = f"llm:{model}"
    statement = reply.text or candidate.statement
    if target is None:
        return Decision("ADD", statement, valid_at=candidate.valid_at, reason=reply.reason, decided_by=decided_by)
    if reply.event == "DELETE":
        return Decision(
            "DELETE", target.text, target.key, invalid_at=candidate.valid_at, reason=reply.reason, decided_by=decided_by
        )
    if reply.event == "NOOP":
        return Decision("NOOP", target.text, target.key, reason=reply.reason, decided_by=decided_by)
    return Decision(
        "UPDATE",
        statement,
        target.key,
        supersede=reply.supersede,
        valid_at=candidate.valid_at if reply.supersede else None,
        reason=reply.reason,
        decided_by=decided_by,
    )


class LLMMemoryManager:
    """Asks ``model`` (any litellm name) for each decision; ``completion_kwargs`` go to every call."""

    def __init__(self, model: str, *, complete: CompleteFn = llm.complete, **completion_kwargs: Any) -> None:
        self.model = model
        self._complete = complete
        self._kwargs = completion_kwargs

    @property
    def name(self) -> str:
        return f"llm:{self.model}"

    def decide(self, candidate: CandidateFact, known: Sequence[KnownMemory]) -> Decision:
        replay = replay_of(candidate, known)
        if replay is not None:
            return replay
        answer = self._complete(self.model, build_messages(candidate, known), json_mode=True, **self._kwargs)
        return parse_decision(answer.text, candidate, known, self.model)
