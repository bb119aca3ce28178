"""SQLite storage for conversations, messages, exchanges and images.

Names are loaded on first use (PEP 562), so `from routmy_tui.store.db import StoreError`
stays cheap for code that only needs the error type before the store is opened.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from routmy_tui.store.db import StoreError as StoreError
    from routmy_tui.store.db import open_database as open_database
    from routmy_tui.store.records import SNIPPET_END as SNIPPET_END
    from routmy_tui.store.records import SNIPPET_START as SNIPPET_START
    from routmy_tui.store.records import Conversation as Conversation
    from routmy_tui.store.records import ConversationSummary as ConversationSummary
    from routmy_tui.store.records import SearchHit as SearchHit
    from routmy_tui.store.records import StoredMessage as StoredMessage
    from routmy_tui.store.records import mask_headers as mask_headers
    from routmy_tui.store.store import Store as Store

_WHERE = {
    "StoreError": "routmy_tui.store.db",
    "open_database": "routmy_tui.store.db",
    "SNIPPET_END": "routmy_tui.store.records",
    "SNIPPET_START": "routmy_tui.store.records",
    "Conversation": "routmy_tui.store.records",
    "ConversationSummary": "routmy_tui.store.records",
    "SearchHit": "routmy_tui.store.records",
    "StoredMessage": "routmy_tui.store.records",
    "mask_headers": "routmy_tui.store.records",
    "Store": "routmy_tui.store.store",
}

__all__ = [
    "SNIPPET_END",
    "SNIPPET_START",
    "Conversation",
    "ConversationSummary",
    "SearchHit",
    "Store",
    "StoreError",
    "StoredMessage",
    "mask_headers",
    "open_database",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'routmy_tui.store' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
