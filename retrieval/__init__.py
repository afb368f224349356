"""Retrieval engine: embedders, vector and lexical indexes, rank fusion, time parsing.

Takes plain data; never imports FastAPI or ``memory_service``."""
