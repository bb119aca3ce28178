"""Plain-Python core: wire types, request building, the HTTP client, stream assembly."""

import sys
import types

# httpx imports its command-line tool when it is imported (`httpx._main`: click, pygments
# and Rich's console), ~20 ms of start-up the app never uses; a module that only names
# `main` stands in for it (what httpx's own fallback defines when click is missing). Any
# code that imports httpx through the core gets it; `httpx.main` is never called here.
if "httpx" not in sys.modules:
    _cli = types.ModuleType("httpx._main", "httpx's command-line tool, not loaded by routmy-tui")
    _cli.main = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    sys.modules.setdefault("httpx._main", _cli)
