"""The one-line header: app name, model, connection."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from routmy_tui.core.text import make_safe


class AppHeader(Widget):
    """Shows `routmy-tui · model · where it connects`."""

    DEFAULT_CSS = """
    AppHeader {
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    model: reactive[str] = reactive("")
    connection: reactive[str] = reactive("")
    conversation: reactive[str] = reactive("")

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("routmy-tui", style="bold")
        text.append("  ·  ")
        text.append(make_safe(self.model) or "no model", style="bold")
        if self.conversation:
            text.append("  ·  " + make_safe(self.conversation), style="italic")
        if self.connection:
            text.append("  ·  " + make_safe(self.connection), style="dim")
        return text
