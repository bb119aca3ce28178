"""Switching between stored conversations keeps no drawn lines of the one left behind."""

from __future__ import annotations

import gc
import re
import weakref
from pathlib import Path

from rich.console import Console
from textual.strip import Strip

from routmy_tui.core.types import ChatMessage
from routmy_tui.demo.server import DemoServer
from routmy_tui.store import Store
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.chat_screen import ChatScreen
from routmy_tui.ui.chat.markdown_lines import MarkdownLines
from tests.ui.helpers import make_app, screen_lines, wait_for

PAIRS = 600
"""Turns enough that the older ones are still being read when the user switches again."""
SWITCHES = 16
MARK = re.compile(r"\bEND-([a-z])-(\d{4})\b")
REPLY = (
    "### Part {n}\n\nWhat matters, **briefly**, with `inline code`:\n\n"
    "- the first point\n- the second point\n\n"
    "```python\ndef visible(items, top, height):\n    return items[top:top + height]\n```\n\n"
    "That is all. END-{tag}-{n:04d}"
)


def _seed(data: Path) -> list[str]:
    """Two conversations of PAIRS questions and Markdown replies; their ids."""
    ids = []
    with Store.open(data / "routmy.db") as store, store.transaction():
        for tag in ("a", "b"):
            conversation = store.create_conversation("demo/chat", title=f"Long {tag}")
            parent = None
            for n in range(PAIRS):
                parent = store.add_message(conversation, parent, ChatMessage("user", f"Q {n}"))
                reply = ChatMessage("assistant", REPLY.format(n=n, tag=tag))
                parent = store.add_message(conversation, parent, reply)
            ids.append(conversation)
    return ids


def _shows(app: RoutmyApp, tag: str) -> bool:
    """The screen shows the last reply of conversation `tag`."""
    marks = [m.groups() for line in screen_lines(app) for m in MARK.finditer(line)]
    return (tag, f"{PAIRS - 1:04d}") in marks


def _live_strips() -> int:
    """Strips the collector holds, frozen ones too (`gc.get_objects` leaves out what is
    frozen, and a branch read in full is frozen: a count taken then read 0)."""
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    try:
        return sum(type(o) is Strip for o in gc.get_objects())
    finally:
        if frozen:
            gc.freeze()


async def test_switching_back_and_forth_does_not_pile_up_drawn_lines(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    ids = _seed(tmp_path)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        counts = []
        for number in range(SWITCHES):
            tag = "ab"[number % 2]
            screen.open_conversation(ids[number % 2])
            await wait_for(pilot, lambda t=tag: _shows(app, t))  # type: ignore[misc]
            await pilot.pause()
            counts.append(_live_strips())
        # Each conversation draws the same screenful, and what the ones left behind drew is
        # gone (it was ~45 lines more at every switch: ~600 after 16).
        assert max(counts[-4:]) <= max(counts[:4]) + 100, counts


def test_drawn_markdown_is_freed_as_soon_as_it_is_dropped() -> None:
    lines = MarkdownLines()
    lines.set_text(REPLY.format(n=1, tag="a"), final=True)
    assert lines.layout(Console(width=80), 80) > 5
    gone = weakref.ref(lines)
    was_on = gc.isenabled()
    gc.disable()  # only reference counting frees it: no cycle may hold it
    try:
        del lines
        assert gone() is None
    finally:
        if was_on:
            gc.enable()
