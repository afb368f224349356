"""Rules for what the speaker did, will do and keeps doing: events, plans and activities.

Events ("I ran a charity race last Saturday") fill ``event:<verb>:<what>`` and take their time
from the clause; plans need a sign of intent ("planning to", "going to", or "will"/"-ing" with a
time ahead: "I'm flying to Paris next week"); activities are habits ("I play tennis", "I've been
learning Spanish for 3 years") and fill ``activity:<what>``.
"""

from __future__ import annotations

import re

from agents.extraction.rule import ME, OBJ, Built, Found, Rule, conjugate, possession_slot, rule, topic_slug
from agents.extraction.vocabulary import words

# past form (or participle) -> lemma, for event keys
_EVENT_VERBS: dict[str, str] = {
    "went": "go", "gone": "go", "been to": "visit", "visited": "visit", "started": "start", "began": "begin",
    "begun": "begin", "finished": "finish", "completed": "complete", "attended": "attend", "adopted": "adopt",
    "joined": "join", "ran": "run", "met": "meet", "saw": "see", "seen": "see", "watched": "watch",
    "tried": "try", "received": "receive", "won": "win", "booked": "book", "signed up for": "sign up",
    "took part in": "take part", "took up": "take up", "taken up": "take up", "took": "take", "taken": "take",
    "traveled": "travel", "travelled": "travel", "flew": "fly", "flown": "fly", "drove": "drive",
    "driven": "drive", "hiked": "hike", "celebrated": "celebrate", "hosted": "host", "volunteered": "volunteer",
    "participated in": "participate", "competed in": "compete", "painted": "paint", "baked": "bake",
    "cooked": "cook", "made": "make", "got": "get", "gotten": "get", "read": "read", "learned": "learn",
    "learnt": "learn", "repotted": "repot", "planted": "plant", "published": "publish", "launched": "launch",
    "opened": "open", "returned": "return", "came back from": "return", "spent": "spend", "threw": "throw",
    "organized": "organize", "organised": "organize", "donated": "donate", "raised": "raise", "had": "have",
    "lost": "lose", "found": "find", "fixed": "fix", "built": "build", "created": "create", "wrote": "write",
    "written": "write", "recorded": "record", "played": "play", "performed": "perform", "climbed": "climb",
    "swam": "swim", "camped": "camp", "upgraded": "upgrade", "renewed": "renew", "switched": "switch",
    "installed": "install", "renovated": "renovate", "redecorated": "redecorate", "applied": "apply",
    "enrolled": "enroll", "registered": "register", "passed": "pass", "failed": "fail", "earned": "earn",
    "scored": "score", "set up": "set up", "decided": "decide", "taught": "teach", "explored": "explore",
    "toured": "tour", "ate": "eat", "eaten": "eat", "tasted": "taste", "listened to": "listen",
    "discovered": "discover", "rescued": "rescue", "achieved": "achieve", "finally finished": "finish",
    "picked up": "pick up", "signed": "sign", "launched into": "launch", "designed": "design",
    "bought tickets for": "book", "went on": "go", "hit": "hit", "reunited with": "reunite", "chose": "choose",
    "moved into": "move", "knitted": "knit", "sewed": "sew", "drew": "draw", "sang": "sing",
    "gave": "give", "made it to": "reach", "reached": "reach", "visited with": "visit", "caught up with": "meet",
}  # fmt: skip
_EVENT_PATTERN = "|".join(sorted((re.escape(v) for v in _EVENT_VERBS), key=len, reverse=True))
_NEEDS_DATE = frozenset({"have", "make", "read", "eat", "listen", "give", "hit", "spend", "sign"})
_INTRANSITIVE = frozenset({"hike", "camp", "swim", "travel", "volunteer", "run", "bake", "cook", "paint", "fly"})
_EVENT_JUNK: dict[str, str] = {
    "have": r"to|no|an? (?:idea|question|feeling|chance|hard time|look|thought|great time|good time|lot|few|bit|"
    r"similar|problem|issue|doubt)|some (?:questions|issues|problems|trouble|doubts)|trouble|fun|enough|it|any|"
    r"the (?:chance|opportunity|feeling|same|pleasure)|been|my doubts|mixed",
    "get": r"(?!an?\b|my\b|the\b|some\b|two\b|three\b|new\b|\d|our\b)|an? (?:chance|question|email|lot|bit|feeling|"
    r"sense|idea|response|reply|message|call|text|notification|few|little)|the (?:chance|idea|impression|hang|"
    r"sense|feeling|opportunity|message|point|best)|some (?:advice|help|feedback|ideas|tips|rest|sleep|info)",
    "make": r"sure|it|up|a decision|the decision|progress|sense|a (?:note|point|list|mistake)|time|mistakes",
    "take": r"an? (?:look|while|moment|second|minute|break|step back|deep breath|note)|notes?|care|advantage|"
    r"forever|ages|a lot|time|it|the (?:plunge|time|opportunity|liberty|chance|lead|advice|suggestion)",
    "see": r"that|it|this|some|a lot|on|in|how|what|the (?:point|appeal|value|benefit|difference)",
    "try": r"to (?:find|figure|think|understand|get|make|do|be|look|search|use|follow|remember|ask|help|decide|"
    r"explain|see)|(?:some|a few|a lot|many|different|various|everything|all)\b",
    "begin": r"to (?:feel|think|wonder|notice|realize|get|see|worry|look|doubt|question|understand|consider)",
    "start": r"to (?:feel|think|wonder|notice|realize|get|see|worry|look|doubt|question|understand|consider)|"
    r"(?:thinking|wondering|feeling|looking|worrying|to)\b(?! (?:learn|take|play|run|train|practi))",
    "find": r"out|that|it|this|myself|the (?:answer|information|time|article|post|courage)|some|a (?:way|lot)|"
    r"(?:your|these|those)|(?:really|very|quite|so)",
    "lose": r"track|interest|count|sleep|my (?:mind|train|temper|patience|way)|touch|it|sight|hope|focus|motivation",
    "learn": r"that|about (?:your|it)|how|a lot|from|so much|what",
    "decide": r"(?!to\b)",
    "go": r"through|over|back and forth|with (?:it|that|the)|ahead|for it|wrong|off|out of my way|crazy|into detail|"
    r"a (?:bit|little)|down (?:a|the) rabbit hole|above|beyond|overboard|by|along",
    "play": r"around|with (?:it|that)|an? (?:role|part)|it",
    "meet": r"up\b(?! with)|the (?:deadline|requirements?|criteria)",
    "give": r"up|it|an? try|some thought|thought|myself",
    "spend": r"(?:a lot|too much|some|hours|so much|way too)",
    "set up": r"(?:a|my) (?:reminder|alarm)",
}
_EVENT_JUNK_RE = {lemma: re.compile(rf"^(?:{pattern})", re.IGNORECASE) for lemma, pattern in _EVENT_JUNK.items()}
_PLAN_VERBS = re.compile(
    r"^(?:visit|travel|go|move|start|buy|get|take|attend|run|apply|learn|join|adopt|host|fly|drive|spend|"
    r"celebrate|see|meet|begin|launch|open|sign up|register|enroll|book|throw|organi[sz]e|volunteer|participate|"
    r"compete|graduate|retire|quit|study|train|hike|camp|paint|build|renovate|plant|pick up|head|be (?:in|at|"
    r"visiting|traveling|travelling|moving|starting|going|hosting|attending)|return|switch|upgrade|cook|bake|"
    r"try out|ask (?:for|my)|propose|marry|have a)\b",
    re.IGNORECASE,
)
# A wish with no time is a plan only when it names a life goal ("I want to learn Italian").
_WANT_VERBS = re.compile(
    r"^(?:visit|travel|move|start|learn|buy a (?:house|home|car)|adopt|run a|join|open|launch|build|become|study|"
    r"retire|switch careers|go back to school|have (?:kids|children|a baby)|get married|compete|climb|hike|"
    r"write a (?:book|novel)|own)\b",
    re.IGNORECASE,
)
_NOT_PLANNED = re.compile(
    r"^(?:check|try|need|have to|let|keep|look|think|consider|give|use|make sure|be sure|be fine|be honest|"
    r"take (?:a look|note|your|that|it|some time to)|definitely|probably|also|just|get back|go with|go through|"
    r"go over|stick|share|do (?:that|it|my best|some)|see (?:if|what|how)|follow|update|report|let you|be "
    r"(?:able|happy|glad|sure|careful|mindful)|continue|remember|work on (?:it|that)|keep|start (?:with|by))\b",
    re.IGNORECASE,
)
_PROGRESSIVE_STOP = words(
    "thinking wondering hoping looking trying feeling going getting considering planning struggling "
    "having asking talking chatting telling saying dying meaning wanting needing waiting curious "
    "interested excited worried glad happy sorry sure doing using working"
)
_ACTIVITY_STOP = words(
    "thinking wondering meaning feeling hoping waiting considering planning asking talking chatting "
    "telling saying dying wanting needing going getting having dealing"
)
_NOT_AN_ACTIVITY = re.compile(r"^(?:better|well|great|fine|okay|ok|good|worse|alright|so|really|pretty|much)\b", re.I)
# Light verbs make a habit only with an activity after them ("I do yoga", not "I do think so").
_HABIT_OBJECTS = {
    verb: re.compile(pattern, re.IGNORECASE)
    for verb, pattern in {
        "play": r"(?!an? (?:role|part)|around|with|it\b|games? with)\w",
        "do": r"(?:yoga|pilates|crossfit|karate|taekwondo|judo|boxing|kickboxing|aerobics|zumba|ballet|"
        r"\w+ (?:classes|lessons|training)|volunteer work|martial arts)\b",
        "take": r"(?:\w+ )?(?:classes|lessons|courses?|a class)\b",
        "go": r"(?:\w+ing\b|to (?:the )?(?:gym|church|temple|mosque|synagogue|school|college|university|"
        r"work|yoga|class|practice|therapy|the park|the beach)\b)",
        "visit": r"(?:my|our) ",
        "attend": r"(?:\w+ )?(?:classes|church|meetings|school|college|university|therapy|services)\b",
        "read": r"(?:a lot|every|books|novels|\w+ books|the news|before bed|daily)",
        "write": r"(?:poetry|poems|novels|stories|short stories|a blog|code|songs|music|fiction|articles)\b",
        "run": r"(?:an? |my own |marathons|half marathons|\d|every|daily|regularly|three|twice)",
    }.items()
}
_REQUEST_OBJECT = re.compile(
    r"^(?:some |any |more |a few |the best |good |great |new |an? )?(?:[\w-]+ ){0,2}?"
    r"(?:advice|help|tips|ideas|recommendations|suggestions|information|guidance|inspiration|resources|options|ways?|something|anything|answers?|"
    r"feedback|input|insights?|assistance|support|clarification|a way|an? (?:answer|solution|recommendation|"
    r"suggestion|idea|list))\b",
    re.IGNORECASE,
)


def _lemma_key(verb: str) -> str:
    return _EVENT_VERBS.get(verb.lower(), verb.lower()).replace(" ", "_")


def _event(found: Found) -> Built:
    verb = " ".join(found.raw("verb").lower().split())
    lemma = _EVENT_VERBS.get(verb, verb)
    if lemma in _NEEDS_DATE and not found.dated:
        return None
    raw_obj = found.raw("obj")
    junk = _EVENT_JUNK_RE.get(lemma)
    if junk and junk.match(raw_obj):
        return None
    obj = found.obj() if raw_obj else ""
    if obj is None or (not obj and not (lemma in _INTRANSITIVE and found.dated)):
        return None
    perfect = found.raw("perf").lower()
    if perfect == "have" and verb == "got":
        return None  # "I've got 500 points" is having, not an event
    tense = "has " if perfect == "have" else ("had " if perfect == "had" else "")
    return f"event:{_lemma_key(verb)}:{topic_slug(obj)}", found.say(f"{tense}{verb} {obj}".strip())


def _purchase(found: Found) -> Built:
    thing = found.obj()
    if thing is None or _REQUEST_OBJECT.match(thing):
        return None
    verb = " ".join(found.raw("verb").lower().split())
    tense = "has " if found.raw("perf") else ""
    return possession_slot(thing), found.say(f"{tense}{verb} {thing}")


def _planning(found: Found) -> Built:
    goal = found.obj()
    if goal is None or _REQUEST_OBJECT.match(goal):
        return None
    verb = found.raw("verb").lower()
    be = {"am": "is", "was": "was", "have been": "has been"}[verb]
    return f"plan:{topic_slug(goal)}", found.say(f"{be} {found.raw('how').lower()} {found.raw('prep').lower()} {goal}")


def _intends(found: Found) -> Built:
    goal = found.obj()
    if goal is None or _NOT_PLANNED.match(goal):
        return None
    return f"plan:{topic_slug(goal)}", found.say(f"{conjugate(found.raw('verb').lower())} to {goal}")


def _wants(found: Found) -> Built:
    goal = found.obj()
    if goal is None or _NOT_PLANNED.match(goal):
        return None
    verb = " ".join(found.raw("verb").lower().split())
    if found.ahead:
        if not _PLAN_VERBS.match(goal):
            return None
    elif verb.startswith("would") or not _WANT_VERBS.match(goal):
        return None  # "I would love to ..." without a time is a wish, not a plan
    return f"plan:{topic_slug(goal)}", found.say(f"{conjugate(verb)} to {goal}")


def _considering(found: Found) -> Built:
    idea = found.obj()
    if idea is None or _REQUEST_OBJECT.match(idea):
        return None
    verb = "has been" if found.raw("verb").lower() == "have been" else "is"
    return f"plan:{topic_slug(idea)}", found.say(f"{verb} {found.raw('how').lower()} {idea}")


def _going_to(found: Found) -> Built:
    goal = found.obj()
    if goal is None or _NOT_PLANNED.match(goal):
        return None
    if not (found.ahead or _PLAN_VERBS.match(goal) or goal[0].isupper()):
        return None
    return f"plan:{topic_slug(goal)}", found.say(f"is going to {goal}")


def _will(found: Found) -> Built:
    goal = found.obj()
    if goal is None or _NOT_PLANNED.match(goal):
        return None
    return f"plan:{topic_slug(goal)}", found.say(f"will {goal}")


def _progressive_plan(found: Found) -> Built:
    verb = found.raw("verb").lower()
    if verb in _PROGRESSIVE_STOP:
        return None
    rest = found.obj("rest") if found.raw("rest") else ""
    if rest is None:
        return None
    return f"plan:{topic_slug(f'{verb} {rest}')}", found.say(f"is {verb} {rest}".strip())


def _looking_forward(found: Found) -> Built:
    what = found.obj()
    if what is None or _REQUEST_OBJECT.match(what):
        return None
    return f"plan:{topic_slug(what)}", found.say(f"is {' '.join(found.raw('how').lower().split())} {what}")


def _has_upcoming(found: Found) -> Built:
    what = found.obj()
    return (f"plan:{topic_slug(what)}", found.say(f"has {what}")) if what else None


def _keeps_doing(found: Found) -> Built:
    verb = found.raw("verb").lower()
    if verb in _ACTIVITY_STOP:
        return None
    rest = found.obj("rest") if found.raw("rest") else ""
    if rest is None or _REQUEST_OBJECT.match(rest or "-") or _NOT_AN_ACTIVITY.match(rest):
        return None
    return f"activity:{topic_slug(f'{verb} {rest}')}", found.say(f"has been {verb} {rest}".strip())


def _habit(found: Found) -> Built:
    verb = found.raw("verb").lower()
    rest = found.obj("rest") if found.raw("rest") else ""
    if rest is None:
        return None
    needs = _HABIT_OBJECTS.get(verb)
    if needs is not None and not needs.match(found.raw("rest")):
        return None
    topic = rest if verb in ("play", "do", "go", "practice", "practise", "take") else f"{verb} {rest}"
    return f"activity:{topic_slug(topic)}", found.say(f"{conjugate(verb)} {rest}".strip())


RULES: tuple[Rule, ...] = (
    rule(
        "planning",
        ME + r"(?P<verb>am|was|have been) (?:seriously |also |still |currently |actually )?(?P<how>planning|hoping|"
        r"intending|aiming|preparing|getting ready|saving up|saving|looking|working|trying|studying|training)\s+"
        r"(?P<prep>to|on|for)\s+(?<!looking for )(?!(?:know|ask|find out|get some|understand|figure out|learn more|"
        r"get a sense|get an idea|decide|determine|choose|pick|wrap my head)\b)" + OBJ,
        "plan",
        _planning,
        0.7,
    ),
    rule("intends", ME + r"(?P<verb>plan|intend|hope|aim|expect) to\s+" + OBJ, "plan", _intends, 0.65),
    rule(
        "wants",
        ME + r"(?P<verb>want|would like|would love|really want|am dying|cannot wait|can not wait) to\s+" + OBJ,
        "plan",
        _wants,
        0.5,
    ),
    rule(
        "considering",
        ME + r"(?P<verb>am|have been) (?:seriously |also |still |really )?(?P<how>thinking (?:of|about)|considering|"
        r"debating|contemplating|toying with the idea of)\s+(?P<obj>[a-z]+ing\b.*)",
        "plan",
        _considering,
        0.5,
    ),
    rule(
        "looking_forward",
        ME + r"am (?:really |so |very |super )?(?P<how>looking forward to|excited (?:about|for)|counting down "
        r"(?:the days )?(?:to|until))\s+" + OBJ,
        "plan",
        _looking_forward,
        0.5,
    ),
    rule("going_to", ME + r"am (?:going|about|scheduled|set|due) to\s+" + OBJ, "plan", _going_to, 0.6),
    rule("will", ME + r"will\s+(?!not\b|never\b)" + OBJ, "plan", _will, 0.6, time="ahead"),
    rule(
        "progressive_plan",
        ME + r"am (?P<verb>[a-z]+ing)\b(?P<rest>.*)",
        "plan",
        _progressive_plan,
        0.6,
        time="ahead",
    ),
    rule(
        "has_upcoming",
        ME + r"have\s+(?P<obj>(?:an?|my|the|two) (?:[\w'-]+ ){0,3}?(?:trip|vacation|holiday|meeting|appointment|"
        r"interview|exam|test|wedding|party|concert|flight|surgery|presentation|deadline|conference|date|game|"
        r"match|race|marathon|recital|performance|show|event|reunion|checkup|check-up|visit)\b.*)",
        "plan",
        _has_upcoming,
        0.6,
        time="ahead",
    ),
    rule(
        "purchase",
        ME + r"(?P<perf>have )?(?P<verb>bought|purchased|ordered|invested in|splurged on|treated myself to|"
        r"got myself|picked up a new|finally bought)\s+" + OBJ,
        "event",
        _purchase,
        0.65,
    ),
    rule(
        "event",
        ME + rf"(?:(?P<perf>have|had)\s+)?(?:(?:just|finally|recently|already|also|actually|even)\s+)*"
        rf"(?P<verb>{_EVENT_PATTERN})\b(?P<obj>.*)",
        "event",
        _event,
        0.6,
    ),
    rule("keeps_doing", ME + r"have been (?P<verb>[a-z]+ing)\b(?P<rest>.*)", "fact", _keeps_doing, 0.55),
    rule(
        "habit",
        ME + r"(?:(?:regularly|usually|often|always|sometimes|still|love to|like to|try to)\s+)*"
        r"(?P<verb>play|practice|practise|do|go|run|swim|cook|bake|paint|draw|knit|sew|garden|hike|cycle|bike|surf|"
        r"ski|dance|sing|climb|meditate|volunteer|travel|exercise|work out|jog|fish|camp|golf|skate|collect|"
        r"crochet|journal|blog|teach|coach|mentor|foster|grow|write|read|attend|visit|take)\b(?P<rest>.*)",
        "fact",
        _habit,
        0.5,
    ),
)
