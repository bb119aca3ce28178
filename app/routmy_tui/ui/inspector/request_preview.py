"""The request preview: the exact JSON body the next request will carry."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from routmy_tui.core.types import ChatMessage

if TYPE_CHECKING:
    from routmy_tui.ui.chat.controller import Conversation

LONG_STRING = 2_000
"""Strings longer than this (image data URLs) are shortened in the view only."""


def next_body(conversation: Conversation, draft: str) -> dict[str, Any]:
    """The body the next send would carry: the conversation plus the draft as a user turn."""
    if not draft.strip():
        return conversation.body()
    saved = list(conversation.messages)
    try:
        conversation.messages.append(ChatMessage("user", draft))
        return conversation.body()
    finally:
        conversation.messages[:] = saved


def shorten_long_strings(value: Any) -> tuple[Any, int]:
    """A copy with very long strings cut (for display); also how many were cut."""
    cut = 0

    def walk(item: Any) -> Any:
        nonlocal cut
        if isinstance(item, str) and len(item) > LONG_STRING:
            cut += 1
            return f"{item[:120]}… ({len(item):,} characters)"
        if isinstance(item, dict):
            return {k: walk(v) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        return item

    return walk(value), cut


class RequestPreview(ModalScreen[None]):
    """Shows `POST /chat/completions` with the body that would be sent now.

    Args:
        conversation: The conversation (model, parameters, system prompt, messages).
        draft: The composer's text, sent as the next user message when not empty.
    """

    DEFAULT_CSS = """
    RequestPreview { align: center middle; }
    RequestPreview > #preview {
        width: 94%; max-width: 140; height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    RequestPreview #preview-title { height: auto; text-style: bold; }
    RequestPreview #preview-body { height: 1fr; }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="preview-close"),
        Binding("q", "close", show=False, id="preview-close-q"),
    ]

    def __init__(self, conversation: Conversation, draft: str = "") -> None:
        super().__init__()
        self.body = next_body(conversation, draft)
        self.draft = draft

    def compose(self) -> ComposeResult:
        shown, cut = shorten_long_strings(self.body)
        title = "POST /chat/completions — the body as it will be sent"
        if self.draft.strip():
            title += " (with your draft as the next message)"
        if cut:
            title += f"\n{cut} long string(s) shortened here only; they are sent whole"
        text = json.dumps(shown, indent=2, ensure_ascii=False)
        with Vertical(id="preview"):
            yield Static(title, id="preview-title", markup=False)
            with VerticalScroll(id="preview-body"):
                yield Static(
                    Syntax(text, "json", word_wrap=True, theme="ansi_dark"), id="preview-json"
                )
            yield Static("Esc close", markup=False)

    def action_close(self) -> None:
        """Close the preview."""
        self.dismiss(None)
