"""Records the store hands out, and the conversions between rows and core types."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from routmy_tui.core.jsonsafe import loads_bounded
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


def dumps(value: Any) -> str | None:
    """Compact JSON for a column, None for None (lone surrogates kept as `\\ud800` escapes)."""
    if value is None:
        return None
    return escape_surrogates(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_surrogates(json_text: str) -> str:
    """JSON text with each lone surrogate written as a `\\udXXX` escape.

    `json.dumps(..., ensure_ascii=False)` leaves them raw, and raw they cannot be encoded as
    UTF-8; in JSON they can only sit inside strings, where the escape decodes back exactly.
    """
    if _SURROGATE.search(json_text) is None:
        return json_text
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", json_text)


PIECE = 500
"""Items of a long list encoded per call by `dumps_in_pieces`."""


def dumps_in_pieces(data: dict[str, Any], key: str) -> str:
    """`escape_surrogates(json.dumps(data, ensure_ascii=False))`, with the list at `key`
    encoded `PIECE` items at a time.

    One `json.dumps` call (and one surrogate search) over a reply's 20,000 stream lines is a
    single C call of ~50 ms that holds the interpreter: the store's thread then kept the UI
    thread from drawing a typed key for as long. In pieces, the threads take turns.
    """
    items = data.get(key)
    if not isinstance(items, list) or len(items) <= PIECE:
        return escape_surrogates(json.dumps(data, ensure_ascii=False))
    rest = escape_surrogates(
        json.dumps({k: v for k, v in data.items() if k != key}, ensure_ascii=False)
    )
    pieces = [
        escape_surrogates(json.dumps(items[at : at + PIECE], ensure_ascii=False))[1:-1]
        for at in range(0, len(items), PIECE)
    ]
    head = rest[:-1] + ", " if len(rest) > 2 else "{"
    return f"{head}{json.dumps(key)}: [{', '.join(pieces)}]}}"


def _loads(text: str | None) -> Any:
    """A JSON column's value; a damaged one reads as absent rather than stop a conversation."""
    if text is None:
        return None
    try:
        return loads_bounded(text)
    except ValueError:
        return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def message_from_row(row: sqlite3.Row, images: list[str]) -> StoredMessage:
    """Build a StoredMessage from a `messages` row and its image URLs."""
    tool_calls = [
        ToolCall(
            id=str(item.get("id") or ""),
            name=str(item.get("name") or ""),
            arguments=str(item.get("arguments") or ""),
            type=str(item.get("type") or "function"),
        )
        for item in _as_list(_loads(row["tool_calls_json"]))
        if isinstance(item, dict)
    ]
    error = _loads(row["error_json"])
    usage = _loads(row["usage_json"])
    return StoredMessage(
        id=row["id"],
        conversation_id=row["conversation_id"],
        parent_id=row["parent_id"],
        role=row["role"],
        content=row["content"],
        reasoning=row["reasoning"] or "",
        tool_calls=tool_calls,
        tool_call_id=row["tool_call_id"],
        reasoning_details=_as_list(_loads(row["reasoning_details_json"])) or None,
        images=images,
        status=row["status"],
        error=ApiError.from_dict(error) if isinstance(error, dict) else None,
        model=row["model"],
        usage=Usage.from_wire(usage),
        finish_reason=row["finish_reason"],
        extra=extra if isinstance(extra := _loads(row["extra_json"]), dict) else {},
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def tool_calls_json(calls: list[ToolCall]) -> str | None:
    """The column value for a list of tool calls (None when there are none)."""
    if not calls:
        return None
    return dumps(
        [{"id": c.id, "name": c.name, "arguments": c.arguments, "type": c.type} for c in calls]
    )


KEPT_EXTRA = ("wire", "dropped_calls", "answered_by", "answered_at", "compared", "json_output")
"""Stored details a reply checkpoint leaves alone (they are not part of the reply)."""


def kept_extra(extra_json: str | None) -> dict[str, Any]:
    """The details of a stored `extra_json` that a checkpoint must keep."""
    if not extra_json:
        return {}
    try:
        extra = loads_bounded(extra_json)
    except ValueError:
        return {}
    if not isinstance(extra, dict):
        return {}
    return {key: extra[key] for key in KEPT_EXTRA if key in extra}


def message_extra(message: ChatMessage) -> dict[str, Any]:
    """What of a message's wire form has no column: its name, kept parts and other keys."""
    wire: dict[str, Any] = {}
    if message.name is not None:
        wire["name"] = message.name
    if message.parts is not None:
        wire["parts"] = message.parts
    if message.extra:
        wire["extra"] = message.extra
    return {"wire": wire} if wire else {}


def reply_extra(reply: Reply) -> dict[str, Any]:
    """The reply details that have no column of their own."""
    extra: dict[str, Any] = {}
    if reply.refusal:
        extra["refusal"] = reply.refusal
    if reply.native_finish_reason is not None:
        extra["native_finish_reason"] = reply.native_finish_reason
    if reply.provider:
        extra["provider"] = reply.provider
    if reply.id:
        extra["id"] = reply.id
    if reply.notes:
        extra["notes"] = list(reply.notes)
    return extra


def conversation_from_row(row: sqlite3.Row) -> Conversation:
    """Build a Conversation from a `conversations` row."""
    params = _loads(row["params_json"])
    return Conversation(
        id=row["id"],
        title=row["title"],
        title_custom=bool(row["title_custom"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        model=row["model"],
        system_prompt=row["system_prompt"],
        params=params if isinstance(params, dict) else {},
        current_leaf_id=row["current_leaf_id"],
        draft=row["draft"],
    )


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


def usage_json(usage: Usage | None) -> str | None:
    """The column value for a usage: the raw object with the parsed fields filled in."""
    if usage is None:
        return None
    data: dict[str, Any] = dict(usage.raw)
    for name in ("prompt_tokens", "completion_tokens", "total_tokens", "cost"):
        value = getattr(usage, name)
        if value is not None and name not in data:
            data[name] = value
    if usage.cached_tokens is not None and "prompt_tokens_details" not in data:
        data["prompt_tokens_details"] = {"cached_tokens": usage.cached_tokens}
    if usage.reasoning_tokens is not None and "completion_tokens_details" not in data:
        data["completion_tokens_details"] = {"reasoning_tokens": usage.reasoning_tokens}
    return dumps(data)
