"""Replies on their way, published to the screen at most once per frame, not once per chunk."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from textual.geometry import Size
from textual.scroll_view import ScrollView

from routmy_tui.ui.chat.markdown_lines import LAYOUT_BUDGET

if TYPE_CHECKING:
    from textual.message_pump import MessagePump
    from textual.timer import Timer
    from textual.widget import Widget

    from routmy_tui.conversation import Turn
    from routmy_tui.ui.chat.items import Item
from routmy_tui.ui.chat.assistant_item import AssistantItem

FRAME = 1 / 30
"""Seconds between two publications of a streaming reply's progress."""


class ProgressPump:
    """Coalesces the progress of streaming replies: the worker marks a turn as changed for
    each chunk (cheap), and the pump publishes each changed turn at most once per `FRAME`.

    The first change after a quiet spell is published at once (a slow stream shows each
    chunk when it comes); changes that follow within a frame wait for the next tick, so a
    fast stream costs the UI one update per frame however many chunks arrive.

    Args:
        owner: Runs the timer.
        publish: Tells the listeners that a turn's reply changed.
    """

    def __init__(self, owner: Widget, publish: Callable[[Turn], None]) -> None:
        self._owner = owner
        self._publish = publish
        self._due: dict[int, Turn] = {}
        self._timer: Timer | None = None

    def mark(self, turn: Turn) -> None:
        """The reply of `turn` changed."""
        if self._timer is not None:
            self._due[id(turn)] = turn
            return
        self._timer = self._owner.set_interval(FRAME, self._tick, name="reply progress")
        self._publish(turn)

    def drop(self, turn: Turn) -> None:
        """Forget a change not yet published (the reply ended: its end is published)."""
        self._due.pop(id(turn), None)

    def _tick(self) -> None:
        due, self._due = self._due, {}
        if not due and self._timer is not None:
            self._timer.stop()
            self._timer = None
        for turn in due.values():
            self._publish(turn)


INPUT_FIRST = 0.05
"""Seconds after a key, click or scroll during which a stream update waits: the frame that
shows the input goes out first."""
MAX_WAIT = 0.2
"""Seconds a stream update waits at most for input to pause (held keys do not freeze it)."""
BUSY_BUDGET = 0.004
"""Seconds a layout spends drawing new blocks of a streaming reply while the user is
active (typing, scrolling); `LAYOUT_BUDGET` otherwise."""
IDLE_AFTER = 0.3
"""Seconds without input after which a streaming reply catches up at the full budget."""


STREAM_SHARE = 0.5
"""Share of the time that drawing a reply while it streams may take (its layouts and the
view's paint): the rest reads the stream and handles input. A stream faster than that is
drawn at fewer frames per second rather than read more slowly."""


class InputFirst:
    """When stream updates of the conversation view may run: after any input has been drawn.

    The app records when input last came (`RoutmyApp.input_at`); a stream update asked for
    within `INPUT_FIRST` of it waits, at most `MAX_WAIT` in all.
    """

    def __init__(self) -> None:
        self._waiting_since: float | None = None

    def wait(self, input_at: float, now: float) -> float:
        """Seconds to wait before the stream update (0: run it now)."""
        quiet = now - input_at
        if quiet >= INPUT_FIRST:
            self._waiting_since = None
            return 0.0
        return INPUT_FIRST - quiet if self.may_wait(now) else 0.0

    def may_wait(self, now: float) -> bool:
        """Whether a stream update may wait once more for input on its way (`MAX_WAIT` in
        all since it began to wait)."""
        if self._waiting_since is None:
            self._waiting_since = now
        if now - self._waiting_since >= MAX_WAIT:
            self._waiting_since = None
            return False
        return True

    @staticmethod
    def budget(input_at: float, now: float) -> float:
        """Seconds a layout of a streaming reply may spend on new blocks."""
        return LAYOUT_BUDGET if now - input_at >= IDLE_AFTER else BUSY_BUDGET


HOLD_AT_MOST = 0.05
"""Seconds stream reading waits at most for an input to be handled (input that never
pauses does not stop the reply)."""
FRAME_AFTER = 0.01
"""Seconds stream reading waits at most, once an input is handled, for the frame after it
(an input that changed nothing has none)."""
POLL = 0.001
"""Seconds between two looks at the gate by a waiting stream worker."""


class InputGate:
    """Stream reading waits while an input is on its way to the screen.

    A reply is read in the event loop that handles keys and draws frames. Between a key's
    arrival and its frame there are several hops (the driver's thread to the app, the app
    to the focused widget, the widget to the screen's update), and at each one a fast
    stream took its turn first (3 ms of parsing each, 10-30 ms in all at full speed,
    measured in a pty). So the gate closes when the driver hands an input over
    (`input_sent`, from its thread) and when the app gets one (`input_came`); it opens when
    the handler has handled it and the next frame is written (`frame_written`, told by the
    driver), or `FRAME_AFTER` after it was handled, or `HOLD_AT_MOST` after a worker began
    to wait. Stream workers wait at the gate (`wait`). Mouse moves do not close it.

    A handler that says when it must be repainted and when it was (`repaint_due_at`,
    `painted_at`: the composer) is waited for until it was: its change reaches the screen
    through Textual's queues, and the frame written just after the key often came from an
    update that had already begun (measured: the letter then showed a frame and two stream
    reads later, 35-40 ms after it was typed).
    """

    def __init__(self) -> None:
        self._sent_at = 0.0
        self._came_at = 0.0
        self._asked = 0
        self._handled = 0
        self._handled_at = 0.0
        self._drawn = 0
        self._target: object = None

    @property
    def closed(self) -> bool:
        """Whether an input is on its way: sent but not at the app, or not yet drawn."""
        return self._sent_at > self._came_at or self._drawn < self._asked

    @property
    def arriving(self) -> bool:
        """Whether the driver handed an input over that the app has not taken yet (it waits
        in the app's queue behind whatever the event loop runs first)."""
        return self._sent_at > self._came_at

    def input_sent(self) -> None:
        """The driver handed an input to the app (any thread)."""
        self._sent_at = time.monotonic()

    def input_came(self, handler: MessagePump) -> None:
        """An input reached the app, which handed it to `handler` (its queue)."""
        self._came_at = time.monotonic()
        self._asked += 1
        self._target = handler
        if not handler.call_later(self._handled_up_to, self._asked):
            self._handled_up_to(self._asked)

    def _handled_up_to(self, asked: int) -> None:
        self._handled = max(self._handled, asked)
        self._handled_at = time.monotonic()

    def _unpainted(self) -> bool:
        """Whether the last input's handler still has to draw what it changed: its repaint
        is asked for (`_repaint_required`) or queued on its screen (`_dirty_widgets`), two
        hops Textual takes through its queues; or it asked for one after it last drew a
        line (`repaint_due_at`, `painted_at`: the composer says so itself)."""
        target = self._target
        if target is None:
            return False
        if getattr(target, "_repaint_required", False):
            return True
        due: float = getattr(target, "repaint_due_at", 0.0)
        if due > getattr(target, "painted_at", 0.0):
            return True
        try:
            screen = target.screen  # type: ignore[attr-defined]
        except Exception:  # the app, or a widget no longer on a screen
            return False
        return target in getattr(screen, "_dirty_widgets", ())

    def frame_written(self) -> None:
        """The driver wrote a frame: inputs handled before it are on screen (unless their
        handler has not drawn its change yet)."""
        if self._drawn < self._handled and not self._unpainted():
            self._drawn = self._handled

    async def wait(self) -> None:
        """Until the inputs on their way are on screen (see the class)."""
        if not self.closed:
            return
        began = time.monotonic()
        while self.closed:
            now = time.monotonic()
            handled = self._handled >= self._asked
            if handled and now - self._handled_at >= FRAME_AFTER and not self._unpainted():
                self._drawn = self._handled
            if now - began >= HOLD_AT_MOST:
                self._drawn = self._asked
                self._came_at = max(self._came_at, self._sent_at)
                return
            await asyncio.sleep(POLL)


class LiveLayoutMixin(ScrollView):
    """The conversation view's handling of streaming replies: input first, a time budget,
    nothing laid out off screen, the screen not laid out again as a reply grows."""

    _live: dict[int, AssistantItem]
    """Streaming replies changed since their last layout: laid out after input is drawn,
    within a time budget, and only when near the viewport."""
    _dirty: dict[int, Item]
    _input_first: InputFirst
    _thinking_shown: bool

    def _bindings_may_change(self) -> None:
        raise NotImplementedError

    def schedule_layout(self) -> None:
        """Lay out at the next frame (the view's)."""
        raise NotImplementedError

    def _relayout(self, stream: bool = False) -> None:
        raise NotImplementedError

    _frame_cost = 0.0
    """Seconds the last stream layout and the paint after it took."""
    _paint_from = 0.0

    def _frame_gap(self, frame: float) -> float:
        """Seconds from one layout to the next: `frame`, or longer while a reply streams
        and its frames cost more than `STREAM_SHARE` of that."""
        if not any(item.active for item in self._live.values()):
            return frame
        return max(frame, self._frame_cost / STREAM_SHARE)

    @contextmanager
    def _timed_stream_layout(self, stream: bool) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            if stream:
                self._frame_cost = time.perf_counter() - started
                self._paint_from = 1.0  # the next paint adds its time

    @contextmanager
    def _timed_paint(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            if self._paint_from:
                self._paint_from = 0.0
                self._frame_cost += time.perf_counter() - started

    def item_streamed(self, item: AssistantItem) -> None:
        """A streaming reply got more text: laid out once input is drawn (see `InputFirst`)."""
        item.changed()
        if not self._thinking_shown and item.reply.reasoning:
            self._bindings_may_change()
        self._live[id(item)] = item
        self.schedule_layout()

    def _catching_up(self) -> bool:
        """Whether streaming replies have blocks left to draw and the user is idle: their
        layouts then follow each other without waiting for the next frame."""
        if not self._live or any(not item.markdown.pending for item in self._live.values()):
            return False
        if getattr(self, "follow", False) and any(item.active for item in self._live.values()):
            # Following a reply still arriving: only its end is drawn, and the end moves on
            # by the next frame; drawing now would draw lines that are gone by then.
            return False
        idle = time.monotonic() - getattr(self.app, "input_at", 0.0) >= IDLE_AFTER
        return idle

    def _scheduled_layout(self) -> None:
        now = time.monotonic()
        gate: InputGate | None = getattr(self.app, "input_gate", None)
        if gate is not None and gate.arriving and self._input_first.may_wait(now):
            # A key is in the app's queue: let it go first, so that the frame after it is
            # not held back by this layout and the paint it asks for (measured: a key that
            # came just before a stream layout showed 25-35 ms later at full speed). A timer,
            # not `call_later`: the view's queue would hand the callback straight back
            # without letting the event loop run the app's task.
            self.set_timer(POLL, self._scheduled_layout)
            return
        input_at = getattr(self.app, "input_at", 0.0)
        wait = self._input_first.wait(input_at, now) if self._live else 0.0
        if wait and not self._dirty:
            self.set_timer(wait, self._scheduled_layout)  # input first: its frame goes out
            return
        self._relayout(stream=True)

    @contextmanager
    def _live_budget(self, stream: bool) -> Iterator[dict[int, AssistantItem]]:
        """The streaming replies; in a stream layout (`stream`), given this frame's time
        budget and no longer waiting."""
        live = self._live
        if stream:
            budget = InputFirst.budget(getattr(self.app, "input_at", 0.0), time.monotonic())
            for item in live.values():
                item.markdown.budget = budget
            self._live = {}
        try:
            yield live
        finally:
            for item in live.values():
                item.markdown.budget = LAYOUT_BUDGET

    def _to_bottom(self) -> None:
        """Scroll to the end (the view follows it); again after the next refresh if the
        scrollbar that allows it is not shown yet."""
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        if self.scroll_y < self.max_scroll_y and not self.show_vertical_scrollbar:
            self.call_after_refresh(self._follow_again)

    def _follow_again(self) -> None:
        if getattr(self, "follow", False):
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        """The scroll bar came: a view following its end goes there now. Until the bar is
        shown Textual does not scroll the view, and the refresh `_to_bottom` waits for can
        come before the layout that shows it (under load, at 240 frames a second: the view
        then stayed at the top of a reply that had ended, following nothing)."""
        if shown and getattr(self, "follow", False):
            self.call_after_refresh(self._follow_again)

    def _set_virtual_size(self, size: Size) -> None:
        old = self.virtual_size
        if size == old:
            return
        view = self.container_size.height
        bar = self.show_vertical_scrollbar
        taller = bar and size.width == old.width and size.height > view and old.height > view
        fits = not bar and size.height <= view and old.height <= view
        if taller or fits:
            # No scroll bar comes or goes, so the screen is not laid out again (that
            # repaints every widget):
            # - taller than the view before and after (a streaming reply growing, messages
            #   measured off screen): only the scroll bar changes, not the view's rows:
            #   those a layout changed are refreshed by it (`_refresh_after_layout`), and a
            #   scroll repaints them all (read back while a reply grew below, every row was
            #   repainted at each stream layout, 12 KB a frame for an unchanged screen);
            # - within the view before and after (a short conversation, an empty one as it
            #   is first measured, just after the first frame, where a message sent at
            #   once waited for the full layout): only the view is repainted.
            self.set_reactive(ScrollView.virtual_size, size)
            self._scroll_update(size)
            if fits:
                self.refresh()
        else:
            self.virtual_size = size
