"""What a conversation tells its listeners (the history that stores it, the view that shows it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routmy_tui.conversation.settings import ChatSettings
    from routmy_tui.conversation.turns import Turn
    from routmy_tui.core.exchange import Exchange
    from routmy_tui.core.types import ToolCall


@dataclass
class TurnAdded:
    """A message was added at the end of the branch (a reply starts as one, "streaming")."""

    turn: Turn


@dataclass
class TurnsTruncated:
    """The branch was cut to its first `count` turns (a new sibling follows)."""

    count: int


@dataclass
class BranchReplaced:
    """The whole branch changed: another conversation, another version, a new chat."""


@dataclass
class ReplyProgressed:
    """The reply being received changed (many per second: listeners keep this cheap)."""

    turn: Turn


@dataclass
class ReplyEnded:
    """A reply finished, failed, was stopped or cut off; `turn.reply` is final."""

    turn: Turn
    exchange: Exchange | None


@dataclass
class RepliesStarted:
    """Several replies to the same message started at once (compare), beside the branch.

    They are children of `parent` (the last turn of the branch, normally the user's message)
    and stay off the branch until one of them is kept.
    """

    parent: Turn | None
    turns: list[Turn]


@dataclass
class ReplyKept:
    """One of the compared replies was kept: it now ends the branch (the others stay
    stored as its siblings)."""

    turn: Turn


@dataclass
class SettingsChanged:
    """Model, parameters, system prompt, tools or response format changed."""

    settings: ChatSettings
    what: str


@dataclass
class CallsDropped:
    """Unanswered tool calls were dropped: they leave the requests from now on."""

    turn: Turn
    calls: list[ToolCall]


Event = (
    TurnAdded
    | TurnsTruncated
    | BranchReplaced
    | ReplyProgressed
    | ReplyEnded
    | RepliesStarted
    | ReplyKept
    | SettingsChanged
    | CallsDropped
)
"""Anything a conversation emits."""
