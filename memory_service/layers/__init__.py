"""The memory layers' shared parts: the partition cache that holds every layer's loaded state."""
