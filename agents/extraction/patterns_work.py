"""Rules for changes of employer and home said with a name: "I quit Siemens", "I left Acme and
joined Initech", "I started at Initech", "I'm employed by Deloitte", "I moved from Oslo to Rome".

A bare "I left Acme" could be a company or a town, so "left" needs the verb it is coordinated
with ("... and joined Initech" makes it an employer, "... and moved to Rome" a home); "joined"
likewise needs a sign of work, since people also join clubs and apps. An ending fills the same
slot as what it ends (``employer``, ``location``), so consolidation can match the two.
"""

from __future__ import annotations

import re

from agents.extraction.rule import ME, Built, Found, Rule, possession_slot, rule
from agents.extraction.vocabulary import DIETS

_ORG_BODY = r"(?:the )?(?-i:[A-Z][\w&'.-]*(?:\s+(?:(?:of|and|&|de)\s+)?[A-Z][\w&'.-]*)*)"
"""A capitalized name, optionally after "the": "Siemens", "SAP", "Bank of America", "St Mary's"."""
_ORG = rf"(?P<obj>{_ORG_BODY})"
_JOIN_VERBS = r"joined|join|started (?:working )?(?:at|for|with)|went to work (?:at|for)|took a job (?:at|with)"
_WORK_AFTER = rf"(?=.*?\s(?:and|to|for|,)\s+(?:then\s+)?(?:now\s+)?(?:{_JOIN_VERBS}|work (?:at|for)|a (?:new )?job))"
_HOME_AFTER = r"(?=.*?\s(?:and|to)\s+(?:then\s+)?(?:moved|relocated|move|relocate)\s+(?:back\s+)?to\b)"
_LEFT_BEHIND = r"(?=.*?\s(?:and|after)\s+(?:then\s+)?(?:left|quit|leaving|quitting|resigned|resigning)\b)"
_WORK_DETAIL = r"(?=\s+(?:as (?:an? |the )?\w+|full[- ]time|part[- ]time|in (?:sales|marketing|engineering|hr)\b))"
_DIET = re.compile(rf"^(?:being |a |an )?(?:{DIETS})$", re.I)


def _org(found: Found) -> str | None:
    """The company named in the match, cleaned; None when nothing name-like is left."""
    org = found.obj()
    return org if org and org[0].isupper() else None


def _quit(found: Found) -> Built:
    org = _org(found)
    verb = re.sub(r"^have ", "", found.raw("verb").lower())
    return ("employer", found.say(f"{verb} {org}")) if org else None


def _left_home(found: Found) -> Built:
    place = _org(found)
    return ("location", found.say(f"moved away from {place}")) if place else None


def _joined(found: Found) -> Built:
    org = _org(found)
    if org is None:
        return None
    verb = " ".join(found.raw("verb").lower().split())
    verb = "joined" if verb in ("join", "joined") else "started working at"
    return "employer", found.say(f"{verb} {org}")


def _employed(found: Found) -> Built:
    org = _org(found)
    return ("employer", found.say(f"is employed by {org}")) if org else None


def _moved_from_to(found: Found) -> Built:
    source, place = found.obj("from"), found.obj()
    if not source or not place or not source[0].isupper() or len(place.split()) > 8:
        return None
    return "location", found.say(f"moved from {source} to {place}")


def _switched(found: Found) -> Built:
    """ "switched from X to Y": a new diet, employer or car; other switches stay events."""
    source, target = found.obj("from"), found.obj()
    if not source or not target:
        return None
    statement = found.say(f"switched from {source} to {target}")
    if _DIET.match(source) and _DIET.match(target):
        return "diet", statement
    if found.raw("what") and target[0].isupper():
        return "employer", statement
    slot = possession_slot(target)
    return (slot, statement) if slot == "possession:car" and possession_slot(source) == slot else None


RULES: tuple[Rule, ...] = (
    rule(
        "quit_company",
        ME + rf"(?P<verb>(?:have )?quit|resigned from|(?:have )?left(?=\s+{_ORG_BODY}{_WORK_AFTER})|walked away from"
        rf"(?=\s+{_ORG_BODY}{_WORK_AFTER})|stepped down from)\s+{_ORG}",
        "profile",
        _quit,
        0.75,
        negated=True,
    ),
    rule(
        "left_home",
        ME + rf"(?:have )?left\s+(?={_ORG_BODY}{_HOME_AFTER}){_ORG}",
        "fact",
        _left_home,
        0.75,
        negated=True,
    ),
    rule(
        "joined_company",
        ME + rf"(?:have )?(?P<verb>started (?:working )?(?:at|for)|went to work (?:at|for)|took a job (?:at|with)|"
        rf"(?:joined|started with)(?=\s+{_ORG_BODY}(?:{_WORK_DETAIL}|{_LEFT_BEHIND})))\s+{_ORG}",
        "profile",
        _joined,
        0.75,
    ),
    rule(
        "employed_by",
        ME + rf"am (?:now |currently |still |gainfully )?employed (?:by|at|with)\s+{_ORG}",
        "profile",
        _employed,
        0.8,
    ),
    rule(
        "moved_from_to",
        ME + r"(?:have )?(?:moved|relocated) (?:all the way )?from (?P<from>.+?) (?:to|into) (?P<obj>.+)",
        "fact",
        _moved_from_to,
        0.8,
    ),
    rule(
        "switched",
        ME + r"(?:have )?(?:switched|changed|went) (?:over )?(?P<what>jobs |companies |employers )?from (?P<from>.+?)"
        r" to (?P<obj>.+)",
        "fact",
        _switched,
        0.7,
    ),
)
