"""Rules for likes, dislikes, interests and favourites.

A preference about a thing fills ``preference:<thing>`` ("loves sushi" and "can't stand sushi"
share ``preference:sushi`` so the newer wins); a favourite fills ``preference:<category>``
("favorite food is ramen" -> ``preference:food``), one favourite per category.
"""

from __future__ import annotations

import re

from agents.extraction.rule import ME, OBJ, Built, Found, Rule, conjugate, rule, topic_slug

# Objects that are about the conversation, not about the speaker's taste.
_CHAT_NOUNS = (
    r"idea|ideas|suggestion|suggestions|recommendation|recommendations|plan|tips?|options?|list|advice|answer|"
    r"response|version|draft|outline|itinerary|template|checklist|schedule|breakdown|summary|format"
)
_ABOUT_THE_CHAT = re.compile(
    rf".*\b(?:{_CHAT_NOUNS})$|"
    r"^(?:the |these |those |all (?:the |of the |these )?|some of (?:the|these) |both )?(?:[\w-]+ )?"
    r"(?:idea|ideas|suggestion|suggestions|sound of|way|tips?|advice|recommendations?|list|options?|answer|"
    r"response|info|information|"
    r"details|points?|approach|example|examples|concept|thought|thoughts|fact|name|names|story|stories|poem|"
    r"title|titles|question|plan|outline|ones?|help|explanation|breakdown|summary|first|second|third|last|"
    r"latter|former|above|new version|version|changes|updates?|itinerary|script|code|output|format|result|"
    r"reminder|checklist|template|draft|email|letter|message|recipes?|article|section|part|bit|paragraph|"
    r"sentence|wording|tone|structure|layout|emphasis|focus|mention|inclusion|addition|twist|ending|"
    r"direction|menu|lineup|combination|mix|balance|variety|selection)\b"
    r"|^(?:to (?:know|hear|see|learn more|get|have|ask|try|make sure|find|think|be able|keep|add|share)\b)"
    r"|^(?:when|how|if|what|where|hearing|reading your|seeing your|learning more about)\b",
    re.IGNORECASE,
)
_LIKE_VERBS = (
    r"love|like|enjoy|adore|prefer|am (?:really |very |super |so |quite |a bit |pretty )?(?:into|obsessed with|"
    r"passionate about|fond of|keen on|crazy about|addicted to|hooked on|drawn to|a (?:big |huge |massive |"
    r"great )?fan of|partial to)|have (?:always )?(?:loved|liked|enjoyed|been (?:into|a (?:big |huge )?fan of|"
    r"obsessed with|passionate about|fond of))|have (?:recently )?(?:gotten|got|become) (?:really )?into|"
    r"have a (?:soft spot|weakness|passion|love) for|tend to (?:prefer|like|enjoy|love)"
)
_DISLIKE_VERBS = (
    r"hate|dislike|detest|loathe|cannot stand|can not stand|do not like|do not enjoy|do not care for|"
    r"am not (?:a (?:big |huge )?fan of|into|keen on|fond of|crazy about)|have never (?:liked|enjoyed)|"
    r"do not really like|really dislike|cannot tolerate|am not big on"
)


def _about_the_chat(found: Found, thing: str, said: str | None = None) -> bool:
    """Whether the liked thing is the conversation itself ("the sound of that", "your ideas")."""
    said = found.raw("obj") if said is None else said
    return bool(_ABOUT_THE_CHAT.match(thing) or _ABOUT_THE_CHAT.match(said))


def _taste(found: Found) -> Built:
    thing = found.obj()
    if thing is None or _about_the_chat(found, thing):
        return None
    verb = " ".join(found.raw("verb").lower().split())
    return f"preference:{topic_slug(thing)}", found.say(f"{conjugate(verb)} {thing}")


_LEARNING_ABOUT = re.compile(r"^(?:learning|hearing|reading|finding out|knowing) (?:more |a bit )?about ", re.I)


def _interest(found: Found) -> Built:
    thing = found.obj()
    if thing is not None:
        thing = _LEARNING_ABOUT.sub("", thing)
    if not thing or _about_the_chat(found, thing, _LEARNING_ABOUT.sub("", found.raw("obj"))):
        return None
    how = " ".join(found.raw("how").lower().split())
    verb = "has been" if found.raw("verb").lower().startswith("have") else "is"
    return f"preference:{topic_slug(thing)}", found.say(f"{verb} {how} {thing}")


def _favourite(found: Found) -> Built:
    category, value = found.obj("what"), found.obj(keep_time=True)
    if category is None or value is None or len(category.split()) > 4:
        return None
    verb = "are" if found.raw("verb").lower() == "are" else "is"
    return f"preference:{topic_slug(category)}", found.say_of(f"favorite {category}", f"{verb} {value}")


RULES: tuple[Rule, ...] = (
    rule(
        "favourite",
        r"^my\s+(?:all-time |absolute |personal |current |new |very |top |number one |#1 )?favorite\s+"
        r"(?P<what>[\w' -]{1,30}?)\s+(?P<verb>is|are|has to be|would be|has always been|is probably|is definitely|"
        r"right now is|at the moment is|of all time is)\s+" + OBJ,
        "preference",
        _favourite,
        0.85,
        timed=False,
    ),
    rule("dislikes", ME + rf"(?P<verb>{_DISLIKE_VERBS})\s+" + OBJ, "preference", _taste, 0.75),
    rule("likes", ME + rf"(?P<verb>{_LIKE_VERBS})\s+" + OBJ, "preference", _taste, 0.7),
    rule(
        "interest",
        ME + r"(?P<verb>am|have been|have always been|have become|became) (?:really |very |particularly |"
        r"especially |most |more |also |quite |super |deeply |increasingly |genuinely )*"
        r"(?P<how>interested in|fascinated by|into)\s+" + OBJ,
        "preference",
        _interest,
        0.55,
    ),
)
