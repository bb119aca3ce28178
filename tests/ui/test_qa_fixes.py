"""Pilot and unit tests for defects found by hand in a real terminal (QA pass)."""

from __future__ import annotations

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from tests.ui.helpers import last_reply, make_app, send, wait_for


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
        await send(pilot, "a plain one")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        await pilot.pause(0.1)
        assert "stop" not in _footer_actions(app)
