"""The relation rules: episodes in, candidate entities and relations out, offline.

:class:`RuleGraphExtractor` is one of the two rule tables the offline statement reader
(:mod:`agents.statements`) joins; the graph itself is grown from the statements' graph view.
"""

from agents.graph_extraction.base import GraphExtraction, GraphExtractor
from agents.graph_extraction.rules import RuleGraphExtractor
from graph.candidates import EntityCandidate, RelationCandidate

__all__ = ["EntityCandidate", "GraphExtraction", "GraphExtractor", "RelationCandidate", "RuleGraphExtractor"]
