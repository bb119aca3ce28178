"""Export a conversation's current branch as Markdown or JSON, and import such JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from routmy_tui.core.text import replace_surrogates
from routmy_tui.core.toolsets import wire_tools
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
from routmy_tui.store.records import StoredMessage, escape_surrogates, usage_json
from routmy_tui.store.store import Store

EXPORT_FORMAT = "routmy-tui/1"
"""The `format` field of a JSON export."""

_ROLES = ("system", "user", "assistant", "tool")
# A reply exported while still streaming can no longer finish: it comes back interrupted.
_STATUSES: dict[str, ReplyStatus] = {
    "complete": "complete",
    "stopped": "stopped",
    "interrupted": "interrupted",
    "streaming": "interrupted",
    "error": "error",
}


def _load(store: Store, conversation_id: str) -> tuple[Any, list[StoredMessage]]:
    conversation = store.get_conversation(conversation_id)
    if conversation is None:
        raise StoreError(f"no conversation {conversation_id}")
    return conversation, store.current_path(conversation_id)


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _fence(text: str, lang: str = "") -> str:
    """A fenced code block that no backtick run inside `text` can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{text}\n{ticks}"


def export_text(store: Store, conversation_id: str, fmt: str) -> str:
    """The export as text ready to write: Markdown ("md") or JSON ("json").

    Lone surrogates (which UTF-8 cannot hold) become `\\udXXX` escapes in JSON, which read
    back exactly, and U+FFFD in Markdown.

    Raises:
        StoreError: No such conversation.
    """
    if fmt == "json":
        data = export_json(store, conversation_id)
        return escape_surrogates(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"
    return replace_surrogates(export_markdown(store, conversation_id))


def export_markdown(
    store: Store, conversation_id: str, link: Callable[[str], str] | None = None
) -> str:
    """The conversation's current branch as a Markdown document.

    Contains the title, model, parameters, system prompt and each message (reasoning in a
    collapsed block, tool calls as JSON blocks, images as Markdown images, and the status of a
    reply that did not complete). Never contains headers or keys.

    Args:
        store: The store.
        conversation_id: The conversation.
        link: Where each picture's Markdown image points (given its URL); by default the
            URL itself (data URLs inline). `export_files.write_export` saves them beside.

    Raises:
        StoreError: No such conversation.
    """
    conversation, path = _load(store, conversation_id)
    out = [f"# {conversation.title or 'Conversation'}", ""]
    out.append(f"- Model: `{conversation.model or 'unknown'}`")
    out.append(f"- Created: {_stamp(conversation.created_at)}")
    params = shareable_params(conversation.params)
    if params:
        out.append(f"- Parameters: `{json.dumps(params, ensure_ascii=False)}`")
    out.append("")
    if conversation.system_prompt:
        out += ["## System", "", conversation.system_prompt, ""]
    show = link or (lambda url: url)
    names: dict[str, str] = {}
    for message in path:
        names.update({call.id: call.name for call in message.tool_calls if call.id})
        out += _markdown_message(message, show, names)
        if message.role == "assistant" and message.extra.get("compared"):
            out += _compared_with(store, message, show)
    return "\n".join(out).rstrip() + "\n"


def _compared_with(store: Store, kept: StoredMessage, link: Callable[[str], str]) -> list[str]:
    """The other replies of a comparison, each under its model (the kept one came first)."""
    others = [
        m
        for m in store.children(kept.parent_id, kept.conversation_id)
        if m.id != kept.id and m.role == "assistant" and m.extra.get("compared")
    ]
    if not others:
        return []
    out = [f"_Compared with {len(others)} other model(s); the reply above was kept._", ""]
    for message in others:
        lines = _markdown_message(message, link)
        lines[0] = f"### Also compared · {message.model or 'unknown'}"
        out += lines
    return out


def shareable_params(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters fit to leave or enter this machine: tools without the local-only keys.

    A tool's `command` and `auto_approve` name programs on this computer; an export must
    not carry them away, and an imported file must never bring programs to run.
    """
    if "tools" not in params:
        return params
    return {**params, "tools": wire_tools(params["tools"])}


_ANSWERED_BY = {"typed": "typed by hand", "program": "by its program", "dropped": "dropped"}


def _markdown_message(
    message: StoredMessage, link: Callable[[str], str], names: dict[str, str] | None = None
) -> list[str]:
    if message.role == "assistant":
        head = "## Assistant" + (f" · {message.model}" if message.model else "")
    elif message.role == "tool":
        call_id = message.tool_call_id or ""
        name = (names or {}).get(call_id)
        head = f"## Tool result{f' · {name}' if name else ''} ({call_id or 'no id'})"
        by = _ANSWERED_BY.get(str(message.extra.get("answered_by")))
        if by:
            head += f" · {by}"
    else:
        head = f"## {message.role.capitalize()}"
    out = [head, ""]
    if message.reasoning:
        out += [
            "<details><summary>Reasoning</summary>",
            "",
            message.reasoning,
            "",
            "</details>",
            "",
        ]
    if message.content:
        out += [message.content, ""]
    for number, url in enumerate(message.images, 1):
        out += [f"![image {number}]({link(url)})", ""]
    dropped = set(message.extra.get("dropped_calls") or [])
    for call in message.tool_calls:
        note = " · dropped (not sent)" if call.id and call.id in dropped else ""
        out += [f"**Tool call** `{call.name}` ({call.id or 'no id'}){note}", ""]
        out += [_fence(call.arguments, "json"), ""]
    if message.status != "complete":
        note = f"_Reply {message.status}"
        note += f": {message.error.summary()}_" if message.error else "_"
        out += [note, ""]
    return out


def _wire(message: StoredMessage) -> dict[str, Any]:
    out = message.to_chat_message().to_wire()
    if message.images and message.role != "user":
        out["images"] = [{"type": "image_url", "image_url": {"url": url}} for url in message.images]
    return out


def export_json(store: Store, conversation_id: str) -> dict[str, Any]:
    """The current branch as a JSON-able dict.

    `messages` is in the OpenAI chat format (system prompt first), ready to send or to import;
    `metadata` has one item per message, in the same order (status, model, usage, finish
    reason, reasoning, time; who answered a tool call and when; dropped calls). Never contains
    headers or keys.

    Raises:
        StoreError: No such conversation.
    """
    conversation, path = _load(store, conversation_id)
    messages: list[dict[str, Any]] = []
    metadata: list[dict[str, Any]] = []
    if conversation.system_prompt:
        messages.append({"role": "system", "content": conversation.system_prompt})
        metadata.append({"role": "system"})
    for message in path:
        messages.append(_wire(message))
        item: dict[str, Any] = {
            "role": message.role,
            "status": message.status,
            "created_at": message.created_at,
        }
        if message.model:
            item["model"] = message.model
        if message.usage is not None:
            item["usage"] = json.loads(usage_json(message.usage) or "null")
        if message.finish_reason:
            item["finish_reason"] = message.finish_reason
        if message.reasoning:
            item["reasoning"] = message.reasoning
        if message.error is not None:
            error = message.error.to_dict()
            error.pop("raw_body", None)  # Bodies can be large HTML pages; the summary is enough.
            item["error"] = error
        item.update(_tool_meta(message.extra))
        metadata.append(item)
    return {
        "format": EXPORT_FORMAT,
        "title": conversation.title,
        "model": conversation.model,
        "system_prompt": conversation.system_prompt,
        "params": shareable_params(conversation.params),
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
        "messages": messages,
        "metadata": metadata,
    }


def _tool_meta(extra: Any) -> dict[str, Any]:
    """Who answered a tool call and when, and which calls were dropped (checked, when known)."""
    if not isinstance(extra, dict):
        return {}
    out: dict[str, Any] = {}
    if extra.get("answered_by") in ("typed", "program", "dropped"):
        out["answered_by"] = extra["answered_by"]
    at = extra.get("answered_at")
    if isinstance(at, int | float) and not isinstance(at, bool):
        out["answered_at"] = at
    dropped = extra.get("dropped_calls")
    if isinstance(dropped, list) and all(isinstance(i, str) for i in dropped):
        out["dropped_calls"] = list(dropped)
    return out


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
    """Parse the text of a file to import, or say plainly why it cannot be imported.

    Raises:
        ValueError: The text is not JSON (a Markdown export is named as such), with where.
    """
    import json

    from routmy_tui.core.jsonsafe import loads_bounded
    from routmy_tui.core.text import json_error

    try:
        return loads_bounded(text)
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith("#"):
            raise ValueError(
                "this looks like a Markdown export; only JSON exports can be imported "
                "(export with --format json, or pick .json in the app)"
            ) from None
        raise ValueError(
            f"not a JSON export ({json_error(exc)}); import takes the JSON the app exports"
        ) from None


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
            if _tool_meta(meta):
                store.update_message_meta(parent, _tool_meta(meta))
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
