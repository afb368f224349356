"""The temporal layer."""
