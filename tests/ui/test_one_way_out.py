"""One way out to the screen: the same hostile strings, fed to every place that draws server,
file or store text, never reach the terminal as control (OSC 52/0/8, CSI, DCS, C1, BEL, BS, bidi).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from routmy_tui.cli_store import DB_NAME
from routmy_tui.core import chat_run as run_module
from routmy_tui.core.types import ApiError, ChatMessage, Reply, ToolCall
from routmy_tui.store import Store
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.chat_screen import ChatScreen
from routmy_tui.ui.inspector.inspector import TABS
from routmy_tui.ui.widgets.dialogs import ChoiceDialog
from tests.conftest import FAKE_KEY
from tests.hostile_server import ESCAPES, HostileServer
from tests.ui.helpers import last_reply, make_app, send, view_of, wait_for
from tests.ui.inspector_helpers import open_inspector, show_tab
from tests.ui.screen_output import raw_controls, shown_text, terminal_output

STAND_IN = "␛]52;c;"
"""How the start of an OSC 52 clipboard write looks once made harmless."""


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def _seed(data: Path) -> None:
    """A stored conversation whose title, messages, reply and error all hold escapes."""
    with Store.open(data / DB_NAME) as store:
        conversation = store.create_conversation("hostile/escapes", f"system {ESCAPES}", {})
        user = store.add_message(conversation, None, ChatMessage("user", f"user {ESCAPES}"))
        reply = store.add_message(conversation, user, ChatMessage("assistant", ""))
        store.checkpoint_reply(
            reply,
            Reply(
                content=f"stored {ESCAPES}",
                reasoning=f"stored thinking {ESCAPES}",
                tool_calls=[ToolCall("c1", f"stored_tool{ESCAPES}", f'{{"a": "{ESCAPES!r}"}}')],
                error=ApiError(f"stored error {ESCAPES}", status=502),
                status="error",
            ),
        )
        store.rename_conversation(conversation, f"title {ESCAPES}")


def _check(app: RoutmyApp, place: str, *expected: str) -> None:
    output = terminal_output(app)
    assert raw_controls(output) == [], f"{place}: raw terminal control reached the screen"
    text = shown_text(output)
    for piece in expected:
        assert piece in text, f"{place}: {piece!r} is not on screen"
    assert FAKE_KEY not in output


async def _check_soon(pilot: Pilot[Any], app: RoutmyApp, place: str, *expected: str) -> None:
    """`_check` once every expected piece has been drawn."""
    await wait_for(pilot, lambda: all(p in shown_text(terminal_output(app)) for p in expected))
    _check(app, place, *expected)


def _count(app: RoutmyApp, piece: str) -> int:
    return shown_text(terminal_output(app)).count(piece)


async def _drop_pending_calls(pilot: Pilot[Any], app: RoutmyApp) -> None:
    """The last reply's tool calls are unanswered: the app asks (naming them); drop them."""
    await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
    await _check_soon(pilot, app, "question about tool calls", "Drop and send")
    await pilot.click("#choice-drop")
    await wait_for(pilot, lambda: not isinstance(app.screen, ChoiceDialog))


async def _open_reasoning(pilot: Pilot[Any], app: RoutmyApp) -> None:
    item = last_reply(app)
    item.reasoning_open = True
    view_of(app).item_changed(item)
    await pilot.pause(0.1)


async def test_every_place_that_draws_outside_text_draws_it_harmlessly(
    hostile: HostileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(tmp_path)
    monkeypatch.setattr(run_module, "backoff_delay", lambda attempt, after: 30.0)
    app = make_app(hostile.url, model="hostile/escapes", api_key=FAKE_KEY, data_dir=tmp_path)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        # Store text: the resumed conversation's title in the header, its messages, its reply.
        await wait_for(pilot, lambda: len(view_of(app).items) == 2)
        await _open_reasoning(pilot, app)
        _check(app, "stored conversation", "title ␛]52", "stored ␛]52", "stored error")

        # Server text: content, reasoning, tool call name and arguments, in-band error.
        await send(pilot, "go")
        await _drop_pending_calls(pilot, app)
        await wait_for(pilot, lambda: last_reply(app).reply.status == "error")
        await _open_reasoning(pilot, app)
        _check(app, "live reply", "content ␛]52", "thinking ␛]52", "tool␛]52", "error ␛]52")
        assert "<U+202E>" in shown_text(terminal_output(app))

        # The inspector's tabs show the same reply's wire data.
        panel = await open_inspector(pilot)
        for tab in TABS:
            await show_tab(pilot, panel, tab)
            await pilot.pause(0.1)
            _check(app, f"inspector {tab}")
        await pilot.press("f2")

        # The status line while a retry waits (a 503 whose message holds escapes).
        app.screen.conversation.change_settings(model="hostile/escapes-retry")  # type: ignore[attr-defined]
        await send(pilot, "again")
        await _drop_pending_calls(pilot, app)
        await wait_for(pilot, lambda: "retry 1" in shown_text(terminal_output(app)))
        _check(app, "retry status line", "busy ␛]52")
        await pilot.press("escape")

        # Notifications.
        app.notify(f"note{ESCAPES}", title=f"title {ESCAPES}")
        await _check_soon(pilot, app, "notification", "note␛]52")

        # The sidebar and the conversation browser list stored titles.
        before = _count(app, "ZWNobyBwd25lZA==␇")  # on screen already (header, messages)
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: _count(app, "ZWNobyBwd25lZA==␇") > before)
        _check(app, "sidebar")
        await pilot.press("ctrl+b")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: not isinstance(app.screen, ChatScreen))  # the browser
        await _check_soon(pilot, app, "browser", "ZWNobyBwd25lZA==␇")
        await pilot.press("escape")

        # The model picker lists ids and owners from the server.
        await pilot.press("f3")
        await pilot.press(*"odd")
        await _check_soon(pilot, app, "model picker", "hostile/odd␛]52")
