"""The conversation: a line-API scroll view that renders only the messages near the viewport."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip

from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.following import ScrollKeysMixin
from routmy_tui.ui.chat.item_list import ItemList
from routmy_tui.ui.chat.items import Item, Palette
from routmy_tui.ui.chat.line_cache import LineCache
from routmy_tui.ui.chat.live_stream import InputFirst, LiveLayoutMixin
from routmy_tui.ui.chat.measuring import MeasuringMixin
from routmy_tui.ui.chat.message_selection import GUTTER, MessageSelectionMixin
from routmy_tui.ui.chat.picture_actions import PictureViewMixin
from routmy_tui.ui.chat.repaint import RepaintMixin, RowKey
from routmy_tui.ui.chat.selection import SelectionMixin
from routmy_tui.ui.chat.view_paint import PaintMixin
from routmy_tui.ui.chat.viewport_layout import ViewportLayoutMixin
from routmy_tui.ui.commands import bindings_for

FRAME = 1 / 60


class ConversationView(
    PaintMixin,
    RepaintMixin,
    MessageSelectionMixin,
    LiveLayoutMixin,
    SelectionMixin,
    PictureViewMixin,
    MeasuringMixin,
    ViewportLayoutMixin,
    ScrollKeysMixin,
    can_focus=True,
):
    """Messages as items with cached heights; only what is visible is rendered.

    Item changes are coalesced to at most one layout per frame. The view follows the
    bottom while content grows, unless the user scrolled up.
    """

    DEFAULT_CSS = """
    ConversationView {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;  /* a scroll bar appearing would lay every message out again */
        overflow-x: hidden;
    }
    """

    BINDINGS = bindings_for("conversation")

    class SiblingClicked(Message):
        """The "‹ 2/3 ›" marker of a message was clicked: show its previous or next version."""

        def __init__(self, index: int, offset: int) -> None:
            super().__init__()
            self.index = index
            self.offset = offset

    class Selected(Message):
        """The selected message changed."""

        def __init__(self, index: int | None) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items = ItemList()
        """The messages; those of a long stored branch are made as they are needed."""
        self.items.on_made = self._made
        self.palette = Palette()
        self._heights: list[int] = []
        self._index: dict[int, int] = {}
        self._dirty: dict[int, Item] = {}
        self._live: dict[int, AssistantItem] = {}
        self._input_first = InputFirst()
        self._offsets: list[int] = [0]
        self._pending = False
        self._scroll_pending = False
        self._last_layout = 0.0
        self.follow = True
        self.selected: int | None = None
        self._shift = 0
        """Height change, not yet applied, of items measured above the top of the viewport."""
        self._stale = False
        """Whether heights changed since the offsets were last computed."""
        self._thinking_shown = False
        """Whether the footer offers "t Thinking" (the target reply has thinking)."""
        self._painting = False
        self._line_style: Style | None = None
        """The view's style while a paint is under way (costly to look up per line)."""
        self._painted: dict[int, RowKey] = {}
        """What each row of the viewport was last painted from (see `RepaintMixin`)."""
        self._held = LineCache()
        """Items holding drawn lines; those far from the viewport let them go."""
        self._gutters: dict[tuple[Style, Style | None], Strip] = {}
        """The gutter strips drawn, by (view style, bar style): made once, not per line."""
        self.reveal: int | None = None
        """A message kept at the top of the viewport while heights around it are measured
        (the one chosen, e.g. a search hit); any other scroll forgets it."""
        self._unmeasured = False
        """An item laid out near the viewport has heights still guessed (a long reply
        drawn near the viewport only): the background pass measures them."""

    # --- content -------------------------------------------------------------------

    def add_item(self, item: Item) -> None:
        """Append an item and follow it."""
        self.add_items([item])

    def add_items(self, items: list[Item]) -> None:
        """Append items (e.g. a whole stored conversation) and follow the last one.

        Nothing is rendered here: heights are estimated until the items come into view,
        and the rest are measured in the background, a few per frame.
        """
        width = self._width()
        for item in items:
            self._index[id(item)] = len(self.items)
            self.items.append(item)
            self._heights.append(item.estimate_height(width))
        self.follow = True
        self.schedule_layout()
        self._schedule_background()
        self._bindings_may_change()

    def show_source(
        self, count: int, make: Callable[[int], Item], estimate: Callable[[int], list[int]]
    ) -> None:
        """Show `count` messages (a stored branch) made by `make(index)` when they are first
        needed: near the viewport, or by the background pass, newest first. Until then they
        are placed by the heights `estimate(width)` guesses. Follows the last one.
        """
        self.clear()
        self.items.set_source(count, make)
        self._heights = estimate(self._width())
        self._update_offsets()
        self.follow = True
        self.schedule_layout()
        self._schedule_background()
        self._bindings_may_change()

    def _made(self, index: int, item: Item) -> None:
        self._index[id(item)] = index

    def index_of(self, item: Item) -> int | None:
        """Where `item` is (None: not in the view); makes no item."""
        return self._index.get(id(item))

    def clear(self) -> None:
        """Remove every item."""
        self.items.clear()
        self._heights.clear()
        self._index.clear()
        self._dirty.clear()
        self._live.clear()
        self._held.clear()
        self.selected = None
        self.reveal = None
        self.follow = True
        self.drop_selection()
        self._relayout()

    def truncate(self, count: int) -> None:
        """Keep only the first `count` items (a branch is about to continue from there)."""
        del self.items[count:]
        del self._heights[count:]
        self._index = {id(item): index for index, item in self.items.made_items()}
        self._dirty = {key: item for key, item in self._dirty.items() if key in self._index}
        self._live = {key: item for key, item in self._live.items() if key in self._index}
        self._held.retain(self._index)
        if self.selected is not None and self.selected >= count:
            self.selected = None
        self.reveal = None
        self.follow = True
        self.drop_selection()
        self._relayout()

    def item_changed(self, item: Item) -> None:
        """An item's content changed; lay it out again at the next frame."""
        item.changed()
        if not self._thinking_shown and isinstance(item, AssistantItem) and item.reply.reasoning:
            self._bindings_may_change()
        # A streaming reply changes per token: list it once per frame, not once per token.
        self._dirty[id(item)] = item
        self.schedule_layout()

    def schedule_layout(self) -> None:
        """Lay out at most once per frame, however many changes arrive."""
        if self._pending:
            return
        self._pending = True
        wait = max(0.0, self._last_layout + self._frame_gap(FRAME) - time.monotonic())
        if wait and not self._catching_up():
            self.set_timer(wait, self._scheduled_layout)
        else:
            self.call_later(self._scheduled_layout)

    def set_palette(self, palette: Palette) -> None:
        """Use new theme colours."""
        self.palette = palette
        for _, item in self.items.made_items():
            item.changed()
        self.items.forget_widths()
        self._relayout()

    # --- layout ----------------------------------------------------------------------

    @property
    def item_width(self) -> int:
        """The width items are laid out at: the view less the gutter."""
        return max(10, (self.scrollable_content_region.width or 80) - GUTTER)

    def _width(self) -> int:
        """The width to lay out at: the item width, less the scrollbar about to be shown
        (the view is taller than its viewport; it appears at the next refresh, and laying
        out at the wider width first would draw everything on screen twice)."""
        width = self.item_width
        if not self.show_vertical_scrollbar and self._offsets[-1] > self.size.height:
            width = max(10, width - self.styles.scrollbar_size_vertical)
        return width

    def _relayout(self, stream: bool = False) -> None:
        """Lay out what changed and what is near the viewport.

        Args:
            stream: Lay out streaming replies too (else they keep their last layout, so
                that a key or a scroll is drawn without waiting for them).
        """
        if stream:
            self._pending = False
        self._last_layout = time.monotonic()
        if not self.size.height:
            return  # not sized yet: nothing to measure against
        width = self._width()
        console = self.app.console
        heights = self._heights
        # Changed items, wherever they are (a streaming reply only when near the viewport).
        for item in self._dirty.values():
            index = self._index.get(id(item))
            if index is not None and item.laid_width == width:
                heights[index] = item.layout(console, width, self.palette)
                self._held.hold(item)
        self._dirty.clear()
        self._unmeasured = False
        with self._timed_stream_layout(stream), self._live_budget(stream) as live:
            busy = self._measure_visible(width, skip=() if stream else live)
        if self.follow:
            self._to_bottom()
        self._trim_lines()
        self.prefetch_pictures()
        self._refresh_after_layout(stream)
        if self._unmeasured:
            self._schedule_background()
        for item in busy:
            # Text arrived faster than one layout draws: go on at the next frame (at once
            # while the user is idle: the loop still handles input between two layouts).
            if isinstance(item, AssistantItem):
                self.item_streamed(item)
            else:
                self.item_changed(item)
        if self._live and not stream:
            self.schedule_layout()
        self._schedule_ahead()

    def on_resize(self, event: events.Resize) -> None:
        """New width: everything visible is laid out again, the rest in the background."""
        self._relayout()
        self._schedule_background()

    # --- scrolling -------------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Follow again once at the bottom, however it got there.

        Only the user stops the following (the keys above, the wheel, the scroll bar): the
        view also moves up when the conversation gets shorter (a wider terminal, a guessed
        height replaced by the drawn one), and that must not stop it (the view then stayed
        where it was while the reply went on below it).
        """
        super().watch_scroll_y(old_value, new_value)
        if new_value < old_value - 0.5 and self.is_mounted and self._selecting_text():
            self.follow = False  # a selection dragged up past the top scrolls the view up
        if new_value >= self.max_scroll_y - 0.5:
            self.follow = True
        if self.reveal is not None and abs(new_value - self._reveal_y()) > 0.5:
            self.reveal = None  # the user scrolled elsewhere
        if self.is_mounted and not self._scroll_pending:
            self._scroll_pending = True
            self.call_later(self._scrolled)

    def _selecting_text(self) -> bool:
        """Whether the user is dragging a mouse selection (Textual scrolls the view as the
        pointer nears its edge)."""
        return getattr(self.screen, "_select_state", None) is not None

    def _scrolled(self) -> None:
        self._scroll_pending = False
        self._relayout()
