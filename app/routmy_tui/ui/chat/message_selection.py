"""Choosing a message in the conversation: with keys or a click, and what acts on it (the
thinking block, "show all", code block headers, the sibling marker)."""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message import Message

from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.code_blocks import CodeBlockClicked, code_block_at
from routmy_tui.ui.chat.item_list import ItemList
from routmy_tui.ui.chat.items import Item
from routmy_tui.ui.chat.render import SHOW_ALL_HINT

GUTTER = 2
"""Cells left of every message for its coloured bar."""


class MessageSelectionMixin:
    """Mixed into `ConversationView`: the selected message and clicks on messages."""

    if TYPE_CHECKING:
        items: ItemList
        selected: int | None
        follow: bool
        reveal: int | None
        _offsets: list[int]
        _thinking_shown: bool
        scroll_y: float
        styles: Any
        Selected: Any
        SiblingClicked: Any

        @property
        def text_selection(self) -> Any: ...
        def _relayout(self, stream: bool = False) -> None: ...
        def item_changed(self, item: Item) -> None: ...
        def scroll_to(self, *args: Any, **kwargs: Any) -> Any: ...
        def post_message(self, message: Message) -> bool: ...
        def refresh_bindings(self) -> None: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...

    def action_select(self, step: int) -> None:
        """Move the selection through the messages."""
        if not self.items:
            return
        if self.selected is None:
            index = len(self.items) - 1 if step < 0 else 0
        else:
            index = max(0, min(len(self.items) - 1, self.selected + step))
        self.select(index)

    def select(self, index: int | None) -> None:
        """Select a message (None: none) and bring it into view."""
        if self.selected is not None and self.selected < len(self.items):
            self.items[self.selected].selected = False
            self.items[self.selected].changed()
        self.selected = index
        if index is not None:
            item = self.items[index]
            item.selected = True
            item.changed()
            self.follow = index == len(self.items) - 1
            self.reveal = None if self.follow else index
            self._relayout()  # measured around it, it is kept at the top
        else:
            self.reveal = None
            self._relayout()
        self._bindings_may_change()
        self.post_message(self.Selected(index))

    def target_reply(self) -> AssistantItem | None:
        """The selected reply, else the newest one."""
        if self.selected is not None and isinstance(self.items[self.selected], AssistantItem):
            item = self.items[self.selected]
            assert isinstance(item, AssistantItem)
            return item
        for item in reversed(self.items):
            if isinstance(item, AssistantItem):
                return item
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ "t Thinking" only where the reply it acts on has thinking."""
        if action == "toggle_reasoning":
            return self._has_thinking()
        return True

    def _has_thinking(self) -> bool:
        item = self.target_reply()
        return item is not None and bool(item.reply.reasoning)

    def _bindings_may_change(self) -> None:
        thinking = self._has_thinking()
        if thinking != self._thinking_shown:
            self._thinking_shown = thinking
            self.refresh_bindings()

    def action_toggle_reasoning(self) -> None:
        """Open or close the thinking block of the selected (or newest) reply."""
        item = self.target_reply()
        if item is not None and item.reply.reasoning:
            item.reasoning_open = not item.reasoning_open
            self.item_changed(item)

    def action_show_all(self) -> None:
        """Draw in full the blocks of the selected (or newest) reply cut short for size."""
        item = self.target_reply()
        if item is None or not item.show_all():
            self.notify("Nothing in this reply is cut short.", timeout=3)
            return
        self.item_changed(item)

    def on_click(self, event: events.Click) -> None:
        """Clicking a message selects it; clicking a thinking line toggles it; clicking a
        "show all" note draws the reply's blocks cut short for size. The end of a mouse
        selection (a drag) is not a click on a message."""
        if self.text_selection is not None:
            return
        number = int(self.scroll_y) + event.y
        index = bisect_right(self._offsets, number) - 1
        if 0 <= index < len(self.items):
            item = self.items[index]
            if isinstance(item, AssistantItem):
                block = code_block_at(item.line, number - self._offsets[index])
                if block is not None:
                    self.post_message(CodeBlockClicked(index, block))
                    return
                text = item.line(number - self._offsets[index]).text
                if SHOW_ALL_HINT in text and item.show_all():
                    self.item_changed(item)
                    return
                thinking = text.lstrip().startswith(("▸ Thinking", "▾ Thinking"))
                if thinking and item.reply.reasoning:
                    item.reasoning_open = not item.reasoning_open
                    self.item_changed(item)
                    return
            if number == self._offsets[index] and item.sibling_marker():
                # The marker ends the label line: its left half goes back, its right half on.
                line = item.line(0).text.rstrip()
                column = event.x - GUTTER - self.styles.padding.left
                start = line.rfind("‹")
                if start >= 0 and column >= start - 1:
                    middle = (start + len(line)) / 2
                    self.post_message(self.SiblingClicked(index, -1 if column < middle else 1))
                    return
            self.select(index)
