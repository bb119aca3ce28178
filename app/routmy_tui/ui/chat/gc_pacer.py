"""When Python's full garbage collections run: out of streaming replies, and not over what
lives as long as a long conversation stays open."""

from __future__ import annotations

import gc
import time
from typing import TYPE_CHECKING

from routmy_tui.core.heap import give_back

if TYPE_CHECKING:
    from textual.widget import Widget

FULL_GC_DEFERRED = 1_000
"""The oldest generation's threshold while replies stream: a full collection then waits
(the younger ones go on as usual, and free most garbage)."""
IDLE_GC_AFTER = 1.0
"""Seconds without input, once no reply streams, before the deferred full collection."""


_saved_thresholds: list[tuple[int, int, int]] = []
"""The collector's thresholds before a reply deferred full collections (process-wide)."""
_settled: list[bool] = []
"""Not empty while a branch read in full is frozen (`GcPacer.settle`; process-wide)."""


def gc_thresholds() -> tuple[int, int, int]:
    """The collector's usual thresholds (those in force when no reply defers anything)."""
    return _saved_thresholds[0] if _saved_thresholds else gc.get_threshold()


class GcPacer:
    """Keeps Python's full garbage collections (tens of milliseconds on a big conversation,
    during which no key is handled) out of streaming replies: they run once the replies
    have ended and the user is idle. The first reply also freezes what start-up made
    (`gc.freeze`): those objects are never scanned again. So does a long branch once read
    (`settle`), until it is let go (`collect`).

    Args:
        owner: Runs the timer of the idle collection.
    """

    def __init__(self, owner: Widget) -> None:
        self._owner = owner
        self._running = 0
        self._frozen = False

    def started(self) -> None:
        """A reply started streaming."""
        self._running += 1
        if not self._frozen:
            self._frozen = True
            gc.freeze()
        if not _saved_thresholds:
            _saved_thresholds.append(gc.get_threshold())
            young, middle, _ = _saved_thresholds[0]
            gc.set_threshold(young, middle, FULL_GC_DEFERRED)

    def ended(self) -> None:
        """A reply ended (finished, failed or stopped)."""
        self._running = max(0, self._running - 1)
        if not self._running:
            self._owner.set_timer(IDLE_GC_AFTER, self._collect_when_idle)

    @property
    def settled(self) -> bool:
        """Whether a branch read in full is frozen (see `settle`)."""
        return bool(_settled)

    def settle(self) -> None:
        """A long branch has been read in full: collect, then freeze what is alive (its
        turns, kept while it is open), so that the full collections while the user pages
        through it walk only what paging makes (10,000 messages: 4-5 ms, not 40-50)."""
        if self._running:
            return  # the replies' own collection comes after them
        gc.collect()
        gc.freeze()
        if not _settled:
            _settled.append(True)

    def collect(self) -> None:
        """A full collection now, deferred or not (~6 ms with 1,000 messages read). What a
        settled branch froze is unfrozen first: it may be garbage now, and a cycle among
        frozen objects is never collected (the next reply freezes what lives again)."""
        if _settled:
            _settled.clear()
            gc.unfreeze()
            self._frozen = False
        gc.collect()

    def _collect_when_idle(self) -> None:
        if self._running or not _saved_thresholds:
            return
        quiet = time.monotonic() - getattr(self._owner.app, "input_at", 0.0)
        if quiet < IDLE_GC_AFTER:
            self._owner.set_timer(IDLE_GC_AFTER - quiet, self._collect_when_idle)
            return
        gc.set_threshold(*_saved_thresholds.pop())
        gc.collect()
        # What the replies freed is given back to the system, not kept by the allocator.
        give_back()
