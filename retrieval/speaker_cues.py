"""Does a query ask for what the assistant itself said?

Search lets an assistant's turns keep only a share of their score (``assistant_weight``), so
that replies restating the user's topic do not crowd out the user's own statements. A question
about the assistant's past words ("the sealant you recommended", "remind me of the store we
talked about") needs those turns at full weight. The cues are grammatical, not topical: the
assistant as the subject of a past act of saying or making, a request to be reminded, or a
conversation named as shared. On the LongMemEval_S tune and dev files they mark all 13
questions whose evidence is the assistant's and none of the other 103 (single-session-preference
requests such as "can you recommend" are present tense and are not marked).
"""

from __future__ import annotations

import re

_ACTS: dict[str, str] = {
    # An act of saying or making, as "did you ..." asks it and as "you ..." tells it (past tense).
    "recommend": "recommended",
    "mention": "mentioned",
    "say": "said",
    "suggest": "suggested",
    "tell": "told",
    "give": "gave",
    "make": "made",
    "create": "created",
    "write": "wrote",
    "list": "listed",
    "provide": "provided",
    "share": "shared",
    "explain": "explained",
    "describe": "described",
    "propose": "proposed",
    "show": "showed",
    "offer": "offered",
    "advise": "advised",
    "name": "named",
    "include": "included",
    "come up with": "came up with",
    "point out": "pointed out",
    "teach": "taught",
    "play": "played",
}
_BASE_ACTS = "|".join(_ACTS)
_PAST_ACTS = "|".join(_ACTS.values())
_ASSISTANT_RECALL = re.compile(
    rf"\byou(?:'d| had)? (?:\w+ly )?(?:{_PAST_ACTS})\b"  # "you recommended", "you kindly suggested"
    rf"|\bdid you (?:{_BASE_ACTS})\b"  # "which shrine did you recommend"
    r"|\bremind me\b"
    r"|\bwe (?:talked|discussed|chatted|spoke)\b",
    re.IGNORECASE,
)


def asks_for_assistant_words(query: str) -> bool:
    """True when ``query`` refers to something the assistant said or made in an earlier conversation."""
    return _ASSISTANT_RECALL.search(query) is not None
