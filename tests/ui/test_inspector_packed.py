"""An old reply's stream log, packed when its stream ended, is still whole in the inspector."""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import Input, Static

from routmy_tui.core.stream_lines import KEEP_OPEN
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.inspector.stream_log import StreamLogView
from tests.ui.helpers import last_reply, make_app, send, view_of, wait_for
from tests.ui.inspector_helpers import open_inspector, show_tab, tab_text


def _done(app: Any) -> bool:
    return last_reply(app).reply.status != "streaming" and not app.screen.controller.busy


def _streamed_text(log: str) -> str:
    """The content deltas of a log as the inspector shows it, put back together."""
    out = ""
    for line in log.splitlines():
        _, _, text = line.partition("s ")
        if not text.startswith("data: {") or "⚠" in text:
            continue
        for choice in json.loads(text[6:]).get("choices") or []:
            out += (choice.get("delta") or {}).get("content") or ""
    return out


async def test_old_replies_logs_are_whole_after_packing(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        questions = ["first fault:malformed", *(f"question {n}" for n in range(KEEP_OPEN + 2))]
        for number, question in enumerate(questions, 1):
            await send(pilot, question)
            await wait_for(pilot, lambda n=number: _done(app) and len(view_of(app).items) == 2 * n)
        replies = [item for item in view_of(app).items if isinstance(item, AssistantItem)]
        for item in replies:
            assert item.exchange is not None and item.exchange.stream_lines.packed_bytes > 0
        panel = await open_inspector(pilot)
        view = view_of(app)
        logs: dict[int, str] = {}
        # Every reply in turn, then the first again (the others were unpacked since).
        for index in [*range(len(replies)), 0]:
            view.select(view.items.index(replies[index]))
            await wait_for(pilot, lambda i=index: panel.item is replies[i])
            await show_tab(pilot, panel, "tab-stream")
            log = tab_text(panel, "tab-stream")
            assert _streamed_text(log) == replies[index].reply.content
            assert log.splitlines()[-1].endswith("data: [DONE]")
            if index in logs:
                assert log == logs[index]
            logs[index] = log
        # The first reply's odd line keeps its note, and the filter finds it.
        assert any("data: ping" in line and "⚠" in line for line in logs[0].splitlines())
        count = str(panel.query_one("#stream-count", Static).content)
        assert "odd" in count
        panel.query_one("#stream-filter", Input).value = "[DONE]"
        log_view = panel.query_one(StreamLogView)
        await wait_for(pilot, lambda: log_view.filter == "[DONE]")
        assert log_view.shown_count == 1
