"""The offline graph extractor: first-person patterns turned into entities and relations.

Works without any model. Each episode is read sentence by sentence; the speaker is the subject
(``"user"`` for the chat's user, the speaker's name in conversations between people), and
relative times ("last week") resolve against the episode's ``occurred_at``. Patterns favour
precision: a name must be capitalized, past-tense states ("I worked at") need a date, and
relatives make nodes only when named, unless a person has one of them (a husband, a mother).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from agents.extraction.models import EpisodeText, speaker_subject, subject_label
from agents.extraction.timing import resolve_valid_at
from agents.extraction.vocabulary import OCCUPATIONS
from agents.graph_extraction import patterns as p
from agents.graph_extraction.asserted import statement_text
from agents.graph_extraction.base import GraphExtraction
from agents.graph_extraction.changes import read_changes
from graph.candidates import EntityCandidate, RelationCandidate
from graph.model import EntityType
from graph.names import normalize_name

_TRAILING = re.compile(r"(?:['’]s|[.,'’&-])+$")
_CONNECTORS = {"of", "de", "la", "del", "the", "and", "&", "on"}
_ORG_WORDS = {"at", "for", "with"}
_MAX_NAME_WORDS = 5


def clean_name(raw: str | None) -> str | None:
    """A captured name tidied ("Google's" -> "Google", "Paris." -> "Paris"), None when not a name."""
    if not raw:
        return None
    words = _TRAILING.sub("", raw.strip()).split()
    while words and words[0].lower() in p.NOT_NAMES:
        words = words[1:]
    while words and (words[-1].lower() in _CONNECTORS or words[-1].lower() in p.NOT_NAMES):
        words = words[:-1]
    name = " ".join(words)
    if len(name) < 2 or not re.search(r"[A-Za-z]", name) or normalize_name(name) in p.NOT_NAMES:
        return None
    return name


@dataclass
class _Found:
    """What one batch has found so far: entities by key (merged) and relations in order."""

    entities: dict[str, EntityCandidate] = field(default_factory=dict)
    relations: list[RelationCandidate] = field(default_factory=list)

    def entity(self, name: str, type: EntityType, episode: str, summary: str = "", aliases: Iterable[str] = ()) -> None:
        key = normalize_name(name)
        old = self.entities.get(key)
        if old is None:
            self.entities[key] = EntityCandidate(name, type, summary, tuple(aliases), (episode,))
            return
        self.entities[key] = EntityCandidate(
            old.name,
            old.type if old.type != "other" else type,
            old.summary or summary,
            tuple(dict.fromkeys((*old.aliases, *aliases))),
            tuple(dict.fromkeys((*old.episode_ids, episode))),
        )


@dataclass(frozen=True)
class _Sentence:
    """One sentence with who says it and when."""

    text: str
    subject: str
    label: str
    episode: EpisodeText
    stated_time: datetime | None

    @property
    def valid_at(self) -> datetime:
        return self.stated_time or self.episode.occurred_at


class RuleGraphExtractor:
    """Rule-based :class:`~agents.graph_extraction.base.GraphExtractor` (the offline default)."""

    backend = "rules"

    def extract(self, episodes: Sequence[EpisodeText]) -> GraphExtraction:
        found = _Found()
        for episode in episodes:
            subject = speaker_subject(episode.role)
            if subject is None:
                continue
            found.entity(subject, "person", episode.id)
            for sentence in p.SENTENCES.split(episode.content):
                text = statement_text(sentence.strip())
                if text:
                    when = resolve_valid_at(sentence, episode.occurred_at)
                    _read(_Sentence(text, subject, subject_label(subject), episode, when), found)
        return GraphExtraction(list(found.entities.values()), found.relations, backend=self.backend)


def _relate(
    s: _Sentence,
    found: _Found,
    predicate: str,
    target: str | None,
    target_type: EntityType,
    fact: str,
    *,
    source: str | None = None,
    ended: bool = False,
    summary: str = "",
    aliases: Iterable[str] = (),
) -> None:
    subject = source or s.subject
    if target is not None:
        found.entity(target, target_type, s.episode.id, summary, aliases)
    found.relations.append(
        RelationCandidate(
            source=subject,
            predicate=predicate,
            target=target,
            fact=fact,
            observed_at=s.episode.occurred_at,
            valid_at=None if ended else s.valid_at,
            invalid_at=s.valid_at if ended else None,
            ended=ended,
            episode_ids=(s.episode.id,),
        )
    )


def _on(s: _Sentence) -> str:
    """ " on 7 May 2023" when the sentence dated what it says, else ""."""
    return f" on {s.stated_time:%-d %B %Y}" if s.stated_time else ""


def _read(s: _Sentence, found: _Found) -> None:
    """Apply every pattern to one sentence."""
    taken: list[str] = []

    def named(match: re.Match[str], group: str = "name") -> str | None:
        name = clean_name(match.group(group))
        if name and _modifies_noun(s.text, match.end(group)):
            return None  # "a LGBTQ center": the capitalized word describes a common noun
        if name:
            taken.append(name)
        return name

    text, who = s.text, s.label
    for m in p.WORK.finditer(text):
        org = named(m)
        if org and (m.group("verb").lower() not in p.PAST_TENSE or s.stated_time):
            _relate(s, found, "works_at", org, "organization", f"{who} works at {org}.")
    for pattern in (p.JOB_START, p.JOINED):
        for m in pattern.finditer(text):
            if org := named(m):
                _relate(s, found, "works_at", org, "organization", f"{who} started working at {org}{_on(s)}.")
    for m in p.TITLE_AT.finditer(text):
        org, title = named(m), m.group("title").lower()
        if org and title.split()[-1] in OCCUPATIONS:
            _relate(s, found, "works_at", org, "organization", f"{who} is a {title} at {org}.")
            _relate(s, found, "job_title", title, "thing", f"{who} works as a {title}.")
    for m in p.QUIT.finditer(text):
        org = named(m) if m.group("name") else named(m, "at") if m.group("at") else None
        _relate(s, found, "works_at", org, "organization", f"{who} left {org or 'their job'}{_on(s)}.", ended=True)
    for m in p.NO_LONGER.finditer(text):
        if org := named(m):
            _relate(s, found, "works_at", org, "organization", f"{who} no longer works at {org}.", ended=True)
    for m in p.MOVE.finditer(text):
        if place := named(m):
            _relate(s, found, "lives_in", place, "place", f"{who} moved to {place}{_on(s)}.")
    for m in p.LIVE.finditer(text):
        place = named(m)
        if place and (m.group("verb").lower() not in p.PAST_TENSE or s.stated_time):
            _relate(s, found, "lives_in", place, "place", f"{who} lives in {place}.")
    for pattern in p.ORIGIN:
        for m in pattern.finditer(text):
            if place := named(m):
                _relate(s, found, "comes_from", place, "place", f"{who} is from {place}.")
    for m in p.STUDY.finditer(text):
        if school := named(m):
            _relate(s, found, "studies_at", school, "organization", f"{who} studies at {school}.")
    for m in p.VISIT.finditer(text):
        if place := named(m):
            _relate(s, found, "visited", place, "place", f"{who} visited {place}{_on(s)}.")
    _relatives(s, found, taken)
    _possessions(s, found)

    def relate(predicate: str, target: str | None, kind: EntityType, fact: str, *, ended: bool = False) -> None:
        _relate(s, found, predicate, target, kind, fact, ended=ended)

    read_changes(text, who, _on(s), relate, named)
    for m in p.EVENT.finditer(text):
        event = re.sub(r"^(?:new|fun|great|big|little|local|first|free)\s+", "", " ".join(m.group("event").split()))
        _relate(s, found, "attended", event, "event", f"{who} attended a {event}{_on(s)}.")
    _mentions(s, found, taken)


_FOLLOWERS = frozenset(
    [
        "with",
        "in",
        "on",
        "at",
        "for",
        "to",
        "and",
        "or",
        "but",
        "so",
        "because",
        "since",
        "from",
        "after",
        "before",
        "during",
        "when",
        "where",
        "while",
        "until",
        "as",
        "of",
        "by",
        "last",
        "next",
        "this",
        "that",
        "yesterday",
        "today",
        "tomorrow",
        "recently",
        "again",
        "together",
        "too",
        "now",
        "then",
        "is",
        "was",
        "are",
        "were",
        "has",
        "had",
        "have",
        "will",
        "would",
        "can",
        "could",
        "who",
        "which",
        "the",
        "a",
        "an",
        "my",
        "our",
        "their",
        "his",
        "her",
        "its",
        "every",
        "each",
        "about",
        "around",
        "near",
        "over",
        "back",
        "ago",
        "earlier",
        "later",
        "anymore",
        "two",
        "three",
        "a",
    ]
)


def _modifies_noun(text: str, end: int) -> bool:
    """Whether a lower-case content word follows a name directly: "a LGBTQ center"."""
    following = re.match(r"[+]*\s+([a-z][a-z'-]*)", text[end:])
    return following is not None and following.group(1) not in _FOLLOWERS


def _relatives(s: _Sentence, found: _Found, taken: list[str]) -> None:
    """ "my sister Ana", "Ana is my sister", and unnamed "my husband" / "my kids"."""
    named_at: set[int] = set()
    for pattern in (p.REL_NAMED, p.REL_IS, p.REL_APPOSITIVE):
        for m in pattern.finditer(s.text):
            name, rel = clean_name(m.group("name")), m.group("rel").lower()
            if not name or normalize_name(name) == normalize_name(s.subject):
                continue
            taken.append(name)
            named_at.add(m.start("rel"))
            stand_in = (f"{s.label}'s {rel}",) if rel in p.UNIQUE_RELATIVES else ()
            _relative(s, found, rel, name, stand_in)
    for m in p.REL_BARE.finditer(s.text):
        rel = m.group("rel").lower()
        if m.start("rel") not in named_at and (rel in p.UNIQUE_RELATIVES or rel in p.GROUP_RELATIVES):
            _relative(s, found, rel, f"{s.label}'s {rel}", ())


def _relative(s: _Sentence, found: _Found, rel: str, name: str, aliases: tuple[str, ...]) -> None:
    predicate = p.RELATIVES[rel]
    fact = f"{name} is {s.label}'s {rel}." if not name.endswith(f"'s {rel}") else f"{s.label} has a {rel}."
    if rel in p.GROUP_RELATIVES:
        fact = f"{s.label} has {rel}."
    if predicate in p.SUBJECT_SIDE:
        _relate(s, found, predicate, name, "person", fact, aliases=aliases)
    else:
        found.entity(name, "person", s.episode.id, aliases=aliases)
        _relate(s, found, predicate, s.subject, "person", fact, source=name)


def _possessions(s: _Sentence, found: _Found) -> None:
    """Pets and named things ("a cat named Bailey", "my dog Max"), purchases of named products."""
    who, seen = s.label, set[str]()
    for m in p.PET.finditer(s.text):
        name, kind = clean_name(m.group("name")), m.group("kind").lower()
        if name and normalize_name(name) not in seen:
            seen.add(normalize_name(name))
            _relate(s, found, "owns", name, "other", f"{who} has a {kind} named {name}.", summary=f"a {kind}")
    for m in p.NAMED_THING.finditer(s.text):
        name, what = clean_name(m.group("name")), " ".join(m.group("what").split())
        if name and normalize_name(name) not in seen:
            seen.add(normalize_name(name))
            _relate(s, found, "owns", name, "thing", f"{who} has a {what} named {name}.", summary=f"a {what}")
    for m in p.BOUGHT.finditer(s.text):
        name = clean_name(m.group("name"))
        if name and normalize_name(name) not in seen:
            seen.add(normalize_name(name))
            _relate(s, found, "bought", name, "thing", f"{who} bought {name}{_on(s)}.")
    for m in p.LIKES.finditer(s.text):
        if name := clean_name(m.group("name")):
            _relate(s, found, "likes", name, "other", f"{who} likes {name}.")


def _mentions(s: _Sentence, found: _Found, taken: list[str]) -> None:
    """Other named things: multi-word capitalized names not opening the sentence, and single
    names after "in" / "from" (places)."""
    claimed = {normalize_name(t) for t in taken}
    for m in p.MENTION.finditer(s.text):
        before = s.text[: m.start()].split()
        previous = before[-1].lower().strip(",") if before else ""
        for part in re.split(r"\s+and\s+", m.group("name")):
            name = clean_name(part)
            if not name or normalize_name(name) in claimed:
                continue
            words = [w for w in name.split() if w.lower() not in _CONNECTORS]
            if previous in ("in", "from") and len(words) == 1 and not _modifies_noun(s.text, m.end()):
                found.entity(name, "place", s.episode.id)
            elif 1 < len(words) <= _MAX_NAME_WORDS and before and len(set(words)) == len(words):
                kind: EntityType = "place" if previous == "in" else "other"
                if previous in _ORG_WORDS and re.search(r"\bwork", s.text, re.IGNORECASE):
                    kind = "organization"
                found.entity(name, kind, s.episode.id)
