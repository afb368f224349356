"""The REST API: a thin FastAPI face over the service layer."""
