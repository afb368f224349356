"""Regular expressions and word lists for the rule-based graph extractor.

Verbs match in any case; names must be capitalized, which is what tells "Paris" from "a park".
Each pattern is searched within one sentence.
"""

from __future__ import annotations

import re

from retrieval.timephrases import MONTH_ABBREVIATIONS, MONTHS, WEEKDAYS

ADV = (
    r"(?:(?:really|actually|just|also|currently|still|now|recently|finally|even|officially|already|"
    r"originally|eventually|luckily|happily|proudly|then|once|both|all)\s+)*"
)
WE = (
    r"(?:\b(?:I|[Ww]e|(?:[Oo]ur|[Mm]y) (?:whole )?family)(?:'ve|'m|'re| am| are| have| has| had| were| was)?\s+"
    r"(?i:been\s+)?)"
)
"""A subject that includes the speaker ("I", "we", "our family") with its auxiliary ("I've been");
never a modal ("we'd", "I might"): a wish is not a state."""

_WORD = r"[A-Z][\w'’&-]*(?:\.(?=\s[A-Z]))?"
NAME_BODY = rf"{_WORD}(?:\s+(?:(?:of|de|la|del|the|and|&|on)\s+)?(?!I\b){_WORD})*"
NAME = rf"(?P<name>{NAME_BODY})"
"""Capitalized words, with "of"/"the"/"and" allowed between them: "Bank of America"; never the
speaker's "I" ("Porto and I work ..." names Porto)."""
PERSON = r"(?P<name>[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)"
"""A given name and an optional surname."""
DET = r"(?:(?i:the|a|an|my|our|this|that|some|another)\s+|new\s+)*"
"""Determiners before a name; "new" only in lower case, so "New York" keeps its first word."""

NOT_NAMES = frozenset(
    [
        "i",
        "i'm",
        "i've",
        "i'd",
        "i'll",
        "we",
        "you",
        "he",
        "she",
        "they",
        "it",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "hey",
        "hi",
        "hello",
        "thanks",
        "thank",
        "wow",
        "oh",
        "yes",
        "no",
        "yeah",
        "okay",
        "ok",
        "sure",
        "well",
        "so",
        "and",
        "but",
        "or",
        "also",
        "just",
        "anyway",
        "btw",
        "lol",
        "omg",
        "haha",
        "nice",
        "great",
        "good",
        "congrats",
        "congratulations",
        "sorry",
        "please",
        "what",
        "when",
        "where",
        "who",
        "why",
        "how",
        "which",
        "whose",
        "mom",
        "dad",
        "mum",
        "mommy",
        "daddy",
        *WEEKDAYS,
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "today",
        "tomorrow",
        "yesterday",
        *MONTHS,
        *MONTH_ABBREVIATIONS,
        "christmas",
        "easter",
        "halloween",
        "thanksgiving",
        "god",
        "mr",
        "mrs",
        "ms",
        "dr",
        "can",
        "could",
        "would",
        "should",
        "will",
        "let",
        "here's",
        "it's",
        "that's",
        "there's",
    ]
)
"""Capitalized words that are not names on their own."""

UNIQUE_RELATIVES: dict[str, str] = {
    "husband": "married_to",
    "wife": "married_to",
    "spouse": "married_to",
    "partner": "partner_of",
    "boyfriend": "partner_of",
    "girlfriend": "partner_of",
    "fiance": "engaged_to",
    "fiancé": "engaged_to",
    "fiancee": "engaged_to",
    "fiancée": "engaged_to",
    "mom": "mother_of",
    "mother": "mother_of",
    "mum": "mother_of",
    "dad": "father_of",
    "father": "father_of",
}
"""Relatives a person has one of at a time; said without a name they still make a node."""

GROUP_RELATIVES: dict[str, str] = {"kids": "child_of", "children": "child_of", "parents": "parent_of"}
"""Plural relatives said without names ("my kids"): one node for the group."""

OTHER_RELATIVES: dict[str, str] = {
    "sister": "sister_of",
    "brother": "brother_of",
    "sibling": "sibling_of",
    "son": "child_of",
    "daughter": "child_of",
    "kid": "child_of",
    "child": "child_of",
    "grandma": "grandmother_of",
    "grandmother": "grandmother_of",
    "grandpa": "grandfather_of",
    "grandfather": "grandfather_of",
    "aunt": "aunt_of",
    "uncle": "uncle_of",
    "cousin": "cousin_of",
    "niece": "niece_of",
    "nephew": "nephew_of",
    "friend": "friend_of",
    "bestie": "friend_of",
    "roommate": "roommate_of",
    "flatmate": "roommate_of",
    "housemate": "roommate_of",
    "colleague": "colleague_of",
    "coworker": "colleague_of",
    "co-worker": "colleague_of",
    "boss": "boss_of",
    "manager": "boss_of",
    "mentor": "mentor_of",
    "neighbor": "neighbor_of",
    "neighbour": "neighbor_of",
    "therapist": "therapist_of",
    "doctor": "doctor_of",
}
"""Relatives and acquaintances of whom there may be several: only named ones make nodes."""

SUBJECT_SIDE = frozenset({"married_to", "partner_of", "engaged_to"})
"""Predicates stored from the speaker's side, so that a new partner retires the old one."""

RELATIVES = {**UNIQUE_RELATIVES, **GROUP_RELATIVES, **OTHER_RELATIVES}
_REL_ADJ = r"(?:(?i:best|close|old|childhood|closest|good|dear|younger|older|little|big|baby|twin|elder|new)\s+)?"
_REL = "|".join(sorted((re.escape(k) for k in RELATIVES), key=len, reverse=True))
_PETS = r"dog|puppy|cat|kitten|bird|parrot|hamster|rabbit|bunny|fish|turtle|horse|pony|snake|lizard|guinea pig"
EVENT_NOUNS = (
    r"workshop|class|course|concert|conference|party|festival|wedding|support group|group|meeting|meetup|race|"
    r"marathon|game|show|exhibition|exhibit|fair|retreat|camp|tour|parade|event|ceremony|session|lecture|"
    r"seminar|talk|match|recital|play|musical|fundraiser|rally|protest|reunion|convention|hackathon|tournament|"
    r"competition|picnic|trip|vacation|holiday|celebration|service|audition|interview|open mic"
)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


WORK = _rx(
    rf"{WE}{ADV}(?P<verb>(?i:work|works|working|worked|employed|interning|volunteer|volunteering))\s+"
    rf"(?i:at|for|with)\s+(?:(?i:a|an)\s+(?i:[a-z]+\s+)?(?i:called|named)\s+)?{DET}{NAME}"
)
JOB_START = _rx(
    rf"\bI{ADV}(?:'ve\s+|\s+)(?i:started|got|landed|accepted|began|took|have)\s+{DET}"
    rf"(?i:job|position|role|internship|gig)(?:\s+(?i:as)\s+(?i:an?\s+)?[a-z][a-z -]{{1,30}}?)?\s+(?i:at|with)\s+"
    rf"{DET}{NAME}"
)
JOINED = _rx(rf"\bI\s+{ADV}(?i:joined|started at|started working at|started working for)\s+{DET}{NAME}")
TITLE_AT = _rx(
    rf"\bI(?:'m|\s+am)\s+{ADV}(?i:an?|the)\s+(?P<title>[a-z][a-z-]*(?:\s+[a-z][a-z-]*){{0,2}}?)\s+"
    rf"(?i:at|for|with)\s+{DET}{NAME}"
)
QUIT = _rx(
    rf"\bI\s+{ADV}(?:(?i:quit|resigned from|was laid off from|got laid off from|got fired from)\s+{DET}{NAME}|"
    rf"(?i:quit|left)\s+(?i:my)\s+(?i:old\s+)?(?i:job|position|role)(?:\s+(?i:at|with)\s+{DET}(?P<at>{NAME_BODY}))?)"
)
NO_LONGER = _rx(rf"\bI\s+(?i:no longer|don't|do not)\s+(?i:work)\s+(?i:at|for)\s+{DET}{NAME}")
MOVE = _rx(rf"{WE}{ADV}(?i:moved|relocated|moving|move)\s+(?i:back\s+)?(?i:to|into)\s+{DET}{NAME}(?!\s+(?i:job|house))")
LIVE = _rx(rf"{WE}{ADV}(?P<verb>(?i:live|living|lived|based|settled|staying))\s+(?i:in)\s+{DET}{NAME}")
ORIGIN = (
    _rx(rf"\bI(?:'m|\s+am)\s+{ADV}(?i:from)\s+{NAME}"),
    _rx(rf"\bI\s+{ADV}(?i:grew up|was born|was raised)\s+(?i:in)\s+{NAME}"),
    _rx(rf"\b(?i:my\s+home\s+(?:country|town|city)),?\s+(?:(?i:is|of)\s+)?{NAME}"),
)
STUDY = _rx(
    rf"{WE}{ADV}(?i:study|studying|studied|enrolled|a student|majoring in [a-z]+|a freshman|a senior)\s+"
    rf"(?i:at|in)\s+{DET}{NAME}"
)
VISIT = _rx(
    rf"{WE}{ADV}(?i:visited|went to|traveled to|travelled to|flew to|drove to|took a trip to|went on a trip to|"
    rf"went back to|spent (?:a|the|two|three|a few) [a-z]+ in|got back from|returned from)\s+{DET}{NAME}"
)
REL_NAMED = _rx(rf"\b(?i:my)\s+{_REL_ADJ}(?P<rel>(?i:{_REL}))(?:,\s*|\s+){PERSON}\b(?!\s+(?:and\s+)?I\b)")
REL_IS = _rx(
    rf"(?<![\w'])(?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+)?),? (?i:is|was) (?i:my)\s+{_REL_ADJ}(?P<rel>(?i:{_REL}))\b"
)
REL_APPOSITIVE = _rx(rf"(?<![\w'])(?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+)?), (?i:my)\s+{_REL_ADJ}(?P<rel>(?i:{_REL})),")
REL_BARE = _rx(rf"\b(?i:my)\s+{_REL_ADJ}(?P<rel>(?i:{_REL}))\b")
PET = _rx(
    rf"\b(?i:my|our|a|an|another|the)\s+(?i:new\s+|little\s+|sweet\s+|rescue\s+)?(?P<kind>(?i:{_PETS}))"
    rf"(?:,?\s+(?i:named|called)\s+|\s+)(?P<name>[A-Z][a-z]+)\b"
)
NAMED_THING = _rx(
    rf"{WE}{ADV}(?i:bought|adopted|got|rescued|have|own|named|built|made|wrote|painted)\s+"
    rf"(?i:a|an|my|our|another|this|the)\s+(?:(?i:new)\s+)?(?P<what>[a-z][a-z -]{{1,30}}?),?\s+"
    rf"(?i:named|called)\s+{NAME}"
)
BOUGHT = _rx(rf"{WE}{ADV}(?i:bought|purchased|ordered|got)\s+(?:(?i:a|an|the|my|some|new|myself a|us a)\s+)+{NAME}")
LIKES = _rx(
    rf"\bI\s+{ADV}(?i:love|like|adore|enjoy|'m a (?:big |huge )?fan of|am a (?:big |huge )?fan of)\s+{NAME}"
    rf"(?!\s*(?:'s|’s))"
)
EVENT = _rx(
    rf"{WE}{ADV}(?i:went to|attended|joined|took (?:my|our|the) [a-z]+ to|signed up for|participated in|ran|"
    rf"hosted|held|organized|organised|celebrated|had|did)\s+(?i:a|an|the|my|our|this|that|another)\s+"
    rf"(?P<event>(?:[\w'-]+\s+){{0,3}}?(?i:{EVENT_NOUNS}))\b"
)
SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
MENTION = re.compile(NAME)
PAST_TENSE = frozenset({"worked", "lived", "volunteered"})

# Changes: what ended and what holds now. Each pattern here feeds agents.graph_extraction.changes.
_LEAVE = r"(?i:left|quit|resigned from)"
_JOIN = r"(?i:joined|join|started at|started working at|started working for|went to work for|went to work at)"
SWITCH_JOB = _rx(
    rf"\bI\s+{ADV}{_LEAVE}\s+{DET}(?P<old>{NAME_BODY}),?\s+(?i:and|to)\s+(?i:then\s+)?(?i:now\s+)?{_JOIN}\s+"
    rf"{DET}{NAME}"
)
""""I left Acme and joined Initech": the old employer ended, the new one holds."""
EMPLOYED = _rx(rf"{WE}{ADV}(?i:employed)\s+(?i:by)\s+{DET}{NAME}")
MOVE_FROM = _rx(
    rf"{WE}{ADV}(?i:moved|relocated)\s+(?i:all the way\s+)?(?i:from)\s+{DET}(?P<old>{NAME_BODY})\s+(?i:to)\s+"
    rf"{DET}{NAME}"
)
MOVE_AWAY = (
    _rx(rf"{WE}{ADV}(?i:moved|relocated)\s+(?i:out of|away from)\s+{DET}{NAME}"),
    _rx(rf"\bI\s+{ADV}(?i:left)\s+{DET}{NAME}(?=,?\s+(?i:and|to)\s+(?i:then\s+)?(?i:moved|relocated|move)\b)"),
    _rx(
        rf"\bI\s+(?:(?i:no longer)\s+(?i:live)\s+(?i:in)\s+{DET}{NAME}"
        rf"|(?i:don't|do not)\s+(?i:live)\s+(?i:in)\s+{DET}(?P<there>{NAME_BODY})(?=[^.]*\b(?i:any ?more)\b))"
    ),
)
""""We moved out of Leeds", "I left Oslo and moved to Rome", "I don't live in Oslo anymore"."""
LEFT_FOR_HOME = _rx(
    rf"\bI\s+{ADV}(?i:left)\s+{DET}{NAME_BODY},?\s+(?i:and|to)\s+(?i:then\s+)?(?i:moved|relocated|move)\s+"
    rf"(?i:back\s+)?(?i:to)\s+{DET}{NAME}"
)
""""I left Oslo and moved to Rome": the new home, said without its own subject."""
SOLD = _rx(rf"{WE}{ADV}(?i:sold|gave away|got rid of)\s+(?i:my|our)\s+(?:(?i:old)\s+)?{NAME}")
PET_NAME_AFTER = _rx(
    rf"{WE}{ADV}(?i:got|adopted|have|rescued|bought|brought home)\s+(?i:a|an|another)\s+"
    rf"(?:(?i:new|little|rescue|sweet)\s+)?(?P<kind>(?i:{_PETS}))\b[^.,;!?]{{0,30}},\s+(?i:and\s+)?"
    rf"(?i:her|his|its|their)\s+(?i:name)\s+(?i:is)\s+(?P<name>[A-Z][a-z]+)"
)
BROKE_UP = _rx(
    rf"{WE}{ADV}(?:(?i:got|just got)\s+)?(?P<how>(?i:broke up|split up|broken up|separated|divorced))\b"
    rf"(?:\s+(?i:with)\s+(?:(?i:my)\s+(?:\w+\s+)?)?(?P<name>[A-Z][a-z]+)?)?"
)
RETIRED = _rx(rf"\bI(?:'ve|\s+have)?\s+{ADV}(?i:retired)\b(?!\s+(?i:[a-z]+\s+)?(?i:teacher|parents?|couple|people))")
""""I retired", "I've just retired": the job held until then ended."""
BOUGHT_AFTER_SALE = _rx(
    r"(?i:sold|gave away|got rid of)\s+[^.,;!?]{1,40}?\s+(?i:and)\s+(?i:then\s+)?(?i:bought|got|purchased)\s+"
    rf"(?:(?i:a|an|the|new|myself a|us a)\s+)+{NAME}"
)
""""I sold my Civic and bought a Tesla": the purchase shares the subject of the sale."""
