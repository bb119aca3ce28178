"""Pilot tests of opening a long stored conversation: the end first, the rest read on the way."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from routmy_tui.core.types import ChatMessage
from routmy_tui.demo.server import DemoServer
from routmy_tui.store import Store
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.chat_screen import ChatScreen
from tests.ui.helpers import make_app, screen_lines, view_of, wait_for

PAIRS = 300
MARK = re.compile(r"\b([QA])-(\d{4})\b")


def _seed(data: Path) -> tuple[str, list[str]]:
    """A conversation of PAIRS short questions and replies (the first question has an older
    version beside it); returns its id and the markers of its branch, first to last."""
    with Store.open(data / "routmy.db") as store, store.transaction():
        conversation = store.create_conversation("demo/chat", title="Long")
        store.add_message(conversation, None, ChatMessage("user", "Q-9999 an older version"))
        parent = None
        for number in range(PAIRS):
            question = f"Q-{number:04d} question {number}"
            parent = store.add_message(conversation, parent, ChatMessage("user", question))
            answer = f"A-{number:04d} **answer** {number}"
            parent = store.add_message(conversation, parent, ChatMessage("assistant", answer))
        markers = [MARK.search(m.content or "").group(0) for m in store.current_path(conversation)]  # type: ignore[union-attr]
    return conversation, markers


def _markers(app: RoutmyApp) -> list[str]:
    return [m.group(0) for line in screen_lines(app) for m in MARK.finditer(line)]


async def _opened(pilot: Pilot[Any], app: RoutmyApp) -> None:
    view = view_of(app)
    await wait_for(pilot, lambda: len(view.items) == 2 * PAIRS and bool(_markers(app)))
    view.focus()
    await pilot.pause()


async def test_opening_shows_the_last_messages(demo_server: DemoServer, tmp_path: Path) -> None:
    _, markers = _seed(tmp_path)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _opened(pilot, app)
        shown = _markers(app)
        assert shown[-1] == markers[-1]
        assert shown == markers[-len(shown) :]


async def test_home_shows_the_first_message_and_its_other_version(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    _, markers = _seed(tmp_path)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _opened(pilot, app)
        await pilot.press("home")
        await pilot.pause()
        lines = screen_lines(app)
        assert _markers(app)[0] == markers[0] == "Q-0000"
        assert "‹ 2/2 ›" in lines[0]
        assert _markers(app) == markers[: len(_markers(app))]
        await pilot.press("end")
        await pilot.pause()
        assert _markers(app)[-1] == markers[-1]


async def test_scrolling_up_all_the_way_shows_every_message_in_order(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    _, markers = _seed(tmp_path)
    position = {marker: index for index, marker in enumerate(markers)}
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _opened(pilot, app)
        view = view_of(app)
        seen: set[str] = set()
        for _ in range(4 * PAIRS):
            shown = _markers(app)
            # Each screen: consecutive messages of the branch, in its order.
            first = position[shown[0]]
            assert shown == markers[first : first + len(shown)], shown
            seen.update(shown)
            if view.scroll_y == 0:
                break
            await pilot.press("pageup")
            await pilot.pause()
        assert view.scroll_y == 0
        assert _markers(app)[0] == markers[0]
        assert seen == set(markers)


async def test_a_search_hit_far_up_opens_at_that_message(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    conversation, markers = _seed(tmp_path)
    with Store.open(tmp_path / "routmy.db") as store:
        hit = next(h for h in store.search("0017 question") if h.message_id is not None)
    app = make_app(demo_server.base_url, data_dir=tmp_path, resume_last=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: getattr(screen, "history_started", False))
        screen.open_conversation(conversation, hit.message_id)
        await pilot.pause()
        await wait_for(pilot, lambda: "Q-0017" in _markers(app))
        view = view_of(app)
        assert view.selected == markers.index("Q-0017")
        assert _markers(app)[0] == "Q-0017"  # at the top of the view
