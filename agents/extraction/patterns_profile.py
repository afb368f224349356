"""Rules for who the speaker is and where they stand: health, diet, home, origin, work, study, age.

Statements come out in the present third person ("User lives in Berlin.", "User works as a
nurse."); the slot names single-valued things (``location``, ``job``, ``employer``, ``diet``),
so a newer statement in the same slot can replace an older one.
"""

from __future__ import annotations

import re

from agents.extraction.phrasing import third_person
from agents.extraction.rule import ADV, ME, NAME, OBJ, Built, Found, Rule, conjugate, head_noun, rule, topic_slug
from agents.extraction.vocabulary import (
    DIETS,
    FAN_HEADS,
    HEALTH_CONDITIONS,
    IDENTITY_HEADS,
    PARENT_HEADS,
    SKILL_HEADS,
    is_name,
    is_occupation,
)

_NOT_AN_EMPLOYER = re.compile(
    r"^(?:night|home|the moment|the same time|the end|a living|hours|a while|weeks|months|years|work|school|"
    r"the weekends?|weekends|least|first|times|a time|the time|an? (?:early|late)|my own|myself|free|fun)\b",
    re.I,
)
_NOT_A_FIELD = re.compile(r"^(?:a |an |the )?(?:way|sense|place|moment|bit|time|order|hurry|mood)\b", re.I)


def _health(found: Found) -> Built:
    condition = found.obj()
    if condition is None:
        return None
    verb = found.raw("verb").lower()
    verb = {"have": "has", "was diagnosed with": "was diagnosed with"}.get(verb, conjugate(verb))
    return f"health:{topic_slug(condition)}", found.say(f"{verb} {condition}")


def _allergy(found: Found) -> Built:
    what = found.obj()
    if what is None:
        return None
    return f"allergy:{topic_slug(what)}", found.say(f"is {found.raw('how').lower()} {what}")


def _allergy_noun(found: Found) -> Built:
    what = found.obj()
    if what is None or len(what.split()) > 3:
        return None
    kind = found.raw("kind").lower()
    return f"allergy:{topic_slug(what)}", found.say(f"has {'an' if what[0] in 'aeiouAEIOU' else 'a'} {what} {kind}")


def _intolerant(found: Found) -> Built:
    what = found.raw("what").lower()
    return f"allergy:{what}", found.say(f"is {what} intolerant")


def _diet(found: Found) -> Built:
    diet = found.raw("diet").lower()
    verb = found.raw("verb").lower()
    if verb in ("became", "went", "turned", "have gone", "have become", "switched to being", "decided to go"):
        return "diet", found.say(f"became {diet}")
    return "diet", found.say(f"is {diet}")


def _diet_named(found: Found) -> Built:
    diet = found.obj()
    return ("diet", found.say(f"{conjugate(found.raw('verb').lower())} {diet}")) if diet else None


def _do_not_eat(found: Found) -> Built:
    food = found.obj()
    if food is None:
        return None
    verb, eat = found.raw("verb").lower(), found.raw("eat").lower()
    if verb == "never":
        eat = third_person(eat)  # "never eats"
    return "diet", found.say(f"{conjugate(verb)} {eat} {food}")


def _lives(found: Found) -> Built:
    place = found.obj()
    if place is None or len(place.split()) > 8:
        return None
    return "location", found.say(f"lives {found.raw('prep').lower()} {place}")


def _lives_with(found: Found) -> Built:
    who = found.obj()
    return ("household", found.say(f"lives with {who}")) if who else None


def _moved(found: Found) -> Built:
    place = found.obj()
    if place is None or len(place.split()) > 8:
        return None
    back = "back " if found.raw("back") else ""
    return "location", found.say(f"moved {back}{found.raw('prep').lower()} {place}")


def _origin(found: Found) -> Built:
    place = found.obj()
    verb = found.raw("verb").lower()
    if place is None or not (place[0].isupper() or (verb not in ("am", "come") and re.match(r"(?:an?|the) ", place))):
        return None  # "from Nepal", "grew up in a small town"; not "from the area"
    predicate = {"am": "is from", "come": "comes from"}.get(verb, f"{verb} in")
    return "origin", found.say(f"{predicate} {place}")


def _works_as(found: Found) -> Built:
    role = found.obj()
    return ("job", found.say(f"works as {role}")) if role else None


def _works_at(found: Found) -> Built:
    where = found.obj()
    if where is None or _NOT_AN_EMPLOYER.match(where):
        return None
    if not (where[0].isupper() or re.match(r"(?:an?|the) \w", where)):
        return None
    return "employer", found.say(f"works {found.raw('prep').lower()} {where}")


def _works_in(found: Found) -> Built:
    field = found.obj()
    if field is None or _NOT_A_FIELD.match(field) or (field[0].isupper() and " " not in field):
        return None  # "works in Berlin" names a place, not a field
    return "job", found.say(f"works in {field}")


def _is_a(found: Found) -> Built:
    """ "I am a nurse" (job), "a big fan of jazz" (preference), "a night owl" (identity)."""
    what = found.obj()
    if what is None:
        return None
    head = head_noun(what)
    article = found.raw("art").lower()
    phrase = f"{article} {what}"
    verb = "became" if found.raw("verb").lower() == "became" else "is"
    if head in FAN_HEADS:
        topic = re.search(r"\b(?:of|for)\s+(.+)$", what)
        if topic is None:
            return None
        return f"preference:{topic_slug(topic.group(1))}", found.say(f"{verb} {phrase}"), "preference"
    if head in SKILL_HEADS:
        topic = re.search(r"\b(?:at|in|with|to)\s+(.+)$", what)
        return f"skill:{topic_slug(topic.group(1)) if topic else head}", found.say(f"{verb} {phrase}")
    if head in PARENT_HEADS:
        return "relationship:children", found.say(f"{verb} {phrase}"), "fact"
    if is_occupation(head):
        return "job", found.say(f"{verb} {phrase}")
    if head in IDENTITY_HEADS:
        return f"identity:{topic_slug(what)}", found.say(f"{verb} {phrase}")
    return None


def _studies(found: Found) -> Built:
    subject = found.obj()
    if subject is None:
        return None
    verb = found.raw("verb").lower()
    predicate = conjugate(verb) if not verb.startswith("am") else "is " + verb[3:]
    return "education", found.say(f"{predicate} {subject}")


def _graduated(found: Found) -> Built:
    rest = found.obj("rest") if found.raw("rest") else ""
    if rest is None:
        return None
    return "education", found.say(f"graduated {rest}".strip())


def _retired_from(found: Found) -> Built:
    where = found.obj() if found.raw("obj") else ""
    if where is None:
        return None
    return "job", found.say(f"retired from {where}" if where else "retired")


def _promoted(found: Found) -> Built:
    rest = found.obj("rest") if found.raw("rest") else ""
    if rest is None:
        return None
    what = found.raw("what").lower()
    if what in ("hired", "accepted", "admitted") and not rest:
        return None
    slot = (
        "education"
        if what == "admitted" or re.search(r"\b(?:university|college|school|program)\b", rest, re.I)
        else ("employer" if rest.startswith(("at ", "by ")) else "job")
    )
    return slot, found.say(f"got {what} {rest}".strip())


def _age(found: Found) -> Built:
    years = found.raw("n")
    verb = found.raw("verb").lower()
    predicate = f"is {years} years old" if verb == "am" else f"{verb} {years}"
    return "age", found.say(predicate)


def _name(found: Found) -> Built:
    name = found.raw("name")
    return ("name", found.say_of("name", f"is {name}")) if all(is_name(part) for part in name.split()) else None


RULES: tuple[Rule, ...] = (
    rule(
        "health",
        ME + r"(?P<verb>have|suffer from|struggle with|deal with|live with|was diagnosed with|have been diagnosed "
        r"with|got diagnosed with|battle)\s+(?:(?:mild|severe|chronic|bad|some|really bad)\s+)*"
        rf"(?P<obj>(?:{HEALTH_CONDITIONS})\b.*)",
        "profile",
        _health,
        0.75,
    ),
    rule(
        "allergy",
        ME + r"(?:am|have been|was diagnosed as|turned out to be) (?:severely |very |mildly |deathly |super )?"
        r"(?P<how>allergic to|intolerant to|intolerant of|sensitive to)\s+" + OBJ,
        "profile",
        _allergy,
        0.85,
    ),
    rule(
        "allergy_noun",
        ME + r"have (?:an? )?(?:severe |mild |bad |serious )?(?P<obj>[\w -]{2,30}?) (?P<kind>allergy|intolerance)\b",
        "profile",
        _allergy_noun,
        0.8,
    ),
    rule("intolerant", ME + r"(?:am|have been) (?P<what>lactose|gluten) intolerant\b", "profile", _intolerant, 0.85),
    rule(
        "diet",
        ME + r"(?P<verb>am|have been|became|went|turned|have gone|have become|switched to being|decided to go)\s+"
        rf"(?:an? )?(?:fully |strictly |mostly |mainly |100% )?(?P<diet>{DIETS})\b"
        r"(?!\s+(?:recipes?|options?|food|meals?|dishes))",
        "profile",
        _diet,
        0.85,
    ),
    rule(
        "diet_named",
        ME + r"(?P<verb>am on|follow|eat|keep|try to follow|try to eat)\s+(?P<obj>(?:an?|the) [\w -]{2,30}? diet)\b",
        "profile",
        _diet_named,
        0.75,
    ),
    rule(
        "do_not_eat",
        ME + r"(?P<verb>do not|cannot|can not|never|try not to|avoid) (?P<eat>eat|drink|eating|drinking)\s+"
        r"(?P<obj>(?!much\b|anything\b|a lot\b|too\b|enough\b|that\b|it\b|out\b).+)",
        "profile",
        _do_not_eat,
        0.7,
    ),
    rule(
        "lives",
        ME + r"(?:live|am living|have been living|have lived|reside|am residing|am based|am located|currently live)"
        r"\s+(?P<prep>in|near|outside of|outside|on|close to)\s+" + OBJ,
        "fact",
        _lives,
        0.85,
    ),
    rule("lives_with", ME + r"(?:live|am living|have been living) with\s+" + OBJ, "fact", _lives_with, 0.7),
    rule(
        "moved",
        ME + r"(?:have )?(?:moved|relocated)\s+(?P<back>back\s+)?(?P<prep>to|into)\s+" + OBJ,
        "fact",
        _moved,
        0.8,
    ),
    rule("origin", ME + r"(?P<verb>am|come)\s+(?:originally\s+)?from\s+" + OBJ, "profile", _origin, 0.8),
    rule(
        "raised",
        ME + r"(?P<verb>grew up|was raised|was born(?: and raised)?)\s+in\s+" + OBJ,
        "profile",
        _origin,
        0.8,
    ),
    rule(
        "works_as",
        ME + r"(?:work|am working|have been working|have worked|currently work|now work) as\s+" + OBJ,
        "profile",
        _works_as,
        0.85,
    ),
    rule(
        "works_at",
        ME + r"(?:work|am working|have been working|have worked|currently work|now work)\s+(?P<prep>at|for)\s+" + OBJ,
        "profile",
        _works_at,
        0.8,
    ),
    rule("works_in", ME + r"(?:work|am working|have been working|have worked) in\s+" + OBJ, "profile", _works_in, 0.6),
    rule(
        "retired",
        ME + r"(?:am|have been) (?:now |happily |recently |fully |semi-)?retired\b(?!\s+(?:\w+\s+)?(?:parents?|mom|dad|"
        r"friends?|people|teacher|couple|neighbors?))",
        "profile",
        lambda found: ("job", found.say("is retired")),
        0.75,
    ),
    rule(
        "retired_from",
        ME + r"(?:have )?" + ADV + r"retired\b(?:\s+from\s+" + OBJ + ")?",
        "event",
        _retired_from,
        0.7,
        negated=True,  # retiring ends the job held until then
    ),
    rule(
        "promoted",
        ME + r"(?:got|was|have been|just got) (?P<what>promoted|hired|accepted|admitted)\b(?P<rest>.*)",
        "event",
        _promoted,
        0.75,
    ),
    rule(
        "studies",
        ME + r"(?P<verb>am studying|am majoring in|study|major in|am doing a (?:degree|master's|masters|phd|bachelor's)"
        r" in|am pursuing a (?:degree|master's|masters|phd|bachelor's) in|am enrolled in|am a (?:student|major) in)\s+"
        + OBJ,
        "profile",
        _studies,
        0.75,
    ),
    rule("graduated", ME + r"(?:have )?graduated\b(?P<rest>.*)", "event", _graduated, 0.8),
    rule(
        "is_a",
        ME + r"(?P<verb>am|have been|became|work as|was hired as|got hired as)\s+" + ADV + r"(?P<art>an?)\s+" + OBJ,
        "profile",
        _is_a,
        0.7,
    ),
    rule(
        "age",
        ME + r"(?P<verb>am|turned|will turn|will be) (?P<n>\d{1,3})(?: years old| year old| yrs old| yo)?"
        r"(?=\s*$|\s+(?:years|and|but|now|this|next|last|today|in|on|,))",
        "profile",
        _age,
        0.75,
        timed=False,
    ),
    rule("name", rf"^my (?:full |first )?name is\s+(?P<name>{NAME})", "profile", _name, 0.9),
    rule(
        "goes_by",
        ME + rf"(?:like to |prefer to |usually )?go by\s+(?P<name>{NAME})\b",
        "profile",
        lambda found: ("name", found.say(f"goes by {found.raw('name')}")) if is_name(found.raw("name")) else None,
        0.85,
    ),
)
