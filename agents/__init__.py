"""Extraction and consolidation agents (LLM via litellm, and offline rule-based backends)."""
