"""A streaming reply repaints only the rows it changed; the screen always equals a full redraw."""

from __future__ import annotations

from typing import Any

import pyte
from textual._compositor import CompositorUpdate

from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.chat_screen import ChatScreen
from routmy_tui.ui.chat.conversation_view import ConversationView
from routmy_tui.ui.chat.items import UserItem
from tests.conftest import DemoServer
from tests.ui.helpers import last_reply, make_app, send, view_of, wait_for, without_welcome

SIZE = (100, 30)


class Terminal:
    """What the terminal shows: every frame the app draws, fed to a pyte model of it (the
    headless driver writes nothing). At each frame after which the conversation view has
    nothing left to repaint, its rows on the terminal are compared with a full redraw of
    it (`render_line` of every row, no cache)."""

    def __init__(self, app: RoutmyApp) -> None:
        self.app = app
        self.screen = pyte.Screen(*SIZE)
        self.stream = pyte.Stream(self.screen)
        self.checks = 0
        self.stale: list[tuple[int, str, str]] = []
        """(row, on the terminal, in a full redraw) of each row found different."""
        real = app._display

        def display(screen: Any, renderable: Any) -> None:
            real(screen, renderable)
            if isinstance(renderable, CompositorUpdate):
                self.stream.feed(renderable.render_segments(app.console))
                self._check()

        app._display = display  # type: ignore[method-assign]

    def _check(self) -> None:
        screen = self.app.screen
        if not isinstance(screen, ChatScreen):
            return
        view = screen.query_one(ConversationView)
        if view._repaint_required or view._repaint_regions or not view.size:
            return  # a repaint is on its way: the terminal is not final yet
        region = view.scrollable_content_region
        shown = self.screen.display
        self.checks += 1
        for y in range(region.height):
            on_terminal = shown[region.y + y][region.x : region.right].rstrip()
            redrawn = view.render_line(y).text.rstrip()
            if on_terminal != redrawn:
                self.stale.append((y, on_terminal, redrawn))


def spy_repaints(view: ConversationView) -> list[tuple[list[int], int]]:
    """Each frame that repaints `view` from now on: the rows of it the compositor repaints
    and the row of the streaming reply's status line (-1: not on screen)."""
    frames: list[tuple[list[int], int]] = []
    real = view._exchange_repaint_regions

    def exchange() -> Any:
        regions = real()
        if regions:
            rows = sorted({y for region in regions for y in region.line_range})
            lines = range(view.scrollable_content_region.height)
            status = [y for y in lines if "streaming ·" in view.render_line(y).text]
            frames.append((rows, status[0] if status else -1))
        return regions

    view._exchange_repaint_regions = exchange  # type: ignore[method-assign]
    return frames


async def test_a_paced_reply_repaints_only_its_last_rows(demo_server: DemoServer) -> None:
    """At 100 chunks/s the reply gains a screen line a few times a second; in between, a
    frame changes only the end of the paragraph still arriving and the status line under
    it: most frames repaint those few rows, not the 25 rows of the view."""
    params = {"extra": {"demo_tps": 100, "demo_tokens": 400}}
    app = make_app(demo_server.base_url, params=params)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Write a long technical document")
        view = view_of(app)
        reply = last_reply(app)
        await wait_for(pilot, lambda: view.max_scroll_y > 0, timeout=30)
        frames = spy_repaints(view)
        height = view.scrollable_content_region.height
        await wait_for(pilot, lambda: not reply.active, timeout=60)
    small = [(rows, status) for rows, status in frames if len(rows) <= 3]
    assert len(frames) > 30
    assert len(small) > len(frames) / 2
    # What they repaint ends with the status line (its spinner and token count move).
    assert all(rows[-1] == status for rows, status in small)
    assert sum(len(rows) for rows, _ in frames) < len(frames) * height / 2


async def test_the_screen_equals_a_full_redraw_during_paced_and_fast_replies(
    demo_server: DemoServer,
) -> None:
    """At every frame of a reply at 100 chunks/s and of one at full speed, each row of the
    conversation on the terminal is what a full redraw of the view draws: no row is left
    stale by a repaint of fewer rows."""
    for tps, tokens in ((100, 300), (1_000, 3_000), (0, 40_000)):
        params = {"extra": {"demo_tps": tps, "demo_tokens": tokens}}
        app = make_app(demo_server.base_url, params=params)
        terminal = Terminal(app)
        async with app.run_test(size=SIZE) as pilot:
            await send(pilot, "Write a long technical document")
            reply = last_reply(app)
            await wait_for(pilot, lambda reply=reply: not reply.active, timeout=60)
            await pilot.pause(0.2)
        assert terminal.checks > 15
        assert terminal.stale == []


async def test_a_reply_growing_below_the_rows_read_back_repaints_none_of_them(
    demo_server: DemoServer,
) -> None:
    """Scrolled up while a reply streams, the reply grows below the viewport: only the
    scroll bar changes, so no frame repaints the view's rows (each stream layout repainted
    all of them: 12 KB a frame written to the terminal for nothing), and the terminal still
    equals a full redraw."""
    params = {"extra": {"demo_tps": 400, "demo_tokens": 50_000}}
    app = make_app(demo_server.base_url, params=params)
    terminal = Terminal(app)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Write a long technical document")
        view, reply = view_of(app), last_reply(app)
        await wait_for(pilot, lambda: view.max_scroll_y > 3 * view.size.height, timeout=30)
        await pilot.press("pageup")  # from the composer
        await wait_for(pilot, lambda: not view.follow and not view._repaint_required)
        await pilot.pause()
        frames = spy_repaints(view)
        grown = view.max_scroll_y
        await wait_for(pilot, lambda: view.max_scroll_y > grown + 20, timeout=30)
        assert reply.active
        assert [rows for rows, _ in frames if rows] == []
        await pilot.press("escape")
        await wait_for(pilot, lambda: not reply.active, timeout=30)
    assert terminal.stale == []


async def test_a_conversation_within_the_view_grows_without_laying_out_the_screen(
    demo_server: DemoServer,
) -> None:
    """Messages that fit in the view before and after bring no scroll bar: only the view is
    repainted (the whole screen was laid out again, as just after the first frame when the
    empty view was first measured), and the terminal equals a full redraw."""
    app = make_app(demo_server.base_url)
    terminal = Terminal(app)
    async with app.run_test(size=SIZE) as pilot:
        await without_welcome(pilot)
        view = view_of(app)
        screen = app.screen
        layouts: list[object] = []
        real = screen._refresh_layout

        def refresh_layout(*args: Any, **kwargs: Any) -> None:
            layouts.append(args)
            real(*args, **kwargs)

        screen._refresh_layout = refresh_layout  # type: ignore[method-assign]
        view.add_items([UserItem("a short question"), UserItem("and another one")])
        await wait_for(pilot, lambda: view.measured and not view._repaint_required)
        await pilot.pause()
        assert view.virtual_size.height > 0 and view.max_scroll_y == 0
        assert layouts == []
        assert any("and another one" in line for line in terminal.screen.display)
    assert terminal.stale == []
