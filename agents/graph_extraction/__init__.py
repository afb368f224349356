"""Graph extraction: episodes in, candidate entities and relations out (rules offline, or an LLM)."""

from agents.graph_extraction.base import GraphExtraction, GraphExtractionError, GraphExtractor
from agents.graph_extraction.fallback import FallbackGraphExtractor, build_graph_extractor
from agents.graph_extraction.llm import LLMGraphExtractor
from agents.graph_extraction.rules import RuleGraphExtractor
from graph.candidates import EntityCandidate, RelationCandidate

__all__ = [
    "EntityCandidate",
    "FallbackGraphExtractor",
    "GraphExtraction",
    "GraphExtractionError",
    "GraphExtractor",
    "LLMGraphExtractor",
    "RelationCandidate",
    "RuleGraphExtractor",
    "build_graph_extractor",
]
