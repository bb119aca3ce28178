"""What a chat run reports as it goes: tries, retries, headers, reply updates, the end."""

from __future__ import annotations

from dataclasses import dataclass

from routmy_tui.core.assemble import ReplyDelta
from routmy_tui.core.types import ApiError, Reply


@dataclass
class RequestSent:
    """A try of the request left (attempt counts from 1)."""

    attempt: int


@dataclass
class Retrying:
    """A try failed with a retryable error; the next one starts after `wait` seconds."""

    attempt: int
    wait: float
    error: ApiError


@dataclass
class HeadersReceived:
    """The response headers arrived with this status."""

    status: int


@dataclass
class ReplyUpdated:
    """New reply text, reasoning, tool calls, images or usage arrived."""

    delta: ReplyDelta


@dataclass
class ReplyFinished:
    """The run ended; `reply.status` says how ("complete", "interrupted" or "error")."""

    reply: Reply


ChatEvent = RequestSent | Retrying | HeadersReceived | ReplyUpdated | ReplyFinished
