"""SVG snapshots of the conversations browser (with a search) and the sidebar (fixed history)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.header import AppHeader
from routmy_tui.ui.history.browser import ConversationsScreen
from routmy_tui.ui.history.sidebar import ConversationSidebar
from tests.ui.helpers import make_app, view_of, wait_for
from tests.ui.history_seed import CONVERSATIONS, seed_history


def _app(server: DemoServer, data: Path) -> RoutmyApp:
    seed_history(data)
    return make_app(server.base_url, data_dir=data)


async def _resumed(pilot: Pilot[Any]) -> None:
    """The newest seeded conversation is on screen, with no blinking cursor."""
    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
    await wait_for(pilot, lambda: len(view_of(app).items) == len(CONVERSATIONS[-1][2]))  # type: ignore[arg-type]
    # On resume the header may not have the title yet (the session refreshes it only once the
    # screen is mounted); refresh it here so the shot is the same either way.
    app.session.changed()  # type: ignore[attr-defined]
    header = app.screen.query_one(AppHeader)
    await wait_for(pilot, lambda: header.conversation == CONVERSATIONS[-1][1])
    app.screen.query_one("#composer").cursor_blink = False  # type: ignore[attr-defined]


def test_conversations_browser_search(
    snap_compare: Any, demo_server: DemoServer, tmp_path: Path
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _resumed(pilot)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConversationsScreen))
        screen = pilot.app.screen
        search = screen.query_one("#search", Input)
        search.cursor_blink = False
        await pilot.press(*"otter")
        listing = screen.query_one("#conversation-list", OptionList)
        # A title hit, then message hits from three conversations, newest first.
        await wait_for(pilot, lambda: listing.option_count == 7)
        await pilot.pause()

    app = _app(demo_server, tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_conversation_sidebar(snap_compare: Any, demo_server: DemoServer, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _resumed(pilot)
        await pilot.press("ctrl+b")
        app = pilot.app
        await wait_for(pilot, lambda: bool(app.screen.query(ConversationSidebar)))
        listing = app.screen.query_one("#sidebar-list", OptionList)
        await wait_for(pilot, lambda: listing.option_count == len(CONVERSATIONS))
        await pilot.pause()

    app = _app(demo_server, tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
