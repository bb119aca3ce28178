"""Measuring off screen: every item in the background (newest first), and the screens next to
the viewport after each scroll, so that the next page is drawn already when it is asked for;
letting go of what is far from the viewport."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.line_cache import KEEP_LINES

if TYPE_CHECKING:
    from rich.console import Console

    from routmy_tui.ui.chat.item_list import ItemList
    from routmy_tui.ui.chat.items import Item, Palette
    from routmy_tui.ui.chat.line_cache import LineCache

BACKGROUND_BUDGET = 0.005
"""Seconds per step spent measuring off-screen items in the background (a key pressed
meanwhile waits for the step to end)."""
BACKGROUND_PAUSE = 0.02
"""Seconds between two background measuring steps (the UI runs in between)."""
AHEAD_SCREENS = 2
"""Screens below the viewport (one above) laid out after a scroll, before they are asked for."""
AHEAD_BUDGET = 0.008
"""Seconds per step spent laying out ahead (a key pressed meanwhile waits for the step)."""


class MeasuringMixin:
    """Mixed into `ConversationView`: measuring and laying out what is off screen."""

    if TYPE_CHECKING:
        items: ItemList
        palette: Palette
        scroll_y: float
        size: Any
        app: Any

        @property
        def is_mounted(self) -> bool: ...

        scrollable_content_region: Any
        _heights: list[int]
        _offsets: list[int]
        _held: LineCache
        _shift: int
        _stale: bool
        _pending: bool
        _index: dict[int, int]
        _dirty: dict[int, Item]
        _live: dict[int, AssistantItem]
        follow: bool

        def _width(self) -> int: ...
        def _update_offsets(self) -> None: ...
        def _apply_heights(self) -> None: ...
        def refresh(self, *args: Any, **kwargs: Any) -> Any: ...
        def set_timer(self, *args: Any, **kwargs: Any) -> Any: ...
        def call_after_refresh(self, *args: Any, **kwargs: Any) -> Any: ...

    _background_at = -1
    """Next item (counting down) the background pass will measure; -1: none left."""
    _background_pending = False
    _background_width = -1
    _ahead_pending = False

    @property
    def measured(self) -> bool:
        """Whether every item is measured and the offsets are those measured."""
        return self._background_at < 0 and not self._stale and not self._background_pending

    def _measure(self, index: int, console: Console, width: int, *, draw: bool = True) -> bool:
        """Lay out the item at `index` (made first if need be), recording a new height
        (its change noted as a shift when the item is above the viewport).

        Args:
            index: The item.
            console: Renders.
            width: The item width.
            draw: Draw its lines even when its height at this width is known.

        Returns:
            Whether it is drawn only in part (layouts are time-boxed).
        """
        item = self.items[index]
        if draw:
            height = item.layout(console, width, self.palette)
        else:
            # Those far off screen that let their lines go are not drawn again for it
            # (each pass would draw every long reply again and keep it).
            height = item.measure(console, width, self.palette)
        if not item.released:
            self._held.hold(item)
        if height != self._heights[index]:
            if self._offsets[index + 1] <= self.scroll_y:
                self._shift += height - self._heights[index]
            self._heights[index] = height
            self._stale = True
        return item.pending and not (isinstance(item, AssistantItem) and item.active)

    # --- letting go of what is far off screen -------------------------------------------

    def _trim_lines(self) -> None:
        """Items far from the viewport let their drawn lines go (their heights stay)."""
        offsets = self._offsets
        top = int(self.scroll_y) - KEEP_LINES
        bottom = int(self.scroll_y) + self.scrollable_content_region.height + KEEP_LINES
        index_of = self._index
        last = len(offsets) - 2

        def near(item: Item) -> bool:
            index = index_of.get(id(item))
            if index is None or index > last:
                return True  # not placed yet (or leaving): left for the next trim
            return offsets[index] < bottom and offsets[index + 1] > top

        self._held.trim(near, self._forget)

    def _forget(self, item: Item) -> None:
        """Drop an item that let its lines go, if it can be made again the same (its height
        stays, noted as measured): the view then keeps the items near the viewport only."""
        key = id(item)
        index = self._index.get(key)
        if (
            index is not None
            and item.forgettable
            and self._heights[index] == item.height  # not drawn at another width since
            and key not in self._dirty
            and key not in self._live
            and self.items.forget(index, item.laid_width)
        ):
            del self._index[key]

    # --- every item, in the background ---------------------------------------------------

    def _schedule_background(self) -> None:
        """Measure the items still estimated, from the newest back, a few per frame."""
        self._background_at = len(self.items) - 1
        if not self._background_pending and self.is_mounted:
            self._background_pending = True
            self.set_timer(BACKGROUND_PAUSE, self._measure_background)

    def _measure_background(self) -> None:
        self._background_pending = False
        if not self.size.height:
            return
        if len(self._offsets) != len(self.items) + 1:
            self._update_offsets()  # items came while the view was hidden (compare)
        width = self._width()
        if width != self._background_width:
            # The scrollbar came or went (no Resize for that): measure everything again.
            self._background_width = width
            self._background_at = len(self.items) - 1
        console = self.app.console
        deadline = time.perf_counter() + BACKGROUND_BUDGET
        # Offsets stay those on screen until the pass ends (or the view lays out anyway):
        # applying them repaints the view and lays out the screen, too costly per step.
        items = self.items
        index = min(self._background_at, len(items) - 1, len(self._offsets) - 2)
        while index >= 0 and time.perf_counter() < deadline:
            if items.measured_width(index) == width:
                index -= 1  # measured, then forgotten (`ItemList.forget`)
                continue
            # Items drawn before their height was recorded are laid out already: their
            # height is recorded now. Those let go are not drawn again.
            if self._measure(index, console, width, draw=False):
                items[index].changed()  # drawn in part: go on at the next step
                break
            unmeasured = items.is_made(index) and items[index].unmeasured
            if unmeasured and not self._measure_rest(index, deadline):
                break
            index -= 1
        self._background_at = index
        self._trim_lines()
        if self._stale and index < 0:
            self._apply_heights()
            self.refresh()
        if index >= 0:
            self._background_pending = True
            self.set_timer(BACKGROUND_PAUSE, self._measure_background)

    def _measure_rest(self, index: int, deadline: float) -> bool:
        """Draw the rest of an item drawn near the viewport only (a long reply), until
        `deadline`; once it is all drawn its true height goes in at once, the line under the
        user's eye kept where it is. True when done."""
        item = self.items[index]
        offsets = self._offsets
        scroll_y = int(self.scroll_y)
        inside = offsets[index] <= scroll_y < offsets[index + 1] and not self.follow
        if not item.measure_rest(deadline, scroll_y - offsets[index] if inside else None):
            return False
        height = item.measure(self.app.console, self._width(), self.palette)
        shift = item.take_shift()
        if height != self._heights[index] or shift:
            if offsets[index + 1] <= self.scroll_y:
                shift = height - self._heights[index]
            self._heights[index] = height
            self._shift += shift
            self._apply_heights()  # the item's lines moved already: the view now, too
            self.refresh()
        return True

    # --- the screens next to the viewport ------------------------------------------------

    def _schedule_ahead(self) -> None:
        """After the next paint, lay out the screens next to the viewport."""
        if not self._ahead_pending and self.is_mounted:
            self._ahead_pending = True
            self.call_after_refresh(self._lay_out_ahead)

    def _lay_out_ahead(self) -> None:
        """Lay out, a step at a time, the items of `AHEAD_SCREENS` screens below the
        viewport and of one above that are not laid out at this width (Page Down and Page
        Up then only paint)."""
        self._ahead_pending = False
        height = self.scrollable_content_region.height
        if not height or self._pending or len(self._offsets) != len(self.items) + 1:
            return  # a layout comes anyway (it schedules this again)
        width = self._width()
        console = self.app.console
        deadline = time.perf_counter() + AHEAD_BUDGET
        top = int(self.scroll_y)
        done = True
        for index in self._ahead_indexes(top - height, top + (1 + AHEAD_SCREENS) * height):
            if time.perf_counter() >= deadline:
                done = False
                break
            items = self.items
            if items.is_made(index):
                item = items[index]
                if item.is_laid_out(width) or (isinstance(item, AssistantItem) and item.active):
                    continue  # drawn already, or streaming (its layouts have their budget)
            self._measure(index, console, width)
        if self._stale:
            self._apply_heights()
            self.refresh()
        if not done:
            self._ahead_pending = True
            self.set_timer(BACKGROUND_PAUSE / 4, self._lay_out_ahead)

    def _ahead_indexes(self, top: int, bottom: int) -> list[int]:
        """Indexes of the items between lines `top` and `bottom`: those below the viewport
        first (nearest first), then those above (nearest first)."""
        from bisect import bisect_right

        offsets = self._offsets
        viewport = int(self.scroll_y)
        first = max(0, bisect_right(offsets, max(0, top)) - 1)
        middle = max(0, bisect_right(offsets, max(0, viewport)) - 1)
        last = min(len(self.items) - 1, bisect_right(offsets, bottom) - 1)
        return list(range(middle, last + 1)) + list(range(middle - 1, first - 1, -1))
