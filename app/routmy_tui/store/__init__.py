"""SQLite storage for conversations, messages, exchanges and images."""

from routmy_tui.store.db import StoreError, open_database
from routmy_tui.store.records import (
    SNIPPET_END,
    SNIPPET_START,
    Conversation,
    ConversationSummary,
    SearchHit,
    StoredMessage,
    mask_headers,
)
from routmy_tui.store.store import Store

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
