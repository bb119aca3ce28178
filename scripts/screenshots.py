"""Drive the app headless against the demo backend and write screenshots/*.svg (and .png).

Run: `python scripts/screenshots.py`. PNGs are made when `rsvg-convert` is installed.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.ui.helpers import last_reply, send  # noqa: E402
from tests.ui.history_seed import seed_history  # noqa: E402

from routmy_tui.config.settings import Settings  # noqa: E402
from routmy_tui.core.request import ChatParams  # noqa: E402
from routmy_tui.demo.server import DemoServer  # noqa: E402
from routmy_tui.ui.app import RoutmyApp  # noqa: E402

OUT = ROOT / "screenshots"
SIZE = (120, 40)


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.05)


def steady(app: RoutmyApp) -> None:
    """No blinking cursor: every text cursor shows, whenever the shot is taken."""
    for widget in app.screen.query("Input, TextArea"):
        widget.cursor_blink = False  # type: ignore[attr-defined]


async def shoot(
    name: str,
    base_url: str,
    script: Callable[[Pilot[Any]], Awaitable[None]],
    *,
    history: bool = False,
    **settings: Any,
) -> None:
    settings.setdefault("model", "demo/chat")
    # A fresh data and cache folder per shot: never the user's history, never the last shot's.
    with tempfile.TemporaryDirectory(prefix="routmy-shot-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        if history:
            seed_history(data)
        app = RoutmyApp(
            Settings(
                base_url=base_url,
                demo=True,
                data_dir=data,
                cache_dir=Path(tmp) / "cache",
                **settings,
            )
        )
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await script(pilot)
            steady(app)
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
    await pilot.pause(0.1)
    # The reply ends at the bottom of the screen; show the opened reasoning from its start.
    pilot.app.screen.query_one("#conversation").action_scroll_home()  # type: ignore[attr-defined]


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


async def model_picker(pilot: Pilot[Any]) -> None:
    await until(pilot, lambda: bool(pilot.app.screen.query("#composer")))
    await pilot.press("f3")
    await until(pilot, lambda: bool(pilot.app.screen.query("#model-query")))
    await pilot.press(*"demo")
    await until(pilot, lambda: getattr(pilot.app.screen, "shown_query", None) == "demo")


async def parameters(pilot: Pilot[Any]) -> None:
    await until(pilot, lambda: bool(pilot.app.screen.query("#composer")))
    await pilot.press("f4")
    await until(pilot, lambda: type(pilot.app.screen).__name__ == "ParamsScreen")


async def browser(pilot: Pilot[Any]) -> None:
    await until(pilot, lambda: bool(pilot.app.screen.query("#composer")))
    await pilot.press("ctrl+o")
    await until(pilot, lambda: bool(pilot.app.screen.query("#search")))
    await pilot.press(*"otter")
    await pilot.pause(0.2)


async def sidebar(pilot: Pilot[Any]) -> None:
    await until(pilot, lambda: bool(pilot.app.screen.query("#composer")))
    await pilot.pause(0.2)
    pilot.app.session.changed()  # the resumed conversation's title in the header
    await pilot.press("ctrl+b")
    await until(pilot, lambda: bool(pilot.app.screen.query("#sidebar-list")))


async def request_preview(pilot: Pilot[Any]) -> None:
    # A system prompt, two parameters and a draft: a body short enough to read at a glance.
    await until(pilot, lambda: bool(pilot.app.screen.query("#composer")))
    conversation = pilot.app.conversation  # type: ignore[attr-defined]
    params = ChatParams(temperature=0.3, max_tokens=400)
    conversation.change_settings(system_prompt="Answer in one short paragraph.", params=params)
    composer = pilot.app.screen.query_one("#composer")
    composer.text = "Why is the sky blue?"  # type: ignore[attr-defined]
    await pilot.press("ctrl+g")
    await until(pilot, lambda: type(pilot.app.screen).__name__ == "RequestPreview")


async def compare(pilot: Pilot[Any]) -> None:
    from routmy_tui.ui.compare.compare_view import CompareView

    app = pilot.app
    await until(pilot, lambda: bool(app.catalog.models))  # type: ignore[attr-defined]
    app.screen.arm_compare(["demo/chat", "demo/reasoning", "demo/slow"])  # type: ignore[attr-defined]
    await send(pilot, "How should a terminal client stream Markdown?")
    await until(pilot, lambda: bool(app.screen.query(CompareView)))
    view = app.screen.query_one(CompareView)
    # demo/chat and demo/reasoning are done; demo/slow is still on its way.
    await until(pilot, lambda: all(c.item.reply.status != "streaming" for c in view.columns[:2]))
    await pilot.pause(1.5)


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    with DemoServer(tps=0, ttft=0) as server:
        await shoot("welcome", server.base_url, empty)
        await shoot("chat", server.base_url, chat)
        await shoot("reasoning", server.base_url, reasoning, model="demo/reasoning")
        await shoot("error", server.base_url, error)
        await shoot("inspector", server.base_url, inspector)
        await shoot("model_picker", server.base_url, model_picker)
        await shoot("parameters", server.base_url, parameters)
        await shoot("browser", server.base_url, browser, history=True)
        await shoot("sidebar", server.base_url, sidebar, history=True)
        await shoot("request_preview", server.base_url, request_preview)
        await shoot("compare", server.base_url, compare)


if __name__ == "__main__":
    asyncio.run(main())
