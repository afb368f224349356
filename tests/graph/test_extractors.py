"""The relation rules as a table, including sentences that must give nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.extraction.models import EpisodeText
from agents.graph_extraction import GraphExtractor, RuleGraphExtractor

NOW = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)


def triples(text: str, role: str = "user") -> set[tuple[str, str, str | None, bool]]:
    found = RuleGraphExtractor().extract([EpisodeText("e1", role, text, NOW)])
    return {(r.source, r.predicate, r.target, r.ended) for r in found.relations}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I work at Acme Corp.", {("user", "works_at", "Acme Corp", False)}),
        ("I started a new job at Globex last week!", {("user", "works_at", "Globex", False)}),
        ("I quit my job at Globex.", {("user", "works_at", "Globex", True)}),
        ("I quit my job.", {("user", "works_at", None, True)}),
        ("I moved to New York City in March.", {("user", "lives_in", "New York City", False)}),
        ("My sister Ana is visiting.", {("Ana", "sister_of", "user", False)}),
        ("Ana is my sister.", {("Ana", "sister_of", "user", False)}),
        ("My best friend, Rachel, called.", {("Rachel", "friend_of", "user", False)}),
        ("I adopted a puppy named Max.", {("user", "owns", "Max", False)}),
        ("I'm originally from Porto.", {("user", "comes_from", "Porto", False)}),
        ("We got another cat named Bailey too.", {("user", "owns", "Bailey", False)}),
        ("I went to a LGBTQ support group yesterday.", {("user", "attended", "LGBTQ support group", False)}),
        # Junk guards: each of these must give nothing.
        ("I visited a LGBTQ center.", set()),
        ("I worked at Google.", set()),  # a past job with no date says nothing about when
        ("I left for Tokyo on March 10th.", set()),
        ("Thanks, Melanie! My pleasure.", set()),
        ("Can you recommend a hotel in May?", set()),
    ],
)
def test_rule_table(text: str, expected: set[tuple[str, str, str | None, bool]]) -> None:
    assert triples(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # shared subjects
        ("Our family relocated to Tromso in the autumn.", {("user", "lives_in", "Tromso", False)}),
        ("The kids and I moved to Porto over the summer.", {("user", "lives_in", "Porto", False)}),
        ("We got a kitten last week, her name is Miso.", {("user", "owns", "Miso", False)}),
        ("We adopted a puppy, and his name is Rex.", {("user", "owns", "Rex", False)}),
        # present states
        ("These days I live in Oslo.", {("user", "lives_in", "Oslo", False)}),
        ("I'm employed by Deloitte.", {("user", "works_at", "Deloitte", False)}),
        ("We are employed by Globex.", {("user", "works_at", "Globex", False)}),
        # changes: what ended and what holds
        ("I left Amazon and joined Microsoft.",
            {("user", "works_at", "Amazon", True), ("user", "works_at", "Microsoft", False)}),
        ("I left Acme to join Initech.", {("user", "works_at", "Acme", True), ("user", "works_at", "Initech", False)}),
        ("I quit Siemens and started at Google.",
            {("user", "works_at", "Siemens", True), ("user", "works_at", "Google", False)}),
        ("I moved from Boston to Seattle.",
            {("user", "lives_in", "Boston", True), ("user", "lives_in", "Seattle", False)}),
        ("We relocated from Oslo to Bergen.",
            {("user", "lives_in", "Oslo", True), ("user", "lives_in", "Bergen", False)}),
        ("I left Berlin and moved to Paris.",
            {("user", "lives_in", "Berlin", True), ("user", "lives_in", "Paris", False)}),
        ("We moved out of Leeds.", {("user", "lives_in", "Leeds", True)}),
        ("I don't live in Oslo anymore.", {("user", "lives_in", "Oslo", True)}),
        ("I sold my Civic and bought a Tesla.", {("user", "owns", "Civic", True), ("user", "bought", "Tesla", False)}),
        ("We broke up.", {("user", "partner_of", None, True)}),
        ("We split up last month.", {("user", "partner_of", None, True)}),
        ("I broke up with Sam.", {("user", "partner_of", "Sam", True)}),
        ("I got divorced.", {("user", "married_to", None, True)}),
        ("I retired last year.", {("user", "works_at", None, True)}),
        ("I've just retired.", {("user", "works_at", None, True)}),
        # not the speaker's own statements
        ("My friend said she moved to Rome.", set()),
        ('He told me "I quit Siemens".', set()),
        ("If we moved to Paris, we'd be happy.", set()),
        ("I'd move to Paris if I could.", set()),
        ("Did we move to Paris?", set()),
        ("Should I quit Siemens?", set()),
        ("We talked about moving to Rome.", set()),
        ("I left Berlin.", set()),
    ],
)  # fmt: skip
def test_life_changes(text: str, expected: set[tuple[str, str, str | None, bool]]) -> None:
    assert triples(text) == expected


def test_named_speaker_is_the_subject_and_time_resolves_against_the_episode() -> None:
    found = RuleGraphExtractor().extract([EpisodeText("D1:3", "Caroline", "I visited Sweden last week.", NOW)])
    (relation,) = found.relations
    assert (relation.source, relation.target) == ("Caroline", "Sweden")
    assert relation.valid_at == datetime(2023, 5, 1, tzinfo=UTC)
    assert relation.fact == "Caroline visited Sweden on 1 May 2023."
    assistant = EpisodeText("a", "assistant", "I work at OpenMind Labs.", NOW)
    assert RuleGraphExtractor().extract([assistant]).relations == []
    assert isinstance(RuleGraphExtractor(), GraphExtractor)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I live in Porto and I work at Siemens.", {("lives_in", "Porto"), ("works_at", "Siemens")}),
        ("We moved to Lisbon and I started at Google.", {("lives_in", "Lisbon"), ("works_at", "Google")}),
        ("I work at Acme and I love it.", {("works_at", "Acme")}),
    ],
)
def test_a_name_ends_before_the_next_clause_of_the_speaker(text: str, expected: set[tuple[str, str]]) -> None:
    assert {(predicate, target) for _, predicate, target, _ in triples(text)} == expected
