"""Export a conversation's current branch as Markdown or JSON (import: `import_json`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from routmy_tui.core.text import replace_surrogates
from routmy_tui.core.toolsets import wire_tools
from routmy_tui.store.db import StoreError
from routmy_tui.store.records import StoredMessage
from routmy_tui.store.rows import escape_surrogates, usage_json
from routmy_tui.store.store import Store

EXPORT_FORMAT = "routmy-tui/1"
"""The `format` field of a JSON export."""


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
        item.update(tool_meta(message.extra))
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


def tool_meta(extra: Any) -> dict[str, Any]:
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
