"""The SQL store: the source of truth that every index is derived from."""
