"""Snapshots of the Settings screen: its two tabs at 80x24, and at 60x15."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.settings.settings_screen import SettingsScreen
from tests.ui.helpers import make_app, wait_for


async def _settings(pilot: Pilot[Any], tab: str = "general") -> None:
    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
    await pilot.press("f9")
    await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
    await wait_for(pilot, lambda: bool(app.screen.query("#keys-table")))
    if tab == "keys":
        app.screen.query_one("#keys-table").focus()  # the tab strip follows the focus
        await wait_for(pilot, lambda: app.screen.query_one("#tab-keys").display)
    for field in app.screen.query("Input"):
        field.cursor_blink = False  # type: ignore[attr-defined]
    await pilot.wait_for_scheduled_animations()  # the tab underline slides into place


def test_settings_general_at_80x24(snap_compare: Any, demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settings)


def test_settings_keys_at_80x24(snap_compare: Any, demo_server: DemoServer) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _settings(pilot, "keys")

    app = make_app(demo_server.base_url, keymap={"toggle-inspector": "f12"})
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_settings_general_at_60x15(snap_compare: Any, demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    assert snap_compare(app, terminal_size=(60, 15), run_before=_settings)
