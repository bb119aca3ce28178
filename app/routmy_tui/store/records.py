"""Records the store hands out, and helpers for their fields (headers, data URLs, titles)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from routmy_tui.core.types import JSON, ApiError, ChatMessage, Reply, ToolCall, Usage

SNIPPET_START = "\ue000"
"""Marks the start of a matched term in `SearchHit.snippet` (a private-use character)."""
SNIPPET_END = "\ue001"
"""Marks the end of a matched term in `SearchHit.snippet`."""

SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie"}
)
"""Header names whose values are never stored."""


@dataclass
class Conversation:
    """A conversation's settings and state.

    Attributes:
        id: Opaque id (32 hex digits).
        title: Shown title (derived from the first user message until renamed).
        title_custom: True once the user renamed it.
        created_at: Epoch seconds.
        updated_at: Epoch seconds of the last change to its messages or settings.
        model: Model id used for new replies.
        system_prompt: System prompt, or None.
        params: Request parameters (temperature, max_tokens...).
        current_leaf_id: The message at the end of the branch on screen, or None when empty.
        draft: The composer text not yet sent.
    """

    id: str
    title: str
    title_custom: bool
    created_at: float
    updated_at: float
    model: str | None
    system_prompt: str | None
    params: dict[str, Any]
    current_leaf_id: int | None
    draft: str


@dataclass
class ConversationSummary:
    """One row of the conversation browser.

    Attributes:
        id: Conversation id.
        title: Title.
        model: Model id.
        created_at: Epoch seconds.
        updated_at: Epoch seconds.
        message_count: Messages stored, across all branches.
    """

    id: str
    title: str
    model: str | None
    created_at: float
    updated_at: float
    message_count: int


@dataclass
class StoredMessage:
    """A message as stored: the chat message plus its place in the tree and its reply state.

    Attributes:
        id: Message id (grows with creation order).
        conversation_id: Owning conversation.
        parent_id: The previous message on its branch, None for a first message.
        role: "user", "assistant", "tool" or "system".
        content: Text, or None (an assistant turn that only calls tools).
        reasoning: Thinking text of a reply.
        tool_calls: Calls made by an assistant turn.
        tool_call_id: On a "tool" turn, the call it answers.
        reasoning_details: Opaque reasoning items to send back.
        images: Image URLs (data URLs rebuilt from the deduplicated store, or https URLs).
        status: "streaming", "complete", "stopped", "interrupted" or "error".
        error: What went wrong, if anything.
        model: The model that wrote a reply.
        usage: Token usage of a reply.
        finish_reason: As the server sent it.
        extra: Other reply details (refusal, native_finish_reason, provider, id, notes).
        created_at: Epoch seconds.
        updated_at: Epoch seconds of the last checkpoint.
    """

    id: int
    conversation_id: str
    parent_id: int | None
    role: str
    content: str | None
    reasoning: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    reasoning_details: list[JSON] | None = None
    images: list[str] = field(default_factory=list)
    status: str = "complete"
    error: ApiError | None = None
    model: str | None = None
    usage: Usage | None = None
    finish_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    updated_at: float = 0.0

    def to_chat_message(self) -> ChatMessage:
        """The message as it is sent in a request (exactly as it came, for an imported one)."""
        wire = self.extra.get("wire")
        wire = wire if isinstance(wire, dict) else {}
        parts = wire.get("parts")
        name = wire.get("name")
        others = wire.get("extra")
        return ChatMessage(
            role=self.role,
            content=self.content,
            images=list(self.images),
            tool_calls=list(self.tool_calls),
            tool_call_id=self.tool_call_id,
            reasoning_details=list(self.reasoning_details) if self.reasoning_details else None,
            name=name if isinstance(name, str) else None,
            parts=parts if isinstance(parts, list) else None,
            extra=dict(others) if isinstance(others, dict) else {},
        )

    def to_reply(self) -> Reply:
        """The stored reply rebuilt as a core `Reply` (for display of an assistant turn)."""
        status = self.status if self.status in _STATUSES else "complete"
        return Reply(
            content=self.content or "",
            reasoning=self.reasoning,
            reasoning_details=list(self.reasoning_details or []),
            refusal=self.extra.get("refusal"),
            tool_calls=list(self.tool_calls),
            images=list(self.images),
            usage=self.usage,
            finish_reason=self.finish_reason,
            native_finish_reason=self.extra.get("native_finish_reason"),
            model=self.model,
            id=self.extra.get("id"),
            provider=self.extra.get("provider"),
            status=status,  # type: ignore[arg-type]
            error=self.error,
            notes=list(self.extra.get("notes") or []),
        )


_STATUSES = frozenset({"streaming", "complete", "stopped", "interrupted", "error"})


@dataclass
class SearchHit:
    """One search result.

    Attributes:
        conversation_id: Where it is.
        message_id: The matching message, or None for a match in the title.
        title: The conversation's title.
        snippet: The matching text around the match; each matched term is wrapped in
            `SNIPPET_START` ... `SNIPPET_END`. Use `spans()` or `plain()` to display it.
        role: Role of the matching message (None for a title hit).
    """

    conversation_id: str
    message_id: int | None
    title: str
    snippet: str
    role: str | None = None

    def spans(self) -> list[tuple[str, bool]]:
        """The snippet as (text, is_match) pieces, in order."""
        out: list[tuple[str, bool]] = []
        for index, piece in enumerate(re.split(f"[{SNIPPET_START}{SNIPPET_END}]", self.snippet)):
            if piece:
                out.append((piece, index % 2 == 1))
        return out

    def plain(self, start: str = "[", end: str = "]") -> str:
        """The snippet with the match markers replaced by `start` and `end`."""
        return self.snippet.replace(SNIPPET_START, start).replace(SNIPPET_END, end)


def mask_headers(headers: dict[str, str]) -> dict[str, str]:
    """A copy of `headers` with secret values (Authorization, API keys, cookies) masked.

    The scheme word of an Authorization value is kept ("Bearer ***") so it stays readable.
    """
    out: dict[str, str] = {}
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS:
            scheme, _, rest = str(value).partition(" ")
            out[name] = f"{scheme} ***" if rest and scheme.isalpha() else "***"
        else:
            out[name] = value
    return out


_DATA_URL = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?((?:;[^,;]*)*?)(;base64)?,", re.IGNORECASE)


def split_data_url(url: str) -> tuple[str, bytes] | None:
    """(mime, bytes) of a base64 data URL, or None for anything else (kept as a plain URL)."""
    match = _DATA_URL.match(url)
    if match is None or not match.group(3):
        return None
    try:
        data = base64.b64decode(url[match.end() :], validate=True)
    except (binascii.Error, ValueError):
        return None
    mime = (match.group(1) or "application/octet-stream").lower()
    # Only store what rebuilds to the same URL; anything else is kept verbatim.
    if f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}" != url:
        return None
    return mime, data


def image_hash(data: bytes) -> str:
    """The content hash images are deduplicated by (sha256, hex)."""
    return hashlib.sha256(data).hexdigest()


def derive_title(message: ChatMessage, limit: int = 60) -> str:
    """A title from a first user message: its text on one line, cut at a word near `limit`."""
    text = " ".join((message.content or "").split())
    if not text:
        return "(image)" if message.images else "New conversation"
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"
