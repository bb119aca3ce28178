"""Assemble streamed `delta.tool_calls[]` fragments into whole tool calls."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from routmy_tui.core.json_preview import short_json
from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.types import ToolCall

__all__ = ["Note", "ToolCallAssembler", "whole_tool_calls"]

Note = Callable[[str], None]
"""Records one odd input (the assembler's `note`)."""


class ToolCallAssembler:
    """Assembles `delta.tool_calls[]` fragments into the reply's live list of calls.

    The rule for which call a fragment extends, built for the shapes seen in the wild:
    - with an `index`, the call last started at that index; without one, the call with
      the same id, else the last call;
    - a fragment with a new non-empty id *and* a name starts a new call (several calls at
      index 0, or no index at all), unless it repeats the current call's name while that
      call's arguments are still incomplete JSON;
    - a new id without a name continues the current call (servers that mint an id per
      fragment);
    - a name different from the current call's name starts a new call.
    `id`, `type` and `name` keep their first non-empty value; arguments concatenate.
    """

    __slots__ = ("_by_id", "_by_index", "_index", "_last", "_pieces", "calls")

    def __init__(self, calls: list[ToolCall]) -> None:
        """Start with no fragments.

        Args:
            calls: The reply's list of calls, filled and reordered in place.
        """
        self.calls = calls
        self._by_index: dict[int, ToolCall] = {}
        self._by_id: dict[str, ToolCall] = {}
        self._index: dict[int, int | None] = {}  # id(call) -> wire index, for ordering
        self._last: ToolCall | None = None
        # Argument fragments not yet joined, per call: `str +=` on an attribute copies the
        # whole string each time, which is quadratic for long arguments.
        self._pieces: dict[int, tuple[ToolCall, list[str]]] = {}

    def feed(self, fragments: Any, note: Note) -> bool:
        """Apply one delta's `tool_calls`; returns whether any call changed."""
        if isinstance(fragments, dict):
            fragments = [fragments]
        elif not isinstance(fragments, list):
            note(f"ignored `tool_calls` of unknown shape: {short_json(fragments)}")
            return False
        changed = False
        for frag in fragments:
            if not isinstance(frag, dict):
                note(f"ignored a tool call fragment of unknown shape: {short_json(frag)}")
                continue
            function = frag.get("function")
            if not isinstance(function, dict):
                function = {}
            index = frag.get("index")
            if isinstance(index, str) and index.isdigit():
                index = int(index)
            elif not isinstance(index, int) or isinstance(index, bool):
                index = None
            call_id = frag.get("id")
            call_id = (
                call_id if isinstance(call_id, str) else "" if call_id is None else str(call_id)
            )
            name = function.get("name")
            name = name if isinstance(name, str) else ""
            args = function.get("arguments")
            if args is not None and not isinstance(args, str):
                args = json.dumps(args, ensure_ascii=False)
            call = self._target(index, call_id, name)
            if call is None:
                call = ToolCall()
                kind = frag.get("type")
                if isinstance(kind, str) and kind:
                    call.type = kind
                self.calls.append(call)
                self._index[id(call)] = index
                if index is not None:
                    self._by_index[index] = call
            if call_id and not call.id:
                call.id = call_id
                self._by_id[call_id] = call
            if name and not call.name:
                call.name = name
            if args:
                entry = self._pieces.get(id(call))
                if entry is None:
                    self._pieces[id(call)] = (call, [args])
                else:
                    entry[1].append(args)
            self._last = call
            changed = True
        return changed

    def _target(self, index: int | None, call_id: str, name: str) -> ToolCall | None:
        if index is None:
            current = self._by_id.get(call_id) if call_id else None
            if current is None:
                current = self._last
        else:
            current = self._by_index.get(index)
        if current is None:
            return None
        if call_id and current.id and call_id != current.id:
            if name and not (name == current.name and _incomplete(self._joined(current))):
                return None
        elif name and current.name and name != current.name:
            return None
        return current

    def _joined(self, call: ToolCall) -> str:
        entry = self._pieces.get(id(call))
        if entry is not None and entry[1]:
            call.arguments += "".join(entry[1])
            entry[1].clear()
        return call.arguments

    def flush(self) -> None:
        """Join the argument fragments received so far into each call's `arguments`."""
        for call, pieces in self._pieces.values():
            if pieces:
                call.arguments += "".join(pieces)
                pieces.clear()

    def finish(self) -> None:
        """Drop empty calls and order the rest by wire index (creation order breaks ties)."""
        self.flush()
        calls = [c for c in self.calls if c.id or c.name or c.arguments]
        indexes = [self._index.get(id(c)) for c in calls]
        if all(i is not None for i in indexes):
            order = sorted(range(len(calls)), key=lambda k: indexes[k] or 0)
            calls = [calls[k] for k in order]
        self.calls[:] = calls


def _incomplete(arguments: str) -> bool:
    """Whether tool arguments received so far are not yet a whole JSON value."""
    if not arguments.strip():
        return True
    try:
        loads_bounded(arguments)
    except ValueError:
        return True
    return False


def whole_tool_calls(calls: list[Any], note: Note) -> list[ToolCall]:
    """The `message.tool_calls` of a non-streamed reply, as ToolCalls.

    Args:
        calls: The decoded list; items that are not objects are noted and skipped.
        note: Records an odd input.

    Returns:
        One ToolCall per usable item, in order; object arguments are re-encoded as JSON.
    """
    out = []
    for item in calls:
        if not isinstance(item, dict):
            note(f"ignored a tool call of unknown shape: {short_json(item)}")
            continue
        function = item.get("function")
        function = function if isinstance(function, dict) else {}
        arguments = function.get("arguments")
        if arguments is not None and not isinstance(arguments, str):
            arguments = json.dumps(arguments, ensure_ascii=False)
        out.append(
            ToolCall(
                id=str(item.get("id") or ""),
                name=str(function.get("name") or ""),
                arguments=arguments or "",
                type=str(item.get("type") or "function"),
            )
        )
    return out
