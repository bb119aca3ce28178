"""Import a conversation from JSON: the app's own export, or a bare OpenAI `messages` list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.text import json_error
from routmy_tui.core.types import (
    IMAGE_REF,
    ApiError,
    ChatMessage,
    Reply,
    ReplyStatus,
    ToolCall,
    Usage,
)
from routmy_tui.store.db import StoreError
from routmy_tui.store.export import EXPORT_FORMAT, shareable_params, tool_meta
from routmy_tui.store.import_markdown import looks_like_markdown, read_markdown_export
from routmy_tui.store.store import Store

_ROLES = ("system", "user", "assistant", "tool")
# A reply exported while still streaming can no longer finish: it comes back interrupted.
_STATUSES: dict[str, ReplyStatus] = {
    "complete": "complete",
    "stopped": "stopped",
    "interrupted": "interrupted",
    "streaming": "interrupted",
    "error": "error",
}


def _fail(where: str, why: str) -> StoreError:
    return StoreError(f"cannot import: {where}: {why}")


def _parse_content(
    raw: Any, where: str
) -> tuple[str | None, list[str], list[dict[str, Any]] | None]:
    """(text, image URLs, kept parts) of an OpenAI `content` value.

    A string or null is the text itself. A list of parts gives its text parts joined, its
    image URLs, and the parts as they came (image URLs replaced by references), so that the
    message is sent back exactly; parts of other types are kept and sent back unchanged.
    """
    if raw is None or isinstance(raw, str):
        return raw, [], None
    if not isinstance(raw, list):
        raise _fail(where, "content must be a string, null or a list of parts")
    texts: list[str] = []
    images: list[str] = []
    parts: list[dict[str, Any]] = []
    for number, part in enumerate(raw):
        if not isinstance(part, dict):
            raise _fail(f"{where}[{number}]", "a content part must be an object")
        if part.get("type") == "text" and isinstance(part.get("text"), str):
            texts.append(part["text"])
            parts.append(part)
        elif part.get("type") == "image_url":
            url = _image_url(part, f"{where}[{number}]")
            image = part["image_url"] if isinstance(part["image_url"], dict) else {}
            ref = {**image, "url": f"{IMAGE_REF}{len(images)}"}
            images.append(url)
            parts.append({**part, "image_url": ref})
        elif isinstance(part.get("type"), str):
            parts.append(part)
        else:
            raise _fail(f"{where}[{number}]", "a content part needs a type")
    return ("\n\n".join(texts) if texts else None), images, parts


def _image_url(part: dict[str, Any], where: str) -> str:
    value = part.get("image_url")
    url = value.get("url") if isinstance(value, dict) else value
    if not isinstance(url, str) or not url:
        raise _fail(where, "an image part needs image_url.url")
    return url


def _parse_tool_calls(raw: Any, where: str) -> list[ToolCall]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _fail(where, "tool_calls must be a list")
    calls = []
    for number, item in enumerate(raw):
        function = item.get("function") if isinstance(item, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise _fail(f"{where}[{number}]", "a tool call needs function.name")
        arguments = function.get("arguments", "")
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments, ensure_ascii=False)
        calls.append(
            ToolCall(
                id=str(item.get("id") or ""),
                name=function["name"],
                arguments=arguments,
                type=str(item.get("type") or "function"),
            )
        )
    return calls


_WIRE_KEYS = frozenset(
    {"role", "content", "images", "tool_calls", "tool_call_id", "reasoning_details", "name"}
)


def _parse_message(raw: Any, where: str) -> ChatMessage:
    if not isinstance(raw, dict):
        raise _fail(where, "a message must be an object")
    role = raw.get("role")
    if role not in _ROLES:
        raise _fail(where, f"role must be one of {', '.join(_ROLES)} (got {role!r})")
    content, images, parts = _parse_content(raw.get("content"), f"{where}.content")
    extra_images = raw.get("images")
    if isinstance(extra_images, list):
        images += [_image_url(p, f"{where}.images") for p in extra_images if isinstance(p, dict)]
    tool_call_id = raw.get("tool_call_id")
    details = raw.get("reasoning_details")
    name = raw.get("name")
    return ChatMessage(
        role=str(role),
        content=content,
        images=images,
        tool_calls=_parse_tool_calls(raw.get("tool_calls"), f"{where}.tool_calls"),
        tool_call_id=str(tool_call_id) if tool_call_id is not None else None,
        reasoning_details=details if isinstance(details, list) else None,
        name=name if isinstance(name, str) else None,
        parts=parts,
        extra={key: value for key, value in raw.items() if key not in _WIRE_KEYS},
    )


def read_export(text: str) -> Any:
    """Parse the text of a JSON file to import, or say plainly why it cannot be imported.

    Raises:
        ValueError: The text is not JSON, with where.
    """
    try:
        return loads_bounded(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"not a JSON export ({json_error(exc)}); import takes the app's own JSON or"
            " Markdown export"
        ) from None


def import_text(store: Store, text: str, folder: Path) -> tuple[str, list[str]]:
    """Import a file's text: the app's JSON export (or an OpenAI `messages` list), or its
    Markdown export, whose pictures are read from the files beside it.

    Args:
        store: Where to create the conversation.
        text: The file's text.
        folder: The file's folder (where a Markdown export's picture links start).

    Returns:
        The new conversation id, and what could not be brought back (one phrase each).

    Raises:
        ValueError: Neither kind of export; the message says why.
        StoreError: The data is not a conversation; the message says where and why.
    """
    if looks_like_markdown(text):
        read = read_markdown_export(text, folder)
        return import_json(store, read.data), read.skipped
    return import_json(store, read_export(text)), []


def import_json(store: Store, data: Any) -> str:
    """Create a new conversation from a JSON export (ours, or a bare OpenAI `messages` list).

    A leading system message becomes the system prompt. Our `metadata` restores each reply's
    status, model, usage, finish reason and reasoning. All or nothing: on an error nothing is
    stored.

    Args:
        store: Where to create it.
        data: The decoded JSON: a dict with `messages`, or a list of messages.

    Returns:
        The new conversation id.

    Raises:
        StoreError: The data is not a conversation; the message says where and why.
    """
    if isinstance(data, list):
        data = {"messages": data}
    if not isinstance(data, dict):
        raise _fail("top level", "expected an object with a 'messages' list")
    fmt = data.get("format")
    if fmt is not None and fmt != EXPORT_FORMAT:
        raise _fail("format", f"unknown format {fmt!r} (expected {EXPORT_FORMAT!r})")
    raw_messages = data.get("messages")
    if not isinstance(raw_messages, list):
        raise _fail("messages", "expected a list")
    messages = [_parse_message(m, f"messages[{i}]") for i, m in enumerate(raw_messages)]
    raw_meta = data.get("metadata")
    metadata: list[Any] = raw_meta if isinstance(raw_meta, list) else []
    metadata += [{}] * (len(messages) - len(metadata))
    system_prompt = data.get("system_prompt")
    if messages and messages[0].role == "system":
        system_prompt = messages.pop(0).content
        metadata.pop(0)
    params = data.get("params")
    title = data.get("title")
    model = data.get("model")
    with store.transaction():
        conversation_id = store.create_conversation(
            model=model if isinstance(model, str) else None,
            system_prompt=system_prompt if isinstance(system_prompt, str) else None,
            params=shareable_params(params) if isinstance(params, dict) else {},
            title=title if isinstance(title, str) and title.strip() else None,
        )
        parent: int | None = None
        for message, meta in zip(messages, metadata, strict=False):
            meta = meta if isinstance(meta, dict) else {}
            meta_model = meta.get("model")
            parent = store.add_message(
                conversation_id,
                parent,
                message,
                model=meta_model if isinstance(meta_model, str) else None,
            )
            if message.role == "assistant" and meta:
                store.checkpoint_reply(parent, _reply_from(message, meta))
            if tool_meta(meta):
                store.update_message_meta(parent, tool_meta(meta))
    return conversation_id


def _reply_from(message: ChatMessage, meta: dict[str, Any]) -> Reply:
    status = meta.get("status")
    error = meta.get("error")
    reasoning = meta.get("reasoning")
    finish = meta.get("finish_reason")
    return Reply(
        content=message.content or "",
        reasoning=reasoning if isinstance(reasoning, str) else "",
        reasoning_details=list(message.reasoning_details or []),
        tool_calls=list(message.tool_calls),
        images=list(message.images),
        usage=Usage.from_wire(meta.get("usage")),
        finish_reason=finish if isinstance(finish, str) else None,
        status=_STATUSES.get(str(status), "complete"),
        error=ApiError.from_dict(error) if isinstance(error, dict) else None,
    )
