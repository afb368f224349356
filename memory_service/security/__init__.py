"""Who may call the service: managed API keys, their scopes, the principal a request acts as, the audit log.

The modules import no web framework; the API's dependencies (``api/deps.py``) call into them.
"""
