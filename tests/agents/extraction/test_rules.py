"""The rule table: what each pattern turns into, and what it must leave alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.extraction import CandidateFact, EpisodeText, Extractor, RuleBasedExtractor
from tests.agents.extraction.conftest import NOW


def extract(text: str, role: str = "user") -> list[CandidateFact]:
    return list(RuleBasedExtractor().extract([EpisodeText("e1", role, text, NOW)]).facts)


def only(text: str, role: str = "user") -> CandidateFact:
    facts = extract(text, role)
    assert len(facts) == 1, f"{text!r} gave {[fact.statement for fact in facts]}"
    return facts[0]


def day(year: int, month: int, date: int) -> datetime:
    return datetime(year, month, date, tzinfo=UTC)


# (text, attribute, statement, kind)
POSITIVE: list[tuple[str, str, str, str]] = [
    # where they live and come from
    ("I live in Berlin.", "location", "User lives in Berlin.", "fact"),
    ("i've been living in berlin since march", "location", "User lives in berlin.", "fact"),
    ("I live in Berlin, Germany, which is great.", "location", "User lives in Berlin, Germany.", "fact"),
    ("I moved to Lisbon two weeks ago.", "location", "User moved to Lisbon.", "fact"),
    ("I just moved to Berlin, can you recommend cafes?", "location", "User moved to Berlin.", "fact"),
    ("I'm from Toronto.", "origin", "User is from Toronto.", "profile"),
    ("I grew up in a small town in Ohio.", "origin", "User grew up in a small town in Ohio.", "profile"),
    ("I've been living in the US for about 3 years.", "location", "User lives in the US.", "fact"),
    # work and study
    ("I work as a nurse.", "job", "User works as a nurse.", "profile"),
    ("I work at Google.", "employer", "User works at Google.", "profile"),
    ("I'm a software engineer at Spotify.", "job", "User is a software engineer at Spotify.", "profile"),
    ("I graduated from MIT on May 3rd.", "education", "User graduated from MIT.", "event"),
    # who they are
    ("I'm vegetarian.", "diet", "User is vegetarian.", "profile"),
    ("I'm allergic to peanuts.", "allergy:peanuts", "User is allergic to peanuts.", "profile"),
    ("I have asthma.", "health:asthma", "User has asthma.", "profile"),
    ("I'm 34 years old.", "age", "User is 34 years old.", "profile"),
    ("My name is Priya.", "name", "User's name is Priya.", "profile"),
    # people and animals
    ("My sister is a doctor.", "relationship:sister", "User's sister is a doctor.", "fact"),
    ("My sister Anna lives in Paris.", "relationship:sister", "User has a sister named Anna.", "fact"),
    ("I'm married to Tom.", "relationship:spouse", "User is married to Tom.", "fact"),
    ("I have two kids.", "relationship:children", "User has two kids.", "fact"),
    ("I have a dog named Max.", "pet:dog", "User has a dog named Max.", "fact"),
    ("I've got two cats named Tom and Jerry.", "pet:cat", "User has two cats named Tom and Jerry.", "fact"),
    ("My cat Milo is sick.", "pet:cat", "User has a cat named Milo.", "fact"),
    ("I have an older brother.", "relationship:brother", "User has an older brother.", "fact"),
    ("I own a Honda Civic.", "possession:car", "User owns a Honda Civic.", "fact"),  # any car fills one slot
    # preferences
    ("I love sushi!", "preference:sushi", "User loves sushi.", "preference"),
    ("I can't stand cilantro.", "preference:cilantro", "User cannot stand cilantro.", "preference"),
    ("I prefer window seats.", "preference:window_seats", "User prefers window seats.", "preference"),
    ("I'm a huge fan of jazz.", "preference:jazz", "User is a huge fan of jazz.", "preference"),
    ("My favourite food is pizza.", "preference:food", "User's favorite food is pizza.", "preference"),
    (
        "I love hiking, biking and swimming.",
        "preference:hiking_biking_swimming",
        "User loves hiking, biking and swimming.",
        "preference",
    ),  # fmt: skip
    # plans
    ("I'm planning to go camping next month.", "plan:go_camping", "User is planning to go camping.", "plan"),
    ("I'm flying to Paris next week.", "plan:flying_paris", "User is flying to Paris.", "plan"),
    (
        "I'm thinking of getting a humidifier for my plants.",
        "plan:humidifier_plants",
        "User is thinking of getting a humidifier for their plants.",
        "plan",
    ),  # fmt: skip
    ("I will start a new job next Monday.", "plan:start_job", "User will start a new job.", "plan"),
    ("I want to learn Italian.", "plan:learn_italian", "User wants to learn Italian.", "plan"),
    # events
    (
        "I went to a LGBTQ support group yesterday and it was so powerful.",
        "event:go:lgbtq_support_group",
        "User went to a LGBTQ support group.",
        "event",
    ),  # fmt: skip
    (
        "Last Saturday, I ran a charity race for mental health.",
        "event:run:charity_race_mental",
        "User ran a charity race for mental health.",
        "event",
    ),  # fmt: skip
    ("I bought a new TV for $800 last month.", "possession:tv", "User bought a new TV for $800.", "event"),
    (
        'I just finished reading "The Nightingale".',
        "event:finish:nightingale",
        'User finished reading "The Nightingale".',
        "event",
    ),  # fmt: skip
    # habits
    ("I play tennis every weekend.", "activity:tennis", "User plays tennis every weekend.", "fact"),
    ("I've been learning Spanish for 3 years.", "activity:spanish", "User has been learning Spanish.", "fact"),
]


@pytest.mark.parametrize(("text", "attribute", "statement", "kind"), POSITIVE)
def test_rule_extracts(text: str, attribute: str, statement: str, kind: str) -> None:
    fact = only(text)
    assert (fact.subject, fact.attribute, fact.statement, fact.kind) == ("user", attribute, statement, kind)
    assert not fact.negated
    assert fact.source_episode_ids == ("e1",)
    assert 0.0 < fact.confidence <= 1.0


# (text, attribute, statement) — each says that something stopped being true
NEGATIONS: list[tuple[str, str, str]] = [
    ("I no longer eat meat.", "diet", "User no longer eats meat."),
    ("I don't live in Berlin anymore.", "location", "User no longer lives in Berlin."),
    ("I moved out of Berlin last year.", "location", "User moved away from Berlin."),
    ("I quit my job at Amazon last week.", "employer", "User quit their job at Amazon."),
    ("I'm not vegan anymore.", "diet", "User is no longer vegan."),
    ("I quit smoking.", "habit:smoking", "User quit smoking."),
    ("I used to live in Chicago.", "location", "User used to live in Chicago."),
    ("I broke up with my boyfriend.", "relationship:partner", "User broke up with their boyfriend."),
    ("I sold my car.", "possession:car", "User sold their car."),
    ("I don't play tennis any more.", "activity:tennis", "User no longer plays tennis."),
]


@pytest.mark.parametrize(("text", "attribute", "statement"), NEGATIONS)
def test_negations(text: str, attribute: str, statement: str) -> None:
    fact = only(text)
    assert (fact.attribute, fact.statement, fact.negated) == (attribute, statement, True)


def test_a_negation_fills_the_slot_of_what_it_retracts() -> None:
    assert only("I live in Berlin.").attribute == only("I don't live in Berlin anymore.").attribute
    assert only("I play tennis.").attribute == only("I don't play tennis anymore.").attribute
    assert only("I love sushi.").attribute == only("I hate sushi.").attribute


NOT_FACTS = [
    "Do you think I should move to Berlin?",
    "Should I move to Berlin?",
    "do you think i should move to berlin",
    "I'm wondering if I should move to Berlin.",
    "What if I moved to Berlin?",
    "If I lived in Berlin, I would learn German.",
    "May I ask what you think about Berlin?",
    "Write a story where I live in Berlin.",
    "Can you recommend a good book?",
    "I love that idea!",
    "I like your suggestions.",
    "I love the sound of that.",
    "I'll check them out.",
    "I'm going to try that.",
    "I have a question about taxes.",
    "I'm a bit confused.",
    "I am not sure.",
    "I don't live in Berlin.",  # a plain negation says nothing stopped being true
    "I got a chance to read it.",
    "I'm looking for some book recommendations.",
    "I would love to visit Paris someday.",
    "You should live in Berlin.",
    "I'm in the mood for something different.",
    "I'm from the area.",
    "I'm seeing a therapist.",
    "I'm thinking of getting a few more.",
    "I work at night.",
    "I have a lot of work to do.",
    "",
]


@pytest.mark.parametrize("text", NOT_FACTS)
def test_not_a_fact(text: str) -> None:
    assert extract(text) == []


@pytest.mark.parametrize(
    ("text", "valid_at"),
    [
        ("I live in Berlin since March.", day(2023, 3, 1)),
        ("I moved to Lisbon two weeks ago.", day(2023, 5, 16)),
        ("Last Saturday, I ran a charity race.", day(2023, 5, 27)),
        ("I'm planning to go camping next month.", day(2023, 6, 1)),
        ("I repotted the spider plant on the 15th of last month.", day(2023, 4, 15)),
        ("I adopted a cat named Luna in May.", day(2023, 5, 1)),
        ("I adopted a cat named Luna, May I ask what to feed her?", NOW),  # "May I ask" is no date
        ("I'm planning to visit Rome in August.", day(2023, 8, 1)),  # a plan's bare month is the coming one
        ("I'm planning to visit Rome on Friday.", day(2023, 6, 2)),
        ("I visited Rome in August.", day(2022, 8, 1)),  # what happened: the last August
        ("I live in Berlin.", NOW),  # no phrase: holds from when it was said
        ("My birthday is May 3rd.", NOW),  # the date is the content, not when it began
    ],
)
def test_valid_at(text: str, valid_at: datetime) -> None:
    assert only(text).valid_at == valid_at


def test_time_phrases_stay_out_of_statements() -> None:
    assert only("I moved to Berlin back in mid-March.").statement == "User moved to Berlin."
    assert only("I'm planning to drop off my bike tomorrow morning.").statement == (
        "User is planning to drop off their bike."
    )


def test_plans_with_will_need_a_time_ahead() -> None:
    assert extract("I will start a new job.") == []
    assert extract("I will start a new job yesterday.") == []
    assert only("I will start a new job tomorrow.").valid_at == day(2023, 5, 31)


def test_hedges_lower_confidence() -> None:
    assert only("I think I met a guy at a coffee shop.").confidence < only("I met a guy at a coffee shop.").confidence


def test_named_speakers_are_the_subject() -> None:
    fact = only("I went to a LGBTQ support group yesterday and it was so powerful.", role="Caroline")
    assert (fact.subject, fact.statement) == ("Caroline", "Caroline went to a LGBTQ support group.")
    assert only("My sister is a doctor.", role="Melanie").statement == "Melanie's sister is a doctor."


def test_assistant_turns_count_only_where_they_quote_the_user() -> None:
    assert extract("I live in Berlin and I love sushi.", role="assistant") == []
    quoted = only("Great choice! As you mentioned, you live in Oslo, so pack warm clothes.", role="assistant")
    direct = only("I live in Oslo.")
    assert (quoted.subject, quoted.statement) == ("user", "User lives in Oslo.")
    assert quoted.confidence < direct.confidence


def test_a_turn_can_state_several_facts() -> None:
    facts = extract(
        "By the way, I've been doing some plant maintenance lately, and I also repotted the spider plant "
        "on the 15th of last month, which seems to be doing really well now."
    )
    assert [fact.statement for fact in facts] == [
        "User has been doing some plant maintenance.",
        "User repotted the spider plant.",
    ]


def test_a_fact_repeated_in_the_batch_is_merged() -> None:
    episodes = [
        EpisodeText("e1", "user", "I live in Berlin.", NOW),
        EpisodeText("e2", "assistant", "Berlin is lovely.", NOW),
        EpisodeText("e3", "user", "As I said, I live in Berlin.", NOW),
    ]
    result = RuleBasedExtractor().extract(episodes)
    assert [(fact.statement, fact.source_episode_ids) for fact in result.facts] == [
        ("User lives in Berlin.", ("e1", "e3"))
    ]
    assert (result.backend, result.prompt_tokens, result.completion_tokens) == ("rules", 0, 0)


def test_it_is_an_extractor() -> None:
    assert isinstance(RuleBasedExtractor(), Extractor)
