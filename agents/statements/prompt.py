"""The extraction prompt: one call per batch reads statements that feed both memory layers.

Kept apart from the calling code so the wording can be tuned without touching retries or
parsing. The schema the model must follow is :class:`agents.statements.schema.StatementsReply`.
"""

from __future__ import annotations

from collections.abc import Sequence

from agents.extraction.models import EpisodeText

SYSTEM_PROMPT = """\
You extract durable statements about the people in a conversation, for a long-term memory.

Reply with only a JSON object: {"statements": [...], "entities": [...]}. Each statement has:
- "subject": "user" for the user; in conversations between named people, the speaker's name. \
"We" / "my partner and I" statements are about the speaker too.
- "attribute": a lower-case slot key, family first, detail after a colon: location, origin, job, \
employer, education:school, diet, name, age, allergy:<thing>, health:<condition>, \
relationship:<relation>, pet:<species>, possession:<thing>, preference:<thing>, activity:<thing>, \
plan:<what>, event:<verb>:<what>. Equal subject and attribute mean the same slot.
- "statement": one short third-person sentence starting with the subject ("User works at \
Google."), with no relative time words.
- "kind": "profile" (job, origin, diet, health), "fact" (home, family, pets, belongings, habits), \
"preference", "event" or "plan".
- "polarity": "holds", "stopped" (it ended: "I quit Siemens", "not vegan anymore") or "negated" \
(never true).
- "value": the slot's value as said ("Google", "Lisbon", "vegetarian"), or null.
- "predicate": when the value is a named person, place, organization or thing, the relation from \
subject to value in snake_case (lives_in, works_at, job_title, studies_at, married_to, partner_of, \
owns, likes, visited, attended; relatives: sister_of, mother_of ... with "inverse": true, read \
value -> subject), else null; "value_type": person, place, organization, thing, event or other.
- "valid_from" / "valid_until": when it became true and when it stopped: an ISO date if the \
episode's time tells, else the phrase as said ("last month"); null if not said.
- "confidence": 0 to 1. "source_ids": the ids of the episodes that state it, copied exactly.
"entities": other named things mentioned, {"name", "type", "summary"}; may be empty.

Only what speakers say about themselves and their lives: no questions, requests, \
hypotheticals, what others said, or general knowledge; the assistant only where it repeats the \
user. Reply {"statements": [], "entities": []} when nothing qualifies.\
"""


def _speaker(episode: EpisodeText) -> str:
    return " ".join(episode.role.split()) or "unknown"


def build_messages(episodes: Sequence[EpisodeText]) -> list[dict[str, str]]:
    """Chat messages asking for the statements in ``episodes`` (each with its id and time)."""
    latest = max(episode.occurred_at for episode in episodes)
    lines = [
        f"Conversation date: {latest.date().isoformat()} ({latest.strftime('%A')})",
        "Episodes:",
        *(
            f"[id={episode.id}] {episode.occurred_at.isoformat(timespec='minutes')} {_speaker(episode)}: "
            f"{' '.join(episode.content.split())}"
            for episode in episodes
        ),
    ]
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "\n".join(lines)}]


def retry_message(problem: str) -> dict[str, str]:
    """The follow-up turn after an unusable answer, naming what was wrong with it."""
    return {
        "role": "user",
        "content": (
            f"Your previous answer could not be used: {problem}\n"
            'Reply again with only the JSON object {"statements": [...], "entities": [...]} in the format '
            "described, fixing that."
        ),
    }
