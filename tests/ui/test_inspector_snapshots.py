"""SVG snapshots of each inspector tab, on a hand-made exchange (the same on every run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from routmy_tui.demo.server import DemoServer
from tests.conftest import FAKE_KEY
from tests.ui.helpers import make_app, wait_for
from tests.ui.inspector_helpers import TABS, add_item, fixed_item, open_inspector, show_tab

SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_inspector_snapshots"


def _run_before(tab: str, error: bool = False) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        app.screen.query_one("#composer").cursor_blink = False  # type: ignore[attr-defined]
        # The app knows the key and the exchange holds it: the panel must show it masked.
        item = fixed_item(lines=24, error=error, key=FAKE_KEY)
        item.run.started, item.run.first_token, item.run.ended = 0.0, 0.13, 0.31
        await add_item(pilot, item)
        panel = await open_inspector(pilot)
        await show_tab(pilot, panel, tab)
        filter_input = panel.query_one("#stream-filter")
        filter_input.cursor_blink = False  # type: ignore[attr-defined]
        app.set_focus(None)
        # Only the panel: the header, footer and chat column belong to other features and
        # change with them (the full screen is in screenshots/inspector.svg).
        for selector in ("#header", "Footer", "#chat-column"):
            for widget in app.screen.query(selector):
                widget.display = False
        panel.styles.width = "1fr"
        await wait_for(pilot, lambda: panel.region.x == 0)
        assert FAKE_KEY not in app.export_screenshot()

    return run_before


@pytest.mark.parametrize("tab", TABS)
def test_inspector_tab(snap_compare: Any, demo_server: DemoServer, tab: str) -> None:
    app = make_app(demo_server.base_url, api_key=FAKE_KEY)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_run_before(tab))


def test_inspector_error_response(snap_compare: Any, demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url, api_key=FAKE_KEY)
    assert snap_compare(
        app, terminal_size=(120, 40), run_before=_run_before("tab-response", error=True)
    )


def test_snapshots_hold_no_key() -> None:
    """The stored snapshots were made with the key known and held by the exchange (so an
    update made while masking is broken would write it), and none of them holds it."""
    svgs = {svg.name: svg.read_text(encoding="utf-8") for svg in SNAPSHOTS.glob("*.svg")}
    assert len(svgs) == len(TABS) + 1
    for name, text in svgs.items():
        assert FAKE_KEY not in text, name
    assert ">Bearer&#160;********</text>" in svgs["test_inspector_tab[tab-request].svg"]
