"""The error every LLM extraction backend raises when its model answers, but never usably."""

from __future__ import annotations


class UnusableOutputError(RuntimeError):
    """A model answered, but never with usable output, even after retries.

    Carries the tokens spent on the failed attempts so callers can still account for them, and
    the last ``problem`` so a fallback can say why it took over. Subclasses name the ``task`` and
    the ``offline`` extractor that needs no model, for a message that tells the user what to do.
    """

    task = "extraction"
    offline = "rule-based extractor"

    def __init__(self, model: str, attempts: int, problem: str, prompt_tokens: int = 0, completion_tokens: int = 0):
        super().__init__(
            f"{self.task} model {model!r} gave unusable output {attempts} time(s); last problem: {problem}. "
            f"Use a model that supports JSON output, or leave the LLM unset to use the {self.offline}."
        )
        self.model = model
        self.attempts = attempts
        self.problem = problem
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
