"""The episodic layer."""
