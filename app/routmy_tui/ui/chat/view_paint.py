"""The conversation view's painting: each screen line from the item under it, with its gutter."""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

from routmy_tui.ui.chat.item_list import ItemList
from routmy_tui.ui.chat.items import Palette
from routmy_tui.ui.chat.kitty import KITTY
from routmy_tui.ui.chat.message_selection import GUTTER
from routmy_tui.ui.chat.picture_actions import for_hit_test
from routmy_tui.ui.chat.selection import encode

__all__ = ["PaintMixin"]


class PaintMixin:
    """`ConversationView.render_line` and `render_lines` (state is the view's own)."""

    if TYPE_CHECKING:
        _offsets: list[int]
        _painting: bool
        _line_style: Style | None
        _gutters: dict[tuple[Style, Style | None], Strip]
        _pending: bool
        _held: Any
        items: ItemList
        palette: Palette
        app: Any
        rich_style: Style
        scroll_offset: Any
        scrollable_content_region: Region

        def schedule_layout(self) -> None: ...
        def selected_line(self, line: Strip, index: int, local: int) -> Strip: ...
        def kitty_paint(self) -> bool: ...
        def _timed_paint(self) -> Any: ...
        def painted(self, y: int, key: Any) -> None: ...

    def render_line(self, y: int) -> Strip:
        """One screen line: find the item under it, take its line, add the gutter."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        style = self._line_style or self.rich_style
        number = scroll_y + y
        index = bisect_right(self._offsets, number) - 1
        if index < 0 or index >= len(self.items) or width <= GUTTER:
            if self._painting:
                self.painted(y, (scroll_x, scroll_y, width, style, -1, number, None, None))
            return Strip.blank(width, style)
        item = self.items[index]
        item_width = width - GUTTER
        if item.laid_width != item_width:
            # Never laid out at this width. (A changed item keeps its last lines until the
            # layout already scheduled for it: painting never waits for a layout.)
            item.layout(self.app.console, item_width, self.palette)
            self._held.hold(item)
            if not self._pending:
                self.schedule_layout()
        local = number - self._offsets[index]
        line = self.selected_line(item.line(local), index, local)
        bar = self.palette.gutter(item) if local < item.body_height else None
        if self._painting:
            self.painted(y, (scroll_x, scroll_y, width, style, index, local, bar, line))
        line = line.apply_style(style)
        if item.missed and not self._pending:
            self.schedule_layout()  # a line not drawn yet: drawn at the next frame
        gutter = self._gutters.get((style, bar))
        if gutter is None:
            if len(self._gutters) > 64:  # styles of themes no longer in use
                self._gutters.clear()
            gutter = self._gutters[style, bar] = (
                Strip.blank(GUTTER, style)
                if bar is None
                else Strip([Segment("▎ ", style + bar)], GUTTER)
            )
        line = Strip.join([gutter, line])
        if scroll_x or line.cell_length != width:
            # Not when it fits already: Textual's strip would keep itself in its own
            # cache, a cycle only a full collection frees (one per line painted).
            line = line.crop_extend(scroll_x, scroll_x + width, style)
        if self._painting:
            return line
        # Offsets for Textual's text selection (the gutter's are negative: column 0 then).
        if item.pictures:
            line = for_hit_test(line)
        return line.apply_offsets(scroll_x - GUTTER, encode(index, local))

    def render_lines(self, crop: Region) -> list[Strip]:
        """Paint without selection offsets: Textual reads them from `render_line` itself
        where the pointer is, and putting them on every painted line costs 4x the paint."""
        self._painting = True
        self._line_style = self.rich_style  # looked up once, not per line
        KITTY.painting = self.kitty_paint()
        try:
            with self._timed_paint():
                return super().render_lines(crop)  # type: ignore[misc,no-any-return]
        finally:
            self._painting = False
            self._line_style = None
            KITTY.painting = False
