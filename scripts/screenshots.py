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
                config_path=Path(tmp) / "config.toml",  # never the user's config
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


def sunset(folder: Path) -> Path:
    """A photo-like picture to attach: a sky gradient, a sun, a dark sea."""
    from PIL import Image, ImageDraw

    path = folder / "sunset.jpg"
    sky = Image.linear_gradient("L").resize((960, 640))
    image = Image.merge(
        "RGB", (Image.new("L", (960, 640), 240), sky.point(lambda v: 60 + v // 2), sky)
    )
    draw = ImageDraw.Draw(image)
    draw.ellipse((380, 260, 580, 460), fill=(255, 200, 60))
    draw.rectangle((0, 420, 960, 640), fill=(20, 40, 90))
    image.save(path, "JPEG", quality=90)
    return path


async def _drawn(pilot: Pilot[Any]) -> None:
    """Wait until every picture on screen is drawn (not a placeholder)."""
    await pilot.pause(0.3)
    view = pilot.app.screen.query_one("#conversation")
    await until(pilot, lambda: not any("░░░" in view.render_line(y).text for y in range(30)))


async def vision(pilot: Pilot[Any]) -> None:
    app: Any = pilot.app
    await until(pilot, lambda: bool(app.catalog.models))
    with tempfile.TemporaryDirectory() as tmp:
        app.screen.attach(str(sunset(Path(tmp))))
        await until(pilot, lambda: bool(app.screen.attached_urls()))
    await send(pilot, "What is in this photo?")
    await until(pilot, lambda: last_reply(app).reply.status != "streaming")
    await _drawn(pilot)


async def pictures(pilot: Pilot[Any]) -> None:
    app: Any = pilot.app
    await until(pilot, lambda: bool(app.catalog.models))
    await send(pilot, "a blue square and a red circle")
    await until(pilot, lambda: last_reply(app).reply.status != "streaming")
    await _drawn(pilot)


async def flow(pilot: Pilot[Any]) -> None:
    """The README's flow: a photo for demo/vision, then a blue square from demo/image."""
    app: Any = pilot.app
    await until(pilot, lambda: bool(app.catalog.models))
    with tempfile.TemporaryDirectory() as tmp:
        app.screen.attach(str(sunset(Path(tmp))))
        await until(pilot, lambda: bool(app.screen.attached_urls()))
    await send(pilot, "What is in this photo?")
    await until(pilot, lambda: last_reply(app).reply.status != "streaming")
    app.screen.set_model("demo/image")
    await send(pilot, "a blue square")
    await until(pilot, lambda: len(app.screen.query_one("#conversation").items) == 4)
    await until(pilot, lambda: last_reply(app).reply.status != "streaming")
    await _drawn(pilot)


async def viewer(pilot: Pilot[Any]) -> None:
    """The blue square opened full screen (Enter on it): `s` saves it, `c` copies its path."""
    app: Any = pilot.app
    await until(pilot, lambda: bool(app.catalog.models))
    await send(pilot, "a blue square")
    await until(pilot, lambda: last_reply(app).reply.status != "streaming")
    await _drawn(pilot)
    app.screen.query_one("#conversation").focus()
    await pilot.press("enter")
    await until(pilot, lambda: getattr(app.screen, "image", None) is not None)
    await pilot.pause(0.5)


async def attach(pilot: Pilot[Any]) -> None:
    app: Any = pilot.app
    folder = Path(tempfile.gettempdir()) / "routmy-pictures"  # a stable path on the shot
    folder.mkdir(exist_ok=True)
    photo = sunset(folder)
    app.screen.attach(str(photo))
    await until(pilot, lambda: bool(app.screen.attached_urls()))
    composer = app.screen.query_one("#composer")
    composer.text = "What is in this photo?"
    await pilot.press("ctrl+t")
    await until(pilot, lambda: type(app.screen).__name__ == "AttachDialog")
    field = app.screen.query_one("#attach-path")
    field.value = str(photo)
    field.cursor_position = len(field.value)
    await until(pilot, lambda: "960×640" in str(app.screen.query_one("#attach-facts").render()))
    await pilot.pause(0.3)


async def tools(pilot: Pilot[Any]) -> None:
    """Two parallel calls, the first answered: the answer box asks for the second."""
    await until(pilot, lambda: bool(pilot.app.screen.query("#composer")))
    composer = pilot.app.screen.query_one("#composer")
    composer.text = "What is order 123, and the weather in Paris?"  # type: ignore[attr-defined]
    await pilot.press("enter")
    bar = pilot.app.screen.query_one("#answer-bar")
    await until(pilot, lambda: bar.active)  # type: ignore[attr-defined]
    composer.text = '{"status": "shipped", "eta": "tomorrow"}'  # type: ignore[attr-defined]
    await pilot.press("enter")
    await until(pilot, lambda: "2 of 2" in str(bar.render()))
    composer.text = "Sunny, 21 °C"  # type: ignore[attr-defined]


async def settings(pilot: Pilot[Any]) -> None:
    """The Settings screen (F9), one limit typed wrong so its message shows."""
    app: Any = pilot.app
    await until(pilot, lambda: bool(app.screen.query("#composer")))
    await pilot.press("f9")
    await until(pilot, lambda: bool(app.screen.query("#s-image_max_side")))
    app.screen.query_one("#s-image_max_side").value = "9000"
    app.screen.query_one("#s-model").focus()


async def settings_keys(pilot: Pilot[Any]) -> None:
    """The Settings screen's Keys tab, a key refused with the reason."""
    app: Any = pilot.app
    await until(pilot, lambda: bool(app.screen.query("#composer")))
    await pilot.press("f9")
    await until(pilot, lambda: bool(app.screen.query("#keys-table")))
    table = app.screen.query_one("#keys-table")
    table.focus()
    table.move_cursor(row=table.get_row_index("toggle-inspector"))
    await pilot.press("enter")
    field = app.screen.query_one("#key-input")
    field.value = "ctrl+n"
    await pilot.press("enter")
    field.cursor_position = len(field.value)
    await until(pilot, lambda: "already" in str(app.screen.query_one("#key-note").render()))


async def picture_shots(base_url: str, wanted: set[str]) -> None:
    """The shots of pictures; `wanted` empty means all of them."""
    for name, script, model in (
        ("vision", vision, "demo/vision"),
        ("flow", flow, "demo/vision"),
        ("viewer", viewer, "demo/image"),
        ("pictures", pictures, "demo/image"),
        ("attach", attach, "demo/vision"),
    ):
        if not wanted or name in wanted:
            await shoot(name, base_url, script, model=model)


def _tool_params() -> dict[str, Any]:
    from routmy_tui.config.toolsets import load_tools_arg
    from routmy_tui.core.toolsets import to_params

    tools, _ = load_tools_arg("examples")
    return {"tools": to_params(tools)}


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    wanted = set(sys.argv[1:])
    if wanted:  # only these: `python scripts/screenshots.py vision pictures attach tools`
        with DemoServer(tps=0, ttft=0) as server:
            await picture_shots(server.base_url, wanted)
            for name, script in (("settings", settings), ("settings_keys", settings_keys)):
                if name in wanted:
                    await shoot(name, server.base_url, script)
            if "tools" in wanted:
                await shoot(
                    "tools", server.base_url, tools, model="demo/tools", params=_tool_params()
                )
        return
    with DemoServer(tps=0, ttft=0) as server:
        await picture_shots(server.base_url, set())
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
        await shoot("tools", server.base_url, tools, model="demo/tools", params=_tool_params())
        await shoot("settings", server.base_url, settings)
        await shoot("settings_keys", server.base_url, settings_keys)


if __name__ == "__main__":
    asyncio.run(main())
