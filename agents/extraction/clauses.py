"""Cut a turn into first-person statement clauses that the rule table can match from the start.

Rules only ever look at a clause whose first word is its subject ("I ...", "my sister ..."),
so questions, requests and hypotheticals are removed here, before any rule runs:

* questions: a sentence ending in "?" that opens with a question word is dropped whole; one
  that opens with a statement keeps the part before its question ("I just moved to Berlin,
  can you recommend cafes?");
* requests and hypotheticals: sentences opening with an imperative ("Write ...", "Tell me
  ...") or a condition ("If I ...", "Suppose ...") are dropped;
* lead-ins ("Oh, by the way,", "Last week,", "I think that") are stripped from the front.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from agents.extraction.vocabulary import words

_SPACE = re.compile(r"[ \t\u00a0]+")
_BRACKETED = re.compile(r"\[[^\]]{0,400}\]")  # shared-photo captions and stage directions
_CHARS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})

_WEEKDAYS = {"mon": "Monday", "tue": "Tuesday", "tues": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
             "thur": "Thursday", "thurs": "Thursday", "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}  # fmt: skip


def _full_weekday(match: re.Match[str]) -> str:
    """ "last Tues" -> "last Tuesday", so time parsing sees the day."""
    return f"{match.group(1)} {_WEEKDAYS[match.group(2).lower()]}"


_Replacement = str | Callable[[re.Match[str]], str]
_SPELLED_OUT: list[tuple[str, _Replacement]] = [
    (r"\bi'?m\b(?=\s+\w)", "I am"),
    (r"\bi've\b", "I have"),
    (r"\bive\b(?=\s+(?:been|got|had|just|always|never|also|recently|started|lived|moved)\b)", "I have"),
    (r"\bi'll\b", "I will"),
    (r"\bwe're\b", "we are"),
    (r"\bwe've\b", "we have"),
    (r"\bwe'll\b", "we will"),
    (r"\bwe'd\b", "we would"),
    (r"\bi'd\b", "I would"),
    (r"\bcan'?t\b", "cannot"),
    (r"\bwon'?t\b", "will not"),
    (r"\b(do|does|did|is|are|was|were|have|has|had|would|should|could)n'?t\b", r"\1 not"),
    (r"\bgonna\b", "going to"),
    (r"\bwanna\b", "want to"),
    (r"\bgotta\b", "have to"),
    (r"(?:\b|(?<=\s))(?:'cause|cuz|coz)\b", "because"),
    (r"\bfav(?:e|ou?rite)?\b", "favorite"),
    (r"\bfavou?rite\b", "favorite"),
    (r"\bi\b", "I"),
    (r"\b(last|this|next) (mon|tues?|wed|thurs?|fri|sat|sun)\b", _full_weekday),
]
_CONTRACTIONS = [(re.compile(pattern, re.IGNORECASE), replacement) for pattern, replacement in _SPELLED_OUT]

_ABBREVIATION = re.compile(r"\b(?:mr|mrs|ms|dr|st|vs|etc|e\.g|i\.e|approx|no|jr|sr)\.$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")

_QUESTION_START = (
    r"do|does|did|can|could|would|will|should|shall|may|might|must|is|are|am|was|were|have|has|had|"
    r"what|what's|how|why|where|when|which|who|whom|whose|any|anything|is there|are there|or|"
    r"got any|know any|ever|wondering|just wondering"
)
_QUESTION = re.compile(
    rf"^(?:(?:so|and|but|also|ok|okay|well|oh|hey|hi|now|then|btw)\W+)*(?:{_QUESTION_START})\b", re.I
)
_QUESTION_TAIL = re.compile(
    rf"(?:,|\s-|\band\b|\bbut\b|\bso\b)\s+(?:(?:so|and|but|also|then|now)\s+)?(?:{_QUESTION_START})\b", re.I
)
_DROP_START = re.compile(
    r"^(?:please|if|unless|suppose|supposing|imagine|assuming|assume|pretend|hypothetically|what if|let'?s say|"
    r"let us|let me know|write|create|generate|give|tell|make|list|explain|describe|translate|summari[sz]e|"
    r"help|act|rewrite|design|draft|compose|provide|suggest|show|find|compare|recommend|plan|outline|"
    r"continue|correct|answer|rephrase|paraphrase|convert|calculate|analy[sz]e|remember that|note that)\b",
    re.IGNORECASE,
)

# A new clause starts at a conjunction (or comma) that is followed by a fresh "I" / "my" subject.
_SUBJECT = (
    r"(?:I|my|we|our (?:whole )?family|the (?:kids|children|family|two of us) and I|"
    r"me and (?:my|the) (?:\w+ )?(?:partner|wife|husband|boyfriend|girlfriend|fianc[eé]e?|family|kids|children))"
)
"""What a statement clause may start with: the speaker, or a group the speaker belongs to."""
_CLAUSE_BREAK = re.compile(
    r"\s*(?:;|\s-\s|:\s)\s*"
    rf"|(?:,\s*|\s+)(?:and|but|so|because|as|when|while|though|although|after|plus|yet|or|then|"
    rf"and then|and now|and also|but now|so now)(?:\s+(?:honestly|actually|frankly|now|also|so|luckily|"
    rf"sadly|thankfully|these days|since then|today))?,?\s+(?={_SUBJECT}\b)"
    rf"|,\s+(?:(?:now|then|these days|nowadays|since then|after that|today|currently),?\s+)?(?={_SUBJECT}\b)",
    re.IGNORECASE,
)

_FILLER = (
    r"oh|ah|well|so|and|but|also|actually|anyway|anyways|by the way|btw|honestly|yeah|yes|yep|no|nope|ok|okay|"
    r"haha|lol|hey|hi|hello|wow|great|cool|sure|thanks|thank you|now|then|plus|though|personally|of course|"
    r"in fact|fun fact|as you know|as I said|as I mentioned(?: before| earlier)?|like I said|to be honest|tbh|"
    r"speaking of which|speaking of that|on that note|for context|for reference|for the record|in any case|"
    r"interestingly|luckily|unfortunately|fortunately|sadly|basically|right|alright|omg|oh man|man|dude|"
    r"I think(?: that)?|I guess(?: that)?|I believe(?: that)?|I feel like|I suppose|I realized(?: that)?|"
    r"I forgot to mention(?: that)?|I should mention(?: that)?|I have to say(?: that)?|I must say|"
    r"I wanted to (?:tell|let) you(?: know)?(?: that)?|I just wanted to (?:tell|let) you(?: know)?(?: that)?|"
    r"I should (?:add|note)(?: that)?|fyi"
)
_LEAD_IN = re.compile(rf"^(?:(?:{_FILLER})\b[\s,!.:-]*)+", re.IGNORECASE)
_TIME_WORDS = words(
    "yesterday today tonight tomorrow last this next past week weekend month year morning afternoon "
    "evening night recently lately finally earlier ago days weeks months years a few couple of on in at "
    "the back around about monday tuesday wednesday thursday friday saturday sunday january february "
    "march april may june july august september october november december spring summer fall autumn "
    "winter other day over during two three four five six seven eight nine ten just also then when since "
    "from between these nowadays currently now new year year's christmas"
)
_PREFIX_BEFORE_SUBJECT = re.compile(rf"^(?P<prefix>[\w ,'-]{{1,60}}?),?\s+(?={_SUBJECT}\b)")
_SUBJECT_START = re.compile(rf"^{_SUBJECT}\b", re.IGNORECASE)


def normalize(text: str) -> str:
    """Uniform quotes, dashes and spacing; first-person contractions spelled out ("I'm" -> "I am")."""
    text = _BRACKETED.sub(" ", text.translate(_CHARS))
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return "\n".join(_SPACE.sub(" ", line).strip() for line in text.splitlines())


def sentences(text: str) -> Iterator[str]:
    """Sentences of normalized text, each with its end punctuation; abbreviations don't split."""
    pending = ""
    for piece in _SENTENCE_END.split(text):
        piece = piece.strip()
        if not piece:
            continue
        pending = f"{pending} {piece}" if pending else piece
        if not _ABBREVIATION.search(pending):
            yield pending
            pending = ""
    if pending:
        yield pending


def statement_part(sentence: str) -> str | None:
    """The declarative part of a sentence, without its end punctuation; None if there is none."""
    body = sentence.strip().strip("\"'")
    if _DROP_START.match(body):
        return None
    if body.endswith("?"):
        if _QUESTION.match(body):
            return None
        tail = _QUESTION_TAIL.search(body)
        if tail is None:
            return None
        body = body[: tail.start()]
    return body.rstrip(" .!?,;:-") or None


def _only_time_words(text: str) -> bool:
    """Whether ``text`` is a bare time adverbial such as "Last Saturday" or "Back in 2019"."""
    words = re.findall(r"[a-z]+|\d+\w*", text.lower())
    return bool(words) and all(word in _TIME_WORDS or word[0].isdigit() for word in words)


def _strip_lead_in(clause: str) -> str:
    """Remove fillers and a short leading time adverbial ("Last Saturday,") before the subject."""
    clause = _LEAD_IN.sub("", clause).strip()
    if _SUBJECT_START.match(clause):
        return clause
    prefix = _PREFIX_BEFORE_SUBJECT.match(clause)
    if prefix and _only_time_words(prefix.group("prefix")):
        return _LEAD_IN.sub("", clause[prefix.end() :]).strip()
    return clause


_SHARED_START = re.compile(rf"^(?!I\b|my\b(?! family\b)){_SUBJECT}\s+", re.IGNORECASE)
_SINGULAR_GROUP = re.compile(r"^(?:our|my) (?:whole )?family\b", re.IGNORECASE)
_AGREEMENT = {"are": "am", "were": "was", "is": "am", "has": "have", "does": "do", "lives": "live", "owns": "own"}
_SHARED_PREDICATE = re.compile(
    r"^I (?:(?:just|finally|recently|also|now|still|then|currently|officially|eventually|both|all|"
    r"have|had|do not|did not|no longer|used to|been|am|was)\s+)*"
    r"(?:live|living|lived|move|moved|moving|relocated|relocating|bought|purchased|got|"
    r"have(?!\s+(?:been|to|had)\b)|own|sold|adopted|rescued|based|staying|settled|renting|rented|broke up|"
    r"broken up|split up|separated|divorced|married|engaged|switched|left|gave away|got rid of|donated)\b",
    re.IGNORECASE,
)
"""What a shared subject says about the speaker: home, moves, belongings, pets, the couple itself."""


def first_person(anchored: str) -> str | None:
    """A clause with a shared subject ("we", "our family", "my wife and I") said as "I", or None.

    Only predicates about a shared home, household or couple carry over ("we moved to Oslo",
    "we got a kitten", "we broke up"); "we talked about it" says nothing about the speaker alone.
    """
    shared = _SHARED_START.match(anchored)
    if shared is None:
        return anchored
    verb, _, rest = anchored[shared.end() :].partition(" ")
    lowered = verb.lower()
    verb = _AGREEMENT.get(lowered, verb) if _SINGULAR_GROUP.match(anchored) or lowered in ("are", "were") else verb
    said = f"I {verb} {rest}".strip()
    return said if _SHARED_PREDICATE.match(said) else None


_REPORTED = re.compile(
    r"(?<!\bI )(?<!\bwe )\b(?:said|says|say|told (?:me|us|him|her|them)|tells (?:me|us)|asked|wrote|texted|replied|"
    r"answered|"
    r"claimed|claims|announced|thinks|thought|goes|was like|heard)(?: that)?\W*$",
    re.IGNORECASE,
)
_CONJUNCT = re.compile(
    r"(?:,\s*|\s+)(?:and|then|and then|and also|and now)\s+(?P<verb>joined|moved|relocated|bought|purchased|"
    r"adopted|rescued|sold|started|quit|left|switched|retired|took a job|now work|now live|went to work|"
    r"got (?=(?:an?|my|our|the)\s+(?:new\s+)?(?:job|position|role|puppy|kitten|dog|cat|car)\b|married|engaged|"
    r"divorced|hired))",
    re.IGNORECASE,
)
_FROM_TO = re.compile(
    r"^(?P<head>I (?:\w+ )?(?:have )?(?:moved|relocated|transferred)) from (?P<source>.+?)"
    r"\s+to\s+\S",
    re.IGNORECASE,
)


def readings(anchored: str) -> list[str]:
    """The clause, plus one reading per coordinated change it also states, each led by "I".

    "I left Acme and joined Initech" also reads "I joined Initech and left Acme": every
    coordinated verb gets a clause of its own, the others kept behind it as context; and
    "I moved from Oslo to Rome" also reads "I moved from Oslo", the place left behind.
    """
    found = [anchored]
    cuts = list(_CONJUNCT.finditer(anchored))
    if cuts and anchored.startswith("I "):
        parts = [anchored[2 : cuts[0].start()]]
        parts += [anchored[cut.start("verb") : later.start() if later else None] for cut, later in
                  zip(cuts, [*cuts[1:], None], strict=True)]  # fmt: skip
        for index in range(1, len(parts)):
            others = " and ".join(part for at, part in enumerate(parts) if at != index)
            found.append(f"I {parts[index]} and {others}")
    for reading in list(found):
        source = _FROM_TO.match(reading)
        if source and source.group("source")[:1].isupper():
            found.append(f"{source.group('head')} from {source.group('source')}")
    return found


def clauses(sentence: str) -> Iterator[tuple[str, str]]:
    """(clause as said, clause starting at its subject) for each clause of a statement sentence.

    The first form keeps lead-ins such as "Last week," for time resolution; the second is what
    rules match. Clauses that do not start with their subject after their lead-in are skipped,
    and so is what someone else said ("she said I ...", a quotation).
    """
    body = statement_part(sentence)
    if body is None:
        return
    carried = ""  # a bare time adverbial split off before its clause ("Last Saturday, I ran ...")
    before = ""
    for raw in _CLAUSE_BREAK.split(body):
        reported = bool(_REPORTED.search(before)) or before.count('"') % 2 == 1 or raw.lstrip(" ,").startswith('"')
        before = f"{before} {raw}"
        piece = raw.strip(" ,")
        if not piece:
            continue
        anchored = _strip_lead_in(piece)
        if _SUBJECT_START.match(anchored) and not reported:
            said = f"{carried}, {piece}" if carried else piece
            spoken = first_person(anchored)
            lead = said[: len(said) - len(anchored)] if said.endswith(anchored) else ""
            for reading in readings(spoken) if spoken else ():
                yield (said if reading == spoken else lead + reading), reading
            carried = ""
        else:
            carried = piece if _only_time_words(_LEAD_IN.sub("", piece)) else ""


def statement_clauses(text: str) -> Iterator[tuple[str, str]]:
    """All (as said, anchored) statement clauses of a raw turn."""
    for sentence in sentences(normalize(text)):
        yield from clauses(sentence)


_QUOTED = re.compile(
    r"\b(?:as |like )?you(?: have| had)? (?:mentioned|said|told me|noted|shared|wrote)(?: earlier| before| "
    r"previously)?,?\s+(?:that\s+)?(?P<rest>you\b[^.!?]*)",
    re.IGNORECASE,
)
_SECOND_TO_FIRST = [
    (re.compile(pattern, re.IGNORECASE), replacement)
    for pattern, replacement in [
        (r"\byou(?:'re| are)\b", "I am"),
        (r"\byou(?:'ve| have)\b", "I have"),
        (r"\byou were\b", "I was"),
        (r"\byou'll\b", "I will"),
        (r"\byourself\b", "myself"),
        (r"\byours\b", "mine"),
        (r"\byour\b", "my"),
        (r"^you\b", "I"),
    ]
]


def quoted_user_clauses(text: str) -> Iterator[tuple[str, str]]:
    """Statement clauses that an assistant turn reports the user said ("As you mentioned, you live in Oslo")."""
    for sentence in sentences(normalize(text)):
        for found in _QUOTED.finditer(sentence):
            reported = found.group("rest")
            for pattern, replacement in _SECOND_TO_FIRST:
                reported = pattern.sub(replacement, reported)
            yield from clauses(normalize(reported) + ".")
