"""An ended reply is stored on the store's own thread, in order, and never lost on close."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from routmy_tui.conversation import ChatSettings, Conversation
from routmy_tui.conversation.history import History
from routmy_tui.core.exchange import Exchange
from routmy_tui.core.stream_lines import StreamLine
from routmy_tui.core.types import ChatMessage, Reply
from routmy_tui.store import Store


def _exchange() -> Exchange:
    lines = [StreamLine(0.001 * i, f'data: {{"n": {i}}}') for i in range(2000)]
    return Exchange(url="http://127.0.0.1/v1/chat/completions", status=200, stream_lines=lines)


async def test_an_ended_reply_is_stored_off_the_loop_and_listeners_hear_of_it_after(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "t.db")
    try:
        conversation = Conversation(ChatSettings(model="demo/chat"))
        history = History(conversation, lambda: store)
        heard: list[int] = []
        history.on_changed = lambda: heard.append(threading.get_ident())
        conversation.send("Tell me everything")
        turn, _ = conversation.start_reply()
        assert turn.id is not None
        release = threading.Event()
        store.later(lambda: release.wait(10))  # the store's thread is busy meanwhile
        heard.clear()

        conversation.end_reply(turn, Reply(content="All of it.", status="complete"), _exchange())

        # The loop went on without waiting: nothing was stored yet, nobody told.
        assert heard == [] and not release.is_set()
        release.set()
        while not heard:
            await asyncio.sleep(0.01)
        assert heard == [threading.get_ident()]  # told on the loop's thread
        stored = store.get_message(turn.id)
        assert stored is not None
        assert (stored.status, stored.content) == ("complete", "All of it.")
        exchange = store.get_exchange(turn.id)
        assert exchange is not None and len(exchange.stream_lines) == 2000
    finally:
        store.close()


async def test_a_failed_store_of_an_ended_reply_is_reported(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "t.db")
    try:
        conversation = Conversation(ChatSettings(model="demo/chat"))
        history = History(conversation, lambda: store)
        errors: list[str] = []
        history.on_error = errors.append
        conversation.send("Tell me everything")
        turn, _ = conversation.start_reply()
        with store.transaction():  # the message is gone by the time the reply ends
            store._conn.execute("DELETE FROM messages WHERE id = ?", (turn.id,))
        conversation.end_reply(turn, Reply(content="All of it.", status="complete"), _exchange())
        while not errors:
            await asyncio.sleep(0.01)
        assert errors[0].startswith("Could not save to the history")
    finally:
        store.close()


def test_the_store_runs_later_writes_in_order_before_any_other_call_and_before_closing(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "t.db")
    conversation = store.create_conversation("demo/chat")
    message = store.add_message(conversation, None, ChatMessage("user", "hi"))
    release = threading.Event()
    store.later(lambda: release.wait(10))
    store.later(lambda: store.update_message_meta(message, {"first": 1}))
    store.later(lambda: store.update_message_meta(message, {"first": 2, "second": 1}))
    assert store.writing_later
    threading.Timer(0.2, release.set).start()
    # A read from another thread waits for what was given before it.
    read = store.get_message(message)
    assert read is not None and read.extra["first"] == 2 and read.extra["second"] == 1
    release.clear()
    store.later(lambda: release.wait(10))
    store.later(lambda: store.update_message_meta(message, {"third": 3}))
    threading.Timer(0.2, release.set).start()
    store.close()  # waits for both
    with Store.open(tmp_path / "t.db") as again:
        kept = again.get_message(message)
        assert kept is not None and kept.extra["third"] == 3
