"""The chat screen's actions on what the conversation shows: copy a mouse selection."""

from __future__ import annotations

from textual.actions import SkipAction
from textual.screen import Screen


class MessageActions:
    """Mixed into `ChatScreen`."""

    def action_copy_text(self) -> None:
        """Copy the text selected with the mouse (OSC 52 and a 0600 file); Ctrl+C."""
        from routmy_tui.ui.chat.copy_actions import copy_selection

        assert isinstance(self, Screen)
        if not copy_selection(self):
            raise SkipAction()
