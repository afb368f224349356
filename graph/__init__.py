"""Temporal knowledge graph: entities and bi-temporal relations (built in a later release)."""
