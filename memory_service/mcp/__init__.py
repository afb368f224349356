"""The service over the Model Context Protocol: tools on the SDK's clients, on stdio and at ``/mcp``.

``tools`` describes the tools, ``server`` builds the ``MCPServer``, ``auth`` holds the principal
a request acts as (found by the service's own ``runtime.auth``, as for REST), and ``http`` mounts
the streamable HTTP endpoint in the app.
"""
