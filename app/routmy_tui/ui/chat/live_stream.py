"""Replies on their way, published to the screen at most once per frame, not once per chunk."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.timer import Timer
    from textual.widget import Widget

    from routmy_tui.conversation import Turn

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
