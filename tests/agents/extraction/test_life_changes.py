"""Ordinary life changes: shared subjects, present states, endings and what replaced them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.agents.extraction.test_rules import extract, only


def day(year: int, month: int, date: int) -> datetime:
    return datetime(year, month, date, tzinfo=UTC)


def summary(text: str) -> list[tuple[str, str, bool]]:
    return [(fact.attribute, fact.statement, fact.negated) for fact in extract(text)]


@pytest.mark.parametrize(
    ("text", "attribute", "statement"),
    [
        ("Our family relocated to Tromso in the autumn.", "location", "User moved to Tromso."),
        ("We moved to Denver last year.", "location", "User moved to Denver."),
        ("My wife and I live in Austin.", "location", "User lives in Austin."),
        ("The kids and I moved to Porto over the summer.", "location", "User moved to Porto."),
        ("We're based in Leeds.", "location", "User lives in Leeds."),
        ("We got a kitten last week, her name is Miso.", "pet:cat", "User got a kitten named Miso."),
        ("We adopted a puppy named Rex.", "pet:dog", "User adopted a puppy named Rex."),
        ("My partner and I bought a house in Leeds.", "possession:house", "User bought a house in Leeds."),
        ("Our family has two cats.", "pet:cat", "User has two cats."),
    ],
)
def test_a_shared_subject_speaks_for_the_speaker(text: str, attribute: str, statement: str) -> None:
    fact = only(text)
    assert (fact.subject, fact.attribute, fact.statement, fact.negated) == ("user", attribute, statement, False)


@pytest.mark.parametrize(
    "text",
    [
        "We talked about moving to Rome.",
        "We should move to Paris.",
        "We watched a movie.",
        "Our family loves the beach.",
        "We've been working on building up confidence.",
    ],
)
def test_a_shared_subject_with_other_verbs_says_nothing(text: str) -> None:
    assert extract(text) == []


@pytest.mark.parametrize(
    ("text", "attribute", "statement"),
    [
        ("These days I live in Oslo.", "location", "User lives in Oslo."),
        ("I'm based in Madrid.", "location", "User lives in Madrid."),
        ("I'm living in Tokyo now.", "location", "User lives in Tokyo."),
        ("I work as a teacher.", "job", "User works as a teacher."),
        ("I'm currently a nurse at St Mary's.", "job", "User is a nurse at St Mary's."),
        ("I'm employed by Deloitte.", "employer", "User is employed by Deloitte."),
        ("I am currently employed at Bank of America.", "employer", "User is employed by Bank of America."),
        ("I'm now employed with SAP.", "employer", "User is employed by SAP."),
    ],
)
def test_present_states(text: str, attribute: str, statement: str) -> None:
    fact = only(text)
    assert (fact.attribute, fact.statement, fact.negated) == (attribute, statement, False)


@pytest.mark.parametrize(
    ("text", "valid_at"),
    [
        ("I started at Initech in March and honestly I really enjoy working there.", day(2023, 3, 1)),
        ("I started working at Initech two years ago.", day(2021, 5, 30)),
        ("Back in March, I started working for Initech.", day(2023, 3, 1)),
        ("I took a job at Initech earlier this year.", day(2023, 1, 1)),
    ],
)
def test_starting_at_a_company_is_an_employer_from_then(text: str, valid_at: datetime) -> None:
    fact = only(text)
    assert (fact.attribute, fact.negated, fact.valid_at) == ("employer", False, valid_at)
    assert "Initech" in fact.statement and "honestly" not in fact.statement


def test_the_big_news_turn() -> None:
    facts = extract("Big news: I just moved to Lisbon last week, and I quit Siemens, now I work at Google.")
    assert [(f.attribute, f.statement, f.negated, f.valid_at) for f in facts] == [
        ("location", "User moved to Lisbon.", False, day(2023, 5, 22)),
        ("employer", "User quit Siemens.", True, facts[1].valid_at),
        ("employer", "User works at Google.", False, facts[2].valid_at),
    ]


@pytest.mark.parametrize(
    ("text", "ended", "holds"),
    [
        ("I left Amazon and joined Microsoft.", "User left Amazon.", "User joined Microsoft."),
        ("I quit Oracle and started at SAP.", "User quit Oracle.", "User started working at SAP."),
        ("I left Acme and then joined Initech in May.", "User left Acme.", "User joined Initech."),
        (
            "I resigned from Globex and went to work for Initech.",
            "User resigned from Globex.",
            "User started working at Initech.",
        ),
    ],
)  # fmt: skip
def test_leaving_one_employer_for_another(text: str, ended: str, holds: str) -> None:
    assert summary(text) == [("employer", ended, True), ("employer", holds, False)]


@pytest.mark.parametrize(
    ("text", "ended", "holds"),
    [
        ("I moved from Boston to Seattle.", "User moved away from Boston.", "User moved from Boston to Seattle."),
        (
            "We relocated from Oslo to Bergen last year.",
            "User moved away from Oslo.",
            "User moved from Oslo to Bergen.",
        ),
        ("I left Berlin and moved to Paris.", "User moved away from Berlin.", "User moved to Paris."),
    ],
)  # fmt: skip
def test_leaving_one_home_for_another(text: str, ended: str, holds: str) -> None:
    assert sorted(summary(text), key=lambda item: not item[2]) == [
        ("location", ended, True),
        ("location", holds, False),
    ]


@pytest.mark.parametrize(
    ("text", "ended", "holds"),
    [
        ("I sold my Civic and bought a Tesla.", "User sold their Civic.", "User bought a Tesla."),
        ("We sold our old car and bought a Honda Civic.", "User sold their old car.", "User bought a Honda Civic."),
        (
            "I got rid of my Toyota and bought a Subaru Outback.",
            "User got rid of their Toyota.",
            "User bought a Subaru Outback.",
        ),
    ],
)  # fmt: skip
def test_selling_one_car_for_another(text: str, ended: str, holds: str) -> None:
    assert summary(text) == [("possession:car", ended, True), ("possession:car", holds, False)]


@pytest.mark.parametrize(
    ("text", "attribute"),
    [
        ("I'm not vegan anymore.", "diet"),
        ("I'm no longer vegetarian.", "diet"),
        ("I stopped eating meat.", "diet"),
        ("We broke up.", "relationship:partner"),
        ("We split up last month.", "relationship:partner"),
        ("My boyfriend and I broke up in the fall.", "relationship:partner"),
        ("I got divorced.", "relationship:spouse"),
        ("We got divorced two years ago.", "relationship:spouse"),
        ("I retired.", "job"),
        ("I retired from teaching last year.", "job"),
        ("I've just retired.", "job"),
    ],
)
def test_endings_fill_the_slot_they_end(text: str, attribute: str) -> None:
    fact = only(text)
    assert (fact.attribute, fact.negated) == (attribute, True)


@pytest.mark.parametrize(
    ("text", "attribute"),
    [
        ("I switched from vegetarian to vegan.", "diet"),
        ("I switched jobs from Oracle to SAP.", "employer"),
        ("I switched from a Prius to a Tesla.", "possession:car"),
    ],
)
def test_switching_from_one_to_another(text: str, attribute: str) -> None:
    fact = only(text)
    assert (fact.attribute, fact.negated) == (attribute, False)


@pytest.mark.parametrize(
    "text",
    [
        "I broke up a fight.",
        "We split up the bill.",
        "I left Berlin.",  # a town or a company: nothing says which
        "I joined Toastmasters.",  # a club is no employer
        "I left the party early.",
        "I quit smoking and joined a gym.",
    ],
)
def test_ambiguous_changes_give_no_employer_or_home(text: str) -> None:
    assert not [fact for fact in extract(text) if fact.attribute in ("employer", "location", "relationship:partner")]


@pytest.mark.parametrize(
    "text",
    [
        "My friend said she moved to Rome.",
        'He told me "I quit Siemens".',
        "My sister told me: I moved to Rome.",
        "If we moved to Paris, we would be happy.",
        "I might move to Oslo someday.",
        "Did we move to Paris?",
        "Should we get a kitten?",
        "Please tell me how to sell my car.",
        "Mark says, I live in Berlin.",
    ],
)
def test_what_others_said_and_what_might_be_is_no_fact(text: str) -> None:
    assert [fact for fact in extract(text) if fact.kind != "plan"] == []


@pytest.mark.parametrize(
    ("text", "valid_at"),
    [
        ("I've lived in Berlin since New Year.", day(2023, 1, 1)),
        ("Since Christmas, I've lived in Berlin.", day(2022, 12, 25)),
        ("I moved to Berlin over the summer.", day(2022, 6, 1)),
        ("We moved to Rome in the fall.", day(2022, 9, 1)),
        ("I moved to Rome back in March.", day(2023, 3, 1)),
        ("I moved to Rome in June.", day(2022, 6, 1)),  # said in May: the June before
        ("I moved to Berlin earlier this year.", day(2023, 1, 1)),
    ],
)
def test_vague_times_resolve_to_the_past(text: str, valid_at: datetime) -> None:
    fact = only(text)
    assert (fact.attribute, fact.valid_at) == ("location", valid_at)
    assert "over" not in fact.statement and "summer" not in fact.statement
