"""Turn matched first-person fragments into short third-person statements and slot keys.

Objects come out of a regex with the rest of the clause attached ("Berlin since March, which
is nice"); :func:`clean_object` cuts them to the phrase that belongs to the fact, drops time
phrases (they live in ``valid_at``), swaps first-person pronouns and refuses fragments that do
not stand on their own ("it", "that", anything addressed to "you").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agents.extraction.vocabulary import words

MAX_OBJECT_WORDS = 12

_IRREGULAR_THIRD = {"am": "is", "are": "is", "have": "has", "do": "does", "go": "goes", "was": "was"}

_PAST = (
    "went|got|made|took|saw|had|came|ran|began|bought|found|met|spent|left|did|won|lost|felt|thought|knew|told|"
    "said|gave|kept|put|sat|stood|wore|wrote|ate|drank|brought|caught|taught|sold|paid|heard|held|fell|flew|grew|"
    "drove|rode|swam|sang|broke|chose|forgot|became|was|were"
)
_ABBREVIATED = r"(?<!Dr)(?<!Mr)(?<!Mrs)(?<!Ms)(?<!St)(?<!vs)(?<!Jr)"
_CUT = re.compile(
    rf"\s*(?:[;:!?()]|\s-\s|{_ABBREVIATED}\.(?:\s|$)|,\s*$"
    rf"|,\s+(?:and\s+)?(?:then\s+)?(?:[a-z]+ed|{_PAST}|[a-z]+ing)\b"
    r"|,?\s+(?:to\s+)?(?:see|check|find out|ask) (?:if|whether|what|how)\b"
    r"|,\s+(?:and|but|so|which|who|where|when|because|since|as|though|while|if|plus|or|then|it|that|this|I|we|"
    r"they|he|she|my|our|so)\b)"
    r"|\s+(?:and I|but|because|since|so that|so I|so it|so we|which|who|where|while|although|though|"
    r"whereas|unless|until|if|and it|and we|and they|and my|and that|and this|and then|and now|and also|"
    r"and so|and was|and is|and had|and have|as I|as it|as we|as my|when I|when we|when it|when my|"
    r"that I|that we|that is|that was|that has|that have|that will|that would|that you|that my|"
    r"to help me|to help us|for me to|but I|in order to|just to|thanks to|like you|like I|"
    r"to (?:see|check|find out|know|make sure|figure out|decide)(?: if| whether| what| how| which)|"
    rf"and (?:then )?(?:[a-z]+ed|{_PAST})|and (?:want|need|hope|wonder|think|feel|plan|would|will)|"
    r"and (?:in|on|at|during|for)|we|they|he|she|"
    r"(?:that|which|who|it)'s|I)\b",
    re.IGNORECASE,
)
# "Berlin, Germany" and "hiking, biking and swimming" keep their commas.
_PLACE_PAIR = re.compile(r"^[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*, [A-Z][\w.'-]+(?: [A-Z][\w.'-]+)?(?=\s*(?:$|[,.;!?]))")
_LIST = re.compile(
    r"^[\w'&-]+(?: [\w'&-]+){0,2}(?:, [\w'&-]+(?: [\w'&-]+){0,2})+,? (?:and|or) [\w'&-]+(?: [\w'&-]+){0,2}"
)
_DURATION = re.compile(
    r"\s*\b(?:for|in) (?:the )?(?:past |last )?(?:about |around |almost |nearly |over |more than )?"
    r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"a few|a couple of|several|many) (?:days?|weeks?|months?|years?|decades?)(?: now)?\b"
    r"|\s*\bfor (?:a while|a long time|ages|some time|years|months|weeks)(?: now)?\b"
    r"|\s*\b(?:the other day|a while ago|a while back|some time ago|recently|lately|just now|right now|these days|"
    r"nowadays|currently|at the moment)\b",
    re.IGNORECASE,
)
_TIME_PREPOSITION = (
    r"(?:(?:on|in|at|during|since|from|by|around|about|over|back in|this past|earlier|ever|every|by the end of)\s+"
    r"(?:the\s+)?)?"
    r"(?:(?:early|mid|late|the end of|the beginning of|the start of)[\s-]+)?"
)
_LEADING_FILLER = re.compile(
    r"^(?:(?:really|actually|just|also|still|now|finally|totally|absolutely|definitely|truly|honestly|"
    r"kind of|kinda|sort of|pretty much|so|very|quite|even|already|recently|originally|always)\s+)+",
    re.IGNORECASE,
)
_TRAILING_FILLER = re.compile(
    r"(?:\s+(?:too|as well|so much|very much|again|now|anymore|any more|though|lol|haha|etc|btw|"
    r"and|or|but|with|for|to|at|on|in|of|the|a|an|from|by|about|as|some|very|so|really|like|that|this|"
    r"which|who|yet|then|there|here|tbh|just|actually|already|anyway|myself|today|before|so far|especially|"
    r"particularly|mostly|mainly|including))+$",
    re.IGNORECASE,
)
_ADDRESSEE = re.compile(r"\b(?:you|your|yours|yourself|u|ur)\b", re.IGNORECASE)
_BARE_START = re.compile(
    r"^(?:it|its|it's|them|one|ones|something|anything|everything|nothing|what|how|why|which|whether|such|"
    r"all of (?:it|them|these|those)|both|some of (?:it|them|these|those)|more|less|much|many|to be|being|"
    r"not|no|never|there|here|so|too|very|about it|with it|out|up|back|myself|me|I)\b",
    re.IGNORECASE,
)
_DEMONSTRATIVE = re.compile(r"^(this|that|these|those)\s+(?=(\w+))", re.IGNORECASE)
_NOT_A_NOUN = words(
    "is was are were has have had you I it we they he she i'm will would can could should may might must "
    "kind sort type lot idea one ones"
)
_PRONOUNS = [
    (re.compile(r"\bmy\b", re.IGNORECASE), "their"),
    (re.compile(r"\bmine\b", re.IGNORECASE), "theirs"),
    (re.compile(r"\bmyself\b", re.IGNORECASE), "themselves"),
    (re.compile(r"\bme\b", re.IGNORECASE), "them"),
    (re.compile(r"\bour\b", re.IGNORECASE), "their"),
    (re.compile(r"\bours\b", re.IGNORECASE), "theirs"),
    (re.compile(r"\bus\b"), "them"),
]
_SLUG_SKIP = words(
    "a an the my their our his her some any this that these those of really very so lot lots bit own to and or "
    "for with in on at from by about during into s be"
)
# Adjectives dropped from keys unless they are part of a name ("a new TV" -> tv, "New York" -> new_york).
_SLUG_SKIP_LOWER = words("new old few couple little big huge great good nice")
_FREQUENCY = re.compile(
    r"\b(?:every|each) (?:other )?\w+|\b(?:once|twice|three times|\d+ times) (?:a|per|every) \w+|"
    r"\bon (?:the )?weekends\b|\b(?:daily|weekly|monthly|regularly|often|sometimes)\b",
    re.IGNORECASE,
)


def third_person(verb: str) -> str:
    """Present-tense third person of a verb phrase's first word: "live in" -> "lives in"."""
    head, _, rest = verb.partition(" ")
    lowered = head.lower()
    if lowered in _IRREGULAR_THIRD:
        head = _IRREGULAR_THIRD[lowered]
    elif re.search(r"(?:s|sh|ch|x|z|o)$", lowered):
        head += "es"
    elif re.search(r"[^aeiou]y$", lowered):
        head = head[:-1] + "ies"
    else:
        head += "s"
    return f"{head} {rest}" if rest else head


def _cut(text: str) -> str:
    """The leading phrase of ``text``: up to the first clause boundary, keeping lists and "City, Country"."""
    kept = _PLACE_PAIR.match(text) or _LIST.match(text)
    head_len = kept.end() if kept else 0
    boundary = _CUT.search(text, head_len)
    return text[: boundary.start()] if boundary else text


def _drop_phrases(text: str, phrases: Iterable[str]) -> str:
    for phrase in sorted(set(phrases), key=len, reverse=True):
        if phrase:
            pattern = rf"\s*\b{_TIME_PREPOSITION}{re.escape(phrase)}\b(?:\s+(?:morning|afternoon|evening|night))?"
            text = re.sub(pattern, "", text, flags=re.IGNORECASE)
    return _DURATION.sub("", text)


def _balance_quotes(text: str) -> str:
    """Drop a quote mark left alone by cutting ('"The Power' -> 'The Power'), keep paired ones."""
    if text.count('"') % 2:
        if text.startswith('"'):
            text = text[1:]
        elif text.endswith('"'):
            text = text[:-1]
        else:
            text = text.replace('"', "")
    return text.strip()


def swap_pronouns(text: str, possessive: str = "their") -> str:
    """First-person words in an object, said of the subject: "my wife" -> "their wife"."""
    for pattern, replacement in _PRONOUNS:
        text = pattern.sub(possessive if replacement == "their" else replacement, text)
    return text


def clean_object(text: str, time_phrases: Iterable[str] = (), possessive: str = "their") -> str | None:
    """The fact-bearing phrase of a matched object, or None when nothing usable is left."""
    text = _cut(" ".join(text.split()))
    text = _drop_phrases(text, time_phrases)
    text = _LEADING_FILLER.sub("", text.strip(" ,.-'"))
    text = _cut(text)
    if len(text.split()) <= 4 and re.search(r"\b(?:there|here)$", text.strip(" ,.-'"), re.IGNORECASE):
        return None  # "enjoy working there": the place itself was said elsewhere
    for _ in range(3):
        text = _TRAILING_FILLER.sub("", " " + text.strip(" ,.-'")).strip(" ,.-'")
    text = _balance_quotes(text)
    if not text or _ADDRESSEE.search(text) or _BARE_START.match(text) or "?" in text:
        return None
    demonstrative = _DEMONSTRATIVE.match(text)
    if demonstrative:
        if demonstrative.group(2).lower() in _NOT_A_NOUN:
            return None
        plural = demonstrative.group(1).lower() in ("these", "those")
        article = "some" if plural else ("an" if demonstrative.group(2)[0].lower() in "aeiou" else "a")
        text = article + text[demonstrative.end(1) :]
    words = text.split()
    if len(words) <= 4 and words[-1].lower() in ("it", "that", "this", "them", "one", "those", "these"):
        return None  # "get to it", "try that": the thing itself was said elsewhere
    if len(words) > MAX_OBJECT_WORDS or not any(re.search(r"[A-Za-z]{2}", w) for w in words):
        return None
    return swap_pronouns(text, possessive)


def slug(text: str, max_words: int = 3) -> str:
    """A short snake_case key from the content words of ``text``: "a new Tesla Model 3" -> "tesla_model_3"."""
    kept = [
        word.lower()
        for word in re.findall(r"[A-Za-z0-9]+", _FREQUENCY.sub(" ", text))
        if word.lower() not in _SLUG_SKIP and not (word.islower() and word in _SLUG_SKIP_LOWER)
    ]
    return "_".join(kept[:max_words]) or "unspecified"


def sentence(label: str, predicate: str) -> str:
    """ "User" + "lives in Berlin" -> "User lives in Berlin." """
    return f"{label} {predicate.strip()}".rstrip(" .") + "."
