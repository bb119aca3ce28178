"""Snapshots at 80x24: the chat screen with the footer's keys, and the help screen."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.settings.help_screen import HelpScreen
from tests.ui.helpers import make_app, wait_for


async def _steady(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
    app.screen.query_one("#composer").cursor_blink = False  # type: ignore[attr-defined]


def test_chat_screen_at_80x24(snap_compare: Any, demo_server: DemoServer) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _steady(pilot)
        await pilot.pause()

    assert snap_compare(
        make_app(demo_server.base_url), terminal_size=(80, 24), run_before=run_before
    )


def test_help_screen_at_80x24(snap_compare: Any, demo_server: DemoServer) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _steady(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await pilot.pause()

    app = make_app(demo_server.base_url, keymap={"toggle-inspector": "f12"})
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
