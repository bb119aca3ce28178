"""SVG snapshots of the main screens at a fixed size (pytest-textual-snapshot)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from routmy_tui.demo.server import DemoServer
from tests.ui.helpers import last_reply, make_app, send, view_of, wait_for


async def _steady(pilot: Pilot[Any]) -> None:
    """Remove what changes from run to run: the cursor blink."""
    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
    app.screen.query_one("#composer").cursor_blink = False  # type: ignore[attr-defined]


def test_chat_screen_empty(snap_compare: Any, demo_server: DemoServer) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _steady(pilot)
        await pilot.pause()

    assert snap_compare(
        make_app(demo_server.base_url), terminal_size=(120, 40), run_before=run_before
    )


def test_chat_screen_with_reply(snap_compare: Any, demo_server: DemoServer) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _steady(pilot)
        await send(pilot, "Show me a table and some code")
        await wait_for(pilot, lambda: last_reply(pilot.app).reply.status == "complete")
        item = last_reply(pilot.app)
        item.run.started, item.run.first_token, item.run.ended = 0.0, 0.25, 1.5
        item.run.began = 0.0
        view = view_of(pilot.app)
        view.item_changed(item)
        await wait_for(pilot, lambda: item.is_laid_out(view.item_width))

    assert snap_compare(
        make_app(demo_server.base_url), terminal_size=(120, 40), run_before=run_before
    )


def test_chat_screen_with_error(snap_compare: Any, demo_server: DemoServer) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _steady(pilot)
        await send(pilot, "This will fail fault:status=503")
        await wait_for(pilot, lambda: last_reply(pilot.app).reply.status == "error", timeout=30)
        item = last_reply(pilot.app)
        item.run.started, item.run.first_token, item.run.ended = 0.0, None, 1.5
        item.run.began = 0.0
        assert item.reply.error is not None
        item.reply.error.error_id = "err_demo_0001"  # random per request
        pilot.app.clear_notifications()  # the toast repeats the random id
        view = view_of(pilot.app)
        view.item_changed(item)
        await wait_for(pilot, lambda: item.is_laid_out(view.item_width))

    app = make_app(demo_server.base_url, max_retries=0)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
