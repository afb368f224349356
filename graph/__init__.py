"""Temporal knowledge graph: entities and bi-temporal relations, resolution, contradiction rules,
"as of" views, traversal and graph search (see :class:`graph.temporal_graph.TemporalGraph`)."""
