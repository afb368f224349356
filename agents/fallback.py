"""Run a primary extractor and, when its model fails, a fallback extractor on the same batch.

Falls back on both failures of an LLM backend: :class:`agents.llm.LLMError` (the model cannot
be reached) and the backend's :class:`~agents.errors.UnusableOutputError` (it answered, but
never usably, even after retries). A model that keeps answering garbage is as useless for the
batch as one that is down, and the episodes should still yield something; either way a warning
is logged and the tokens the failed attempts spent stay in the result's counts. Any other
exception is a bug and propagates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import Field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from agents.errors import UnusableOutputError
from agents.llm import LLMError

if TYPE_CHECKING:
    from agents.extraction.models import EpisodeText


class CountsTokens(Protocol):
    """A dataclass result that counts the tokens spent producing it."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    @property
    def prompt_tokens(self) -> int: ...

    @property
    def completion_tokens(self) -> int: ...


ResultT = TypeVar("ResultT", bound=CountsTokens)
ResultT_co = TypeVar("ResultT_co", bound=CountsTokens, covariant=True)


class BatchExtractor(Protocol[ResultT_co]):
    def extract(self, episodes: Sequence[EpisodeText]) -> ResultT_co: ...


def _as_is(result: ResultT, reason: str) -> ResultT:
    return result


def extract_with_fallback(
    primary: BatchExtractor[ResultT],
    fallback: BatchExtractor[ResultT],
    episodes: Sequence[EpisodeText],
    *,
    unusable: type[UnusableOutputError],
    log: logging.Logger,
    primary_label: str,
    fallback_label: str,
    finish: Callable[[ResultT, str], ResultT] = _as_is,
) -> ResultT:
    """``primary``'s result, or ``fallback``'s when the primary's model fails.

    Only ``unusable`` (the primary's own error type) and :class:`LLMError` are caught. The labels
    name the extractors in the warning; ``finish`` gets the fallback's result, its token counts
    already including the failed attempts, and the reason the primary failed.
    """
    spent = (0, 0)
    try:
        return primary.extract(episodes)
    except LLMError as exc:
        reason = f"{primary_label} unavailable ({exc})"
    except unusable as exc:
        reason = f"{primary_label} gave unusable output ({exc.problem})"
        spent = (exc.prompt_tokens, exc.completion_tokens)
    log.warning("%s; extracting %d episode(s) with %s instead", reason, len(episodes), fallback_label)
    result = fallback.extract(episodes)
    counted = replace(
        result,
        prompt_tokens=result.prompt_tokens + spent[0],
        completion_tokens=result.completion_tokens + spent[1],
    )
    return finish(counted, reason)
