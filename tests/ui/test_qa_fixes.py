"""Pilot and unit tests for defects found by hand in a real terminal (QA pass)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from routmy_tui.core.types import ApiError, ChatMessage, Reply
from routmy_tui.demo.server import DemoServer
from routmy_tui.store import SearchHit, Store
from routmy_tui.store.records import SNIPPET_END, SNIPPET_START
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.composer import Composer
from routmy_tui.ui.history.browser import hit_prompt
from tests.ui.helpers import conversation_text, last_reply, make_app, send, view_of, wait_for


def _footer_actions(app: RoutmyApp) -> set[str]:
    # FooterKey is not exported by Textual: find the keys by their CSS type name.
    return {str(getattr(key, "action", "")) for key in app.screen.query("FooterKey")}


async def test_footer_offers_stop_only_while_a_reply_runs(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "wait for me fault:hold")
        await wait_for(pilot, lambda: "stop" in _footer_actions(app))
        controller = app.screen.controller  # type: ignore[attr-defined]
        assert controller.stop()  # not a key press: the footer must follow the reply itself
        await wait_for(pilot, lambda: last_reply(app).reply.status == "stopped")
        await wait_for(pilot, lambda: "stop" not in _footer_actions(app))
        # Slow enough for the footer to offer Stop first; then it must go by itself.
        conversation = app.screen.conversation  # type: ignore[attr-defined]
        params = replace(conversation.settings.params, extra={"demo_tps": 100})
        conversation.change_settings("params", params=params)
        await send(pilot, "a plain one")
        await wait_for(pilot, lambda: "stop" in _footer_actions(app))
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        await wait_for(pilot, lambda: "stop" not in _footer_actions(app))


def _ended(item: AssistantItem, *, attempt: int, began: float, ended: float) -> None:
    item.run.attempt = attempt
    item.run.began = began
    item.run.started = ended - 0.01  # the last try: what `started` holds after retries
    item.run.ended = ended


def test_status_after_retries_counts_tries_and_the_whole_time() -> None:
    item = AssistantItem(
        "demo/chat",
        reply=Reply(status="error", error=ApiError("HTTP 500: boom", status=500)),
    )
    _ended(item, attempt=4, began=100.0, ended=103.5)
    status = item.status_text()
    assert "4 tries" in status
    assert "total 3.50s" in status
    single = AssistantItem("demo/chat", reply=Reply(status="complete"))
    _ended(single, attempt=1, began=100.0, ended=100.25)
    assert "tries" not in single.status_text()
    assert "total 0.25s" in single.status_text()


async def test_failed_retries_are_reported_on_the_reply(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url, max_retries=1)
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "fail twice fault:status=500")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "error")
        assert "2 tries" in conversation_text(app)


async def test_locked_model_error_points_to_the_picker(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url, model="demo/locked")
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "hello")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "error")
        text = conversation_text(app)
        assert "HTTP 403" in text
        assert "f3 to pick another model" in text
        assert "ctrl+r to retry" not in text


def test_search_snippet_keeps_the_spaces_around_a_match() -> None:
    hit = SearchHit(
        conversation_id="c1",
        message_id=3,
        title="Otters",
        snippet=f"The {SNIPPET_START}parser{SNIPPET_END} forwards\n\n  long   lines",
        role="assistant",
    )
    lines = hit_prompt(hit).plain.splitlines()
    assert lines[1] == "assistant: The parser forwards long lines"


async def test_escape_cancels_an_edit_and_gives_the_draft_back(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "first question")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        composer = app.screen.query_one(Composer)
        composer.text = "half-typed draft"
        view = view_of(app)
        view.focus()
        view.select(0)
        await pilot.press("e")
        assert composer.text == "first question"
        await wait_for(pilot, lambda: "cancel_edit" in _footer_actions(app))
        await pilot.press("escape")
        assert composer.text == "half-typed draft"
        assert app.screen.controller.edit_index is None  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: "cancel_edit" not in _footer_actions(app))
        # Sending now adds a message; nothing is branched off.
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(view.items) == 4)
        assert view.items[0].siblings == (1, 1)


async def _open(pilot: Pilot[Any]) -> None:
    await wait_for(pilot, lambda: len(view_of(pilot.app).items) == 2)  # type: ignore[arg-type]


async def test_stored_replies_keep_the_quota_multiplier(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "routmy.db") as store:
        conversation = store.create_conversation("demo/reasoning")
        user = store.add_message(conversation, None, ChatMessage("user", "think"))
        store.add_message(
            conversation,
            user,
            Reply(content="Thought.", status="complete").to_message(),
            model="demo/reasoning",
        )
    app = make_app(demo_server.base_url, model="demo/reasoning", data_dir=tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: bool(app.catalog.by_id))
        app.session.open(conversation)
        await _open(pilot)
        assert last_reply(app).multiplier == 2.0


async def test_dialogs_keep_the_chat_visible_behind_them(demo_server: DemoServer) -> None:
    from routmy_tui.ui.widgets.dialogs import PathDialog

    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 30)) as pilot:
        app.push_screen(PathDialog("Export conversation", "File to write:", "x.md"))
        await wait_for(pilot, lambda: isinstance(app.screen, PathDialog))
        # Translucent: the conversation shows through, dimmed (an opaque one blanked it).
        assert app.screen.styles.background.a < 1
