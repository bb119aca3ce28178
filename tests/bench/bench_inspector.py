"""Benchmark: opening the inspector's Stream tab on a 20,000-event reply (prints JSON).

Run on demand: `python tests/bench/bench_inspector.py [--events N] [--repeat R]`.
Target: under 100 ms from the tab switch to its first frame drawn. The floor is the same
switch for a reply whose stream is three lines, in the same run; a filter keystroke over
all lines is measured too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from routmy_tui.config.settings import Settings
from routmy_tui.core.types import StreamLine
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.inspector.stream_log import StreamLogView
from tests.ui.inspector_helpers import fixed_item


def big_item(events: int) -> Any:
    """A finished reply whose stream has `events` chunks plus comments and odd lines."""
    item = fixed_item()
    chunk = (
        '{"id":"gen-demo-0123456789","object":"chat.completion.chunk","created":1700000000,'
        '"model":"demo/chat","choices":[{"index":0,"delta":{"content":"tok%d "},'
        '"finish_reason":null}]}'
    )
    lines = [StreamLine(0.1, ": OPENROUTER PROCESSING", "comment")]
    for index in range(events):
        lines.append(StreamLine(0.1 + index * 0.0005, "data: " + chunk % index))
        if index % 1000 == 999:
            lines.append(StreamLine(0.1 + index * 0.0005, ": keep-alive", "comment"))
    lines.append(StreamLine(10.0, "data: ping", "not JSON: Expecting value"))
    lines.append(StreamLine(10.1, "data: [DONE]"))
    assert item.exchange is not None
    item.exchange.stream_lines = lines
    return item


async def measure(events: int, repeat: int) -> dict[str, Any]:
    """Open the Stream tab `repeat` times on fresh replies; time each first frame."""
    app = RoutmyApp(Settings(base_url="http://127.0.0.1:9/v1", model="demo/chat", demo=True))
    painted: list[float] = []
    original = StreamLogView.render_line

    def render_line(self: StreamLogView, y: int) -> Any:
        strip = original(self, y)
        if y == self.size.height - 1 and not painted:
            painted.append(time.perf_counter())
        return strip

    StreamLogView.render_line = render_line  # type: ignore[method-assign]
    stream_ms: list[float] = []
    floor_ms: list[float] = []
    filter_ms: list[float] = []
    async with app.run_test(size=(160, 50), headless=True) as pilot:
        from textual.widgets import TabbedContent

        from tests.ui.inspector_helpers import add_item, open_inspector

        panel = await open_inspector(pilot)
        tabs = panel.query_one(TabbedContent)
        view = panel.query_one(StreamLogView)

        async def until_painted(start: float, deadline: float = 10.0) -> float:
            while not painted:
                if time.perf_counter() - start > deadline:
                    raise RuntimeError("no frame")
                await asyncio.sleep(0)
            return (painted[0] - start) * 1000

        for _ in range(repeat):
            # Floor: the same switch for a reply whose stream is three lines. (The panel
            # follows the newest reply, so the small one is added first.)
            tabs.active = "tab-request"
            small = big_item(0)
            await add_item(pilot, small)
            panel.show(small)
            await pilot.pause(0.05)
            painted.clear()
            start = time.perf_counter()
            tabs.active = "tab-stream"
            floor_ms.append(await until_painted(start))
            tabs.active = "tab-request"
            item = big_item(events)
            await add_item(pilot, item)
            panel.show(item)
            await pilot.pause(0.05)
            painted.clear()
            start = time.perf_counter()
            tabs.active = "tab-stream"
            stream_ms.append(await until_painted(start))
            assert view.shown_count == len(item.exchange.stream_lines)
            await pilot.pause(0.05)
            painted.clear()
            start = time.perf_counter()
            view.set_filter("keep-alive")
            filter_ms.append(await until_painted(start))
            view.set_filter("")
            await pilot.pause(0.05)
    StreamLogView.render_line = original  # type: ignore[method-assign]
    return {
        "events": events,
        "repeat": repeat,
        "stream_tab_first_frame_ms": {
            "median": round(statistics.median(stream_ms), 1),
            "worst": round(max(stream_ms), 1),
        },
        "filter_first_frame_ms": {
            "median": round(statistics.median(filter_ms), 1),
            "worst": round(max(filter_ms), 1),
        },
        "floor_small_stream_tab_ms": {"median": round(statistics.median(floor_ms), 1)},
        "target_ms": 100,
        "ok": max(stream_ms) < 100,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.events, args.repeat)), indent=2))


if __name__ == "__main__":
    main()
