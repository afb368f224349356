"""The fact rules: turn a speaker's clauses into candidate facts for the semantic memory layer.

:class:`RuleBasedExtractor` is one of the two rule tables the offline statement reader
(:mod:`agents.statements`) joins; the values here (:class:`EpisodeText` in,
:class:`CandidateFact` out) are what the rest of the product passes around. Nothing here knows
about the store, and consolidation against known facts happens elsewhere.
"""

from agents.extraction.base import Extractor
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
    "ExtractionResult",
    "Extractor",
    "FactKind",
    "RuleBasedExtractor",
    "speaker_subject",
]
