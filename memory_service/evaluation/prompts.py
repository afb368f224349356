"""Every answering prompt of the harness, and how each lays out the retrieved memories.

Two styles. ``official`` (the default) is each benchmark's own reader, so accuracies compare
with published ones; its strings are benchmark definitions, kept word for word:

- LongMemEval: ``src/generation/run_generation.py`` of xiaowu0162/LongMemEval (MIT), the
  non-CoT reader with the ``nl`` history format. Retrieved items become "sessions" sorted by
  date, each headed by its session date; a retrieved turn is shown with the turn after it (the
  benchmark's flat-turn reader expands a turn into its round), a retrieved session whole.
- LoCoMo: ``task_eval/evaluate_gpts.py`` of snap-research/locomo (its RAG ``dialog`` mode): one
  ``<session date>: <speaker> said, "<text>"`` line per retrieved turn in rank order, then the QA
  prompt; temporal questions (category 2) get the date hint, adversarial ones (5) a two-way
  choice against "Not mentioned in the conversation" and their own prompt. A shared photo is
  described the way its ``get_input_context`` does (`` and shared <caption>.``).

``service`` is the service's own prompt: one dated line per memory, oldest first.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from memory_service.evaluation.datasets import LocomoConversation, LocomoQuestion, LongMemEvalQuestion
from memory_service.evaluation.partition import DIA_ID_KEY, TURN_ID_KEY
from memory_service.schemas import SearchResult

PromptStyle = Literal["official", "service"]
PROMPT_STYLES: tuple[str, ...] = ("official", "service")

# --- the service's own prompt -----------------------------------------------------------------

SERVICE_ANSWER_PROMPT = """\
You are a helpful assistant with a long-term memory of your past conversations with the user.
Below are the memories retrieved for the question, oldest first, each with the date it was said.

Memories:
{memories}

Current date: {question_date}
Question: {question}

Answer the question from the memories, briefly. If they do not contain the answer, say that the \
information is not mentioned in the conversations.
Answer:"""
"""Placeholders ``{memories}``, ``{question}`` and ``{question_date}``, as in a custom template."""
SERVICE_DATE_FORMAT = "%Y-%m-%d (%a) %H:%M"


def service_memories(hits: Sequence[SearchResult]) -> str:
    """One line per memory, oldest first, each with its date and speaker."""
    ordered = sorted(hits, key=lambda hit: (hit.occurred_at is None, hit.occurred_at or datetime.min))
    lines = []
    for hit in ordered:
        when = hit.occurred_at.strftime(SERVICE_DATE_FORMAT) if hit.occurred_at else "undated"
        speaker = f"{hit.role}: " if hit.role and hit.granularity == "turn" else ""
        lines.append(f"[{when}] {speaker}{hit.text}")
    return "\n".join(lines) if lines else "(no memories found)"


# --- LongMemEval's reader ---------------------------------------------------------------------

LONGMEMEVAL_READER_PROMPT = (
    "I will give you several history chats between you and a user. Please answer the question based on the "
    "relevant chat history.\n\n\nHistory Chats:\n\n{memories}\n\nCurrent Date: {question_date}\nQuestion: "
    "{question}\nAnswer:"
)
LONGMEMEVAL_SESSION = "\n### Session {index}:\nSession Date: {date}\nSession Content:\n{content}\n"
LONGMEMEVAL_TURN = "\n\n{role}: {content}"
LONGMEMEVAL_DATE_FORMAT = "%Y/%m/%d (%a) %H:%M"
"""The benchmark's own date format (``haystack_dates``, ``question_date``)."""
LONGMEMEVAL_MAX_TOKENS = 500
"""The reader's generation length without chain of thought."""


def longmemeval_history(
    question: LongMemEvalQuestion,
    hits: Sequence[SearchResult],
    stored_sessions: Mapping[str, str] | None = None,
    *,
    rounds: bool = True,
) -> str:
    """The reader's history string: one block per retrieved item, sorted by date.

    ``stored_sessions`` maps stored session ids back to the benchmark's (for session hits);
    ``rounds`` shows each retrieved turn with the next one, as the benchmark does.
    """
    sessions = {session.session_id: session for session in question.sessions}
    blocks: list[tuple[datetime, str]] = []
    for hit in hits:
        turn_id = str(hit.metadata.get(TURN_ID_KEY) or "")
        session_id, _, position = turn_id.rpartition("_")
        stored = stored_sessions or {}
        if hit.granularity == "session" and (stored.get(hit.id) or hit.id) in sessions:
            session = sessions[stored.get(hit.id) or hit.id]
            turns = [(turn.role, turn.content) for turn in session.turns]
            blocks.append((session.date, _turns(turns)))
        elif session_id in sessions and position.isdigit():
            session = sessions[session_id]
            start = int(position) - 1
            shown = session.turns[start : start + (2 if rounds else 1)]
            blocks.append((session.date, _turns([(turn.role, turn.content) for turn in shown])))
        else:  # a fact or relation: its own block, dated when it happened or became true
            when = hit.occurred_at or hit.valid_at or question.question_date
            blocks.append((when, _turns([(hit.role or "memory", hit.text)])))
    blocks.sort(key=lambda block: block[0].timestamp())  # stable: ties keep their rank order
    return "".join(
        LONGMEMEVAL_SESSION.format(index=index, date=when.strftime(LONGMEMEVAL_DATE_FORMAT), content=content)
        for index, (when, content) in enumerate(blocks, start=1)
    )


def _turns(turns: Sequence[tuple[str, str]]) -> str:
    return "".join(LONGMEMEVAL_TURN.format(role=role, content=content.strip()) for role, content in turns)


# --- LoCoMo's QA prompts ----------------------------------------------------------------------

LOCOMO_QA_PROMPT = """
Based on the above context, write an answer in the form of a short phrase for the following question. Answer with \
exact words from the context whenever possible.

Question: {} Short answer:
"""
LOCOMO_QA_PROMPT_CAT_5 = """
Based on the above context, answer the following question.

Question: {} Short answer:
"""
LOCOMO_TEMPORAL_SUFFIX = " Use DATE of CONVERSATION to answer with an approximate date."
LOCOMO_CHOICES = " Select the correct answer: (a) {} (b) {}. "
LOCOMO_NOT_MENTIONED = "Not mentioned in the conversation"
LOCOMO_MAX_TOKENS = 32
"""The benchmark's answer budget (``num_tokens_request``)."""


@dataclass(frozen=True)
class LocomoPrompt:
    """A LoCoMo prompt, with the two options of an adversarial question (a, b) when it has them."""

    text: str
    choices: tuple[str, str] | None = None


def locomo_context(conversation: LocomoConversation, hits: Sequence[SearchResult]) -> str:
    """One ``<date>: <speaker> said, "<text>"`` line per hit, in rank order."""
    turns = {turn.dia_id: (session.date_text, turn) for session in conversation.sessions for turn in session.turns}
    lines = []
    for hit in hits:
        found = turns.get(str(hit.metadata.get(DIA_ID_KEY) or ""))
        if found is None:
            lines.append(f"{hit.occurred_at or ''}: {hit.text}")
            continue
        date, turn = found
        shared = f" and shared {turn.image_caption}." if turn.image_caption else ""
        lines.append(f'{date}: {turn.speaker} said, "{turn.raw_text}"{shared}')
    return "\n".join(lines)


def locomo_prompt(context: str, question: LocomoQuestion) -> LocomoPrompt:
    """The benchmark's prompt for one question, by its category.

    The benchmark orders an adversarial question's two options at random; here the order is
    drawn from the question's text, so a rerun asks the same thing and about half the
    questions put "Not mentioned" first.
    """
    if question.category == 2:
        return LocomoPrompt(context + "\n\n" + LOCOMO_QA_PROMPT.format(question.question + LOCOMO_TEMPORAL_SUFFIX))
    if question.category == 5:
        distractor = question.adversarial_answer or question.answer
        first = zlib.crc32(question.question.encode()) % 2 == 0
        choices = (LOCOMO_NOT_MENTIONED, distractor) if first else (distractor, LOCOMO_NOT_MENTIONED)
        asked = question.question + LOCOMO_CHOICES.format(*choices)
        return LocomoPrompt(context + "\n\n" + LOCOMO_QA_PROMPT_CAT_5.format(asked), choices)
    return LocomoPrompt(context + "\n\n" + LOCOMO_QA_PROMPT.format(question.question))


def locomo_choice(prediction: str, choices: tuple[str, str]) -> str:
    """The benchmark's reading of an answer to a two-way choice: "a", "(b)" ... name an option."""
    reply = prediction.strip().lower()
    if len(reply) == 1:
        return choices[0] if "a" in reply else choices[1]
    if len(reply) == 3:
        return choices[0] if "(a)" in reply else choices[1]
    return reply
