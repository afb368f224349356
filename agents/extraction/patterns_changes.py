"""Rules for statements that something stopped being true: "no longer", "anymore", "quit", "used to".

They run before every other rule, so "I don't live in Berlin anymore" is never read as living
there. Each negation fills the same slot as the positive statement it retracts ("no longer
lives in Berlin" and "lives in Berlin" are both ``location``), so consolidation can match them.
"""

from __future__ import annotations

import re

from agents.extraction.rule import ME, Built, Found, Rule, conjugate, head_noun, possession_slot, rule, topic_slug

_DIET_WORDS = re.compile(r"\b(?:meat|dairy|fish|pork|beef|chicken|eggs?|gluten|sugar|vegetarian|vegan|eating)\b", re.I)


def verb_slot(verb: str, obj: str) -> str:
    """The slot a verb + object fills: "live in" -> location, "eat meat" -> diet, "play X" -> activity:x."""
    verb = verb.lower()
    phrase = f"{verb} {obj}".strip()
    if re.match(r"(?:live|reside|stay)s?\b", verb):
        return "location"
    if re.match(r"work(?:s|ing)? (?:at|for)\b", phrase):
        return "employer"
    if verb.startswith("work"):
        return "job"
    if re.match(r"(?:eat|consume)", verb):
        return "diet"
    if verb.startswith("drink"):
        return f"habit:{topic_slug(obj) if obj else 'drinking'}"
    if verb.startswith("smok"):
        return "habit:smoking"
    if verb in ("own", "have", "drive"):
        return possession_slot(obj)
    if verb in ("like", "love", "enjoy", "prefer"):
        return f"preference:{topic_slug(obj)}"
    if verb in ("date", "see"):
        return "relationship:partner"
    if verb in ("play", "practice", "practise", "do", "go"):
        return f"activity:{topic_slug(obj)}"
    return f"activity:{topic_slug(phrase)}"


def _gerund_slot(obj: str) -> str:
    """Slot for what was given up: "eating meat" -> diet, "smoking" -> habit:smoking, "running" -> activity."""
    if _DIET_WORDS.search(obj) and not re.search(r"\bdrink", obj, re.I):
        return "diet"
    if re.search(r"\bsmok|\bcigarette|\bvap", obj, re.I):
        return "habit:smoking"
    if re.search(r"\bdrink|\balcohol|\bbooze", obj, re.I):
        return "habit:drinking"
    return f"activity:{topic_slug(obj)}"


def _no_longer(found: Found) -> Built:
    verb = found.raw("verb")
    if verb.lower() in ("a", "an", "the", "able", "sure", "interested", "in", "into"):
        return None
    rest = found.obj("rest") if found.raw("rest") else ""
    if rest is None:
        return None
    return verb_slot(verb, rest), found.say(f"no longer {conjugate(verb)} {rest}")


def _no_longer_identity(found: Found) -> Built:
    what = found.obj("what")
    if what is None:
        return None
    head = head_noun(what)
    if re.match(r"(?:working|employed) (?:at|for|with) ", what, re.I):
        return "employer", found.say(f"is no longer {what}")
    if re.match(r"(?:vegetarian|vegan|pescatarian|pescetarian|keto|plant-based)$", head):
        slot = "diet"
    elif head in ("married", "engaged", "together", "dating"):
        slot = "relationship:partner" if head != "married" else "relationship:spouse"
    elif head in ("employed", "working", "student", "retired") or re.search(r"(?:er|or|ist|ian)$", head):
        slot = "job"
    else:
        slot = f"identity:{topic_slug(what)}"
    article = found.raw("art")
    return slot, found.say(f"is no longer {article + ' ' if article else ''}{what}")


def _used_to(found: Found) -> Built:
    verb = found.raw("verb")
    rest = found.obj("rest") if found.raw("rest") else ""
    if rest is None or verb.lower() in ("it", "think", "feel", "that"):
        return None
    if verb.lower() == "be":
        return f"identity:{topic_slug(rest)}", found.say(f"used to be {rest}")
    return verb_slot(verb, rest), found.say(f"used to {verb.lower()} {rest}")


def _left_job(found: Found) -> Built:
    where = found.obj() if found.raw("obj") else ""
    if where is None:
        return None
    verb = found.raw("verb").lower()
    verb = {"resigned from": "resigned from", "have quit": "quit", "have left": "left"}.get(verb, verb)
    slot = "employer" if where else "job"
    suffix = f" {found.raw('prep').lower()} {where}" if where else ""
    return slot, found.say(f"{verb} their job{suffix}")


def _gave_up(found: Found) -> Built:
    obj = found.obj()
    if obj is None:
        return None
    verb = re.sub(r"^(?:have|has) ", "", found.raw("verb").lower())
    verb = {"given up": "gave up", "kicked": "kicked"}.get(verb, verb)
    return _gerund_slot(obj), found.say(f"{verb} {obj}")


def _moved_away(found: Found) -> Built:
    place = found.obj()
    return ("location", found.say(f"moved away from {place}")) if place else None


def _broke_up(found: Found) -> Built:
    who = found.obj()
    return ("relationship:partner", found.say(f"broke up with {who}")) if who else None


def _broke_up_bare(found: Found) -> Built:
    """ "we broke up", "we split up last month": the couple itself, no one else named."""
    if found.raw("rest") and found.obj("rest") is not None:
        return None  # "broke up a fight", "split up the bill": an object, not a couple
    return "relationship:partner", found.say("broke up with their partner")


def _divorced(found: Found) -> Built:
    return "relationship:spouse", found.say(f"is {found.raw('what').lower()}")


def _sold(found: Found) -> Built:
    thing = found.obj()
    if thing is None:
        return None
    verb = re.sub(r"^(?:have|has) ", "", found.raw("verb").lower()).replace("given", "gave").replace("gotten", "got")
    return possession_slot(thing), found.say(f"{verb} {thing}")


def _laid_off(found: Found) -> Built:
    where = found.obj() if found.raw("obj") else ""
    if where is None:
        return None
    what = "was laid off" if "laid" in found.raw("what").lower() else "was fired"
    return ("employer", found.say(f"{what} from {where}")) if where else ("job", found.say(what))


RULES: tuple[Rule, ...] = (
    rule(
        "no_longer_identity",
        ME + r"am (?:no longer|not (?=.*\bany ?more\b))(?:(?P<art>an?) )?(?P<what>.+?)(?:\s+any ?more\b.*)?$",
        "profile",
        _no_longer_identity,
        0.8,
        negated=True,
    ),
    rule("no_longer", ME + r"no longer (?P<verb>[a-z]+)(?P<rest>(?:\s+.+)?)$", "fact", _no_longer, 0.8, negated=True),
    rule(
        "not_anymore",
        ME + r"(?:do|does|did) not (?:really )?(?P<verb>[a-z]+)(?P<rest>(?:\s+.+?)?)\s+any ?more\b",
        "fact",
        _no_longer,
        0.8,
        negated=True,
    ),
    rule("used_to", ME + r"used to (?P<verb>[a-z]+)(?P<rest>(?:\s+.+)?)$", "fact", _used_to, 0.65, negated=True),
    rule(
        "left_job",
        ME + r"(?P<verb>(?:have )?quit|(?:have )?left|resigned from|lost) my (?:\w+ )?(?:job|position|role)\b"
        r"(?:\s+(?P<prep>at|with|as|in)\s+(?P<obj>.+))?",
        "profile",
        _left_job,
        0.8,
        negated=True,
    ),
    rule(
        "laid_off",
        ME + r"(?:was|got|have been) (?P<what>laid off|fired|let go)\b(?:\s+(?:from|by)\s+(?P<obj>.+))?",
        "profile",
        _laid_off,
        0.8,
        negated=True,
    ),
    rule(
        "gave_up",
        ME + r"(?P<verb>(?:have )?(?:quit|stopped|given up|gave up|kicked|cut out))\s+"
        r"(?P<obj>(?:[a-z]+ing\b|smoking|drinking|alcohol|caffeine|coffee|sugar|meat|dairy|social media|"
        r"cigarettes|booze|the habit).*)",
        "fact",
        _gave_up,
        0.75,
        negated=True,
    ),
    rule(
        "moved_away",
        ME + r"(?:have )?(?:moved|relocated) (?:out of|away from|from(?=\s+(?-i:[A-Z])(?!.*\s(?:to|into)\s)))"
        r"\s+(?P<obj>.+)",
        "fact",
        _moved_away,
        0.8,
        negated=True,
    ),
    rule(
        "broke_up",
        ME + r"(?:have )?(?:broke|broken|split) up with\s+(?P<obj>.+)",
        "fact",
        _broke_up,
        0.8,
        negated=True,
    ),
    rule(
        "broke_up_bare",
        ME + r"(?:have )?(?:broke|broken|split) up\b(?!\s+with\b)(?P<rest>.*)",
        "fact",
        _broke_up_bare,
        0.75,
        negated=True,
    ),
    rule(
        "divorced",
        ME + r"(?:am|got|have been|was|just got) (?P<what>divorced|separated)\b",
        "fact",
        _divorced,
        0.8,
        negated=True,
    ),
    rule(
        "sold",
        ME + r"(?P<verb>(?:have )?(?:sold|gave away|given away|got rid of|gotten rid of|donated))\s+"
        r"(?P<obj>(?:my|our|the) .+)",
        "fact",
        _sold,
        0.7,
        negated=True,
    ),
)
