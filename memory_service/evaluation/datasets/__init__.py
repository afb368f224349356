"""Loaders for the LongMemEval and LoCoMo benchmark files, and the gold sets they imply.

The loaders read the public files unchanged into frozen dataclasses, so the evaluation jobs never
touch raw JSON; a file in another format fails loudly with `DatasetFormatError`, naming the file,
the item and the field.
"""

from __future__ import annotations

from memory_service.evaluation.datasets.fields import DatasetFormatError
from memory_service.evaluation.datasets.locomo import (
    LocomoConversation,
    LocomoDataset,
    LocomoQuestion,
    LocomoSession,
    LocomoTurn,
    describe_photo,
    load_locomo,
    parse_dia_id,
    parse_locomo,
    parse_locomo_date,
)
from memory_service.evaluation.datasets.longmemeval import (
    ABSTENTION_SUFFIX,
    EVIDENCE_MARKER,
    CorpusDoc,
    HaystackSession,
    LongMemEvalQuestion,
    Turn,
    gold_session_ids,
    gold_turn_ids,
    iter_longmemeval,
    load_longmemeval,
    parse_longmemeval,
    parse_longmemeval_date,
    session_corpus,
    turn_corpus,
    turn_doc_id,
)

__all__ = [
    "ABSTENTION_SUFFIX",
    "CorpusDoc",
    "DatasetFormatError",
    "EVIDENCE_MARKER",
    "HaystackSession",
    "LocomoConversation",
    "LocomoDataset",
    "LocomoQuestion",
    "LocomoSession",
    "LocomoTurn",
    "LongMemEvalQuestion",
    "Turn",
    "describe_photo",
    "gold_session_ids",
    "gold_turn_ids",
    "iter_longmemeval",
    "load_locomo",
    "load_longmemeval",
    "parse_dia_id",
    "parse_locomo",
    "parse_locomo_date",
    "parse_longmemeval",
    "parse_longmemeval_date",
    "session_corpus",
    "turn_corpus",
    "turn_doc_id",
]
