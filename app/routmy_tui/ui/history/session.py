"""The chat screen's side of the history: notices, and the screen told when lists change."""

from __future__ import annotations

from typing import Any, Protocol

from routmy_tui.conversation.history import History


class HistoryScreen(Protocol):
    """What the session needs of the chat screen."""

    @property
    def is_mounted(self) -> bool: ...

    @property
    def controller(self) -> Any: ...

    def notify(self, message: str, **kwargs: Any) -> None: ...
    def history_changed(self) -> None: ...
    def action_new_chat(self) -> None: ...


class Session(History):
    """`History` with the chat screen attached: errors become notices, changes refresh it.

    It never queries widgets: it calls the screen, which updates its own.
    """

    screen: HistoryScreen | None = None

    def attach(self, screen: HistoryScreen) -> None:
        """Report to `screen` from now on."""
        self.screen = screen
        self.on_error = self._report
        self.on_changed = self.changed

    def _report(self, message: str) -> None:
        if self.screen is not None:
            self.screen.notify(message, title="History", severity="error", timeout=12)

    def changed(self) -> None:
        """Something stored changed: the screen refreshes its title and lists."""
        if self.screen is not None and self.screen.is_mounted:
            self.screen.history_changed()

    def delete(self, conversation_id: str) -> bool:
        """Delete softly; the conversation on screen gives way to a new chat."""
        on_screen = super().delete(conversation_id)
        if on_screen and self.screen is not None:
            if self.screen.controller is not None:
                self.screen.controller.stop()
            self.screen.action_new_chat()
        return on_screen
