"""The message composer: Enter sends, Ctrl+J or Shift+Enter adds a newline."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widgets import TextArea

from routmy_tui.core.picture_files import pasted_image_paths

if TYPE_CHECKING:
    from typing import Self

    from textual.geometry import Region


class Composer(TextArea):
    """A multi-line input whose Enter key sends instead of breaking the line."""

    DEFAULT_CSS = """
    Composer {
        height: auto;
        min-height: 3;
        max-height: 12;
        border: tall $primary 40%;
        padding: 0 1;
    }
    Composer:focus {
        border: tall $primary;
    }
    """

    NEWLINE_KEYS = frozenset({"ctrl+j", "shift+enter", "alt+enter"})

    @dataclass
    class Submitted(Message):
        """The user pressed Enter (the draft may be blank: the screen sends it only when
        pictures are attached)."""

        composer: Composer
        text: str

    @dataclass
    class PathsPasted(Message):
        """Picture files were pasted or dropped (terminals paste a dropped file's path)."""

        composer: Composer
        paths: list[Path]

    @dataclass
    class PageConversation(Message):
        """PageUp or PageDown with a draft that fits the box (nothing of it to page through):
        the conversation is paged instead, as while reading a reply that streams."""

        composer: Composer
        down: bool

    def action_cursor_page_up(self) -> None:
        """Page through a draft taller than the box; else page the conversation up."""
        if self.max_scroll_y > 0:
            super().action_cursor_page_up()
        else:
            self.post_message(self.PageConversation(self, down=False))

    def action_cursor_page_down(self) -> None:
        """Page through a draft taller than the box; else page the conversation down."""
        if self.max_scroll_y > 0:
            super().action_cursor_page_down()
        else:
            self.post_message(self.PageConversation(self, down=True))

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(
            text,
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            compact=False,
        )
        self.placeholder = "Message  (Enter send · Ctrl+J newline · Ctrl+P commands)"

    async def _on_paste(self, event: events.Paste) -> None:
        paths = pasted_image_paths(event.text)
        if paths:
            event.stop()
            event.prevent_default()
            self.post_message(self.PathsPasted(self, paths))
            return
        await super()._on_paste(event)

    repaint_due_at = 0.0
    """Monotonic time the composer last asked to be drawn again (`InputGate` lets a
    streaming reply read on once a key's change is drawn)."""
    painted_at = 0.0
    """Monotonic time the composer last drew a line."""

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> Self:
        self.repaint_due_at = time.monotonic()
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def render_line(self, y: int) -> Strip:
        self.painted_at = time.monotonic()
        return super().render_line(y)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))
            return
        if event.key in self.NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self._replace_via_keyboard("\n", start, end)
            return
        await super()._on_key(event)
