"""Drive the app headless against the demo backend and write screenshots/*.svg (and .png).

Run: `python scripts/screenshots.py`. PNGs are made when `rsvg-convert` is installed.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.ui.helpers import last_reply, send  # noqa: E402

from routmy_tui.config.settings import Settings  # noqa: E402
from routmy_tui.demo.server import DemoServer  # noqa: E402
from routmy_tui.ui.app import RoutmyApp  # noqa: E402

OUT = ROOT / "screenshots"
SIZE = (120, 40)


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.05)


async def shoot(
    name: str, base_url: str, script: Callable[[Pilot[Any]], Awaitable[None]], **settings: Any
) -> None:
    settings.setdefault("model", "demo/chat")
    app = RoutmyApp(Settings(base_url=base_url, demo=True, **settings))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await script(pilot)
        await pilot.pause(0.3)
        path = app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
    if shutil.which("rsvg-convert"):
        subprocess.run(["rsvg-convert", path, "-o", str(OUT / f"{name}.png")], check=False)
    print(path)


async def chat(pilot: Pilot[Any]) -> None:
    await send(pilot, "Show me a table and some code")
    await until(pilot, lambda: last_reply(pilot.app).reply.status != "streaming")


async def reasoning(pilot: Pilot[Any]) -> None:
    await send(pilot, "Why is the sky blue?")
    await until(pilot, lambda: last_reply(pilot.app).reply.status != "streaming")
    await pilot.press("tab")
    await pilot.press("t")


async def error(pilot: Pilot[Any]) -> None:
    await send(pilot, "Say hello fault:inband")
    await until(pilot, lambda: last_reply(pilot.app).reply.status != "streaming")


async def inspector(pilot: Pilot[Any]) -> None:
    from textual.widgets import TabbedContent

    await send(pilot, "Say hello fault:malformed")
    await until(pilot, lambda: last_reply(pilot.app).reply.status != "streaming")
    await pilot.press("f2")
    await until(pilot, lambda: bool(pilot.app.screen.query("#inspector-tabs")))
    pilot.app.screen.query_one("#inspector-tabs", TabbedContent).active = "tab-stream"
    pilot.app.set_focus(None)


async def empty(pilot: Pilot[Any]) -> None:
    return None


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    with DemoServer(tps=0, ttft=0) as server:
        await shoot("welcome", server.base_url, empty)
        await shoot("chat", server.base_url, chat)
        await shoot("reasoning", server.base_url, reasoning, model="demo/reasoning")
        await shoot("error", server.base_url, error)
        await shoot("inspector", server.base_url, inspector)


if __name__ == "__main__":
    asyncio.run(main())
