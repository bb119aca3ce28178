"""Every screen at 80x24, and the crowded ones at 60x15: snapshots of a small terminal."""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, TabbedContent, TextArea

from routmy_tui.core.catalog import CatalogCache
from routmy_tui.demo.catalog import models_payload
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.widgets.footer import KeysFooter
from tests.ui.helpers import (
    catalog_notice_cleared,
    last_reply,
    make_app,
    send,
    view_of,
    wait_for,
)
from tests.ui.history_seed import seed_history
from tests.ui.inspector_helpers import add_item, fixed_item, open_inspector, show_tab
from tests.unit.test_import_markdown import RED

DEAD_URL = "http://127.0.0.1:9/v1"
"""No server: the catalog comes from the cache, the same list and status on every run."""
CONFIG = Path("/nonexistent/routmy-tui/config.toml")
"""A fixed config path: dialogs that name it look the same on every run."""

Setup = Callable[[Pilot[Any]], Awaitable[None]]


def offline_app(tmp_path: Path, **changes: Any) -> RoutmyApp:
    """The app on a dead URL with a cached catalog fetched "2 h ago"."""
    app = make_app(DEAD_URL, max_retries=0, config_path=CONFIG, data_dir=tmp_path, **changes)
    CatalogCache(app.settings.cache_dir / "models.json").save(models_payload(), time.time() - 7300)
    return app


def no_blink(pilot: Pilot[Any]) -> None:
    """Cursors shown steadily (set twice: a cursor caught in its off phase stays visible)."""
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = True  # type: ignore[attr-defined]
        widget.cursor_blink = False  # type: ignore[attr-defined]
        widget.refresh()


async def ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
    if app.settings.base_url == DEAD_URL:  # type: ignore[attr-defined]
        await catalog_notice_cleared(pilot)
    else:  # the catalog names the models on several screens: have it before the shot
        await wait_for(pilot, lambda: bool(app.catalog.models))  # type: ignore[attr-defined]
        app.clear_notifications()
    no_blink(pilot)


async def opened(pilot: Pilot[Any], name: str) -> None:
    """Wait for the screen called `name` to be on top, drawn, its cursors still."""
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == name)
    await pilot.pause()
    no_blink(pilot)
    await pilot.wait_for_scheduled_animations()


async def reply(pilot: Pilot[Any], text: str) -> None:
    """Send `text`, wait for the reply, and fix what changes from run to run (timings)."""
    await ready(pilot)
    await send(pilot, text)
    await wait_for(pilot, lambda: last_reply(pilot.app).reply.status != "streaming", timeout=30)
    item = last_reply(pilot.app)
    item.run.began = item.run.started = 0.0
    item.run.first_token, item.run.ended = 0.25, 1.5
    item.multiplier = None  # shown only when the catalog came before the reply: a race
    pilot.app.clear_notifications()
    view = view_of(pilot.app)  # type: ignore[arg-type]
    view.item_changed(item)
    await wait_for(pilot, lambda: item.is_laid_out(view.item_width))


async def press(pilot: Pilot[Any], key: str, name: str) -> None:
    await ready(pilot)
    await pilot.press(key)
    await opened(pilot, name)


async def action(pilot: Pilot[Any], name: str, screen: str) -> None:
    await ready(pilot)
    await pilot.app.screen.run_action(name)
    await opened(pilot, screen)


async def chat_reply(pilot: Pilot[Any]) -> None:
    await reply(pilot, "Show me a table and some code")


async def chat_tools(pilot: Pilot[Any]) -> None:
    await reply(pilot, "What is order 123, and the weather in Paris?")
    bar = pilot.app.screen.query_one("#answer-bar")
    await wait_for(pilot, lambda: bool(bar.active))  # type: ignore[attr-defined]
    no_blink(pilot)


async def chat_attachment(pilot: Pilot[Any]) -> None:
    await ready(pilot)
    folder = pilot.app.settings.data_dir  # type: ignore[attr-defined]
    picture = folder / "red.png"
    picture.write_bytes(base64.b64decode(RED.split(",", 1)[1]))
    screen: Any = pilot.app.screen
    screen.attach(str(picture))
    await wait_for(pilot, lambda: bool(screen.attached_urls()))
    screen.query_one("#composer").text = "What colour is this?"
    pilot.app.clear_notifications()
    await pilot.pause(0.2)


async def inspector(pilot: Pilot[Any], tab: str) -> None:
    await ready(pilot)
    item = fixed_item(lines=24)
    item.run.began = item.run.started = 0.0
    item.run.first_token, item.run.ended = 0.13, 0.31
    await add_item(pilot, item)
    panel = await open_inspector(pilot)
    await show_tab(pilot, panel, tab)
    no_blink(pilot)
    await pilot.pause(0.1)


async def replay(pilot: Pilot[Any]) -> None:
    await inspector(pilot, "tab-request")
    pilot.app.screen.query_one(TabbedContent).query_one("Tabs").focus()
    await pilot.press("e")
    await opened(pilot, "ReplayDialog")
    area = pilot.app.screen.query_one(TextArea)
    await wait_for(pilot, lambda: area.has_focus)
    # No cursor at all: under load its first frame could be caught either way.
    pilot.app.set_focus(None)
    await wait_for(pilot, lambda: not area.has_focus)
    # The footer follows the focus, a moment later when keys came just before: wait for it.
    await pilot.pause()
    footers = pilot.app.screen.query(KeysFooter)
    await wait_for(pilot, lambda: not any(footer._due for footer in footers))
    await pilot.wait_for_scheduled_animations()


async def history(pilot: Pilot[Any]) -> None:
    await press(pilot, "ctrl+o", "ConversationsScreen")
    await wait_for(pilot, lambda: pilot.app.screen.query_one(OptionList).option_count == 4)


async def delete(pilot: Pilot[Any]) -> None:
    await history(pilot)
    pilot.app.screen.query_one(OptionList).focus()
    await pilot.press("d")
    await opened(pilot, "ConfirmDialog")


async def regenerate(pilot: Pilot[Any]) -> None:
    await reply(pilot, "Say hello")
    view_of(pilot.app).focus()  # type: ignore[arg-type]
    await pilot.press("g")
    await opened(pilot, "PaidConfirmDialog")


async def attach(pilot: Pilot[Any]) -> None:
    await press(pilot, "ctrl+t", "AttachDialog")
    path = pilot.app.screen.query_one("#attach-path", Input)
    path.value = "~/Pictures/"
    await pilot.pause()
    # The box selects its text when it gets the focus: a shot could catch that half done.
    path.action_end()


async def export(pilot: Pilot[Any]) -> None:
    await reply(pilot, "Say hello")
    await pilot.app.screen.run_action("export")
    await opened(pilot, "PathDialog")
    pilot.app.screen.query_one(Input).value = "~/chat.md"


async def picture(pilot: Pilot[Any]) -> None:
    await reply(pilot, "a red circle and a blue square on a yellow background")
    await pilot.app.screen.run_action("open_picture")
    await opened(pilot, "PictureScreen")
    await pilot.pause(0.3)


def tools_params() -> dict[str, Any]:
    from routmy_tui.config.toolsets import load_tools_arg
    from routmy_tui.core.toolsets import to_params

    tools, _ = load_tools_arg("examples")
    return {"tools": to_params(tools)}


SCREENS: dict[str, tuple[Setup, dict[str, Any], bool]] = {
    # name: (what to do, settings, needs the demo server)
    "chat-reply": (chat_reply, {}, True),
    "chat-tool-calls": (chat_tools, {"model": "demo/tools"}, True),
    "chat-attachment": (chat_attachment, {"model": "demo/vision"}, False),
    "model-picker": (lambda p: press(p, "f3", "ModelPicker"), {}, False),
    "parameters": (lambda p: press(p, "f4", "ParamsScreen"), {}, False),
    "system-prompt": (lambda p: press(p, "f5", "SystemPromptScreen"), {}, False),
    "tools-editor": (lambda p: action(p, "edit_tools", "ToolsEditor"), {}, False),
    "history": (history, {"history": True}, False),
    "inspector-request": (lambda p: inspector(p, "tab-request"), {}, False),
    "inspector-response": (lambda p: inspector(p, "tab-response"), {}, False),
    "inspector-stream": (lambda p: inspector(p, "tab-stream"), {}, False),
    "inspector-timing": (lambda p: inspector(p, "tab-timing"), {}, False),
    "inspector-tools": (lambda p: inspector(p, "tab-tools"), {}, False),
    "replay": (replay, {}, False),
    "request-preview": (lambda p: press(p, "ctrl+g", "RequestPreview"), {}, False),
    "compare-picker": (lambda p: press(p, "f8", "ComparePicker"), {}, False),
    "help": (lambda p: press(p, "f1", "HelpScreen"), {}, False),
    "api-key": (lambda p: press(p, "ctrl+k", "KeyDialog"), {}, False),
    "picture-viewer": (picture, {"model": "demo/image"}, True),
    "attach-prompt": (attach, {}, False),
    "confirm-regenerate": (regenerate, {}, True),
    "confirm-delete": (delete, {"history": True}, False),
    "export-prompt": (export, {}, True),
}

SMALLEST = (
    "chat-reply",
    "model-picker",
    "parameters",
    "history",
    "confirm-regenerate",
    "inspector-request",
)
"""The screens also shown at 60x15: their lists and fields must keep several rows."""


def _app(name: str, tmp_path: Path, server: DemoServer) -> tuple[RoutmyApp, Setup]:
    first, changes, online = SCREENS[name]

    async def setup(pilot: Pilot[Any]) -> None:
        await first(pilot)
        # The offline catalog's notice can come a moment after its error: never in a shot.
        await pilot.pause()
        pilot.app.clear_notifications()
        # Let the screen behind a dialog finish its last frame (a loaded machine is slow).
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.3)

    changes = dict(changes)
    if changes.pop("history", False):
        seed_history(tmp_path)
    if changes.get("model") == "demo/tools":
        changes["params"] = tools_params()
    if online:
        app = make_app(server.base_url, config_path=CONFIG, data_dir=tmp_path, **changes)
    else:
        app = offline_app(tmp_path, resume_last=False, **changes)
    app.animation_level = "none"  # a tab's underline caught mid-slide differs run to run
    return app, setup


@pytest.mark.parametrize("name", list(SCREENS))
def test_at_80x24(snap_compare: Any, demo_server: DemoServer, tmp_path: Path, name: str) -> None:
    app, setup = _app(name, tmp_path, demo_server)
    assert snap_compare(app, terminal_size=(80, 24), run_before=setup)


@pytest.mark.parametrize("name", SMALLEST)
def test_at_60x15(snap_compare: Any, demo_server: DemoServer, tmp_path: Path, name: str) -> None:
    app, setup = _app(name, tmp_path, demo_server)
    assert snap_compare(app, terminal_size=(60, 15), run_before=setup)
