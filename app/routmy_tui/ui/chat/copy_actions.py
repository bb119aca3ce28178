"""Copy a message (its Markdown source) or the whole conversation as Markdown."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual.screen import Screen

from routmy_tui.core.text import make_safe
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.conversation_view import ConversationView
from routmy_tui.ui.chat.items import Item, UserItem
from routmy_tui.ui.inspector.wire_actions import exports_dir, write_export


def _source(item: Item) -> str:
    """What the user wrote, or the reply's Markdown as it arrived."""
    if isinstance(item, UserItem):
        return item.text
    if isinstance(item, AssistantItem):
        return item.reply.content
    return ""


def copy_text(screen: Screen[Any], text: str, what: str, name: str) -> Path | None:
    """Copy through the terminal (OSC 52) and keep a copy in `exports/` (0600).

    A terminal may ignore OSC 52 silently, so the file is always written and named.
    """
    screen.app.copy_to_clipboard(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = exports_dir(screen) / f"{stamp}-{name}.md"
    number = 2
    while path.exists():
        path = exports_dir(screen) / f"{stamp}-{name}-{number}.md"
        number += 1
    try:
        write_export(path, text)
    except OSError as exc:
        screen.app.notify(
            f"Copied {what} (via OSC 52); saving a copy failed: {exc.strerror}", severity="warning"
        )
        return None
    screen.app.notify(
        make_safe(
            f"Copied {what} (via OSC 52; if your terminal does not support it, saved to {path})"
        ),
        title="Copied",
    )
    return path


def message_source(screen: Screen[Any]) -> str:
    """The selected message (else the newest reply) as Markdown source ("" if none)."""
    view = screen.query_one(ConversationView)
    item: Item | None = None
    if view.selected is not None and view.selected < len(view.items):
        item = view.items[view.selected]
    else:
        item = view.target_reply()
    return _source(item) if item is not None else ""


def copy_selection(screen: Screen[Any]) -> bool:
    """Copy the text selected with the mouse, if any; False when nothing is selected."""
    text = screen.get_selected_text()
    if not text:
        return False
    copy_text(screen, text, "the selection", "selection")
    return True


def copy_message(screen: Screen[Any]) -> None:
    """Copy the text selected with the mouse, else the selected message (else the newest
    reply) as Markdown source."""
    if copy_selection(screen):
        return
    text = message_source(screen)
    if not text:
        screen.app.notify("No message to copy: select one with ↑/↓.", severity="warning")
        return
    copy_text(screen, text, "the message", "message")


def copy_conversation(screen: Screen[Any], markdown: str | None) -> None:
    """Copy the conversation on screen as Markdown (the export's text when it is stored)."""
    if markdown is None:
        view = screen.query_one(ConversationView)
        parts = []
        for item in view.items:
            text = _source(item)
            if text:
                who = "You" if isinstance(item, UserItem) else "Assistant"
                parts.append(f"## {who}\n\n{text.strip()}\n")
        markdown = "\n".join(parts)
    if not markdown.strip():
        screen.app.notify("Nothing to copy yet.", severity="warning")
        return
    copy_text(screen, markdown, "the conversation as Markdown", "conversation")
