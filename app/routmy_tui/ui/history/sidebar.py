"""The conversation sidebar: a narrow list at the left of the chat (Ctrl+B)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from routmy_tui.store.db import StoreError
from routmy_tui.ui.history.browser import option_id, parse_option_id, summary_prompt

if TYPE_CHECKING:
    from routmy_tui.ui.history.session import Session

SIDEBAR_LIMIT = 200
"""Conversations listed (the conversations screen has all of them, and search)."""


class ConversationSidebar(Vertical):
    """Recent conversations; Enter or a click opens one."""

    DEFAULT_CSS = """
    ConversationSidebar {
        width: 32;
        height: 1fr;
        border-right: vkey $primary 40%;
    }
    ConversationSidebar #sidebar-title {
        height: 1;
        padding: 0 1;
        text-style: bold;
    }
    .-narrow ConversationSidebar {
        width: 26;
    }
    ConversationSidebar OptionList {
        height: 1fr;
        border: none;
        padding: 0;
    }
    """

    def __init__(self, session: Session) -> None:
        super().__init__(id="sidebar")
        self.session = session

    def compose(self) -> ComposeResult:
        yield Static("Conversations  ctrl+o", id="sidebar-title", markup=False)
        yield OptionList(id="sidebar-list")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        """List the conversations again, keeping the one on screen highlighted."""
        store = self.session.store
        listing = self.query_one(OptionList)
        rows = []
        if store is not None:
            try:
                rows = store.list_conversations(limit=SIDEBAR_LIMIT)
            except StoreError:
                rows = []
        listing.clear_options()
        listing.add_options(
            [Option(summary_prompt(row, wide=False), id=option_id(row.id, None)) for row in rows]
        )
        current = self.session.conversation_id
        for index, row in enumerate(rows):
            if row.id == current:
                listing.highlighted = index
                break

    @on(OptionList.OptionSelected, "#sidebar-list")
    def opened(self, event: OptionList.OptionSelected) -> None:
        """Open the chosen conversation."""
        event.stop()
        if event.option.id:
            conversation_id, _ = parse_option_id(event.option.id)
            if conversation_id != self.session.conversation_id:
                self.screen.open_conversation(conversation_id)  # type: ignore[attr-defined]
