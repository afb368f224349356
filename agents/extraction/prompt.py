"""The extraction prompt: what the model is asked for, and how a failed answer is sent back.

Kept apart from the calling code so the wording can be tuned without touching retries or
parsing. The schema the model must follow is :class:`agents.extraction.schema.FactsReply`.
"""

from __future__ import annotations

from collections.abc import Sequence

from agents.extraction.models import EpisodeText

SYSTEM_PROMPT = """\
You extract durable facts about the people in a conversation, for a long-term memory.

Reply with only a JSON object: {"facts": [...]}. Each fact has these fields:
- "subject": "user" for the user; in conversations between named people, the speaker's name.
- "attribute": a short lower-case key for the slot the fact fills, family first and detail \
after a colon: location, origin, job, employer, education, diet, name, age, allergy:<thing>, \
health:<condition>, relationship:<relation>, pet:<species>, possession:<thing>, \
preference:<thing or category>, activity:<thing>, plan:<what>, event:<verb>:<what>. \
Two facts with the same subject and attribute must be about the same thing.
- "statement": one short third-person sentence that starts with the subject ("User lives in \
Berlin.", "Caroline has a dog named Max."), with no relative time words in it.
- "kind": one of "profile" (who they are: job, origin, diet, health), "fact" (their current \
world: home, family, pets, belongings, habits), "preference" (likes, dislikes, favourites), \
"event" (something that happened), "plan" (something they intend to do).
- "when": when the fact started, the event happened or the plan is for: an ISO date \
(2024-03-01) if you can work it out from the episode's time, otherwise the time phrase exactly \
as said ("last month", "since March"); null if the text gives no time.
- "negated": true only if the statement says something stopped being true ("no longer eats \
meat", "moved out of Berlin").
- "confidence": a number from 0 to 1.
- "source_ids": the ids of the episodes that state the fact, copied exactly.

Extract only what speakers say about themselves and their own lives. Ignore questions, \
requests, hypotheticals and general knowledge; ignore what the assistant says unless it \
repeats something the user said. Reply {"facts": []} when nothing qualifies.\
"""


def _speaker(episode: EpisodeText) -> str:
    return " ".join(episode.role.split()) or "unknown"


def build_messages(episodes: Sequence[EpisodeText]) -> list[dict[str, str]]:
    """Chat messages asking for the facts in ``episodes`` (each with its id and time)."""
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
            'Reply again with only the JSON object {"facts": [...]} in the format described, fixing that.'
        ),
    }
