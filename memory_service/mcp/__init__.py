"""The service over the Model Context Protocol: tools on the SDK's clients, on stdio and at ``/mcp``.

``tools`` describes the tools, ``server`` builds the ``MCPServer``, ``auth`` checks the service's
own keys as bearer tokens, and ``http`` mounts the streamable HTTP endpoint in the app.
"""
