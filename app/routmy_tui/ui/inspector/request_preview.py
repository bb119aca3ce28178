"""The request preview: the exact JSON body the next request will carry."""

from __future__ import annotations

import json
from typing import Any

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from routmy_tui.ui.commands import bindings_for

LONG_STRING = 2_000
"""Strings longer than this (image data URLs) are shortened in the view only."""


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
        body: The body the next send carries (`Conversation.preview`).
        with_draft: Whether the composer's text is in it as the next user message.
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

    BINDINGS = bindings_for("preview")

    def __init__(self, body: dict[str, Any], with_draft: bool = False) -> None:
        super().__init__()
        self.body = body
        self.with_draft = with_draft

    def compose(self) -> ComposeResult:
        shown, cut = shorten_long_strings(self.body)
        title = "POST /chat/completions — the body as it will be sent"
        if self.with_draft:
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
