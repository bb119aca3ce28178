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
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

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
KEYS = 40


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
        data_dir=Path(tempfile.mkdtemp(prefix="routmy-bench-")),
        resume_last=False,
    )
    return RoutmyApp(settings)


async def single(base_url: str) -> float:
    """Seconds from Enter to one 20,000-token reply finished and drawn."""
    app = _app(base_url, SINGLE)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause(0.3)
        started = time.perf_counter()
        await send(pilot, PROMPT)
        await wait_for(pilot, lambda: len(view_of(app).items) == 2)
        await wait_for(pilot, lambda: last_reply(app).reply.status != "streaming", timeout=300)
        await pilot.pause()
        assert last_reply(app).reply.status == "complete"
        return time.perf_counter() - started


async def compared(base_url: str) -> dict[str, Any]:
    """Four replies side by side; keys typed into the composer while they stream."""
    app = _app(base_url, EACH)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.catalog.models), timeout=30)
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        screen.arm_compare(MODELS)
        started = time.perf_counter()
        await send(pilot, PROMPT)
        await wait_for(pilot, lambda: bool(screen.query(CompareView)))
        view = screen.query_one(CompareView)

        def streaming() -> bool:
            return any(c.item.reply.status == "streaming" for c in view.columns)

        composer = screen.query_one(Composer)
        composer.focus()
        echoes: list[float] = []
        for number in range(KEYS):
            if not streaming():
                break
            expected = composer.text + "a"
            sent = time.perf_counter()
            await pilot.press("a")
            await wait_for(pilot, lambda e=expected: composer.text == e)  # type: ignore[misc]
            echoes.append(time.perf_counter() - sent)
            await asyncio.sleep(0.02 if number % 2 else 0.005)
        await wait_for(pilot, lambda: not streaming(), timeout=300)
        await pilot.pause()
        drawn = time.perf_counter() - started
        statuses = [c.item.reply.status for c in view.columns]
        heads = [c.head().plain.splitlines()[-1] for c in view.columns]
    echoes.sort()
    return {
        "seconds": round(drawn, 3),
        "statuses": statuses,
        "heads": heads,
        "echo_keys": len(echoes),
        "echo_median_ms": round(statistics.median(echoes) * 1000, 1) if echoes else None,
        "echo_p95_ms": round(echoes[int(len(echoes) * 0.95) - 1] * 1000, 1) if echoes else None,
        "echo_worst_ms": round(echoes[-1] * 1000, 1) if echoes else None,
    }


async def main() -> None:
    with DemoServer(tps=0, ttft=0) as server:
        base = server.base_url
        await floor(base, ["demo/chat"], 200)  # warm up
        floor_four = await floor(base, MODELS, EACH)
        floor_one = await floor(base, ["demo/chat"], SINGLE)
        one = await single(base)
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
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
