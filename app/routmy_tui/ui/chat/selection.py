"""Mouse selection in the conversation view: where a selection is, its text, its highlight.

Textual's selection works with offsets that the view puts on the segments it draws
(`Strip.apply_offsets`). The view's lines move when items above are measured, so the
offsets do not name a line of the scroll area: `y` names a line of one item
(`(index + 1) * STRIDE + line`), which a selection keeps while heights change around it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Offset
from textual.selection import Selection
from textual.strip import Strip

if TYPE_CHECKING:
    from textual.screen import Screen

    from routmy_tui.ui.chat.item_list import ItemList
    from routmy_tui.ui.chat.items import Palette
    from routmy_tui.ui.chat.line_cache import LineCache

STRIDE = 1 << 20
"""Offset rows per item: no item has this many lines (replies are drawn in part past
`render_limit`)."""


class Lines(Protocol):
    """What the selection reads from an item: its height at the view's width, its lines."""

    def line(self, index: int) -> Strip:
        """One line of the last layout."""
        ...


def encode(index: int, line: int) -> int:
    """The offset row of line `line` of item `index`."""
    return (index + 1) * STRIDE + line


def decode(row: int) -> tuple[int, int]:
    """(item index, line in it) of an offset row."""
    return row // STRIDE - 1, row % STRIDE


def normalise(
    selection: Selection, screen_row: Callable[[int], int], last: int
) -> tuple[Offset, Offset]:
    """The selection's two ends as offsets in item rows, in order.

    Args:
        selection: The selection Textual holds for the view.
        screen_row: The item row of a row of the view on screen. Textual gives a row
            on screen, not an offset, when the pointer is on the view's padding.
        last: The item row of the view's last line (an open end goes there).
    """
    start = selection.start or Offset(0, encode(0, 0))
    end = selection.end or Offset(1 << 30, last)
    if start.y < STRIDE:
        start = Offset(0, screen_row(start.y))
    if end.y < STRIDE:
        end = Offset(1 << 30, screen_row(end.y))
    if end.transpose < start.transpose:
        start, end = end, start
    return Offset(max(0, start.x), start.y), Offset(max(0, end.x), end.y)


def span(start: Offset, end: Offset, row: int) -> tuple[int, int] | None:
    """The characters [start, end) of item row `row` that are selected (end -1: to the end)."""
    return Selection(start, end).get_span(row)


def highlight(strip: Strip, start: int, end: int, style: Style) -> Strip:
    """`strip` with its characters [start, end) drawn in `style` (end -1: to the end)."""
    if end == -1:
        end = 1 << 30
    if end <= start:
        return strip
    segments: list[Segment] = []
    position = 0
    for segment in strip:
        text, seg_style, control = segment
        after = position + len(text)
        if control or after <= start or position >= end:
            segments.append(segment)
        else:
            cut_a = max(0, start - position)
            cut_b = min(len(text), end - position)
            if cut_a:
                segments.append(Segment(text[:cut_a], seg_style))
            chosen = seg_style + style if seg_style is not None else style
            segments.append(Segment(text[cut_a:cut_b], chosen))
            if cut_b < len(text):
                segments.append(Segment(text[cut_b:], seg_style))
        position = after
    return Strip(segments, strip.cell_length)


def selected_text(
    items: Sequence[Lines], heights: Sequence[int], start: Offset, end: Offset
) -> str:
    """The text between two offsets (ordered, in item rows), line ends trimmed.

    Args:
        items: The view's items, laid out at the view's width.
        heights: Each item's height in that layout.
        start: The first character.
        end: Just after the last character.
    """
    first, first_line = decode(start.y)
    last, last_line = decode(end.y)
    out: list[str] = []
    for index in range(max(0, first), min(len(items), last + 1)):
        item = items[index]
        top = first_line if index == first else 0
        bottom = min(heights[index] - 1, last_line if index == last else heights[index] - 1)
        for line in range(top, bottom + 1):
            text = item.line(line).text
            row = encode(index, line)
            if row == end.y:
                text = text[: end.x]
            if row == start.y:
                text = text[start.x :]
            out.append(text.rstrip())
    return "\n".join(out).strip("\n")


class SelectionMixin:
    """Mixed into `ConversationView`: text selection with the mouse, across messages."""

    if TYPE_CHECKING:
        items: ItemList
        palette: Palette
        _offsets: list[int]
        _heights: list[int]
        _held: LineCache
        scroll_y: float
        app: Any
        screen: Screen[Any]

        @property
        def item_width(self) -> int: ...
        @property
        def is_mounted(self) -> bool: ...
        @property
        def text_selection(self) -> Selection | None: ...
        def refresh(self, *args: Any, **kwargs: Any) -> Any: ...

    def _screen_row(self, y: int) -> int:
        number = int(self.scroll_y) + y
        index = max(0, min(len(self.items) - 1, bisect_right(self._offsets, number) - 1))
        return encode(index, max(0, number - self._offsets[index]))

    def _selection_ends(self, selection: Selection) -> tuple[Offset, Offset]:
        last = encode(len(self.items) - 1, max(0, self._heights[-1] - 1)) if self.items else 0
        return normalise(selection, self._screen_row, last)

    def selected_line(self, line: Strip, index: int, local: int) -> Strip:
        """Line `local` of item `index` with what the mouse selected in it highlighted."""
        selection = self.text_selection
        if selection is None or not self.items:
            return line
        start, end = self._selection_ends(selection)
        chosen = span(start, end, encode(index, local))
        if chosen is None:
            return line
        style = self.screen.get_component_rich_style("screen--selection")
        return highlight(line, chosen[0], chosen[1], style)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The text under the selection: the lines as drawn, across messages."""
        if not self.items:
            return None
        start, end = self._selection_ends(selection)
        width = self.item_width
        heights = list(self._heights)
        first, last = decode(start.y)[0], decode(end.y)[0]
        for index in range(max(0, first), min(len(self.items), last + 1)):
            item = self.items[index]
            heights[index] = item.layout(self.app.console, width, self.palette)
            self._held.hold(item)  # let go again once far off screen
        return selected_text(self.items, heights, start, end), "\n"

    def drop_selection(self) -> None:
        """Forget the mouse selection (the items it named are gone)."""
        if self.is_mounted and self.text_selection is not None:
            self.screen.clear_selection()
            self.refresh()

    def selection_updated(self, selection: Selection | None) -> None:
        """Draw the new highlight."""
        self.refresh()
