"""A request leaves before the screen draws again: frames wait until it is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from textual.app import App

__all__ = ["HOLD_AT_MOST", "frames_held", "hold_frames"]

HOLD_AT_MOST = 0.05
"""Seconds frames wait at most for a request to be written (a far server's connection
takes longer: the frame goes out first then, while the connection opens)."""

_HOLDS: WeakKeyDictionary[App[Any], int] = WeakKeyDictionary()
"""Holds not yet released, per app."""


def frames_held(app: App[Any]) -> bool:
    """Whether a request is on its way with the frames held: other work that can wait (the
    footer's keys) waits until it is written, rather than run while it waits to be."""
    return _HOLDS.get(app, 0) > 0


def hold_frames(app: App[Any], at_most: float = HOLD_AT_MOST) -> Callable[[], None]:
    """Hold the app's screen updates until the returned function is called, `at_most` at most.

    Why: after Enter the screen laid out and drew the new messages (15-25 ms) between the
    connection opening and the request being written, so the request, and the first words
    of the reply, left that much later (bench_startup: a message sent at the first frame).
    Nothing on screen is lost: the frame is drawn once the hold ends, with every change
    made meanwhile. Keys typed meanwhile are handled at once and drawn then.

    The function is safe to call more than once, and after `at_most` has passed.
    """
    batch = app.batch_update()
    batch.__enter__()
    _HOLDS[app] = _HOLDS.get(app, 0) + 1
    released = False

    def release() -> None:
        nonlocal released
        if released:
            return
        released = True
        timer.stop()
        _HOLDS[app] -= 1
        batch.__exit__(None, None, None)

    timer = app.set_timer(at_most, release, name="request-first")
    return release
