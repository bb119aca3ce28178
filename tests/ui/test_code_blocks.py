"""Code blocks: a header line with the language and "copy"; copied exactly as written."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import OptionList

from routmy_tui.core.types import Reply
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.code_actions import CodeBlockDialog
from routmy_tui.ui.chat.code_blocks import code_sources, is_header
from routmy_tui.ui.chat.items import UserItem
from routmy_tui.ui.chat.render import MarkdownLines
from tests.ui.helpers import make_app, screen_lines, spy_writes, view_of, wait_for, without_welcome
from tests.ui.markdown_gen import lay_out, stream

OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")

FIRST = "def add(a, b):\n    return a + b   "  # trailing spaces are part of the code
SECOND = "echo 'one'\n\n\techo two"
THIRD = "SELECT *\n  FROM t;"
REPLY = (
    f"Three blocks.\n\n```python\n{FIRST}\n```\n\nThen:\n\n~~~bash title\n{SECOND}\n~~~\n\n"
    f"- in a list:\n\n  ```sql\n  {THIRD.replace(chr(10), chr(10) + '  ')}\n  ```\n"
)


def test_sources_are_the_code_as_written() -> None:
    assert [(s.language, s.code) for s in code_sources(REPLY)] == [
        ("python", FIRST),
        ("bash", SECOND),
        ("sql", THIRD),
    ]
    assert code_sources("    indented\n    code\n")[0].code == "indented\ncode"
    assert code_sources("no code here") == []


def test_each_block_gets_one_header_even_when_drawn_in_parts() -> None:
    console = Console(width=80, color_system="truecolor")
    code = "\n".join(f"x{i} = {i}" for i in range(200))  # cut into parts while it streams
    text = f"Intro.\n\n```python\n{code}\n```\n\nAfter."
    lines = stream(text, list(range(0, len(text), 97)), 60, console)
    headers = [lines.line(i).text for i in range(lines.height) if is_header(lines.line(i))]
    assert len(headers) == 1
    assert headers[0].split() == ["python", "⧉", "copy"]
    lines.set_text(text, final=True)
    lay_out(lines, console, 60)
    assert sum(is_header(lines.line(i)) for i in range(lines.height)) == 1
    plain = MarkdownLines()
    plain.set_text("No code, no header.", final=True)
    lay_out(plain, console, 60)
    assert not any(is_header(plain.line(i)) for i in range(plain.height))


def _copied(written: list[str]) -> list[str]:
    return [base64.b64decode(m.group(1)).decode() for w in written for m in OSC52.finditer(w)]


async def _show(pilot: Pilot[Any], app: RoutmyApp) -> None:
    await without_welcome(pilot)
    view = view_of(app)
    view.add_items(
        [
            UserItem("code please"),
            AssistantItem("demo/chat", Reply(content=REPLY, status="complete")),
        ]
    )
    await wait_for(pilot, lambda: any("sql" in line for line in screen_lines(app)))


async def _palette(pilot: Pilot[Any], app: RoutmyApp, title: str) -> None:
    (command,) = [c for c in app.get_system_commands(app.screen) if c.title == title]
    command.callback()
    await pilot.pause()


async def test_copy_code_block_asks_which_with_the_last_preselected(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        written = spy_writes(app)
        await _show(pilot, app)
        await _palette(pilot, app, "Copy code block")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeBlockDialog))
        options = app.screen.query_one(OptionList)
        assert options.option_count == 3
        assert options.highlighted == 2
        assert "sql · 2 lines · SELECT *" in str(options.get_option_at_index(2).prompt)
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(_copied(written)))
        assert _copied(written) == [THIRD]
        # Another one: up twice, Enter.
        await _palette(pilot, app, "Copy code block")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeBlockDialog))
        await pilot.press("up", "up", "enter")
        await wait_for(pilot, lambda: len(_copied(written)) == 2)
        assert _copied(written)[1] == FIRST
        # Escape copies nothing.
        await _palette(pilot, app, "Copy code block")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeBlockDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CodeBlockDialog))
    files = sorted((tmp_path / "exports").glob("*-code*.md"))
    assert sorted(f.read_text() for f in files) == sorted([THIRD, FIRST])
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    assert len(_copied(written)) == 2


async def test_a_click_on_a_header_copies_that_block(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        written = spy_writes(app)
        await _show(pilot, app)
        view = view_of(app)
        (row,) = [y for y, line in enumerate(screen_lines(app)) if line.split()[:1] == ["bash"]]
        await pilot.click(view, offset=(view.size.width - 6, row))
        await wait_for(pilot, lambda: bool(_copied(written)))
        assert _copied(written) == [SECOND]
        assert view.selected is None  # the click copied; it did not select the message


async def test_copy_code_block_without_code_says_so(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        view_of(app).add_items(
            [AssistantItem("demo/chat", Reply(content="Just words.", status="complete"))]
        )
        await _palette(pilot, app, "Copy code block")
        await wait_for(
            pilot, lambda: any("No code block" in str(n.message) for n in app._notifications)
        )


def test_code_block_headers_snapshot(snap_compare: Any, demo_server: DemoServer) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, RoutmyApp)
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        app.screen.query_one("#composer").cursor_blink = False  # type: ignore[attr-defined]
        await _show(pilot, app)
        app.screen.query_one("#welcome").display = False
        await wait_for(pilot, lambda: any("python" in line for line in screen_lines(app)))

    assert snap_compare(
        make_app(demo_server.base_url), terminal_size=(80, 42), run_before=run_before
    )


async def test_a_click_on_a_header_in_a_compare_column_copies_that_block(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    from routmy_tui.ui.chat.chat_screen import ChatScreen
    from routmy_tui.ui.compare.column import ReplyPane
    from routmy_tui.ui.compare.compare_view import CompareView
    from tests.ui.helpers import send

    app = make_app(demo_server.base_url, data_dir=tmp_path, max_retries=0)
    async with app.run_test(size=(140, 50)) as pilot:
        written = spy_writes(app)
        await wait_for(pilot, lambda: bool(app.catalog.models))
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        screen.arm_compare(["demo/chat", "demo/reasoning"])
        await send(pilot, "Explain streaming")
        await wait_for(pilot, lambda: bool(screen.query(CompareView)))
        view = screen.query_one(CompareView)
        await wait_for(pilot, lambda: all(c.item.reply.status == "complete" for c in view.columns))
        await wait_for(pilot, lambda: view.settled)
        pane = view.columns[1].query_one(ReplyPane)
        (source,) = code_sources(pane.item.markdown.text)
        pane.scroll_to(y=0, animate=False, immediate=True)
        await pilot.pause()

        def header_row() -> int | None:
            rows = [y for y in range(pane.size.height) if is_header(pane.render_line(y))]
            return rows[0] if rows else None

        while header_row() is None and pane.scroll_y < pane.max_scroll_y:
            pane.scroll_to(y=pane.scroll_y + 5, animate=False, immediate=True)
            await pilot.pause()
        row = header_row()
        assert row is not None
        await pilot.click(pane, offset=(2, row))
        await wait_for(pilot, lambda: bool(_copied(written)))
        assert _copied(written) == [source.code]
