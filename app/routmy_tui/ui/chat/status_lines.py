"""The chat screen's text around the conversation: the welcome, the header, the active settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static

from routmy_tui.core.text import make_safe
from routmy_tui.ui.chat.header import AppHeader

if TYPE_CHECKING:
    from routmy_tui.conversation import Conversation
    from routmy_tui.ui.host import AppHost

__all__ = ["StatusLinesMixin"]


class StatusLinesMixin:
    """Mixed into `ChatScreen`: the welcome, the header's model and connection, and the
    active-settings line above the composer."""

    conversation: Conversation

    if TYPE_CHECKING:

        @property
        def is_mounted(self) -> bool: ...

        @property
        def routmy(self) -> AppHost: ...

        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...

    def defaults_changed(self) -> None:
        """The user's defaults changed (Settings): the active-settings line compares anew."""
        if self.is_mounted:
            self._show_active_settings()

    def _show_active_settings(self) -> None:
        """The line above the composer: what is active beyond the user's defaults."""
        summary = self.conversation.settings.summary(self.conversation.defaults)
        line = self.query_one("#active-settings", Static)
        line.update(Text("active: " + make_safe(summary) if summary else ""))
        line.set_class(not summary, "-empty")

    def _welcome_text(self) -> Text:
        app = self.routmy
        text = Text()
        text.append("Welcome to routmy-tui\n\n", style="bold")
        if app.settings.demo:
            text.append("You are on the built-in demo backend: no key, no network.\n")
            text.append("Try: 'Show me some Markdown', or end a message with 'fault:disconnect',\n")
            text.append("'fault:429' or 'fault:inband' to see how failures look.\n")
        elif not app.settings.api_key:
            text.append("No API key is set.\n", style="bold")
            text.append("  • press Ctrl+K to enter one (saved to your config file, mode 0600)\n")
            text.append("  • or set ROUTMY_API_KEY before starting\n")
            text.append("  • or run `routmy-tui --demo` to try the built-in demo backend\n")
        else:
            text.append(f"Connected to {make_safe(app.settings.base_url)}.\n")
        if not self.conversation.settings.model:
            text.append("\nNo model chosen yet: ", style="bold")
            text.append(
                "press F3 (or Ctrl+P, 'Select model'); your first message opens the picker.\n"
            )
        text.append("\nEnter sends · Ctrl+J newline · Escape stops a reply · Ctrl+P commands")
        return text

    def _update_header(self) -> None:
        header = self.query_one(AppHeader)
        header.model = self.conversation.settings.model
        header.connection = self.routmy.connection_label()

    def refresh_header(self) -> None:
        """Show the model and where requests go (and whether history is kept) again."""
        self._update_header()

    def refresh_welcome(self) -> None:
        """Show the welcome text again (after a key was entered)."""
        self.query_one("#welcome", Static).update(self._welcome_text())
