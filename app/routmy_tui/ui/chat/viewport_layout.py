"""Where the conversation view's items sit: their heights and offsets, the items near the
viewport laid out, and what is on screen kept in place while heights change."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Container
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from textual.geometry import Size

if TYPE_CHECKING:
    from routmy_tui.ui.chat.item_list import ItemList
    from routmy_tui.ui.chat.items import Item, Palette
    from routmy_tui.ui.chat.line_cache import LineCache

__all__ = ["MARGIN", "ViewportLayoutMixin"]

MARGIN = 2
"""Lines above and below the viewport laid out with it (the screens next to it are laid
out after the paint: `measuring.AHEAD_SCREENS`)."""


class ViewportLayoutMixin:
    """Mixed into `ConversationView`: heights, offsets and the items near the viewport."""

    if TYPE_CHECKING:
        items: ItemList
        palette: Palette
        scroll_y: float

        @property
        def max_scroll_y(self) -> int: ...

        size: Any
        app: Any
        scrollable_content_region: Any
        _heights: list[int]
        _offsets: list[int]
        _held: LineCache
        _shift: int
        _stale: bool
        _unmeasured: bool
        follow: bool
        reveal: int | None

        def _width(self) -> int: ...
        def _to_bottom(self) -> None: ...
        def _set_virtual_size(self, size: Size) -> None: ...
        def scroll_to(self, *args: Any, **kwargs: Any) -> Any: ...

    def _update_offsets(self) -> None:
        self._offsets = [0, *accumulate(self._heights)]
        self._set_virtual_size(Size(self._width(), self._offsets[-1]))

    def _apply_heights(self) -> None:
        """Offsets from the heights measured so far; what is on screen stays where it was."""
        shift, self._shift = self._shift, 0
        if shift < 0 and not self.follow and self.reveal is None:
            # Shorter above the viewport: move up first, so that the shorter view does not
            # clamp the offset to its end (which would read as back at the end: follow).
            self.scroll_to(y=self.scroll_y + shift, animate=False, immediate=True)
            shift = 0
        self._update_offsets()
        self._stale = False
        if self.follow:
            self._to_bottom()
        elif self.reveal is not None:
            self._scroll_to_reveal()
        elif shift:
            self.scroll_to(y=self.scroll_y + shift, animate=False, immediate=True)

    def _reveal_y(self) -> float:
        assert self.reveal is not None
        return min(self._offsets[min(self.reveal, len(self._offsets) - 1)], self.max_scroll_y)

    def _scroll_to_reveal(self) -> None:
        """Put the message to reveal at the top (forced: a view just filled has not shown
        its scrollbar yet, and Textual would not scroll it)."""
        y = self._offsets[min(self.reveal or 0, len(self._offsets) - 1)]
        if y != self.scroll_y:
            self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def _measure_visible(self, width: int, skip: Container[int] = ()) -> list[Item]:
        """Lay out the items near the viewport (but those in `skip`, by id, if laid out at
        this width already); keep what is on screen where it was.

        Returns:
            The items laid out that still have content left to draw.
        """
        busy: dict[int, Item] = {}
        self._apply_heights()
        console = self.app.console
        seen = self.scrollable_content_region.height
        for _ in range(4):  # heights settle in a pass or two
            scroll_y = int(self.scroll_y)
            top = scroll_y - MARGIN
            bottom = scroll_y + seen + MARGIN
            if self.follow:
                bottom = self._offsets[-1] + 1
                top = bottom - seen - 2 * MARGIN
            first = max(0, bisect_right(self._offsets, max(0, top)) - 1)
            shift = 0
            changed = False
            for index in range(first, len(self.items)):
                start = self._offsets[index]
                if start > bottom:
                    break
                item = self.items[index]
                if self.follow:
                    # Following the end: what shows of the item is its last lines, however
                    # it grows (the margin above the viewport is not needed).
                    below = self._offsets[-1] - self._offsets[index + 1]
                    item.view(top - start, bottom - start, from_end=seen + 1 - below)
                else:
                    inside = start <= scroll_y < self._offsets[index + 1]
                    anchor = scroll_y - start if inside else None
                    item.view(top - start, bottom - start, anchor=anchor)
                if id(item) in skip and item.laid_width == width:
                    # Its new text waits for the stream's layout; what the view now shows
                    # of the text it has is drawn (the user scrolled to it).
                    height = item.reveal(console, width)
                else:
                    height = item.layout(console, width, self.palette)
                shift += item.take_shift()
                self._held.hold(item)
                if item.pending:
                    busy[id(item)] = item
                if height != self._heights[index]:
                    if start + self._heights[index] <= self.scroll_y:
                        shift += height - self._heights[index]
                    self._heights[index] = height
                    changed = True
                if item.unmeasured:
                    self._unmeasured = True
            if not changed and not shift:
                break
            self._update_offsets()
            if self.reveal is not None and not self.follow:
                self._scroll_to_reveal()
            elif shift and not self.follow:
                self.scroll_to(y=self.scroll_y + shift, animate=False, immediate=True)
        return list(busy.values())

    def _lay_out_top(self) -> None:
        """Measure the first screenful so that the top of the conversation is exact."""
        width = self._width()
        console = self.app.console
        needed = self.scrollable_content_region.height + MARGIN
        for index, item in enumerate(self.items):
            if needed <= 0:
                break
            item.view(0, needed)
            self._heights[index] = item.layout(console, width, self.palette)
            self._held.hold(item)
            needed -= self._heights[index]
        self._update_offsets()
        self._shift = 0  # the view goes to the top: nothing above it to keep in place
