"""The benchmarks' own answer-checking rules, as pure functions over text.

LongMemEval judges an answer with an LLM and a prompt that depends on the question type
(``src/evaluation/evaluate_qa.py`` of the benchmark, MIT): temporal questions forgive
off-by-one day counts, knowledge-update questions accept old facts next to the updated one,
preference questions are judged against a rubric, and abstention questions (``_abs``) are right
when the answer says the question cannot be answered. The judge's reply counts as correct when
it contains "yes". The templates below are the benchmark's, word for word, so accuracies are
comparable with published ones.

LoCoMo scores answers by token F1 (``task_eval/evaluation.py`` of the benchmark): normalized,
Porter-stemmed tokens; multi-hop answers (category 1) are split on commas and matched part by
part; open-domain answers (category 3) keep the part before the first ";"; adversarial
questions (category 5) are right when the answer says the information is not available.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from functools import lru_cache
from typing import Any

_FACTUAL = (
    "I will give you a question, a correct answer, and a response from a model. Please answer yes if the "
    "response contains the correct answer. Otherwise, answer no. If the response is equivalent to the correct "
    "answer or contains all the intermediate steps to get the correct answer, you should also answer yes. If the "
    "response only contains a subset of the information required by the answer, answer no. "
)
_ASK = "\n\nQuestion: {question}\n\nCorrect Answer: {answer}\n\nModel Response: {response}\n\n"
_VERDICT = "Is the model response correct? Answer yes or no only."

JUDGE_TEMPLATES: dict[str, str] = {
    "single-session-user": _FACTUAL + _ASK + _VERDICT,
    "single-session-assistant": _FACTUAL + _ASK + _VERDICT,
    "multi-session": _FACTUAL + _ASK + _VERDICT,
    "temporal-reasoning": _FACTUAL
    + "In addition, do not penalize off-by-one errors for the number of days. If the question asks for the "
    "number of days/weeks/months, etc., and the model makes off-by-one errors (e.g., predicting 19 days when the "
    "answer is 18), the model's response is still correct. " + _ASK + _VERDICT,
    "knowledge-update": "I will give you a question, a correct answer, and a response from a model. Please answer "
    "yes if the response contains the correct answer. Otherwise, answer no. If the response contains some previous "
    "information along with an updated answer, the response should be considered as correct as long as the updated "
    "answer is the required answer." + _ASK + _VERDICT,
    "single-session-preference": "I will give you a question, a rubric for desired personalized response, and a "
    "response from a model. Please answer yes if the response satisfies the desired response. Otherwise, answer no. "
    "The model does not need to reflect all the points in the rubric. The response is correct as long as it recalls "
    "and utilizes the user's personal information correctly."
    "\n\nQuestion: {question}\n\nRubric: {answer}\n\nModel Response: {response}\n\n" + _VERDICT,
}
ABSTENTION_TEMPLATE = (
    "I will give you an unanswerable question, an explanation, and a response from a model. Please answer yes if "
    "the model correctly identifies the question as unanswerable. The model could say that the information is "
    "incomplete, or some other information is given but the asked information is not."
    "\n\nQuestion: {question}\n\nExplanation: {answer}\n\nModel Response: {response}\n\n"
    "Does the model correctly identify the question as unanswerable? Answer yes or no only."
)
JUDGE_MAX_TOKENS = 10
LOCOMO_UNANSWERABLE = "The conversations do not contain this information."
"""The explanation given to the judge for LoCoMo's adversarial questions, which have none."""


def judge_prompt(question_type: str, question: str, answer: str, response: str, *, abstention: bool) -> str:
    """The benchmark's judging prompt for one answer; unknown types use the factual rule."""
    factual = JUDGE_TEMPLATES.get(question_type, JUDGE_TEMPLATES["multi-session"])
    template = ABSTENTION_TEMPLATE if abstention else factual
    return template.format(question=question, answer=answer, response=response)


def judge_says_yes(reply: str) -> bool:
    """The benchmark's reading of the judge: correct when the reply contains "yes"."""
    return "yes" in reply.strip().lower()


# --- LoCoMo token F1 ---------------------------------------------------------------------------

_ARTICLES = re.compile(r"\b(a|an|the|and)\b")
_PUNCTUATION = frozenset(string.punctuation)
LOCOMO_ABSTAIN_MARKERS = ("no information available", "not mentioned")


def normalize_answer(text: str) -> str:
    """LoCoMo's normalization: drop commas, lower-case, strip punctuation, articles and extra spaces."""
    text = text.replace(",", "").lower()
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("porter")


def _tokens(text: str) -> list[str]:
    words = normalize_answer(text).split()
    return list(_stemmer().stemWords(words)) if words else []


def token_f1(prediction: str, truth: str) -> float:
    """F1 of the stemmed token bags; 0.0 when nothing is shared."""
    predicted, gold = _tokens(prediction), _tokens(truth)
    same = sum((Counter(predicted) & Counter(gold)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(predicted), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def multi_answer_f1(prediction: str, truth: str) -> float:
    """Multi-hop rule: each comma-separated gold part takes its best-matching predicted part."""
    predictions = [part.strip() for part in prediction.split(",")]
    truths = [part.strip() for part in truth.split(",")]
    return sum(max(token_f1(p, t) for p in predictions) for t in truths) / len(truths)


def locomo_f1(category: int, prediction: str, answer: str) -> float:
    """The LoCoMo QA score of one answer, by the question's category."""
    if category == 5:
        lowered = prediction.lower()
        return float(any(marker in lowered for marker in LOCOMO_ABSTAIN_MARKERS))
    if category == 1:
        return multi_answer_f1(prediction, answer)
    if category == 3:
        answer = answer.split(";")[0].strip()
    return token_f1(prediction, answer)
