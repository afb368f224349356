"""Turn new episodes into candidate facts for the semantic memory layer.

Backends share one protocol, :class:`Extractor`: the offline :class:`RuleBasedExtractor`, the
:class:`LLMExtractor` (any litellm model) and :class:`FallbackExtractor`, which composes two of
them. :func:`build_extractor` picks the right one for a configured model name. Nothing here
knows about the store: episodes come in as :class:`EpisodeText`, facts go out as
:class:`CandidateFact`, and consolidation against known facts happens elsewhere.
"""

from agents.extraction.base import ExtractionError, Extractor
from agents.extraction.factory import build_extractor
from agents.extraction.fallback import FallbackExtractor
from agents.extraction.llm_extractor import LLMExtractor
from agents.extraction.models import (
    FACT_KINDS,
    USER_SUBJECT,
    CandidateFact,
    EpisodeText,
    ExtractionResult,
    FactKind,
    speaker_subject,
)
from agents.extraction.rules import RuleBasedExtractor

__all__ = [
    "FACT_KINDS",
    "USER_SUBJECT",
    "CandidateFact",
    "EpisodeText",
    "ExtractionError",
    "ExtractionResult",
    "Extractor",
    "FactKind",
    "FallbackExtractor",
    "LLMExtractor",
    "RuleBasedExtractor",
    "build_extractor",
    "speaker_subject",
]
