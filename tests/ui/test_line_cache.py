"""Lines of messages far off screen are let go and drawn again, the same, when scrolled back."""

from __future__ import annotations

from pathlib import Path

import pytest

from routmy_tui.core.types import ChatMessage
from routmy_tui.demo.server import DemoServer
from routmy_tui.store import Store
from routmy_tui.ui.chat import markdown_lines
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.conversation_view import ConversationView
from routmy_tui.ui.chat.line_cache import KEEP_LINES
from tests.ui.helpers import all_measured, lets_go, make_app, screen_lines, view_of, wait_for


def _reply(number: int) -> str:
    return f"## Part {number}\n\n" + "\n\n".join(
        f"- point {number}.{k}: " + "words " * (5 + (number * k) % 40) for k in range(6)
    )


def _big_reply() -> str:
    sections = []
    for number in range(120):
        sections.append(
            f"### Section {number}\n\nParagraph {number} " + "with some *stressed* words " * 12
        )
        sections.append(f"```python\nvalue_{number} = {number} * 2  # code {number}\n```")
    return "\n\n".join(sections)


def _seed(data: Path, pairs: int, big_at: int | None = None) -> None:
    with Store.open(data / "routmy.db") as store, store.transaction():
        conversation = store.create_conversation("demo/chat", title="Long")
        parent = None
        for number in range(pairs):
            parent = store.add_message(
                conversation, parent, ChatMessage("user", f"Question {number}?")
            )
            text = _big_reply() if number == big_at else _reply(number)
            parent = store.add_message(conversation, parent, ChatMessage("assistant", text))


def _settled(view: ConversationView) -> bool:
    """Every item measured at the view's width, nothing left to draw."""
    return all_measured(view) and not any(
        isinstance(item, AssistantItem) and item.markdown.pending
        for _, item in view.items.made_items()
    )


async def test_scrolling_back_shows_the_same_text(demo_server: DemoServer, tmp_path: Path) -> None:
    pairs = 200
    _seed(tmp_path, pairs)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        view = view_of(app)
        await wait_for(pilot, lambda: len(view.items) == 2 * pairs)
        view.focus()
        await pilot.press("home")
        await wait_for(
            pilot, lambda: view.scroll_y == 0 and view.items[0].is_laid_out(view.item_width)
        )
        top = screen_lines(app)
        assert top[0].strip() == "you" and "Question 0?" in "\n".join(top)
        await pilot.press("end")
        await wait_for(pilot, lambda: _settled(view) and lets_go(view, 0), timeout=60)
        bottom = "\n".join(screen_lines(app))
        assert f"Part {pairs - 1}" in bottom or f"point {pairs - 1}." in bottom
        # Only the messages near the viewport hold their drawn lines.
        width = view.item_width
        holding = [item for _, item in view.items.made_items() if item.is_laid_out(width)]
        assert len(holding) < (2 * KEEP_LINES + 30) // 3
        assert sum(lets_go(view, index) for index in range(2 * pairs)) > pairs
        await pilot.press("home")
        await wait_for(pilot, lambda: view.scroll_y == 0 and view.items[0].is_laid_out(width))
        assert screen_lines(app) == top
        await pilot.press("end")
        await wait_for(pilot, lambda: view.scroll_y == view.max_scroll_y)
        await wait_for(pilot, lambda: "\n".join(screen_lines(app)) == bottom)


async def test_a_long_reply_drawn_again_keeps_its_place(
    demo_server: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(tmp_path, 60, big_at=1)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        view = view_of(app)
        await wait_for(pilot, lambda: len(view.items) == 120)
        view.focus()
        big = view.items[3]
        assert isinstance(big, AssistantItem) and len(big.reply.content) > 20_000
        await wait_for(pilot, lambda: _settled(view), timeout=60)
        # A place in the middle of the long reply, drawn in full.
        place = view._offsets[3] + big.layout(app.console, view.item_width, view.palette) // 2
        view.follow = False  # as the user's keys, wheel and scroll bar do
        view.scroll_to(y=place, animate=False, immediate=True)
        await wait_for(pilot, lambda: big.is_laid_out(view.item_width) and _settled(view))
        await pilot.pause()
        shown = screen_lines(app)
        assert any("Section" in line or "words" in line for line in shown)
        total = view.virtual_size.height
        await pilot.press("end")
        await wait_for(pilot, lambda: lets_go(view, 3), timeout=30)
        assert view.virtual_size.height == total
        # Back to the same place: the reply is drawn again (here a few blocks per layout, as on
        # a very busy machine) without moving anything: the height it had is kept meanwhile.
        monkeypatch.setattr(markdown_lines, "LAYOUT_BUDGET", 0.002)
        view.follow = False  # as the user's keys, wheel and scroll bar do
        view.scroll_to(y=place, animate=False, immediate=True)
        heights: set[int] = set()

        def redrawn() -> bool:
            heights.add(view.virtual_size.height)
            if not view.items.is_made(3):
                return False
            again = view.items[3]  # `big`, or made again from its message if it was let go
            assert isinstance(again, AssistantItem)
            return again.is_laid_out(view.item_width) and not again.markdown.pending

        await wait_for(pilot, redrawn, timeout=90)
        await pilot.pause()
        assert heights == {total}
        assert view.scroll_y == place
        assert screen_lines(app) == shown
