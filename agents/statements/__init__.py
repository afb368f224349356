"""One extraction, two views: episodes read once into statements, from which the semantic
memory (candidate facts) and the temporal graph (entities and relations) are both derived.

:func:`build_statement_extractor` picks the reader for a configuration: the offline
:class:`RuleStatementExtractor`, or an :class:`LLMStatementExtractor` (one call per batch) with
the rules behind it. :mod:`agents.statements.slots` is the one table of which slots hold a
single value, read by both layers' contradiction handling.
"""

from agents.statements.base import StatementExtractionError, StatementExtractor
from agents.statements.factory import FallbackStatementExtractor, build_statement_extractor
from agents.statements.llm import LLMStatementExtractor
from agents.statements.model import POLARITIES, Polarity, Statement, StatementBatch
from agents.statements.rules import RuleStatementExtractor
from agents.statements.views import GraphView, facts_view, graph_view

__all__ = [
    "POLARITIES",
    "FallbackStatementExtractor",
    "GraphView",
    "LLMStatementExtractor",
    "Polarity",
    "RuleStatementExtractor",
    "Statement",
    "StatementBatch",
    "StatementExtractionError",
    "StatementExtractor",
    "build_statement_extractor",
    "facts_view",
    "graph_view",
]
