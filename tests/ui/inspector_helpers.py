"""Helpers for inspector tests: open it, switch tabs, read what a tab shows."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static, TabbedContent

from routmy_tui.core.exchange import Exchange
from routmy_tui.core.types import ApiError, Reply, StreamLine, Usage
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.inspector.inspector import Inspector
from routmy_tui.ui.inspector.stream_log import StreamLogView
from tests.ui.helpers import view_of, wait_for

TABS = ("tab-request", "tab-response", "tab-stream", "tab-timing")


async def open_inspector(pilot: Pilot[Any]) -> Inspector:
    """Press F2 and wait until the panel is there and open."""
    await pilot.press("f2")
    await wait_for(pilot, lambda: bool(pilot.app.screen.query(Inspector)))
    panel = pilot.app.screen.query_one(Inspector)
    await wait_for(pilot, lambda: panel.is_open and panel.region.width > 0)
    return panel


async def show_tab(pilot: Pilot[Any], panel: Inspector, tab: str) -> None:
    """Activate a tab, wait until it is the one shown, and draw it."""
    tabs = panel.query_one(TabbedContent)
    tabs.active = tab
    pane = tabs.get_pane(tab)
    await wait_for(pilot, lambda: pane.display and pane.region.width > 0)
    panel.poll()
    await pilot.wait_for_scheduled_animations()  # the tab underline slides into place


def tab_text(panel: Inspector, tab: str) -> str:
    """All text a tab holds (not only what fits on screen), as plain text."""
    if tab == "tab-stream":
        log = panel.query_one(StreamLogView)
        return "\n".join(log.plain_line(row) for row in range(log.shown_count))
    view_id = {"tab-request": "#request-view", "tab-response": "#response-view"}.get(
        tab, "#timing-view"
    )
    content = panel.query_one(view_id, Static).content
    console = Console(file=io.StringIO(), width=200, record=True, color_system=None)
    console.print(content)
    return console.export_text()


def fixed_item(*, lines: int = 6, error: bool = False, key: str = "********") -> AssistantItem:
    """A finished reply with a hand-made exchange: the same on every run (for snapshots).

    `key` is the Authorization value recorded: a real key stands for a header that
    reached the exchange unmasked (a server echo, a careless path); the app must hide it.
    """
    body = {
        "model": "demo/chat",
        "messages": [{"role": "user", "content": "Say hi, with 'quotes' and $dollars"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    chunk = '{"id":"gen-1","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}'
    stream = [StreamLine(0.120, ": OPENROUTER PROCESSING", "comment")]
    stream += [StreamLine(0.130 + i * 0.002, f"data: {chunk}") for i in range(max(0, lines - 4))]
    stream += [
        StreamLine(0.200, 'data: {"choices": [', "not JSON: Expecting value"),
        StreamLine(0.210, "data: ping", "not JSON: Expecting value"),
        StreamLine(0.300, "data: [DONE]"),
    ]
    usage = Usage.from_wire({"prompt_tokens": 12, "completion_tokens": 30, "total_tokens": 42})
    reply = Reply(content="Hi there!", finish_reason="stop", usage=usage, status="complete")
    exchange = Exchange(
        url="http://127.0.0.1:8765/v1/chat/completions",
        request_headers={
            "user-agent": "routmy-tui/test",
            "content-type": "application/json",
            "authorization": f"Bearer {key}",
        },
        request_body=body,
        started_at=1_700_000_000.0,
        status=200,
        response_headers={"content-type": "text/event-stream", "cache-control": "no-cache"},
        stream_lines=stream,
        t_headers=0.110,
        t_first_token=0.130,
        t_done=0.310,
    )
    exchange.response_json = reply.to_response_json()
    if error:
        reply.status = "error"
        reply.error = exchange.error = ApiError(
            "Upstream provider error",
            status=502,
            raw_body="<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
        exchange.status = 502
        exchange.response_json = None
        exchange.stream_lines = []
    item = AssistantItem("demo/chat", reply)
    item.exchange = exchange
    item.multiplier = 1.5
    return item


async def add_item(pilot: Pilot[Any], item: AssistantItem) -> None:
    """Put a reply straight into the conversation (as a conversation loaded from the store)."""
    await wait_for(pilot, lambda: bool(pilot.app.screen.query("#conversation")))
    pilot.app.screen.query_one("#welcome").display = False
    view = view_of(pilot.app)  # type: ignore[arg-type]
    view.add_item(item)
    await wait_for(pilot, lambda: item.is_laid_out(view.item_width))
