"""Mouse selection in the conversation: highlighted, copied with Ctrl+C (OSC 52 and a file)."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from routmy_tui.core.types import Reply
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.conversation_view import GUTTER
from routmy_tui.ui.chat.items import UserItem
from tests.ui.helpers import make_app, screen_lines, spy_writes, view_of, wait_for, without_welcome

OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")


def _where(app: RoutmyApp, text: str) -> tuple[int, int]:
    """(x, y) in the view of the first character of `text` on screen."""
    for y, line in enumerate(screen_lines(app)):
        if text in line:
            left = view_of(app).styles.padding.left
            return left + GUTTER + line.index(text), y
    raise AssertionError(f"{text!r} is not on screen")


async def _drag(pilot: Pilot[Any], start: tuple[int, int], end: tuple[int, int]) -> None:
    view = view_of(pilot.app)  # type: ignore[arg-type]
    await pilot.mouse_down(view, offset=start)
    await pilot.hover(view, offset=end)
    await pilot.mouse_up(view, offset=end)
    await pilot.pause()


async def test_a_selection_across_messages_is_highlighted_and_copied(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        written = spy_writes(app)
        view = view_of(app)
        await without_welcome(pilot)
        view.add_items(
            [
                UserItem("alpha bravo charlie"),
                AssistantItem("demo/chat", Reply(content="A *short* reply.", status="complete")),
                UserItem("delta echo foxtrot"),
            ]
        )
        await wait_for(pilot, lambda: "foxtrot" in "\n".join(screen_lines(app)))
        x1, y1 = _where(app, "bravo")
        x2, y2 = _where(app, "echo")
        await _drag(pilot, (x1, y1), (x2 + len("ech") - 1, y2))
        selected = app.screen.get_selected_text()
        assert selected is not None
        # From "bravo" in the first message to "ech" in the second, the reply between.
        assert selected == (
            "bravo charlie\n\nassistant  demo/chat\nA short reply.\n\n\nyou\ndelta ech"
        )
        # The selected characters are drawn in the selection style, the others not.
        line = view.render_line(y1)
        selection_style = app.screen.get_component_rich_style("screen--selection")
        styled = [
            (seg.text, seg.style is not None and seg.style.bgcolor == selection_style.bgcolor)
            for seg in line
        ]
        assert any("alpha" in t and not s for t, s in styled)
        assert any("bravo" in t and s for t, s in styled)
        # Ctrl+C copies it: OSC 52 to the terminal and a 0600 file.
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: any(OSC52.search(w) for w in written))
        (payload,) = [m.group(1) for w in written for m in OSC52.finditer(w)]
        assert base64.b64decode(payload).decode() == selected
        (saved,) = (tmp_path / "exports").glob("*-selection.md")
        assert saved.read_text() == selected
        assert saved.stat().st_mode & 0o777 == 0o600
        # The conversation's copy key copies the selection too, while there is one.
        await pilot.press("y")
        await wait_for(pilot, lambda: len(list((tmp_path / "exports").glob("*.md"))) == 2)
        assert {f.read_text() for f in (tmp_path / "exports").glob("*.md")} == {selected}
        # A new conversation forgets it (the lines it named are gone).
        await _drag(pilot, (x1, y1), (x2, y2))
        assert app.screen.get_selected_text()
        view.truncate(1)
        assert app.screen.get_selected_text() is None
        # Escape drops a selection too (no reply is running: it stops nothing).
        await _drag(pilot, (x1, y1), (x1 + 3, y1))
        assert app.screen.get_selected_text() == "brav"
        await pilot.press("escape")
        assert app.screen.get_selected_text() is None
        view.add_items([AssistantItem("demo/chat", Reply(content="again", status="complete"))])
        await wait_for(pilot, lambda: "again" in "\n".join(screen_lines(app)))
        # A plain click clears the selection and selects the message under it, as before.
        await pilot.click(view, offset=(x1, y1))
        await wait_for(pilot, lambda: view.selected == 0)
        assert app.screen.get_selected_text() is None
