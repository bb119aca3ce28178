"""The answer box: while a reply's tool calls wait, the composer answers them one by one."""

from __future__ import annotations

import json

from rich.text import Text
from textual.widgets import Static

from routmy_tui.core.text import make_safe, truncate_middle
from routmy_tui.core.types import ToolCall

__all__ = ["AnswerBar", "call_label"]


def call_label(call: ToolCall, limit: int = 70) -> str:
    """`get_order(order_id="123")`: a call as the user reads it."""
    name = call.name or "(no name)"
    try:
        arguments = json.loads(call.arguments) if call.arguments.strip() else {}
    except (ValueError, RecursionError):
        arguments = None
    if isinstance(arguments, dict):
        inner = ", ".join(
            f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in arguments.items()
        )
    else:
        inner = call.arguments
    return truncate_middle(f"{name}({inner})", limit)


class AnswerBar(Static):
    """Says which tool call the composer answers now, and how many are left.

    Hidden when no call waits. The screen calls `show(call, number, total)` and `hide()`.
    """

    DEFAULT_CSS = """
    AnswerBar {
        height: auto;
        margin: 0 1;
        padding: 0 1;
        background: $warning 20%;
        color: $foreground;
        display: none;
    }
    AnswerBar.-shown {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.call: ToolCall | None = None
        self.saved_draft = ""
        """What the composer held before answering began (given back afterwards)."""

    @property
    def active(self) -> bool:
        """Whether the composer answers a tool call now."""
        return self.call is not None

    def show(self, call: ToolCall, number: int, total: int) -> None:
        """Answer `call` next (number `number` of `total`)."""
        self.call = call
        text = Text()
        text.append("Result for ", style="bold")
        text.append(make_safe(call_label(call)), style="bold")
        text.append(f" · {number} of {total}")
        text.append(f"   id {make_safe(call.id) or '(none)'}", style="dim")
        text.append("\nType the answer (text or JSON) · Enter gives it · Escape leaves answering")
        self.update(text)
        self.add_class("-shown")

    def hide(self) -> None:
        """No call is being answered."""
        self.call = None
        self.remove_class("-shown")
