"""The compare view: the replies of several models to one message, streaming side by side."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.message import Message
from textual.widgets import Static

from routmy_tui.conversation import Conversation, Turn
from routmy_tui.conversation.events import BranchReplaced, Event, ReplyEnded, ReplyProgressed
from routmy_tui.core.text import make_safe
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.items import Palette
from routmy_tui.ui.commands import bindings_for
from routmy_tui.ui.compare.column import ColumnItem, ReplyColumn

FRAME = 1 / 60
MAX_INTERVAL = 0.2
"""Longest wait between two redraws of the columns (the pace adapts to their cost)."""
STACK_BELOW = 100
"""Columns are stacked (one above the other) when the view is narrower than this."""
HINT = (
    "←→ column · Enter keep this one · x stop this one · Escape stop all · ↑↓ scroll · t thinking"
)


def _key(turn: Turn) -> int:
    return id(turn)


class CompareView(Vertical, can_focus=True):
    """One column per compared reply; updates from every column are drawn once per frame."""

    DEFAULT_CSS = """
    CompareView {
        height: 1fr;
    }
    CompareView > #compare-head {
        height: auto;
        max-height: 3;
        margin: 0 1;
        color: $text-muted;
    }
    CompareView > #compare-columns {
        layout: horizontal;
        height: 1fr;
    }
    CompareView.-stacked > #compare-columns {
        layout: vertical;
    }
    """

    BINDINGS = [
        *bindings_for("compare"),
        Binding("up,k", "scroll(-1)", show=False),
        Binding("down,j", "scroll(1)", show=False),
        Binding("pageup", "scroll(-10)", show=False),
        Binding("pagedown", "scroll(10)", show=False),
    ]

    class Keep(Message):
        """The user keeps this reply (Enter on its column)."""

        def __init__(self, turn: Turn) -> None:
            super().__init__()
            self.turn = turn

    class Closed(Message):
        """The comparison was left without a choice (another conversation, a new chat)."""

    class StopOne(Message):
        """The user stops this reply (x on its column); the others go on."""

        def __init__(self, turn: Turn) -> None:
            super().__init__()
            self.turn = turn

    def __init__(
        self,
        conversation: Conversation,
        prompt: str,
        turns: Sequence[Turn],
        palette: Palette,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.conversation = conversation
        self.prompt = prompt
        self.palette = palette
        self.columns = [
            ReplyColumn(
                turn,
                ColumnItem(turn.model or "(no model)", code_theme=palette.code_theme),
                palette,
                number,
            )
            for number, turn in enumerate(turns, 1)
        ]
        self._by_turn = {_key(column.turn): column for column in self.columns}
        self.selected = 0
        self._dirty: dict[int, ReplyColumn] = {}
        """Columns to draw at the next turn."""
        self._pending = False
        self._last_layout = 0.0
        self._interval = FRAME

    def compose(self) -> ComposeResult:
        yield Static(self._head(), id="compare-head", markup=False)
        with Container(id="compare-columns"):
            yield from self.columns

    def on_mount(self) -> None:
        self.conversation.subscribe(self._event)
        self._show_selected()

    def on_unmount(self) -> None:
        self.conversation.unsubscribe(self._event)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < STACK_BELOW, "-stacked")

    def _head(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("you: ", style=self.palette.user_label)
        first = self.prompt.strip().splitlines()[0] if self.prompt.strip() else ""
        text.append(make_safe(first))
        text.append("\n")
        text.append(HINT, style=self.palette.dim)
        return text

    # --- the columns ---------------------------------------------------------------------

    def item_of(self, turn: Turn) -> AssistantItem:
        """The item that shows `turn`'s reply."""
        return self._by_turn[_key(turn)].item

    @property
    def turns(self) -> list[Turn]:
        """The compared replies, in column order."""
        return [column.turn for column in self.columns]

    @property
    def settled(self) -> bool:
        """Whether every column is drawn as its reply stands (nothing left for a next turn)."""
        return (
            not self._dirty
            and not self._pending
            and not any(column.item.pending for column in self.columns)
        )

    def item_changed(self, item: AssistantItem) -> None:
        """An item changed; its column is drawn again at the next frame, with the others."""
        for column in self.columns:
            if column.item is item:
                self._dirty[id(column)] = column
        self._schedule()

    def _event(self, event: Event) -> None:
        if isinstance(event, BranchReplaced):
            self.post_message(self.Closed())
            return
        if isinstance(event, ReplyProgressed | ReplyEnded):
            column = self._by_turn.get(_key(event.turn))
            if column is not None:
                self._dirty[id(column)] = column
                self._schedule()
            if isinstance(event, ReplyEnded):
                self.refresh_bindings()

    def _schedule(self) -> None:
        """Draw at most once per frame, however many columns changed."""
        if self._pending:
            return
        self._pending = True
        wait = max(0.0, self._last_layout + self._interval - time.monotonic())
        if wait:
            self.set_timer(wait, self._redraw)
        else:
            self.call_later(self._redraw)

    def _redraw(self) -> None:
        self._pending = False
        started = time.monotonic()
        dirty, self._dirty = self._dirty, {}
        pending = list(dirty.items())
        while pending:
            key, column = pending.pop(0)
            column.item.changed()
            column.redraw()
            if column.item.pending:
                # Layouts are time-boxed: the rest of the text is drawn at the next turn.
                self._dirty[key] = column
            if pending and time.monotonic() - started > FRAME / 2:
                # The rest wait for the next turn, first in line: keys come in between.
                self._dirty = {**dict(pending), **self._dirty}
                break
        self._last_layout = time.monotonic()
        # Several replies cost several layouts: keep at least two thirds of the time for
        # keys and the rest of the screen (at most a fifth of a second between two turns).
        self._interval = min(MAX_INTERVAL, max(FRAME, 2 * (self._last_layout - started)))
        if self._dirty:
            self._schedule()

    # --- keys ------------------------------------------------------------------------------

    def _show_selected(self) -> None:
        for index, column in enumerate(self.columns):
            column.set_class(index == self.selected, "-selected")

    def action_select(self, step: int) -> None:
        """Move to the previous or next column."""
        self.selected = (self.selected + step) % len(self.columns)
        self._show_selected()

    def select_column(self, index: int) -> None:
        """Make column `index` the one the keys act on."""
        self.selected = max(0, min(len(self.columns) - 1, index))
        self._show_selected()

    def action_scroll(self, lines: int) -> None:
        """Scroll the selected column."""
        from routmy_tui.ui.compare.column import ReplyPane

        pane = self.columns[self.selected].query_one(ReplyPane)
        pane.user_scroll(pane.scroll_y + lines)

    def action_keep(self) -> None:
        """Keep the selected reply."""
        self.post_message(self.Keep(self.columns[self.selected].turn))

    def action_stop_one(self) -> None:
        """Stop the selected reply."""
        self.post_message(self.StopOne(self.columns[self.selected].turn))

    def action_toggle_reasoning(self) -> None:
        """Open or close the thinking block of the selected reply."""
        item = self.columns[self.selected].item
        if item.reply.reasoning:
            item.reasoning_open = not item.reasoning_open
            self.item_changed(item)

    def on_click(self, event: events.Click) -> None:
        """A click selects the column under it."""
        node = event.widget
        while node is not None and not isinstance(node, ReplyColumn):
            node = node.parent  # type: ignore[assignment]
        if isinstance(node, ReplyColumn):
            self.select_column(self.columns.index(node))
        self.focus()
