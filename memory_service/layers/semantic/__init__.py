"""The semantic layer."""
