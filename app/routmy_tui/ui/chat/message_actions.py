"""The chat screen's actions on what the conversation shows: copy a mouse selection or a
code block, open a message in `$EDITOR` or `$PAGER`."""

from __future__ import annotations

from textual.actions import SkipAction
from textual.screen import Screen

from routmy_tui.ui.chat.code_blocks import CodeBlockClicked


class MessageActions:
    """Mixed into `ChatScreen`."""

    def action_copy_text(self) -> None:
        """Copy the text selected with the mouse (OSC 52 and a 0600 file); Ctrl+C."""
        from routmy_tui.ui.chat.copy_actions import copy_selection

        assert isinstance(self, Screen)
        if not copy_selection(self):
            raise SkipAction()

    def action_copy_code(self) -> None:
        """Copy a code block of the selected message (else the newest reply)."""
        from routmy_tui.ui.chat.code_actions import copy_code

        assert isinstance(self, Screen)
        copy_code(self)

    def on_code_block_clicked(self, event: CodeBlockClicked) -> None:
        """A click on a code block's header copies that block."""
        from routmy_tui.ui.chat.code_actions import copy_block, sources_of
        from routmy_tui.ui.chat.conversation_view import ConversationView

        assert isinstance(self, Screen)
        view = self.query_one(ConversationView)
        if event.index < len(view.items):
            copy_block(self, sources_of(view.items[event.index]), event.number)

    def action_open_message(self, kind: str) -> None:
        """Show the selected message (else the newest reply) in `$EDITOR` ("editor") or
        `$PAGER` ("pager"), the app suspended meanwhile."""
        from routmy_tui.ui.chat.external import open_message

        assert isinstance(self, Screen)
        open_message(self, "pager" if kind == "pager" else "editor")

    def action_edit_draft(self) -> None:
        """Edit the draft in `$EDITOR`; the edited text comes back into the composer."""
        from routmy_tui.ui.chat.composer import Composer
        from routmy_tui.ui.chat.external import edit_draft

        assert isinstance(self, Screen)
        composer = self.query_one(Composer)
        edited = edit_draft(self, composer.text)
        if edited is not None:
            composer.text = edited
            composer.move_cursor(composer.document.end)
            composer.focus()
