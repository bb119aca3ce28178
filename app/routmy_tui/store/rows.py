"""The store's rows and JSON columns to and from core types (messages, replies, conversations)."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.types import ApiError, ChatMessage, Reply, ToolCall, Usage
from routmy_tui.store.records import Conversation, StoredMessage

__all__ = [
    "KEPT_EXTRA",
    "PIECE",
    "conversation_from_row",
    "dumps",
    "dumps_in_pieces",
    "escape_surrogates",
    "kept_extra",
    "message_extra",
    "message_from_row",
    "reply_extra",
    "tool_calls_json",
    "usage_json",
]


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
