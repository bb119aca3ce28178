"""Two windows on one history writing the same conversation: each says so once, nothing is lost."""

from __future__ import annotations

from pathlib import Path

from routmy_tui.conversation import ChatSettings, Conversation
from routmy_tui.conversation.history import History
from routmy_tui.conversation.recorder import CHANGED_ELSEWHERE
from routmy_tui.core.types import ChatMessage, Reply
from routmy_tui.store import Store


class Window:
    """One app's history on its own connection to the shared database (like another process)."""

    def __init__(self, path: Path) -> None:
        self.store = Store.open(path)
        self.conversation = Conversation(ChatSettings(model="demo/chat"))
        self.history = History(self.conversation, lambda: self.store)
        self.notices: list[str] = []
        self.history.on_error = self.notices.append

    def exchange(self, text: str) -> None:
        self.conversation.send(text)
        turn, _ = self.conversation.start_reply()
        self.conversation.end_reply(turn, Reply(content=f"reply to {text}", status="complete"))


def test_a_conversation_changed_by_another_window_is_said_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    first, second = Window(path), Window(path)
    first.exchange("one")
    conversation_id = first.conversation.id
    assert conversation_id is not None
    assert second.history.open(conversation_id) is not None  # the second window resumes it
    second.exchange("two")
    assert second.notices == []  # it built on what it loaded
    first.exchange("three")  # the first window still shows its own branch
    assert first.notices == [CHANGED_ELSEWHERE]
    first.exchange("four")
    assert first.notices == [CHANGED_ELSEWHERE]  # once
    with Store.open(path) as store:
        # Both branches are kept: "two" and "three" are siblings after "reply to one".
        texts = {
            m.content
            for m in store.children(store.current_path(conversation_id)[1].id, conversation_id)
        }
        assert texts == {"two", "three"}


def test_one_window_writing_alone_is_never_warned(tmp_path: Path) -> None:
    window = Window(tmp_path / "alone.db")
    for text in ("a", "b", "c"):
        window.exchange(text)
    assert window.notices == []
    assert window.conversation.id is not None
    window.store.update_conversation_settings(window.conversation.id, model="other")
    assert not window.store.changed_elsewhere(window.conversation.id)


def test_the_store_flags_a_foreign_write_between_two_of_its_own(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store.open(path) as mine, Store.open(path) as theirs:
        conversation = mine.create_conversation("m")
        first = mine.add_message(conversation, None, ChatMessage("user", "hi"))
        assert not mine.changed_elsewhere(conversation)
        theirs.add_message(conversation, first, ChatMessage("assistant", "from elsewhere"))
        mine.add_message(conversation, first, ChatMessage("assistant", "mine"))
        assert mine.changed_elsewhere(conversation)
        assert not mine.changed_elsewhere(conversation)
