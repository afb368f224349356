"""Which part of a sentence the graph rules may read: the speaker's own statements.

Questions, requests and sentences opening with a condition are dropped whole (the same test
the fact extractor uses); inside a statement, quoted words and what someone else is reported to
have said ("my friend said she moved to Rome", "he told me 'I quit'") are blanked, and so is a
condition or modal after the statement ("..., if we moved to Paris", "I might move to Oslo").
"""

from __future__ import annotations

import re

from agents.extraction.clauses import statement_part

_QUOTED = re.compile(r"[\"“”][^\"“”]*[\"“”]?")
_REPORTED = re.compile(
    r"(?<!\bI )(?<!\bwe )\b(?:said|says|told (?:me|us|him|her|them)|tells (?:me|us)|asked|wrote|texted|replied|"
    r"claimed|claims|announced|thinks|thought)\b.*$",
    re.IGNORECASE,
)
_CONDITION = re.compile(
    r"(?:,\s*|\s+)(?:if|unless|in case|as if|even if|supposing|what if)\b.*$"
    r"|\b(?:would|could|might|should|(?-i:may)|wish|wishes)\b.*$",
    re.IGNORECASE,
)


def statement_text(sentence: str) -> str | None:
    """The sentence with only the speaker's own assertions left, or None when nothing is left."""
    body = statement_part(sentence)
    if body is None:
        return None
    body = _QUOTED.sub(" ", body)
    body = _REPORTED.sub("", body)
    body = _CONDITION.sub("", body).strip(" ,")
    return body or None
