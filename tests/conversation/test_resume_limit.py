"""A huge conversation is not reopened at start (that took 30 s for 200,000 messages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from routmy_tui.conversation import ChatSettings, Conversation, history
from routmy_tui.conversation.history import History
from routmy_tui.core.types import ChatMessage
from routmy_tui.store import Store


def _branch(store: Store, length: int) -> str:
    conversation = store.create_conversation("demo/chat")
    parent = None
    for number in range(length):
        role = "user" if number % 2 == 0 else "assistant"
        parent = store.add_message(conversation, parent, ChatMessage(role, f"m{number}"))
    return conversation


def test_path_length_counts_the_branch_and_stops_early(tmp_path: Path) -> None:
    with Store.open(tmp_path / "db") as store:
        conversation = _branch(store, 12)
        assert store.path_length(conversation, 100) == 12
        assert store.path_length(conversation, 5) == 5
        assert store.path_length(store.create_conversation("m"), 5) == 0


def test_a_branch_past_the_limit_is_not_resumed_and_the_user_is_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history, "RESUME_LIMIT", 10)
    with Store.open(tmp_path / "db") as store:
        small = _branch(store, 10)
        kept = History(Conversation(ChatSettings(model="demo/chat")), lambda: store)
        assert kept.resume()[0] is True
        assert kept.conversation.id == small
        big = _branch(store, 11)
        notices: list[str] = []
        fresh = History(Conversation(ChatSettings(model="demo/chat")), lambda: store)
        fresh.on_error = notices.append
        store.set_meta("last_conversation_id", big)
        assert fresh.resume()[0] is False
        assert fresh.conversation.id is None
        assert len(notices) == 1 and "more than 10 messages" in notices[0]
        assert fresh.open(big) is not None  # still opens when asked for
