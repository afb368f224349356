"""Extraction: the durable queue of episodes to read and the worker that reads them."""
