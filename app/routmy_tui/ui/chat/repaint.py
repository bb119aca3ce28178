"""Repainting only the rows of the conversation view whose drawing changed since their paint."""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Any

from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

from routmy_tui.ui.chat.item_list import ItemList
from routmy_tui.ui.chat.items import Palette
from routmy_tui.ui.chat.kitty import KITTY
from routmy_tui.ui.chat.message_selection import GUTTER

__all__ = ["RepaintMixin", "RowKey"]

RowKey = tuple[int, int, int, Style, int, int, Style | None, Strip | None]
"""What a row of the view was painted from: (scroll x, scroll y, width, view style, item
index, line in the item, gutter bar style, the item's line as selected); an index of -1 is
a row under the last item (the line number then stands in the place of the line)."""


class RepaintMixin:
    """The conversation view's repaint after a layout: Textual repaints a widget whole on
    `refresh()` (about 13 KB written per frame at 120x40), while a streaming reply mostly
    changes its last line and its status line.

    Each painted row records what it was drawn from (`painted`, called by `render_line`
    while painting: Textual's line cache then holds that same drawing, and the screen shows
    it). After a stream layout (the one per frame that takes streamed text and changed
    items), each row of the viewport is compared with its record: only the rows that
    differ are refreshed, or none. A scroll, a new width or a new style differ in every
    row's record. The whole view is refreshed after other layouts (a scroll, a resize, the
    palette, clearing), while text is selected with the mouse, with Kitty pictures, while
    pictures are in the viewport, and when a row has no record (the first paint).
    """

    if TYPE_CHECKING:
        _offsets: list[int]
        _pending: bool
        items: ItemList
        palette: Palette
        rich_style: Style
        scroll_offset: Any
        scrollable_content_region: Region
        text_selection: Any
        size: Any
        virtual_size: Any

        def schedule_layout(self) -> None: ...
        def refresh(
            self,
            *regions: Region,
            repaint: bool = True,
            layout: bool = False,
            recompose: bool = False,
        ) -> Any: ...

    _painted: dict[int, RowKey]

    def painted(self, y: int, key: RowKey) -> None:
        """Row `y` of the viewport was just painted from `key` (see `RowKey`)."""
        self._painted[y] = key

    def _refresh_after_layout(self, stream: bool) -> None:
        """Refresh what a layout changed on screen: after a stream layout (`stream`) the
        rows whose drawing changed, else the whole view."""
        rows = self._changed_rows() if stream else None
        if rows is None:
            self.refresh()
            return
        first, end = rows
        if first < end:
            width = max(self.virtual_size.width, self.size.width)
            self.refresh(Region(0, first, width, end - first))

    def _changed_rows(self) -> tuple[int, int] | None:
        """The rows [first, end) of the viewport whose drawing would differ from their
        paint (first == end: none); None when the whole view must be refreshed."""
        painted = self._painted
        if not painted or self.text_selection is not None or KITTY.enabled:
            return None
        scroll_x, scroll_y = self.scroll_offset
        region = self.scrollable_content_region
        width = region.width
        if width <= GUTTER:
            return None
        item_width = width - GUTTER
        style = self.rich_style
        offsets = self._offsets
        items = self.items
        count = len(items)
        gutter = self.palette.gutter
        first = end = 0
        missed = False
        for y in range(region.height):
            number = scroll_y + y
            index = bisect_right(offsets, number) - 1
            key: RowKey
            if index < 0 or index >= count:
                key = (scroll_x, scroll_y, width, style, -1, number, None, None)
            else:
                item = items[index]
                if item.laid_width != item_width or item.pictures:
                    return None  # laid out by the paint itself; pictures: drawn apart
                local = number - offsets[index]
                bar = gutter(item) if local < item.body_height else None
                key = (scroll_x, scroll_y, width, style, index, local, bar, item.line(local))
                missed = missed or item.missed
            if painted.get(y) != key:
                if first == end:
                    first = y
                end = y + 1
        if missed and not self._pending:
            self.schedule_layout()  # as the paint does: a line not drawn yet is due
        return first, end
