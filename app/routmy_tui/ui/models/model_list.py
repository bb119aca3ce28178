"""A line-API list of models: only visible rows are built, so a keystroke costs one screenful."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

RowBuilder = Callable[[int], Text]
"""Builds the text of row `index` (called only for rows on screen)."""


class ModelList(ScrollView, can_focus=True):
    """Rows of a model list, drawn on demand from a row builder; one row is highlighted."""

    DEFAULT_CSS = """
    ModelList {
        height: 1fr;
        background: $surface;
    }
    ModelList > .model-list--cursor {
        background: $primary 40%;
        text-style: bold;
    }
    """

    COMPONENT_CLASSES = {"model-list--cursor"}

    BINDINGS = [
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("pagedown", "move(10)", show=False),
        Binding("pageup", "move(-10)", show=False),
        Binding("enter", "select", show=False),
    ]

    @dataclass
    class Highlighted(Message):
        """The highlighted row changed."""

        model_list: ModelList
        index: int

        @property
        def control(self) -> ModelList:
            """The list (for `@on` selectors)."""
            return self.model_list

    @dataclass
    class Selected(Message):
        """A row was chosen (Enter or a click on the highlighted row)."""

        model_list: ModelList
        index: int

        @property
        def control(self) -> ModelList:
            """The list (for `@on` selectors)."""
            return self.model_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.count = 0
        self.highlighted = 0
        self._builder: RowBuilder = lambda index: Text()
        self._cache: dict[tuple[int, int, bool], Strip] = {}

    def set_rows(self, count: int, builder: RowBuilder) -> None:
        """Show `count` rows built by `builder`; the highlight goes back to the top."""
        self.count = count
        self._builder = builder
        self._cache.clear()
        self.highlighted = 0
        self.virtual_size = Size(self.scrollable_content_region.width, count)
        self.scroll_to(y=0, animate=False)
        self.refresh()
        self.post_message(self.Highlighted(self, 0))

    def redraw(self) -> None:
        """Build the visible rows again (their content changed, not their number)."""
        self._cache.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= self.count or width <= 0:
            return Strip.blank(width, self.rich_style)
        selected = index == self.highlighted
        key = (index, width, selected)
        strip = self._cache.get(key)
        if strip is None:
            text = self._builder(index)
            text.no_wrap = True
            text.overflow = "ellipsis"
            text.truncate(width, overflow="ellipsis", pad=True)
            base = self.rich_style
            if selected:
                base = base + self.get_component_rich_style("model-list--cursor")
            segments = list(text.render(self.app.console))
            strip = Strip(Segment.apply_style(segments, base), width).crop(0, width)
            if len(self._cache) > 400:
                self._cache.clear()
            self._cache[key] = strip
        return strip

    def move_to(self, index: int) -> None:
        """Highlight row `index` (clamped) and keep it in view."""
        if not self.count:
            return
        index = max(0, min(self.count - 1, index))
        if index == self.highlighted:
            return
        self.highlighted = index
        self.scroll_to_region(Region(0, index, 1, 1), animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Highlighted(self, index))

    def action_move(self, delta: int) -> None:
        """Move the highlight by `delta` rows."""
        self.move_to(self.highlighted + delta)

    def action_select(self) -> None:
        """Choose the highlighted row."""
        if self.count:
            self.post_message(self.Selected(self, self.highlighted))

    def on_click(self, event: events.Click) -> None:
        """A click highlights a row; a click on the highlighted row chooses it."""
        index = self.scroll_offset.y + event.y
        if 0 <= index < self.count:
            if index == self.highlighted:
                self.action_select()
            else:
                self.move_to(index)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.count)
        self._cache.clear()
