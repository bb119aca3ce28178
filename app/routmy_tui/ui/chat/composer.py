"""The message composer: Enter sends, Ctrl+J or Shift+Enter adds a newline."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import TextArea


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
        """The user pressed Enter on a non-empty draft."""

        composer: Composer
        text: str

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

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            if self.text.strip():
                self.post_message(self.Submitted(self, self.text))
            return
        if event.key in self.NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self._replace_via_keyboard("\n", start, end)
            return
        await super()._on_key(event)
