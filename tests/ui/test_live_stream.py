"""Input first while a reply streams: scrolling up during a long fast reply holds still."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual import events
from textual.geometry import Region
from textual.pilot import Pilot

from routmy_tui.ui.chat.composer import Composer
from routmy_tui.ui.chat.gc_pacer import gc_thresholds
from tests.conftest import DemoServer
from tests.ui.helpers import last_reply, make_app, screen_lines, send, view_of, wait_for


async def test_reading_above_a_fast_twenty_thousand_token_reply_is_not_interrupted(
    demo_server: DemoServer,
) -> None:
    """Page Up during a 20,000-token reply at 2,000 tokens/s (fast, yet long enough to
    scroll in on a busy machine): the view goes where the user put it, stays there with the
    same lines while the reply goes on and ends, and End follows the reply again."""
    params = {"extra": {"demo_tps": 2_000, "demo_tokens": 20_000}}
    app = make_app(demo_server.base_url, params=params)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "Write a long technical document")
        view = view_of(app)
        reply = last_reply(app)
        await wait_for(pilot, lambda: view.max_scroll_y > 80, timeout=60)
        view.focus()
        await pilot.press("pageup", "pageup", "pageup")
        assert reply.active, "the reply ended before the test could scroll: make it longer"
        held = view.scroll_y
        assert not view.follow and held < view.max_scroll_y
        lines = screen_lines(app)
        grown = view.max_scroll_y
        # While it streams: the view keeps the lines the user is reading.
        await wait_for(pilot, lambda: len(reply.reply.content) > 40_000, timeout=60)
        assert view.scroll_y == held
        assert screen_lines(app) == lines
        await wait_for(pilot, lambda: not reply.active, timeout=120)
        assert view.scroll_y == held  # the end of the reply does not pull the view down
        assert not view.follow
        await pilot.press("end")
        await wait_for(pilot, lambda: "finish: stop" in "\n".join(screen_lines(app)), timeout=60)
        assert view.follow and view.scroll_y == view.max_scroll_y > grown


async def test_full_garbage_collections_wait_for_the_end_of_a_reply(
    demo_server: DemoServer,
) -> None:
    """While a reply streams, Python's full collections (long pauses on a big conversation)
    are held back; once it has ended and the user is idle, they run as usual again."""
    params = {"extra": {"demo_tps": 100, "demo_tokens": 5_000}}
    app = make_app(demo_server.base_url, params=params)
    before = gc_thresholds()  # (an app closed while a reply ran may have left them raised)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await send(pilot, "Hello")
            reply = last_reply(app)
            await wait_for(pilot, lambda: bool(reply.reply.content), timeout=30)
            assert gc.get_threshold()[2] > before[2]
            await pilot.press("escape")  # stopped: it ends as one that finished would
            await wait_for(pilot, lambda: not reply.active, timeout=30)
            await wait_for(pilot, lambda: gc.get_threshold() == before, timeout=30)
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


async def test_keys_typed_during_a_full_speed_reply_come_before_more_of_it_is_read(
    demo_server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Input first: from the moment the terminal driver hands a key over until the composer
    has handled it, a reply streaming at full speed is not read further (each hop of the
    key let the stream parse a few more milliseconds of text first: 10-30 ms in all); every
    key lands, and the reply goes on after."""
    params = {"extra": {"demo_tps": 0, "demo_tokens": 200_000}}
    app = make_app(demo_server.base_url, params=params)
    sent: dict[str, int] = {}
    handled: dict[str, int] = {}
    original_key = Composer._on_key

    async def composer_key(self: Composer, event: events.Key) -> None:
        if sent:
            handled[event.key] = len(last_reply(app).reply.content)  # read as it streams
        await original_key(self, event)

    monkeypatch.setattr(Composer, "_on_key", composer_key)
    # The gate also opens after HOLD_AT_MOST whatever happens (a loaded machine must not
    # open it by time here: this checks the order, not the limit).
    monkeypatch.setattr("routmy_tui.ui.chat.live_stream.HOLD_AT_MOST", 10.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "Write a long technical document")
        reply = last_reply(app)
        await wait_for(pilot, lambda: len(reply.reply.content) > 1_000, timeout=30)
        letters = "abcdefghij"
        for letter in letters:  # as the terminal driver hands them over, one every 20 ms
            sent[letter] = len(reply.reply.content)
            app.input_gate.input_sent()  # what SizedDriver.process_message tells first
            app.post_message(events.Key(letter, letter))
            await pilot.pause(0.02)
        composer = app.query_one(Composer)
        await wait_for(pilot, lambda: composer.text == letters, timeout=30)
        assert reply.active, "the reply ended before the keys: make it longer"
        assert {k: handled[k] for k in letters} == sent
        read = len(reply.reply.content)
        await wait_for(pilot, lambda: len(reply.reply.content) > read + 1_000, timeout=30)
        await pilot.press("escape")  # stopped
        await wait_for(pilot, lambda: not reply.active, timeout=30)


async def test_the_view_moved_up_by_a_shorter_conversation_still_follows_the_reply(
    demo_server: DemoServer,
) -> None:
    """The conversation can get shorter while a reply streams (a guessed height replaced by
    the drawn one), and the view then moves up by itself, as Textual keeps it within the
    new end: that is not the user scrolling up, and the view still follows the reply to
    its end (it stayed where it was while the reply went on below it: seen in a real
    terminal)."""
    params = {"extra": {"demo_tps": 300, "demo_tokens": 3_000}}
    app = make_app(demo_server.base_url, params=params)
    async with app.run_test(size=(70, 30)) as pilot:
        await send(pilot, "Write a long technical document")
        view = view_of(app)
        reply = last_reply(app)
        await wait_for(pilot, lambda: view.max_scroll_y > 60, timeout=60)
        assert reply.active, "the reply ended before the move: make it longer"
        view.scroll_y -= 5  # as Textual moves it when the end comes closer
        await wait_for(pilot, lambda: not reply.active, timeout=60)
        await wait_for(pilot, lambda: "finish: stop" in "\n".join(screen_lines(app)), timeout=30)
        assert view.follow and view.scroll_y == view.max_scroll_y


LONG_PACED = {"extra": {"demo_tps": 200, "demo_tokens": 6_000}}
"""Long enough (30 s) to still be streaming after the user's move on a loaded machine."""

Move = Callable[[Pilot[Any], Any], Awaitable[None]]


async def _scrolled_up_while_it_streams(
    demo_server: DemoServer, move: Move, check: Callable[[Any, float, Region], None]
) -> None:
    """Follow a long paced reply, let the user `move` up, and `check` the view (with where
    it was put and its region) once the reply has grown well past it."""
    app = make_app(demo_server.base_url, params=LONG_PACED)
    async with app.run_test(size=(70, 30)) as pilot:
        await send(pilot, "Write a long technical document")
        view = view_of(app)
        await wait_for(pilot, lambda: view.max_scroll_y > 60, timeout=60)
        region = view.region
        await move(pilot, view)
        await wait_for(pilot, lambda: not view.follow, timeout=10)
        held = view.scroll_y
        grown = view.max_scroll_y
        await wait_for(pilot, lambda: view.max_scroll_y > grown + 10, timeout=60)
        check(view, held, region)


async def test_the_wheel_up_during_a_reply_stops_following_it(demo_server: DemoServer) -> None:
    """The wheel is the user scrolling up: the view stays where it was put."""

    async def wheel(pilot: Pilot[Any], view: Any) -> None:
        view.post_message(events.MouseScrollUp(view, 5, 5, 0, 0, 0, False, False, False))

    def check(view: Any, held: float, region: Region) -> None:
        assert view.scroll_y == held < view.max_scroll_y
        assert region == view.region

    await _scrolled_up_while_it_streams(demo_server, wheel, check)


async def test_a_click_on_the_scroll_bar_during_a_reply_stops_following_it(
    demo_server: DemoServer,
) -> None:
    """A click above the scroll bar's thumb is the user scrolling up: the view holds."""

    async def click(pilot: Pilot[Any], view: Any) -> None:
        bar = view.vertical_scrollbar.region
        await pilot.click(offset=(bar.x, bar.y + 1))

    def check(view: Any, held: float, region: Region) -> None:
        assert view.scroll_y == held < view.max_scroll_y

    await _scrolled_up_while_it_streams(demo_server, click, check)


async def test_a_selection_dragged_up_during_a_reply_stops_following_it(
    demo_server: DemoServer,
) -> None:
    """Dragging a mouse selection to the top of the view scrolls it up (Textual's auto
    scroll): that is the user scrolling, and the reply does not pull the view back down."""

    async def drag(pilot: Pilot[Any], view: Any) -> None:
        x, y = view.region.x + 10, view.region.y + 12
        await pilot.mouse_down(offset=(x, y))
        for to in (y - 6, view.region.y):  # dragged up, as a terminal reports it
            pilot.app.post_message(events.MouseMove(None, x, to, 0, to - y, 1, False, False, False))
            await pilot.pause()
            y = to
        await wait_for(pilot, lambda: not view.follow, timeout=10)
        await pilot.mouse_up(offset=(x, y))

    def check(view: Any, held: float, region: Region) -> None:
        # Not pulled back down (a last auto-scroll step may still move it up a little).
        assert not view.follow and view.scroll_y <= held < view.max_scroll_y - 10

    await _scrolled_up_while_it_streams(demo_server, drag, check)


async def _streaming_with_layouts_counted(
    pilot: Pilot[Any], monkeypatch: pytest.MonkeyPatch
) -> tuple[list[bool], list[float]]:
    """Send a message; once its reply streams, count the view's stream layouts (True) and
    the times a stream layout was due (`_scheduled_layout` called)."""
    view = view_of(pilot.app)  # type: ignore[arg-type]
    layouts: list[bool] = []
    due: list[float] = []
    relayout, scheduled = type(view)._relayout, type(view)._scheduled_layout

    def counted_relayout(self: Any, stream: bool = False) -> None:
        if stream:
            layouts.append(True)
        relayout(self, stream)

    def counted_scheduled(self: Any) -> None:
        due.append(len(last_reply(pilot.app).reply.content))  # type: ignore[arg-type]
        scheduled(self)

    monkeypatch.setattr(type(view), "_relayout", counted_relayout)
    monkeypatch.setattr(type(view), "_scheduled_layout", counted_scheduled)
    await send(pilot, "Write a long technical document")
    reply = last_reply(pilot.app)  # type: ignore[arg-type]
    await wait_for(pilot, lambda: len(layouts) > 2 and reply.active, timeout=30)
    return layouts, due


async def test_a_key_on_its_way_to_the_app_goes_before_the_next_stream_layout(
    demo_server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the driver handing a key over until the app takes it, the reply's layouts wait:
    the key is drawn in the next frame, not after a layout and its paint (25-35 ms at full
    speed in bench_typing). The layouts go on once the key is in."""
    monkeypatch.setattr("routmy_tui.ui.chat.live_stream.MAX_WAIT", 30.0)  # order, not time
    app = make_app(
        demo_server.base_url, params={"extra": {"demo_tps": 400, "demo_tokens": 100_000}}
    )
    async with app.run_test(size=(100, 30)) as pilot:
        layouts, due = await _streaming_with_layouts_counted(pilot, monkeypatch)
        reply = last_reply(app)
        app.input_gate.input_sent()  # what SizedDriver.process_message tells first
        before, asked = len(layouts), len(due)
        await wait_for(pilot, lambda: len(due) > asked + 3, timeout=30)  # layouts came due
        assert reply.active
        assert len(layouts) == before, "a stream layout ran before the key was in"
        app.post_message(events.Key("x", "x"))
        await wait_for(pilot, lambda: app.query_one(Composer).text == "x")
        await wait_for(pilot, lambda: len(layouts) > before, timeout=30)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not reply.active, timeout=30)


async def test_a_key_that_never_reaches_the_app_holds_the_reply_back_only_briefly(
    demo_server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An input the driver handed over but the app never took does not freeze the reply's
    layouts: they wait `MAX_WAIT` at most."""
    monkeypatch.setattr("routmy_tui.ui.chat.live_stream.HOLD_AT_MOST", 30.0)  # reading waits on
    app = make_app(
        demo_server.base_url, params={"extra": {"demo_tps": 400, "demo_tokens": 100_000}}
    )
    async with app.run_test(size=(100, 30)) as pilot:
        layouts, _ = await _streaming_with_layouts_counted(pilot, monkeypatch)
        reply = last_reply(app)
        app.input_gate.input_sent()
        before = len(layouts)
        await wait_for(pilot, lambda: len(layouts) > before + 2, timeout=30)
        assert reply.active
        assert app.input_gate.arriving  # still never taken
        await pilot.press("escape")
        await wait_for(pilot, lambda: not reply.active, timeout=30)
