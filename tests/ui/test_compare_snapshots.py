"""SVG snapshot of the compare view (pytest-textual-snapshot)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.chat_screen import ChatScreen
from routmy_tui.ui.compare.compare_view import CompareView
from tests.ui.helpers import make_app, send, wait_for


def test_compare_view(snap_compare: Any, demo_server: DemoServer) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, RoutmyApp)
        await wait_for(pilot, lambda: bool(app.catalog.models))
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        screen.query_one("#composer").cursor_blink = False  # type: ignore[attr-defined]
        screen.arm_compare(["demo/chat", "demo/reasoning", "demo/flaky"])
        await send(pilot, "Explain streaming")
        await wait_for(pilot, lambda: bool(screen.query(CompareView)))
        view = screen.query_one(CompareView)
        await wait_for(pilot, lambda: all(c.item.reply.status != "streaming" for c in view.columns))
        # What changes from run to run: timings and the error id.
        for number, column in enumerate(view.columns):
            run = column.item.run
            run.began = run.started = 0.0
            run.first_token, run.ended = 0.2 + number / 10, 1.5 + number
            error = column.item.reply.error
            if error is not None:
                error.error_id = "err_demo_0001"
            view.item_changed(column.item)
        app.clear_notifications()
        await wait_for(pilot, lambda: view.settled)
        await pilot.pause(0.2)

    app = make_app(demo_server.base_url, max_retries=0)
    assert snap_compare(app, terminal_size=(140, 40), run_before=run_before)
