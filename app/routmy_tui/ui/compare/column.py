"""One compare column: a head (model, speed, figures) over the reply, drawn from cached strips."""

from __future__ import annotations

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from routmy_tui.conversation import Turn
from routmy_tui.core.text import make_safe
from routmy_tui.core.types import ApiError
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.following import FollowsEnd
from routmy_tui.ui.chat.items import Palette
from routmy_tui.ui.chat.render import render_strips
from routmy_tui.ui.compare.stats import header


class ColumnItem(AssistantItem):
    """A compared reply, rendered as in the chat but without its label and status lines:
    the column's head shows the model and the figures."""

    def _layout(self, console: Console, width: int, palette: Palette) -> int:
        super()._layout(console, width, palette)
        self._sections = self._sections[1:-2]
        return self._total()

    def _error(
        self, console: Console, width: int, palette: Palette, error: ApiError
    ) -> list[Strip]:
        # No retry hint: this reply is one of several; keep another or compare again.
        text = Text("✖ " + make_safe(error.summary()), style=palette.error)
        return render_strips(console, text, width)


class ReplyPane(FollowsEnd, can_focus=False):
    """The lines of one reply; only the visible ones are drawn; follows the bottom while it
    grows unless scrolled up."""

    DEFAULT_CSS = """
    ReplyPane {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;  /* a scrollbar appearing would re-render the whole reply */
    }
    """

    def __init__(self, item: AssistantItem, palette: Palette) -> None:
        super().__init__()
        self.item = item
        self.palette = palette
        self.follow = True

    def _width(self) -> int:
        return max(10, self.scrollable_content_region.width or 40)

    def relayout(self) -> None:
        """Lay the reply out again (once per frame at most: the compare view batches)."""
        if not self.size.height:
            return
        width = self._width()
        height = self.item.layout(self.app.console, width, self.palette)
        self.virtual_size = Size(width, height)
        if self.follow:
            # Now, and again after the refresh, in case the new virtual size was not yet in
            # max_scroll_y (a column once stayed at the top while following).
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
            self.call_after_refresh(self._follow_again)
        self.refresh()

    def _follow_again(self) -> None:
        if self.follow:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def on_resize(self) -> None:
        self.relayout()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Follow again once at the bottom, however it got there.

        Only the user stops the following (`user_scroll`, the wheel, the scroll bar): a
        reflow that moves the view up (a layout cut short, the head taking a line more or
        less at the end) must not, or the column stays short of its end.
        """
        super().watch_scroll_y(old_value, new_value)
        if new_value >= self.max_scroll_y - 0.5:
            self.follow = True

    def user_scroll(self, y: float) -> None:
        """The user scrolls to `y`: the following stops above the end."""
        self.follow = y >= self.max_scroll_y - 0.5
        self.scroll_to(y=y, animate=False)

    def on_click(self, event: events.Click) -> None:
        """A click on a code block's header copies that block (the column is selected too)."""
        from routmy_tui.ui.chat.code_actions import copy_block, sources_of
        from routmy_tui.ui.chat.code_blocks import code_block_at

        index = int(self.scroll_y) + event.y
        if index < self.item.layout(self.app.console, self._width(), self.palette):
            block = code_block_at(self.item.line, index)
            if block is not None:
                copy_block(self.screen, sources_of(self.item), block)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        style = self.rich_style
        index = self.scroll_offset.y + y
        item = self.item
        if width <= 0:
            return Strip.blank(width, style)
        if index >= item.layout(self.app.console, self._width(), self.palette):
            return Strip.blank(width, style)
        return item.line(index).apply_style(style).crop_extend(0, width, style)


class ColumnHead(Widget):
    """The head of a column; redrawn in place (its height is fixed: no layout per update)."""

    DEFAULT_CSS = """
    ColumnHead {
        height: 4;  /* the model, then the figures (up to three lines in narrow columns) */
    }
    """

    def __init__(self, column: ReplyColumn) -> None:
        super().__init__(classes="column-head")
        self.column = column

    def render(self) -> Text:
        return self.column.head()


class ReplyColumn(Vertical):
    """A compared reply with its head; `-selected` when the keys act on it."""

    DEFAULT_CSS = """
    ReplyColumn {
        width: 1fr;
        height: 1fr;
        border: round $primary 30%;
        padding: 0 1;
    }
    ReplyColumn.-selected {
        border: round $accent;
    }
    """

    def __init__(self, turn: Turn, item: AssistantItem, palette: Palette, number: int) -> None:
        super().__init__()
        self.turn = turn
        self.item = item
        self.palette = palette
        self.number = number

    def compose(self) -> ComposeResult:
        yield ColumnHead(self)
        yield ReplyPane(self.item, self.palette)

    def head(self) -> Text:
        """The head's text as it stands."""
        palette = self.palette
        styles: dict[str, Style] = {
            "model": palette.assistant_label,
            "dim": palette.dim,
            "ok": palette.tool,
            "busy": palette.dim,
            "error": palette.error,
            "warning": palette.warning,
        }
        item = self.item
        return header(
            item.model,
            item.reply,
            item.run,
            item.multiplier,
            item.spinner,
            styles,
            number=self.number,
        )

    def redraw(self) -> None:
        """Show the reply and its head as they stand now."""
        if not self.is_mounted:
            return
        self.query_one(ColumnHead).refresh()
        self.query_one(ReplyPane).relayout()
