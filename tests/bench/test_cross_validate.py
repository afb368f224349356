"""Cross-validation of recipe choices: folds, held-out scoring, the noise band."""

from __future__ import annotations

import math

from bench.cross_validate import (
    Scored,
    assign_folds,
    cross_validate,
    held_out_by_stratum,
    leave_out,
    longmemeval_rows,
    paired_difference,
)


def rows(*values: tuple[str, str, float, float]) -> list[Scored]:
    return [Scored(key, stratum, {"a": a, "b": b}) for key, stratum, a, b in values]


def test_folds_are_stratified_and_cover_every_question_once() -> None:
    found = rows(*[(f"q{i}", "x" if i < 6 else "y", 0.0, 0.0) for i in range(10)])
    folds = assign_folds(found, 2)
    assert sorted(r.key for fold in folds for r in fold) == sorted(r.key for r in found)
    assert [sum(r.stratum == "x" for r in fold) for fold in folds] == [3, 3]
    assert [sum(r.stratum == "y" for r in fold) for fold in folds] == [2, 2]


def test_the_choice_is_made_on_the_other_folds_and_scored_on_its_own() -> None:
    # "b" wins on every question but one fold's: held-out figures must show the fold's own values.
    found = rows(("q0", "x", 0.0, 1.0), ("q1", "x", 0.0, 1.0), ("q2", "x", 0.5, 0.0), ("q3", "x", 0.0, 1.0))
    outcome = cross_validate(found, ["a", "b"], 4)
    assert [fold["chosen"] for fold in outcome] == ["b", "b", "b", "b"]
    by_fold = {fold["fold"]: fold for fold in outcome}
    assert by_fold[2]["held_out"] == 0.0 and math.isclose(by_fold[2]["held_in"], 1.0)
    assert by_fold[0]["held_out"] == 1.0


def test_ties_go_to_the_first_recipe_listed() -> None:
    found = rows(("q0", "x", 1.0, 1.0), ("q1", "x", 0.0, 0.0))
    assert {fold["chosen"] for fold in cross_validate(found, ["b", "a"], 2)} == {"b"}


def test_the_paired_difference_and_its_band() -> None:
    found = rows(("q0", "x", 0.0, 1.0), ("q1", "x", 0.0, 0.0), ("q2", "x", 0.0, 1.0), ("q3", "x", 0.0, 0.0))
    difference, band = paired_difference(found, "b", "a")
    assert difference == 0.5 and math.isclose(band, 2 * math.sqrt(1 / 3) / 2)


def test_longmemeval_rows_leave_out_questions_without_evidence() -> None:
    records = [
        {"question_id": "q1", "question_type": "multi-session", "abstention": False, "gold": {"turn": 2},
         "recipes": {"a": {"turn": {"recall_all@10": 1.0}}}},
        {"question_id": "q2_abs", "question_type": "multi-session", "abstention": True, "gold": {"turn": 0},
         "recipes": {"a": {"turn": {"recall_all@10": 0.0}}}},
    ]  # fmt: skip
    assert [r.key for r in longmemeval_rows(records, "turn.recall_all@10")] == ["q1"]


def test_fewer_questions_than_folds_make_fewer_folds() -> None:
    found = rows(("q0", "x", 1.0, 0.0), ("q1", "x", 0.0, 1.0))
    outcome = cross_validate(found, ["a", "b"], 5)
    assert len(outcome) == 2 and all(not math.isnan(fold["held_out"]) for fold in outcome)


def test_held_out_figures_by_type_score_each_question_with_its_folds_choice() -> None:
    # Fold 0 holds q0 (x) and q2 (y); the other fold prefers "b", so q0 and q2 are scored by "b".
    found = rows(("q0", "x", 0.0, 1.0), ("q1", "x", 1.0, 0.0), ("q2", "y", 0.0, 0.5), ("q3", "y", 0.0, 1.0))
    outcome = cross_validate(found, ["a", "b"], 2)
    table = held_out_by_stratum(found, outcome, "a")
    chosen = {key: fold["chosen"] for fold in outcome for key in fold["keys"]}
    by_key = {row.key: row for row in found}
    for stratum, (count, held_out, base) in table.items():
        members = [key for key, row in by_key.items() if row.stratum == stratum]
        assert count == len(members)
        assert math.isclose(held_out, sum(by_key[k].by_recipe[chosen[k]] for k in members) / len(members))
        assert math.isclose(base, sum(by_key[k].by_recipe["a"] for k in members) / len(members))
    assert set(table) == {"x", "y"}


def test_a_question_type_left_out_takes_no_part() -> None:
    found = rows(("q0", "category 1", 1.0, 0.0), ("q1", "category 5", 0.0, 1.0), ("q2", "category 2", 0.0, 0.0))
    assert [row.key for row in leave_out(found, ["category 5"])] == ["q0", "q2"]
    assert leave_out(found, []) == found
