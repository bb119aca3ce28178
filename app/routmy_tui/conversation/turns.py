"""One message on the conversation's branch, with what the store and the screen need of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from routmy_tui.core.types import ChatMessage, Reply, ToolCall

__all__ = ["Turn"]


@dataclass
class Turn:
    """A message on the branch on screen.

    Attributes:
        message: The exact wire message (for a reply: set when it ends).
        id: The stored message id (None without history).
        reply: For an assistant turn: the reply with its status, usage and error.
        model: The model that wrote a reply.
        siblings: (position, count) among the versions at this point of the tree.
        meta: Stored details that are not sent: `dropped_calls` (ids) on a reply,
            `answered_by` ("typed", "program", "dropped") and `answered_at` on a tool turn,
            `compared` on a reply asked for beside others (compare).
        live: While a reply streams, reads it as assembled so far (None otherwise).
    """

    message: ChatMessage
    id: int | None = None
    reply: Reply | None = None
    model: str | None = None
    siblings: tuple[int, int] = (1, 1)
    meta: dict[str, Any] = field(default_factory=dict)
    live: Callable[[], Reply] | None = field(default=None, repr=False, compare=False)

    def current_reply(self) -> Reply | None:
        """The reply as it stands now (live while it streams)."""
        return self.live() if self.live is not None else self.reply

    @property
    def role(self) -> str:
        """The message's role."""
        return self.message.role

    @property
    def dropped(self) -> set[str]:
        """Ids of this reply's tool calls the user dropped."""
        return set(self.meta.get("dropped_calls") or [])

    def calls(self) -> list[ToolCall]:
        """The tool calls of this turn that are still part of the conversation."""
        dropped = self.dropped
        return [call for call in self.message.tool_calls if call.id not in dropped]

    def wire(self) -> ChatMessage | None:
        """The message a request carries for this turn, or None when it carries none.

        A reply that produced nothing (an error before any text, a stop at once) is not
        sent; dropped tool calls are left out of their reply.
        """
        message = self.message
        if message.role != "assistant":
            return message
        if self.dropped:
            message = replace(message, tool_calls=self.calls())
        if message.content or message.tool_calls or message.images or message.parts:
            return message
        return None
