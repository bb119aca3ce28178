"""Compare: four 5,000-token replies at once beside one 20,000-token reply, and typing echo.

Against the demo backend at full speed, in the real app (headless, 140x40): the time from
Enter to four 5,000-token replies finished and drawn side by side, beside one 20,000-token
reply (the same number of tokens) in the chat in the same run. Floors, in the same run: the
same streams received by the core client alone (four at once; one). While the four stream,
keys are typed into the composer: the echo (key sent to the text in the composer and a frame
processed) is reported as median, p95 and worst. GC stays on. Prints JSON.
Run: `python tests/bench/bench_compare.py`.
"""

from __future__ import annotations

import asyncio
import json
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from ptyrun import scratch_dir  # noqa: E402
from textual import events  # noqa: E402

from routmy_tui.config.settings import Settings  # noqa: E402
from routmy_tui.core.client import ReplyFinished, RoutmyClient  # noqa: E402
from routmy_tui.core.request import ChatParams, build_chat_body  # noqa: E402
from routmy_tui.core.types import ChatMessage  # noqa: E402
from routmy_tui.demo.server import DemoServer  # noqa: E402
from routmy_tui.ui.app import RoutmyApp  # noqa: E402
from routmy_tui.ui.chat.chat_screen import ChatScreen  # noqa: E402
from routmy_tui.ui.chat.composer import Composer  # noqa: E402
from routmy_tui.ui.compare.compare_view import CompareView  # noqa: E402
from tests.ui.helpers import last_reply, send, view_of, wait_for  # noqa: E402

MODELS = ["demo/chat", "demo/vision", "demo/tools", "demo/slow"]
"""Plain-text models (demo_tps 0 makes demo/slow full speed too)."""
EACH = 5_000
SINGLE = 20_000
PROMPT = "Write a long technical document"
KEYS = 60


async def floor(base_url: str, models: list[str], tokens: int) -> float:
    """Seconds for the core client alone to receive every stream, all at once."""
    client = RoutmyClient(base_url, None)
    params = ChatParams(extra={"demo_tokens": tokens, "demo_tps": 0})

    async def one(model: str) -> None:
        body = build_chat_body(model, [ChatMessage("user", PROMPT)], params)
        async for event in client.chat(body).events():
            if isinstance(event, ReplyFinished):
                assert event.reply.status == "complete"

    started = time.perf_counter()
    await asyncio.gather(*(one(model) for model in models))
    elapsed = time.perf_counter() - started
    await client.aclose()
    return elapsed


def _app(base_url: str, tokens: int) -> RoutmyApp:
    settings = Settings(
        base_url=base_url,
        model="demo/chat",
        demo=True,
        params={"extra": {"demo_tokens": tokens, "demo_tps": 0}},
        data_dir=Path(scratch_dir("routmy-bench-")),
        resume_last=False,
    )
    return RoutmyApp(settings)


class Echo:
    """Times from a key sent to the first frame drawn after the composer shows it."""

    def __init__(self, app: RoutmyApp) -> None:
        self.app = app
        self.frames: list[float] = []
        self.times: list[float] = []
        self.keyed: list[float] = []
        """Key sent to the composer's text changed (the frame follows)."""
        display = app._display

        def recorded(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                self.frames.append(time.perf_counter())
            display(screen, renderable)

        app._display = recorded  # type: ignore[method-assign]

    async def type(self, composer: Composer, count: int, go_on: Any = lambda: True) -> None:
        """Type `count` keys (fewer if `go_on()` turns false), 5 to 20 ms apart."""
        driver = self.app._driver
        assert driver is not None
        for number in range(count):
            if not go_on():
                break
            expected = composer.text + "a"
            sent = time.perf_counter()
            event = events.Key("a", "a")
            event.set_sender(self.app)
            driver.send_message(event)
            while composer.text != expected:
                await asyncio.sleep(0.0005)
            self.keyed.append(time.perf_counter() - sent)
            seen = len(self.frames)
            while len(self.frames) <= seen:
                await asyncio.sleep(0.0005)
            self.times.append(self.frames[seen] - sent)
            await asyncio.sleep(0.02 if number % 2 else 0.005)

    def summary(self) -> dict[str, Any]:
        """Median, p95 and worst in ms."""
        times = sorted(self.times)
        if not times:
            return {"keys": 0}
        return {
            "keys": len(times),
            "median_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": round(times[min(len(times) - 1, math.ceil(len(times) * 0.95) - 1)] * 1000, 1),
            "worst_ms": round(times[-1] * 1000, 1),
            "to_text_median_ms": round(statistics.median(self.keyed) * 1000, 1),
        }


async def single(base_url: str) -> tuple[float, dict[str, Any]]:
    """Seconds from Enter to one 20,000-token reply finished and drawn; echo meanwhile."""
    app = _app(base_url, SINGLE)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause(0.3)
        echo = Echo(app)
        started = time.perf_counter()
        await send(pilot, PROMPT)
        await wait_for(pilot, lambda: len(view_of(app).items) == 2)
        composer = app.screen.query_one(Composer)
        composer.focus()
        await echo.type(composer, KEYS, lambda: last_reply(app).reply.status == "streaming")
        await wait_for(pilot, lambda: last_reply(app).reply.status != "streaming", timeout=300)
        await pilot.pause()
        assert last_reply(app).reply.status == "complete"
        return time.perf_counter() - started, echo.summary()


async def compared(base_url: str) -> dict[str, Any]:
    """Four replies side by side; keys typed into the composer while they stream."""
    app = _app(base_url, EACH)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.catalog.models), timeout=30)
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        composer = screen.query_one(Composer)
        composer.focus()
        idle = Echo(app)
        await idle.type(composer, 20)  # the floor: nothing streams
        composer.text = ""
        echo = Echo(app)
        screen.arm_compare(MODELS)
        started = time.perf_counter()
        await send(pilot, PROMPT)
        await wait_for(pilot, lambda: bool(screen.query(CompareView)))
        view = screen.query_one(CompareView)

        def streaming() -> bool:
            return any(c.item.reply.status == "streaming" for c in view.columns)

        composer.focus()
        await echo.type(composer, KEYS, streaming)
        await wait_for(pilot, lambda: not streaming(), timeout=300)
        await pilot.pause()
        drawn = time.perf_counter() - started
        statuses = [c.item.reply.status for c in view.columns]
        heads = [c.head().plain.splitlines()[-1] for c in view.columns]
    return {
        "seconds": round(drawn, 3),
        "statuses": statuses,
        "heads": heads,
        "echo_while_four_stream": echo.summary(),
        "echo_idle_floor": idle.summary(),
    }


async def main() -> None:
    with DemoServer(tps=0, ttft=0) as server:
        base = server.base_url
        await floor(base, ["demo/chat"], 200)  # warm up
        floor_four = await floor(base, MODELS, EACH)
        floor_one = await floor(base, ["demo/chat"], SINGLE)
        one, one_echo = await single(base)
        four = await compared(base)
    print(
        json.dumps(
            {
                "bench": "compare",
                "four_x_5000_side_by_side_s": four.pop("seconds"),
                "one_x_20000_in_chat_s": round(one, 3),
                "floor_core_four_at_once_s": round(floor_four, 3),
                "floor_core_one_s": round(floor_one, 3),
                **four,
                "echo_while_one_streams": one_echo,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
