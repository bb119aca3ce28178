"""The inspector's Tools tab: each call of a reply, its arguments, and the answer it got."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Group, RenderableType
from rich.highlighter import JSONHighlighter
from rich.padding import Padding
from rich.text import Text

from routmy_tui.core.text import make_safe
from routmy_tui.core.types import ToolCall
from routmy_tui.ui.chat.tool_calls_view import parse_arguments

SHOWN = 20_000
"""Characters of arguments or answer shown per call (the Request/Response tabs have all)."""

SHOWN_LINES = 400
"""Lines of pretty JSON shown per value."""


@dataclass
class CallRecord:
    """One call and what became of it.

    Attributes:
        call: The model's call.
        answer: The tool result sent for it (None: not answered).
        by: "typed", "program" or "dropped" ("" when not known or not answered).
        at: When it was answered (epoch seconds), if known.
    """

    call: ToolCall
    answer: str | None = None
    by: str = ""
    at: float | None = None


def call_records(
    calls: Sequence[ToolCall], reply_meta: dict[str, Any], following: Sequence[Any]
) -> list[CallRecord]:
    """Match a reply's calls with the tool messages after it on the branch.

    Args:
        calls: The reply's calls, in order.
        reply_meta: The reply turn's stored details (`dropped_calls`: ids the user dropped).
        following: The turns after the reply (each with `message` and `meta`); the tool
            turns right after it are its answers, matched by `tool_call_id`, else in order.

    Returns:
        One record per call, in the calls' order.
    """
    records = [CallRecord(call) for call in calls]
    dropped = set(reply_meta.get("dropped_calls") or [])
    answers = []
    for turn in following:
        if turn.message.role != "tool":
            break
        answers.append(turn)
    unmatched = []
    for turn in answers:
        target = next(
            (
                r
                for r in records
                if r.answer is None and r.call.id and r.call.id == turn.message.tool_call_id
            ),
            None,
        )
        if target is None:
            unmatched.append(turn)
            continue
        _fill(target, turn)
    for turn in unmatched:  # calls without ids: answered in order
        target = next((r for r in records if r.answer is None and r.by != "dropped"), None)
        if target is not None:
            _fill(target, turn)
    for record in records:
        if record.answer is None and record.call.id in dropped:
            record.by = "dropped"
    return records


def _fill(record: CallRecord, turn: Any) -> None:
    meta = getattr(turn, "meta", None) or {}
    record.answer = turn.message.content or ""
    record.by = str(meta.get("answered_by") or "")
    at = meta.get("answered_at")
    record.at = float(at) if isinstance(at, int | float) else None


def _when(at: float | None) -> str:
    if at is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


def _json_or_text(text: str) -> RenderableType:
    if len(text) > SHOWN:
        cut = f"{text[:SHOWN]} … ({len(text) - SHOWN:,} more characters)"
        return Text(make_safe(cut))
    value, problem = parse_arguments(text)
    if problem is not None or not text.strip() or not isinstance(value, dict | list):
        return Text(make_safe(text) if text else "(empty)")
    lines = json.dumps(value, indent=2, ensure_ascii=False).split("\n")
    # Rich's JSON highlighter on plain Text, as the other tabs show JSON.
    pretty = Text(make_safe("\n".join(lines[:SHOWN_LINES])))
    JSONHighlighter().highlight(pretty)
    if len(lines) > SHOWN_LINES:
        more = len(lines) - SHOWN_LINES
        pretty.append(f"\n… {more:,} more lines (the Request and Response tabs have them all)")
    return pretty


def tools_renderable(records: list[CallRecord], streaming: bool) -> RenderableType:
    """The tab's content for a reply's call records."""
    if not records:
        return Text("This reply made no tool calls.", style="dim")
    parts: list[RenderableType] = []
    for number, record in enumerate(records, 1):
        call = record.call
        head = Text()
        head.append(f"{number}. {make_safe(call.name or '(no name)')}", style="bold")
        head.append(f"  id {make_safe(call.id) if call.id else '(none)'}", style="dim")
        parts.append(head)
        parts.append(Text("arguments:", style="bold"))
        if streaming:
            parts.append(
                Padding(Text(make_safe(call.arguments[-SHOWN:]), style="dim"), (0, 0, 0, 2))
            )
        else:
            problem = parse_arguments(call.arguments)[1]
            if problem:
                parts.append(Text(f"  ✖ {problem}", style="red"))
            parts.append(Padding(_json_or_text(call.arguments), (0, 0, 0, 2)))
        if record.answer is not None:
            who = {"typed": "typed by you", "program": "by its program", "dropped": "dropped"}
            line = Text("answer", style="bold")
            line.append(f" · {who.get(record.by, record.by or 'given')}")
            if record.at is not None:
                line.append(f" · {_when(record.at)}", style="dim")
            parts.append(line)
            parts.append(Padding(_json_or_text(record.answer), (0, 0, 0, 2)))
        elif record.by == "dropped":
            parts.append(Text("dropped: left out of requests, no answer sent", style="yellow"))
        elif not streaming:
            parts.append(Text("not answered yet", style="yellow"))
        parts.append(Text(""))
    return Group(*parts)
