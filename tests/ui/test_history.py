"""Pilot tests of conversations that last: storage, resume, drafts, browser, branches."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from routmy_tui.core.types import ChatMessage, Reply
from routmy_tui.demo.server import DemoServer
from routmy_tui.store import Store
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.chat_screen import ChatScreen
from routmy_tui.ui.chat.composer import Composer
from routmy_tui.ui.chat.header import AppHeader
from routmy_tui.ui.chat.items import UserItem
from routmy_tui.ui.history.browser import ConversationsScreen
from routmy_tui.ui.history.sidebar import ConversationSidebar
from routmy_tui.ui.widgets.dialogs import ConfirmDialog, PaidConfirmDialog, PathDialog
from tests.ui.helpers import conversation_text, last_reply, make_app, send, view_of, wait_for


def _app(server: DemoServer, data: Path, **changes: Any) -> RoutmyApp:
    return make_app(server.base_url, data_dir=data, **changes)


async def _reply(pilot: Pilot[Any], text: str) -> None:
    await send(pilot, text)
    await wait_for(pilot, lambda: last_reply(pilot.app).reply.status == "complete")  # type: ignore[arg-type]


def _sent_messages(app: RoutmyApp) -> list[dict[str, Any]]:
    exchange = last_reply(app).exchange
    assert exchange is not None
    return list(exchange.request_body["messages"])


def _seed(data: Path) -> tuple[str, str, int]:
    """Two stored conversations; returns their ids and the id of a message to find."""
    with Store.open(data / "routmy.db") as store:
        first = store.create_conversation("demo/chat")
        user = store.add_message(first, None, ChatMessage("user", "Tell me about otters"))
        store.add_message(first, user, ChatMessage("assistant", "Otters hold hands asleep."))
        second = store.create_conversation("demo/reasoning", "Be brief.", {"temperature": 0.3})
        user2 = store.add_message(second, None, ChatMessage("user", "Quantum pelicans?"))
        found = store.add_message(second, user2, ChatMessage("assistant", "Pelicans fly high."))
    return first, second, found


async def test_messages_are_stored_and_the_app_resumes_them(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    app = _app(demo_server, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _reply(pilot, "Remember this otter")
        reply = last_reply(app).reply.content
        conversation_id = app.session.conversation_id
        await wait_for(
            pilot, lambda: "Remember this otter" in app.screen.query_one(AppHeader).conversation
        )
    assert conversation_id is not None
    with Store.open(tmp_path / "routmy.db") as store:
        path = store.current_path(conversation_id)
        assert [(m.role, m.status) for m in path] == [
            ("user", "complete"),
            ("assistant", "complete"),
        ]
        assert path[1].content == reply
        assert store.get_exchange(path[1].id) is not None
    again = _app(demo_server, tmp_path)
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(view_of(again).items) == 2)
        assert "Remember this otter" in conversation_text(again)
        assert again.session.conversation_id == conversation_id
        # The next request carries the resumed branch.
        await _reply(pilot, "And now?")
        sent = _sent_messages(again)
        assert [m["content"] for m in sent] == ["Remember this otter", reply, "And now?"]


async def test_resume_can_be_turned_off(demo_server: DemoServer, tmp_path: Path) -> None:
    _seed(tmp_path)
    with Store.open(tmp_path / "routmy.db") as store:
        store.set_draft(None, "a new chat's draft")
    app = _app(demo_server, tmp_path, resume_last=False)
    async with app.run_test(size=(100, 30)) as pilot:
        # The new chat's draft comes back in the same start-up step that would resume.
        composer = app.screen.query_one(Composer)
        view = view_of(app)
        await wait_for(pilot, lambda: composer.text == "a new chat's draft" or bool(view.items))
        assert view.items == []
        assert app.session.conversation_id is None


async def test_draft_survives_a_restart(demo_server: DemoServer, tmp_path: Path) -> None:
    app = _app(demo_server, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        composer = app.screen.query_one(Composer)
        composer.text = "half-written thought"
        store = app.session.store
        assert store is not None
        await wait_for(pilot, lambda: store.get_draft(None) == "half-written thought")
    again = _app(demo_server, tmp_path)
    async with again.run_test(size=(100, 30)) as pilot:
        composer = again.screen.query_one(Composer)
        await wait_for(pilot, lambda: composer.text == "half-written thought")


async def test_reply_is_checkpointed_while_it_streams(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    app = _app(demo_server, tmp_path, model="demo/slow")
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "Take your time")
        item = last_reply(app)
        store = app.session.store
        assert store is not None
        await wait_for(pilot, lambda: item.message_id is not None)
        assert item.message_id is not None
        message_id = item.message_id

        def saved_partial() -> bool:
            stored = store.get_message(message_id)
            return stored is not None and stored.status == "streaming" and bool(stored.content)

        await wait_for(pilot, saved_partial, timeout=15)
        await pilot.press("escape")
        await wait_for(pilot, lambda: item.reply.status == "stopped")
        stored = store.get_message(message_id)
        assert stored is not None and stored.status == "stopped"
        assert stored.content == item.reply.content


async def test_browse_search_and_jump_to_a_message(demo_server: DemoServer, tmp_path: Path) -> None:
    first, second, found = _seed(tmp_path)
    app = _app(demo_server, tmp_path, resume_last=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
        listing = app.screen.query_one(OptionList)
        assert listing.option_count == 2
        # Newest first.
        assert listing.get_option_at_index(0).id == f"{second}:"
        await pilot.press(*"pelic")
        wanted = f"{second}:{found}"

        def hit_listed() -> bool:
            ids = [listing.get_option_at_index(i).id for i in range(listing.option_count)]
            return wanted in ids

        await wait_for(pilot, hit_listed)
        ids = [listing.get_option_at_index(i).id for i in range(listing.option_count)]
        assert f"{first}:" not in ids
        assert "Pelicans" in str(listing.get_option_at_index(ids.index(wanted)).prompt)
        listing.highlighted = ids.index(wanted)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: app.session.conversation_id == second)
        view = view_of(app)
        assert view.selected is not None and view.items[view.selected].message_id == found
        # Its settings came back with it.
        settings = app.conversation.settings
        assert settings.model == "demo/reasoning"
        assert settings.system_prompt == "Be brief."
        assert settings.params.temperature == 0.3


async def test_rename_delete_and_undo(demo_server: DemoServer, tmp_path: Path) -> None:
    first, second, _ = _seed(tmp_path)
    app = _app(demo_server, tmp_path, resume_last=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
        browser = app.screen
        listing = browser.query_one(OptionList)
        listing.focus()
        listing.highlighted = 0
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, PathDialog))
        app.screen.query_one(Input).value = "Birds of science"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is browser)
        store = app.session.store
        assert store is not None
        conversation = store.get_conversation(second)
        assert conversation is not None and conversation.title == "Birds of science"
        assert "Birds of science" in str(listing.get_option_at_index(0).prompt)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: listing.option_count == 1)
        assert [c.id for c in store.list_conversations()] == [first]
        await pilot.press("u")
        await wait_for(pilot, lambda: listing.option_count == 2)
        assert {c.id for c in store.list_conversations()} == {first, second}


async def test_edit_and_resend_keeps_the_old_branch(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    app = _app(demo_server, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _reply(pilot, "first question")
        await _reply(pilot, "second question")
        view = view_of(app)
        view.focus()
        view.select(0)
        await pilot.press("e")
        composer = app.screen.query_one(Composer)
        assert composer.text == "first question"
        composer.text = "first question, edited"
        composer.focus()
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: len(view.items) == 2 and last_reply(app).reply.status == "complete"
        )
        assert view.items[0].siblings == (2, 2)
        assert [m["content"] for m in _sent_messages(app)] == ["first question, edited"]
        store = app.session.store
        assert store is not None and app.session.conversation_id is not None
        path = store.current_path(app.session.conversation_id)
        assert path[0].content == "first question, edited"
        assert [m.to_chat_message() for m in path] == app.conversation.messages()
        # The old branch is one key away, whole.
        view.focus()
        view.select(0)
        await pilot.press("[")
        await wait_for(pilot, lambda: len(view.items) == 4)
        first = view.items[0]
        assert isinstance(first, UserItem) and first.text == "first question"
        assert first.siblings == (1, 2)
        assert "second question" in conversation_text(app)
        assert len(app.conversation.messages()) == 4
        await pilot.press("]")
        await wait_for(pilot, lambda: len(view.items) == 2)


async def test_regenerate_makes_a_sibling_reply(demo_server: DemoServer, tmp_path: Path) -> None:
    app = _app(demo_server, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _reply(pilot, "say something")
        view = view_of(app)
        view.focus()
        await pilot.press("g")  # a paid request: asked first
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: last_reply(app).siblings == (2, 2))
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        assert len(view.items) == 2
        assert [m["role"] for m in _sent_messages(app)] == ["user"]
        assert "‹ 2/2 ›" in conversation_text(app)
        await pilot.press("[")
        await wait_for(pilot, lambda: last_reply(app).siblings == (1, 2))
        assert len(view.items) == 2


async def test_sidebar_lists_and_opens_conversations(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    first, _, _ = _seed(tmp_path)
    app = _app(demo_server, tmp_path, resume_last=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: bool(app.screen.query(ConversationSidebar)))
        listing = app.screen.query_one("#sidebar-list", OptionList)
        assert listing.option_count == 2
        listing.focus()
        listing.highlighted = 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session.conversation_id == first)
        assert "otters" in conversation_text(app)
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: not app.screen.query(ConversationSidebar))


async def test_a_broken_database_leaves_history_off(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    (tmp_path / "routmy.db").write_bytes(b"this is not a database" * 100)
    app = _app(demo_server, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.session.store is None
        await wait_for(pilot, lambda: "history off" in app.screen.query_one(AppHeader).connection)
        await wait_for(
            pilot, lambda: any("History is off" in str(n.message) for n in app._notifications)
        )
        await _reply(pilot, "still works")


async def test_quitting_right_after_a_reply_keeps_it_with_its_exchange(
    demo_server: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app(demo_server, tmp_path)
    closing = threading.Event()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.session.store is not None)
        store = app.session.store
        assert store is not None
        real_close, real_checkpoint = store.close, store.checkpoint_reply

        def close() -> None:
            closing.set()
            real_close()

        def checkpoint(message_id: int, reply: Reply) -> None:
            if reply.status != "streaming":  # the ended reply is stored once the app quits
                closing.wait(10)
                time.sleep(0.2)
            real_checkpoint(message_id, reply)

        monkeypatch.setattr(store, "close", close)
        monkeypatch.setattr(store, "checkpoint_reply", checkpoint)
        await send(pilot, "Remember this otter")
        item = last_reply(app)
        await wait_for(pilot, lambda: item.reply.status == "complete")
        content, message_id = item.reply.content, item.message_id
        await pilot.press("ctrl+q")
    assert closing.is_set() and message_id is not None and content
    with Store.open(tmp_path / "routmy.db") as store:
        stored = store.get_message(message_id)
        assert stored is not None
        assert (stored.status, stored.content) == ("complete", content)
        assert store.get_exchange(message_id) is not None


async def test_resumed_replies_are_drawn_without_reading_their_exchanges(
    demo_server: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stored reply knows whether it is JSON without its exchange (long ones take tens of
    ms and megabytes to read back): resumed, both draw as before and none is read."""
    app = _app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        await _reply(pilot, "Plain words please")
        conversation = app.screen.conversation  # type: ignore[attr-defined]
        params = replace(conversation.settings.params, response_format={"type": "json_object"})
        conversation.change_settings("params", params=params)
        await _reply(pilot, "Give me JSON")
        plain = last_reply(app).reply.content
    read: list[int] = []
    real_get_exchange = Store.get_exchange

    def get_exchange(store: Store, message_id: int) -> Any:
        read.append(message_id)
        return real_get_exchange(store, message_id)

    monkeypatch.setattr(Store, "get_exchange", get_exchange)
    again = _app(demo_server, tmp_path)
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(view_of(again).items) == 4)
        await wait_for(pilot, lambda: "✔ valid JSON" in conversation_text(again))
        assert "Plain words please" in conversation_text(again) and plain
        assert read == []


async def test_a_reply_stored_as_the_app_closes_tells_no_one(demo_server: DemoServer) -> None:
    """A reply stored on the store's thread tells the chat screen on the loop: when that
    comes as the app closes, the screen's header is gone, and nothing may raise."""
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        assert isinstance(chat, ChatScreen)
    chat.history_changed()  # raised NoMatches for AppHeader
