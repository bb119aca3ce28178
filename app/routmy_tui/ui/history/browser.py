"""The conversations screen: every conversation, newest first, with search as you type."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from routmy_tui.core.text import make_safe
from routmy_tui.store import ConversationSummary, SearchHit
from routmy_tui.store.db import StoreError
from routmy_tui.ui.commands import bindings_for
from routmy_tui.ui.widgets.dialogs import ConfirmDialog, PathDialog
from routmy_tui.ui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from routmy_tui.ui.history.session import Session

LIST_LIMIT = 500
"""Conversations listed without a search."""


def when(epoch: float, now: float | None = None) -> str:
    """A short date: the time today, else the day."""
    now = time.time() if now is None else now
    local = time.localtime(epoch)
    if time.strftime("%Y-%m-%d", local) == time.strftime("%Y-%m-%d", time.localtime(now)):
        return time.strftime("%H:%M", local)
    return time.strftime("%Y-%m-%d", local)


def summary_prompt(row: ConversationSummary, *, wide: bool = True) -> Text:
    """Two lines for a conversation: its title, then model, date and message count."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(make_safe(row.title) or "New conversation", style="bold")
    text.append("\n")
    details = [make_safe(row.model or "no model"), when(row.updated_at)]
    if wide:
        details.append(f"{row.message_count} messages")
        details.append(row.id[:8])
    text.append(" · ".join(details), style="dim")
    return text


def hit_prompt(hit: SearchHit) -> Text:
    """Two lines for a search hit: the title, then the snippet with matches highlighted."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(make_safe(hit.title) or "New conversation", style="bold")
    text.append("\n")
    if hit.message_id is None:
        text.append("title match", style="dim")
        return text
    text.append(f"{hit.role or 'message'}: ", style="dim")
    for piece, matched in hit.spans():
        # Collapse runs of whitespace but keep the spaces around a match ("the word here").
        piece = make_safe(re.sub(r"\s+", " ", piece))
        text.append(piece, style="bold reverse" if matched else "")
    return text


def option_id(conversation_id: str, message_id: int | None) -> str:
    """An option id that says where to jump."""
    return f"{conversation_id}:{message_id if message_id is not None else ''}"


def parse_option_id(value: str) -> tuple[str, int | None]:
    """The (conversation id, message id) of an option id."""
    conversation_id, _, message = value.partition(":")
    return conversation_id, int(message) if message else None


class ConversationsScreen(Screen[tuple[str, int | None] | None]):
    """Browse, search, open, rename and delete conversations.

    Dismisses with (conversation id, message id to jump to or None), or None.
    """

    DEFAULT_CSS = """
    ConversationsScreen {
        layout: vertical;
    }
    ConversationsScreen #browser-title {
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    ConversationsScreen #search {
        margin: 0 1;
    }
    ConversationsScreen #conversation-list {
        height: 1fr;
        margin: 0 1;
    }
    ConversationsScreen #browser-empty {
        margin: 1 2;
        color: $text-muted;
    }
    """

    BINDINGS = [
        *bindings_for("browser"),
        Binding("down", "focus_list", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Static("Conversations", id="browser-title")
        yield Input(placeholder="Search titles and messages…", id="search")
        yield OptionList(id="conversation-list")
        yield Static("", id="browser-empty")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#search", Input).focus()

    def _list(self) -> OptionList:
        return self.query_one("#conversation-list", OptionList)

    def reload(self) -> None:
        """List the conversations, or the search results for the text typed."""
        store = self.session.store
        options: list[Option] = []
        if store is not None:
            try:
                if self.query_text.strip():
                    for hit in store.search(self.query_text, limit=100):
                        options.append(
                            Option(
                                hit_prompt(hit), id=option_id(hit.conversation_id, hit.message_id)
                            )
                        )
                else:
                    for row in store.list_conversations(limit=LIST_LIMIT):
                        options.append(Option(summary_prompt(row), id=option_id(row.id, None)))
            except StoreError as exc:
                self.notify(str(exc), severity="error")
        listing = self._list()
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options(options)
        if options:
            listing.highlighted = min(highlighted or 0, len(options) - 1)
        empty = self.query_one("#browser-empty", Static)
        empty.display = not options
        empty.update("No match." if self.query_text.strip() else "No conversations yet.")

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        """Search as you type."""
        self.query_text = event.value
        self.reload()

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        """Enter in the search box opens the highlighted result."""
        self._open_highlighted()

    @on(OptionList.OptionSelected, "#conversation-list")
    def option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click opens."""
        if event.option.id:
            self.dismiss(parse_option_id(event.option.id))

    def _open_highlighted(self) -> None:
        current = self._current()
        if current is not None:
            self.dismiss(current)

    def _current(self) -> tuple[str, int | None] | None:
        listing = self._list()
        if listing.highlighted is None or listing.option_count == 0:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        return parse_option_id(option.id) if option.id else None

    def action_focus_list(self) -> None:
        """Down from the search box goes to the list."""
        self._list().focus()

    def action_close(self) -> None:
        """Back to the chat."""
        self.dismiss(None)

    def action_new(self) -> None:
        """Back to the chat with a new conversation."""
        if self.session.screen is not None:
            self.session.screen.action_new_chat()
        self.dismiss(None)

    def action_rename(self) -> None:
        """Rename the highlighted conversation."""
        current = self._current()
        store = self.session.store
        if current is None or store is None:
            return
        conversation = store.get_conversation(current[0])
        if conversation is None:
            return

        def done(title: str | None) -> None:
            if title is None or self.session.store is None:
                return
            try:
                self.session.store.rename_conversation(current[0], title)
            except StoreError as exc:
                self.notify(str(exc), severity="error")
                return
            self.reload()
            self.session.changed()

        self.app.push_screen(
            PathDialog("Rename conversation", "New title:", conversation.title), done
        )

    def action_delete(self) -> None:
        """Delete the highlighted conversation, after asking; `u` right after undoes it."""
        current = self._current()
        store = self.session.store
        if current is None or store is None:
            return
        conversation = store.get_conversation(current[0])
        title = conversation.title if conversation else current[0]

        def done(yes: bool | None) -> None:
            if not yes:
                return
            self.session.delete(current[0])
            self.reload()
            self.notify(f"Deleted “{make_safe(title)}”. Press u to undo.", title="Deleted")

        self.app.push_screen(ConfirmDialog(f"Delete “{make_safe(title)}”?", "Delete"), done)

    def action_undo(self) -> None:
        """Bring back the conversation deleted last."""
        if self.session.undo_delete() is not None:
            self.reload()
            self.notify("Restored.")
        else:
            self.notify("Nothing to undo.")
