"""Rules for the people, animals and things in the speaker's life, and "my X is Y" statements.

Relatives fill ``relationship:<relation>`` (``relationship:friend:anna`` for relations one has
many of), pets ``pet:<species>``, belongings ``possession:<thing>``. Names are only taken when
written as names ("my sister Anna"), so lower-case chat never turns a common word into a person.
"""

from __future__ import annotations

import re

from agents.extraction.models import FactKind
from agents.extraction.rule import ME, NAME, OBJ, Built, Found, Rule, possession_slot, rule, topic_slug
from agents.extraction.vocabulary import (
    MANY_OF_A_KIND,
    PETS,
    POSSESSABLE,
    RELATIVES,
    RELATIVES_PLURAL,
    is_name,
    pet_key,
    relation_key,
)

_NAMED = (
    rf"(?:(?:,?\s+(?:named|called)|(?:\s+[a-z][a-z ]{{0,30}}?)?,\s+(?:and\s+)?(?:her|his|its|their) names? (?:is|are))"
    rf"\s+(?P<name>{NAME}(?:,? (?:and|&) {NAME})?))?"
)
"""A name given with the noun ("a cat named Luna") or just after it ("a kitten last week, her name is Miso")."""
_COUNT = r"(?:an?|one|two|three|four|five|six|\d{1,2}|several|a few|a couple of)"
_REL_VERBS = (
    r"is|are|was|were|lives|live|works|work|just|recently|moved|has|have|had|got|started|loves|love|likes|like|"
    r"hates|graduated|studies|plays|teaches|runs|owns|came|visited|passed away|died|turned|retired|got married|"
    r"and I|and me"
)
_STATE_OBJECT_STOP = re.compile(
    r"^(?:so|very|really|too|such|the best|amazing|awesome|great|always|a big help|here|there|over|home|back|"
    r"gonna|going|coming|doing|excited|thrilled|happy|sad|worried|proud|upset|busy|sick|tired|not|also|still|"
    r"on board|in town|around|away)\b",
    re.I,
)
_MY_ATTRIBUTES: dict[str, tuple[str, FactKind]] = {
    "job": ("job", "profile"),
    "occupation": ("job", "profile"),
    "profession": ("job", "profile"),
    "job title": ("job", "profile"),
    "title": ("job", "profile"),
    "role": ("job", "profile"),
    "company": ("employer", "profile"),
    "employer": ("employer", "profile"),
    "major": ("education", "profile"),
    "degree": ("education", "profile"),
    "school": ("education", "profile"),
    "university": ("education", "profile"),
    "college": ("education", "profile"),
    "hometown": ("origin", "profile"),
    "home town": ("origin", "profile"),
    "nationality": ("nationality", "profile"),
    "birthday": ("birthday", "profile"),
    "first language": ("language", "profile"),
    "native language": ("language", "profile"),
    "mother tongue": ("language", "profile"),
    "religion": ("religion", "profile"),
    "zodiac sign": ("zodiac", "profile"),
    "star sign": ("zodiac", "profile"),
    "height": ("height", "profile"),
    "weight": ("weight", "profile"),
    "blood type": ("blood_type", "profile"),
    "shoe size": ("size:shoe", "profile"),
    "budget": ("budget", "fact"),
    "monthly budget": ("budget", "fact"),
    "salary": ("salary", "fact"),
    "commute": ("commute", "fact"),
    "car": ("possession:car", "fact"),
    "hobby": ("hobby", "preference"),
    "hobbies": ("hobby", "preference"),
    "passion": ("hobby", "preference"),
    "team": ("team", "fact"),
    "routine": ("routine", "fact"),
    "morning routine": ("routine:morning", "fact"),
    "workout routine": ("routine:workout", "fact"),
    "diet": ("diet", "profile"),
    "specialty": ("job", "profile"),
    "field": ("job", "profile"),
}
_MY_ATTRIBUTE_PATTERN = "|".join(sorted((re.escape(key) for key in _MY_ATTRIBUTES), key=len, reverse=True))


def _relation_slot(relation: str, name: str = "") -> str:
    key = relation_key(relation)
    if name and key in MANY_OF_A_KIND:
        return f"relationship:{key}:{topic_slug(name)}"
    return f"relationship:{key}"


def _relative_named(found: Found) -> Built:
    name, relation = found.raw("name"), found.raw("rel").lower()
    if not all(is_name(part) for part in name.split()):
        return None
    article = "an" if relation[0] in "aeiou" else "a"
    return _relation_slot(relation, name), found.say(f"has {article} {relation} named {name}")


def _relative_does(found: Found) -> Built:
    relation = found.raw("rel").lower()
    verb = found.raw("verb")
    if verb.lower() in ("and i", "and me"):
        return None
    rest = found.obj("rest", possessive=found.possessive) if found.raw("rest") else ""
    if rest is None or (verb.lower() in ("is", "are", "was", "were") and (not rest or _STATE_OBJECT_STOP.match(rest))):
        return None
    return _relation_slot(relation), found.say_of(relation, f"{verb.lower()} {rest}")


def _named(found: Found) -> str:
    """ " named Tom and Jerry" when the name group holds real names, else ""."""
    name = found.raw("name")
    names = [part for part in re.split(r",? (?:and|&) |\s+", name) if part]
    return f" named {name}" if names and all(is_name(part) for part in names) else ""


def _has_relatives(found: Found) -> Built:
    count, relation = found.raw("count").lower(), found.raw("rel").lower()
    adjectives = " ".join(found.raw("adj").lower().split())
    if count in ("a", "an") and adjectives:
        count = "an" if adjectives[0] in "aeiou" else "a"
    named = _named(found)
    noun = f"{adjectives} {relation}" if adjectives else relation
    return _relation_slot(relation, found.raw("name") if named else ""), found.say(f"has {count} {noun}{named}")


def _partnered(found: Found) -> Built:
    state = found.raw("state").lower()
    who = found.obj() if found.raw("obj") else ""
    if who is None:
        return None
    verb = found.raw("verb").lower()
    verb = "got" if "got" in verb else "is"
    slot = "relationship:spouse" if state == "married" else "relationship:partner"
    return slot, found.say(f"{verb} {state}" + (f" to {who}" if who else ""))


def _dating(found: Found) -> Built:
    who = found.obj()
    return ("relationship:partner", found.say(f"is {found.raw('how').lower()} {who}")) if who else None


def _pet_owned(found: Found) -> Built:
    named = _named(found)
    if found.raw("name") and not named:
        return None
    phrase = " ".join(found.raw("np").split())
    verb = found.raw("verb").lower()
    verb = "has" if verb in ("have", "have got", "own") else re.sub(r"^have ", "", verb)
    return f"pet:{pet_key(found.raw('pet'))}", found.say(f"{verb} {phrase}{named}")


def _pet_named(found: Found) -> Built:
    name, pet = found.raw("name"), found.raw("pet").lower()
    if not all(is_name(part) for part in name.split()):
        return None
    article = "an" if pet[0] in "aeiou" else "a"
    return f"pet:{pet_key(pet)}", found.say(f"has {article} {pet} named {name}")


def _pet_does(found: Found) -> Built:
    pet = found.raw("pet").lower()
    rest = found.obj("rest", possessive=found.possessive)
    if rest is None or _STATE_OBJECT_STOP.match(rest):
        return None
    return f"pet:{pet_key(pet)}", found.say_of(pet, f"{found.raw('verb').lower()} {rest}")


def _owns(found: Found) -> Built:
    thing = found.obj()
    if thing is None:
        return None
    verb = found.raw("verb").lower()
    slot = "possession:car" if verb == "drive" else possession_slot(thing)
    if verb in ("have", "have got") and slot.split(":", 1)[1] not in POSSESSABLE:
        return None
    predicate = {"have": "has", "have got": "has", "own": "owns", "drive": "drives"}[verb]
    return slot, found.say(f"{predicate} {thing}")


def _my_attribute(found: Found) -> Built:
    what = found.raw("what").lower()
    value = found.obj(keep_time=True, possessive=found.possessive)
    if value is None:
        return None
    slot, kind = _MY_ATTRIBUTES[what]
    verb = found.raw("verb").lower()
    return slot, found.say_of(what, f"{verb} {value}"), kind


def _goal(found: Found) -> Built:
    goal = found.obj()
    if goal is None:
        return None
    what = found.raw("what").lower()
    return f"plan:{topic_slug(goal)}", found.say_of(what, f"is to {goal}")


RULES: tuple[Rule, ...] = (
    rule(
        "relative_named",
        rf"^my\s+(?P<rel>{RELATIVES})(?:'s name is|,?\s+(?:is )?(?:named|called)|,)?\s+"
        rf"(?P<name>{NAME})\b(?!\s+(?:is|are)\s+(?:an?|the|so|very|really)\b)",
        "fact",
        _relative_named,
        0.8,
    ),
    rule(
        "relative_does",
        rf"^my\s+(?P<rel>{RELATIVES}|{RELATIVES_PLURAL})\s+(?P<verb>{_REL_VERBS})\b(?P<rest>.*)",
        "fact",
        _relative_does,
        0.55,
    ),
    rule(
        "has_relatives",
        ME + rf"(?:have|have got) (?P<count>{_COUNT})\s+(?P<adj>(?:(?:young|little|older|younger|grown|adult|wonderful|"
        r"amazing|beautiful|lovely|twin|adorable|teenage|big|baby)\s+)*)"
        r"(?P<rel>sisters?|brothers?|siblings|kids|children|sons?|daughters?|boyfriend|girlfriend|partner|husband|"
        r"wife|grandchildren|grandkids|grandsons?|granddaughters?|twins|stepsons?|stepdaughters?)\b" + _NAMED,
        "fact",
        _has_relatives,
        0.8,
    ),
    rule(
        "partnered",
        ME + r"(?P<verb>am|have been|got|just got|recently got|am getting|got happily)\s+(?:happily\s+)?"
        r"(?P<state>married|engaged)\b(?:\s+to\s+" + OBJ + ")?",
        "fact",
        _partnered,
        0.8,
    ),
    rule(
        "dating",
        ME + rf"(?:am|have been) (?P<how>dating|seeing(?= {NAME})|in a relationship with|going out with)\s+" + OBJ,
        "fact",
        _dating,
        0.65,
    ),
    rule(
        "single",
        ME + r"am (?:currently |still )?single\b",
        "fact",
        lambda f: ("relationship:partner", f.say("is single")),
        0.7,
    ),
    rule(
        "pet_owned",
        ME + r"(?P<verb>have|have got|own|adopted|have adopted|got|rescued|brought home|bought|have rescued)\s+"
        rf"(?P<np>{_COUNT}\s+(?:new\s+)?(?:[\w-]+\s+){{0,2}}?(?P<pet>{PETS}))\b" + _NAMED,
        "fact",
        _pet_owned,
        0.8,
    ),
    rule(
        "pet_named",
        rf"^my\s+(?:[\w-]+\s+)?(?P<pet>{PETS})(?:'s name is|,?\s+(?:is )?(?:named|called)|,)?\s+"
        rf"(?P<name>{NAME})\b",
        "fact",
        _pet_named,
        0.8,
    ),
    rule(
        "pet_does",
        rf"^my\s+(?P<pet>{PETS})\s+(?P<verb>is|loves|likes|hates|has|just|was|got|turned)\b(?P<rest>.+)",
        "fact",
        _pet_does,
        0.5,
    ),
    rule(
        "owns",
        ME + r"(?P<verb>have|have got|own|drive)\s+(?P<obj>(?:an?|two|three|\d|my own|several|some|an old|a new)\s.+)",
        "fact",
        _owns,
        0.65,
    ),
    rule(
        "my_attribute",
        rf"^my\s+(?:current |new |monthly |annual |daily |usual |typical |native |main |first |old |dream )?"
        rf"(?P<what>{_MY_ATTRIBUTE_PATTERN})\s+(?P<verb>is|are|includes|include|was)\s+" + OBJ,
        "profile",
        _my_attribute,
        0.75,
        timed=False,
    ),
    rule(
        "goal",
        r"^my\s+(?:main |ultimate |big |biggest |long-term |short-term |new |personal |current )?"
        r"(?P<what>goal|dream|plan|aim|hope|intention|new year's resolution|resolution|mission)\s+(?:is|was)\s+to\s+"
        + OBJ,
        "plan",
        _goal,
        0.7,
    ),
)
