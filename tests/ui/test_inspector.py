"""The wire inspector with Pilot: following replies, the tabs, copy/save, the key kept out."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from textual.widgets import Input

from routmy_tui.core.exchange import Exchange
from routmy_tui.core.types import ChatMessage
from routmy_tui.demo.server import DemoServer
from routmy_tui.store.store import Store
from routmy_tui.ui.inspector import wire_actions
from routmy_tui.ui.inspector.inspector import Inspector
from routmy_tui.ui.inspector.stream_log import StreamLogView
from routmy_tui.ui.widgets.dialogs import PaidConfirmDialog
from tests.conftest import FAKE_KEY
from tests.ui.helpers import last_reply, make_app, send, view_of, wait_for
from tests.ui.inspector_helpers import (
    TABS,
    add_item,
    fixed_item,
    open_inspector,
    show_tab,
    tab_text,
)


def _done(app: Any) -> bool:
    return last_reply(app).reply.status != "streaming" and not app.screen.controller.busy


async def test_hidden_until_f2_then_follows_newest_and_selection(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        assert not app.screen.query(Inspector)
        await send(pilot, "first question")
        await wait_for(pilot, lambda: _done(app))
        panel = await open_inspector(pilot)
        await wait_for(pilot, lambda: panel.item is last_reply(app))
        assert "first question" in tab_text(panel, "tab-request")
        await send(pilot, "second question")
        await wait_for(pilot, lambda: _done(app) and len(view_of(app).items) == 4)
        # The newest reply is followed without any selection.
        await wait_for(pilot, lambda: "second question" in tab_text(panel, "tab-request"))
        assert "Reply 2" in str(panel.query_one("#inspector-title").content)
        # Selecting the first reply follows it at once.
        view_of(app).select(1)
        await wait_for(pilot, lambda: panel.item is view_of(app).items[1])
        assert "second question" not in tab_text(panel, "tab-request")
        assert "Reply 1" in str(panel.query_one("#inspector-title").content)
        await pilot.press("f2")
        await wait_for(pilot, lambda: not panel.is_open)


async def test_every_tab_with_comments_malformed_lines_and_filter(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url, api_key=FAKE_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hello fault:malformed")
        await wait_for(pilot, lambda: _done(app))
        panel = await open_inspector(pilot)
        await show_tab(pilot, panel, "tab-request")
        request = tab_text(panel, "tab-request")
        assert f"POST {demo_server.base_url}/chat/completions" in request
        assert "authorization: Bearer ********" in request
        assert '"stream": true' in request
        await show_tab(pilot, panel, "tab-response")
        response = tab_text(panel, "tab-response")
        assert "HTTP 200" in response and "text/event-stream" in response
        assert '"object": "chat.completion"' in response
        await show_tab(pilot, panel, "tab-timing")
        timing = tab_text(panel, "tab-timing")
        assert "time to first token" in timing and "completion tokens" in timing
        await show_tab(pilot, panel, "tab-stream")
        log = tab_text(panel, "tab-stream")
        assert ": OPENROUTER PROCESSING" in log
        assert "data: [DONE]" in log
        malformed = [line for line in log.splitlines() if "data: ping" in line]
        assert malformed and "⚠" in malformed[0]
        # Filtering by a note keeps only the odd lines.
        panel.query_one("#stream-filter", Input).value = "not json"
        view = panel.query_one(StreamLogView)
        await wait_for(pilot, lambda: view.filter == "not json")
        shown = tab_text(panel, "tab-stream").splitlines()
        assert 1 <= len(shown) < len(log.splitlines())
        assert all("⚠" in line for line in shown)
        for tab in TABS:
            await show_tab(pilot, panel, tab)
            assert FAKE_KEY not in tab_text(panel, tab)
            assert FAKE_KEY not in app.export_screenshot()


async def test_copy_and_save_hold_no_key_and_are_private(
    demo_server: DemoServer, monkeypatch: Any
) -> None:
    app = make_app(demo_server.base_url, api_key=FAKE_KEY)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, f"my key is {FAKE_KEY}, do not repeat it")
        await wait_for(pilot, lambda: _done(app))
        screen = app.screen
        for kind in ("curl", "request", "response", "stream"):
            assert wire_actions.copy_export(screen, kind) is not None
        assert len(copied) == 4
        assert copied[0].startswith("curl -sS -N ")
        assert "$ROUTMY_API_KEY" in copied[0]
        assert json.loads(copied[1])["model"] == "demo/chat"
        assert json.loads(copied[2])["object"] == "chat.completion"
        assert "data: [DONE]" in copied[3]

        def notices() -> list[str]:
            return [n.message for n in app._notifications]

        await wait_for(pilot, lambda: any("via OSC 52" in m and "saved to" in m for m in notices()))
        # Save through the dialog, to a path of our choosing.
        target = Path(app.settings.data_dir) / "mine" / "req.json"
        wire_actions.save_export_dialog(screen, "request")
        await wait_for(pilot, lambda: bool(app.screen.query("#save-path")))
        app.screen.query_one("#save-path", Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, target.exists)
        files = [*sorted((Path(app.settings.data_dir) / "exports").iterdir()), target]
        assert len(files) == 5
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert FAKE_KEY not in path.read_text(encoding="utf-8")
        for text in copied:
            assert FAKE_KEY not in text


async def test_errors_show_their_raw_body(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url, max_retries=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "fail please fault:html=502")
        await wait_for(pilot, lambda: _done(app))
        panel = await open_inspector(pilot)
        await show_tab(pilot, panel, "tab-response")
        text = tab_text(panel, "tab-response")
        assert "HTTP 502" in text
        assert "raw body:" in text and "<html" in text.lower()


async def test_stored_exchange_is_inspected_like_a_live_one(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    item = fixed_item()
    assert item.exchange is not None
    item.exchange.stream_lines.compact()  # as every ended stream's log is: stored packed
    assert item.exchange.stream_lines.packed_form() is not None
    # Round trip through the store, as a conversation loaded later would.
    with Store.open(tmp_path / "db.sqlite") as store:
        conversation_id = store.create_conversation(model="demo/chat")
        message_id = store.add_message(
            conversation_id, None, ChatMessage("assistant", "Hi there!"), model="demo/chat"
        )
        store.save_exchange(message_id, item.exchange)
        loaded = store.get_exchange(message_id)
    assert isinstance(loaded, Exchange)
    item.exchange = loaded
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await add_item(pilot, item)
        panel = await open_inspector(pilot)
        await show_tab(pilot, panel, "tab-stream")
        assert panel.query_one(StreamLogView).shown_count == len(loaded.stream_lines)
        assert "not JSON" in tab_text(panel, "tab-stream")
        await show_tab(pilot, panel, "tab-request")
        assert "$dollars" in tab_text(panel, "tab-request")


async def test_palette_has_the_inspector_commands(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for title in (
            "Toggle inspector",
            "Copy as curl",
            "Copy request JSON",
            "Copy response JSON",
            "Replay request",
        ):
            assert title in titles


async def _replay_dialog(pilot: Any) -> Any:
    from routmy_tui.ui.inspector.replay import ReplayDialog

    wire_actions.replay(pilot.app.screen)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReplayDialog))
    await wait_for(pilot, lambda: bool(pilot.app.screen.query("#replay-body")))
    return pilot.app.screen


async def test_replay_sends_the_edited_request_as_a_new_reply(demo_server: DemoServer) -> None:
    from textual.widgets import TextArea

    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "original question")
        await wait_for(pilot, lambda: _done(app))
        first = last_reply(app)
        dialog = await _replay_dialog(pilot)
        area = dialog.query_one(TextArea)
        assert json.loads(area.text) == first.exchange.request_body
        body = json.loads(area.text)
        body["messages"][0]["content"] = 'edited: it\'s "new" $HOME ünï'
        body["temperature"] = 0.25
        before = len(demo_server.requests)
        area.text = json.dumps(body, indent=4)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: last_reply(app) is not first and _done(app))
        replayed = last_reply(app)
        assert replayed.exchange is not None
        assert replayed.exchange.request_body == body
        assert replayed.reply.status == "complete"
        sent = [r for r in demo_server.requests[before:] if r.path.endswith("completions")]
        assert [json.loads(r.body) for r in sent] == [body]
        # The answer to the edited request is a sibling of the replayed reply (same parent),
        # so the branch never carries two replies in a row.
        assert len(view_of(app).items) == 2
        assert replayed.siblings == (2, 2)
        await send(pilot, "and then?")
        await wait_for(pilot, lambda: len(view_of(app).items) == 4 and _done(app))
        chats = [r for r in demo_server.requests if r.path.endswith("completions")]
        roles = [m["role"] for m in json.loads(chats[-1].body)["messages"]]
        assert roles == ["user", "assistant", "user"]


def _chats(server: DemoServer) -> int:
    return sum(1 for r in server.requests if r.path.endswith("/chat/completions"))


async def test_replay_refuses_invalid_json_with_its_position(demo_server: DemoServer) -> None:
    from textual.widgets import TextArea

    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "question")
        await wait_for(pilot, lambda: _done(app))
        dialog = await _replay_dialog(pilot)
        # Chat requests only: the model list may be fetched meanwhile (after the first reply).
        before = _chats(demo_server)
        dialog.query_one(TextArea).text = '{\n  "model": "demo/chat",\n  "messages": [,]\n}'
        await pilot.press("ctrl+s")
        error = dialog.query_one("#replay-error")
        await wait_for(pilot, lambda: "line 3 column" in str(error.content))
        assert app.screen is dialog
        assert _chats(demo_server) == before
        dialog.query_one(TextArea).text = "[1, 2]"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "must be a JSON object" in str(error.content))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not dialog)
        assert _chats(demo_server) == before


async def test_replay_through_editor(
    demo_server: DemoServer, monkeypatch: Any, tmp_path: Path
) -> None:
    import contextlib

    script = tmp_path / "editor.sh"
    # An "editor" that changes the prompt in place, as a user would.
    script.write_text("#!/bin/sh\nsed -i 's/via editor/edited in EDITOR/' \"$1\"\n")
    script.chmod(0o700)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app(demo_server.base_url)
    monkeypatch.setattr(app, "suspend", contextlib.nullcontext)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "via editor")
        await wait_for(pilot, lambda: _done(app))
        first = last_reply(app)
        wire_actions.replay(app.screen, external=True)
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: last_reply(app) is not first and _done(app))
        exchange = last_reply(app).exchange
        assert exchange is not None
        assert exchange.request_body["messages"][-1]["content"] == "edited in EDITOR"


async def test_stream_tab_updates_while_the_reply_streams(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await open_inspector(pilot)
        await show_tab(pilot, panel, "tab-stream")
        await send(pilot, "take your time fault:stall=20")
        view = panel.query_one(StreamLogView)
        # Lines show up during the stall, while the reply is still on its way.
        await wait_for(pilot, lambda: view.shown_count > 0)
        assert last_reply(app).reply.status == "streaming"
        assert "streaming" in str(panel.query_one("#inspector-title").content)
        await pilot.press("escape")
        await wait_for(pilot, lambda: _done(app))
        await wait_for(pilot, lambda: "stopped" in str(panel.query_one("#inspector-title").content))


async def test_on_a_slim_screen_the_inspector_takes_the_whole_width(
    demo_server: DemoServer,
) -> None:
    """Under 80 columns half a screen is too little for either side: the open inspector
    takes the width, F2 gives the chat back, and the hidden composer never keeps the focus."""
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(60, 20)) as pilot:
        await send(pilot, "first question")
        await wait_for(pilot, lambda: _done(app))
        panel = await open_inspector(pilot)
        chat = app.screen.query_one("#chat-column")
        await wait_for(pilot, lambda: panel.region.width == 60 and not chat.region)
        await wait_for(pilot, lambda: app.focused is not None and panel in app.focused.ancestors)
        assert "first question" in tab_text(panel, "tab-request")
        await pilot.press("f2")
        await wait_for(pilot, lambda: not panel.is_open and chat.region.width == 60)
        assert app.focused is app.screen.query_one("#composer")

        # Wide: side by side. Made slim with the composer focused: the focus moves to the
        # inspector, so typing does not go into a hidden box.
        await pilot.resize_terminal(100, 30)
        await open_inspector(pilot)
        app.screen.query_one("#composer").focus()
        await wait_for(pilot, lambda: chat.region.width > 0 and 0 < panel.region.width < 60)
        await pilot.resize_terminal(60, 20)
        await wait_for(pilot, lambda: panel.region.width == 60 and not chat.region)
        await wait_for(pilot, lambda: app.focused is not None and panel in app.focused.ancestors)
        await pilot.press("x")
        assert app.screen.query_one("#composer").text == ""


async def test_the_stream_log_jumps_to_its_end_and_back_at_once(demo_server: DemoServer) -> None:
    """End, Home and the page keys jump: an animated scroll over a long log took about a
    second to reach the rows the user asked for."""
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hello")
        await wait_for(pilot, lambda: _done(app))
        panel = await open_inspector(pilot)
        await show_tab(pilot, panel, "tab-stream")
        view = panel.query_one(StreamLogView)
        await wait_for(pilot, lambda: view.max_scroll_y > 20)
        view.focus()
        # Pilot's press waits for animations to end: run the keys' actions and look at once.
        for action, where in (
            (view.action_scroll_end, lambda: view.max_scroll_y),
            (view.action_scroll_home, lambda: 0),
            (view.action_page_down, lambda: view.scrollable_content_region.height),
        ):
            action()
            await pilot.pause(0)
            assert not app.animator.is_being_animated(view, "scroll_y")
            await wait_for(pilot, lambda where=where: view.scroll_y == where())
