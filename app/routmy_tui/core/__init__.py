"""Plain-Python core: wire types, request building, the HTTP client, stream assembly."""
