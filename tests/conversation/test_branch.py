"""A long stored branch opens by its end and reads the rest as it is asked for, losing nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from routmy_tui.conversation import ChatSettings, Conversation, InvalidRequest
from routmy_tui.conversation.branch import CHUNK, TAIL
from routmy_tui.conversation.history import History
from routmy_tui.core.types import ChatMessage
from routmy_tui.store import Store
from routmy_tui.store.db import StoreError

PAIRS = 260


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with Store.open(tmp_path / "t.db") as opened:
        yield opened


def _fill(store: Store) -> tuple[str, int]:
    """A branch of 2 * PAIRS messages; the 3rd message has another version beside it.
    Returns the conversation and the id of the 3rd message."""
    conversation = store.create_conversation("demo/chat")
    parent = None
    third = 0
    with store.transaction():
        for number in range(PAIRS):
            if number == 1:
                store.add_message(conversation, parent, ChatMessage("user", "older version"))
            parent = store.add_message(conversation, parent, ChatMessage("user", f"q{number}"))
            third = parent if number == 1 else third
            parent = store.add_message(conversation, parent, ChatMessage("assistant", f"a{number}"))
    return conversation, third


def _opened(store: Store) -> tuple[Conversation, History, str, int]:
    conversation_id, third = _fill(store)
    conversation = Conversation(ChatSettings(model="demo/chat"))
    history = History(conversation, lambda: store)
    assert history.open(conversation_id) is not None
    return conversation, history, conversation_id, third


def test_only_the_end_is_read_at_first_and_the_rest_comes_in_the_stores_order(
    store: Store,
) -> None:
    conversation, _, conversation_id, third = _opened(store)
    turns = conversation.turns
    assert len(turns) == 2 * PAIRS
    assert turns.unread == 2 * PAIRS - TAIL
    assert turns[-1].message.content == f"a{PAIRS - 1}"
    assert turns.unread == 2 * PAIRS - TAIL  # the end was read already
    assert turns.index_of(third) == 2
    assert turns.unread == 2 * PAIRS - TAIL  # found without reading
    first = turns[0]
    assert turns.unread == 2 * PAIRS - TAIL - CHUNK
    assert turns[0] is first  # read once, the same turn from then on
    stored = store.current_path(conversation_id)
    assert [(t.id, t.role, t.message.content) for t in turns] == [
        (m.id, m.role, m.content) for m in stored
    ]
    assert turns.unread == 0
    assert turns[2].siblings == (2, 2)
    assert turns[1].siblings == (1, 1)


def test_a_request_carries_the_whole_branch_and_a_reply_continues_it(store: Store) -> None:
    conversation, _, conversation_id, _ = _opened(store)
    conversation.send("one more")
    _, body = conversation.start_reply()
    contents = [m["content"] for m in body["messages"]]
    assert contents[:3] == ["q0", "a0", "q1"]
    assert contents[-2:] == [f"a{PAIRS - 1}", "one more"]
    assert len(contents) == 2 * PAIRS + 1
    path = store.current_path(conversation_id)
    assert [m.content for m in path[-3:]] == [f"a{PAIRS - 1}", "one more", ""]


def test_older_messages_that_cannot_be_read_are_said_and_no_request_leaves(
    store: Store,
) -> None:
    conversation, history, _, _ = _opened(store)
    errors: list[str] = []
    history.on_error = errors.append

    def broken(ids: list[int]) -> list[Any]:
        raise StoreError("disk I/O error")

    conversation.turns._read = broken  # the store fails after the conversation opened
    first = conversation.turns[0]
    assert "could not be read" in (first.message.content or "")
    assert first.role == "user"
    assert errors and "disk I/O error" in errors[0]
    conversation.send("next")
    with pytest.raises(InvalidRequest, match="could not be read"):
        conversation.start_reply()


def test_editing_an_early_message_branches_off_there(store: Store) -> None:
    conversation, _, conversation_id, _ = _opened(store)
    conversation.edit(2, "q1 again")
    assert len(conversation.turns) == 3
    assert [t.message.content for t in conversation.turns] == ["q0", "a0", "q1 again"]
    assert conversation.turns[2].siblings == (3, 3)
    assert [m.content for m in store.current_path(conversation_id)] == ["q0", "a0", "q1 again"]


def test_reading_a_little_at_a_time_reads_the_newest_first_then_everything(
    store: Store,
) -> None:
    conversation, _, conversation_id, _ = _opened(store)
    turns = conversation.turns
    assert turns.read_some(25)
    assert turns.unread == 2 * PAIRS - TAIL - 25
    assert turns.is_read(2 * PAIRS - TAIL - 1) and not turns.is_read(2 * PAIRS - TAIL - 26)
    while turns.read_some(25):
        pass
    assert turns.unread == 0
    assert not turns.read_some(25)
    stored = store.current_path(conversation_id)
    assert [t.id for _, t in turns.read_turns()] == [m.id for m in stored]
