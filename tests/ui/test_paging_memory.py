"""Paging through a long conversation keeps what is near the viewport, not every message."""

from __future__ import annotations

import gc
import weakref
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot

from routmy_tui.demo.server import DemoServer
from routmy_tui.store import Store
from routmy_tui.ui.chat.chat_screen import ChatScreen
from routmy_tui.ui.chat.conversation_view import ConversationView
from routmy_tui.ui.chat.line_cache import KEEP_LINES
from tests.ui.helpers import all_measured, make_app, screen_lines, view_of, wait_for
from tests.ui.history_seed import seed_pairs

PAIRS = 300


def _seed(data: Path, title: str = "Long") -> str:
    return seed_pairs(
        data,
        PAIRS,
        lambda n: f"## Part {n}\n\n- a point\n- another point\n\n`code` and words",
        title,
    )


async def test_paging_to_the_end_keeps_only_the_messages_near_it(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    _seed(tmp_path)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await _opened_at_the_top(pilot, app)
        top = screen_lines(app)
        first = weakref.ref(view.items[1])
        await _page_to_end(pilot, view)
        assert "Part 299" in "\n".join(screen_lines(app))
        # Every message was drawn on the way; only those within a few screens are kept.
        items = view.items
        made = len(items) - items.unmade
        assert made < (2 * KEEP_LINES + 30) // 3, made
        # Nothing else holds a message scrolled far past (the controller's map is weak).
        gc.collect()
        assert first() is None
        # Made again from its message, the top is drawn as it was.
        await pilot.press("home")
        await wait_for(pilot, lambda: view.scroll_y == 0 and screen_lines(app) == top)


async def _opened_at_the_top(pilot: Pilot[Any], app: Any) -> ConversationView:
    """The seeded conversation's view, once all of it is listed, at its first message."""
    view = view_of(app)
    await wait_for(pilot, lambda: len(view.items) == 2 * PAIRS)
    view.focus()
    await pilot.press("home")
    await wait_for(pilot, lambda: view.scroll_y == 0 and "Question 0?" in screen_lines(app)[1])
    return view


async def _page_to_end(pilot: Pilot[Any], view: ConversationView) -> None:
    for _ in range(4 * PAIRS):
        if view.scroll_y >= view.max_scroll_y and all_measured(view):
            break
        await pilot.press("pagedown")
    await wait_for(pilot, lambda: all_measured(view), timeout=60)


async def test_a_message_made_again_reads_nothing_again(
    demo_server: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reply of an older store (no note of JSON output beside it) reads its exchange to
    know how to draw itself: once, not at every page that brings it back."""
    _seed(tmp_path)
    reads: Counter[int] = Counter()
    get_exchange = Store.get_exchange

    def counted(store: Store, message_id: int) -> Any:
        reads[message_id] += 1
        return get_exchange(store, message_id)

    monkeypatch.setattr(Store, "get_exchange", counted)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await _opened_at_the_top(pilot, app)
        await _page_to_end(pilot, view)
        await pilot.press("home")
        await _page_to_end(pilot, view)
        assert len(reads) == PAIRS  # every reply was drawn
        assert set(reads.values()) == {1}


async def test_a_long_branch_read_meanwhile_does_not_put_off_full_collections(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    """Put off, they let the garbage of every frame pile up (0.65 s to collect at once)."""
    _seed(tmp_path)
    app = make_app(demo_server.base_url, data_dir=tmp_path, resume_last=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: getattr(screen, "history_started", False))
        before = gc.get_threshold()
        with Store.open(tmp_path / "routmy.db") as store:
            conversation = store.list_conversations()[0].id
        screen.open_conversation(conversation)
        turns = screen.controller.conversation.turns
        seen: list[tuple[int, int, int]] = []

        def read() -> bool:
            if turns.unread:
                seen.append(gc.get_threshold())
            return len(view_of(app).items) == 2 * PAIRS and not turns.unread

        await wait_for(pilot, read, timeout=30)
        assert seen, "the branch was read at once"
        assert set(seen) == {before}


async def test_a_paint_leaves_no_garbage_for_a_full_collection(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    """Painted lines that refer to themselves wait for a full collection (one per line of
    every frame, the pile a full collection walks): those of a page are freed at once."""
    _seed(tmp_path)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        view = view_of(app)
        await wait_for(pilot, lambda: len(view.items) == 2 * PAIRS)
        await pilot.pause()
        size = view.size
        gc.collect()
        gc.disable()  # for this page only: what it leaves is counted below
        try:
            lines = view.render_lines(Region(0, 0, size.width, size.height))
            assert any("Part" in line.text for line in lines)
            lines += [view.render_line(y) for y in range(size.height)]  # selection offsets
            del lines
            left = gc.collect()
        finally:
            gc.enable()
        assert left == 0


async def test_a_branch_read_in_full_is_not_walked_again_until_it_is_let_go(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    """Its turns live as long as it is open: each full collection while the user pages
    walked them all (10,000 messages: 40-50 ms each). Left, they are freed."""
    other = _seed(tmp_path, "Other")
    _seed(tmp_path)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen) and screen.controller is not None
        conversation = screen.controller.conversation
        await wait_for(
            pilot,
            lambda: len(view_of(app).items) == 2 * PAIRS and not conversation.turns.unread,
        )
        await pilot.pause()
        turns = conversation.turns
        read = {id(turn) for _, turn in turns.read_turns()}
        assert len(read) == 2 * PAIRS
        assert not any(id(thing) in read for thing in gc.get_objects())
        first = weakref.ref(turns[0])
        del turns
        screen.open_conversation(other)
        await wait_for(pilot, lambda: "Question" in "\n".join(screen_lines(app)))
        await pilot.pause()
        gc.collect()
        assert first() is None


async def test_switching_between_long_branches_leaves_nothing_frozen_behind(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    """What was alive when a branch was frozen and is garbage once it is left (Textual's
    strips keep themselves in their caches: cycles) is collected at the switch, not kept
    for good: the frozen heap does not grow with every switch (~400 objects each)."""
    first = _seed(tmp_path, "First")
    second = _seed(tmp_path, "Second")
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen) and screen.controller is not None
        conversation = screen.controller.conversation
        frozen: list[int] = []
        for switch in range(10):
            screen.open_conversation(first if switch % 2 else second)
            await wait_for(
                pilot,
                lambda: len(view_of(app).items) == 2 * PAIRS and not conversation.turns.unread,
            )
            await pilot.pause()
            frozen.append(gc.get_freeze_count())
        assert frozen[-1] - frozen[1] < 1_000, frozen
