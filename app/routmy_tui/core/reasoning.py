"""Assemble a reply's thinking: its text, and `reasoning_details` items streamed in fragments."""

from __future__ import annotations

from typing import Any

from routmy_tui.core.json_preview import short_json
from routmy_tui.core.toolcalls import Note
from routmy_tui.core.types import Reply

__all__ = ["ReasoningAssembler"]


class ReasoningAssembler:
    """Assembles the thinking of a reply: `reply.reasoning` and `reply.reasoning_details`.

    Text comes in pieces joined by `flush` (so a long reply costs linear time);
    `reasoning_details` fragments of one item, by (type, index), are merged into that item.
    """

    __slots__ = ("_details", "_pieces", "reply")

    def __init__(self, reply: Reply) -> None:
        """Start with no thinking.

        Args:
            reply: The reply whose `reasoning` and `reasoning_details` are filled in.
        """
        self.reply = reply
        self._pieces: list[str] = []
        # Streamed reasoning items by (type, index): the stored item, its text field and
        # text fragments not yet joined into it (joined on read, to stay linear).
        self._details: dict[tuple[str, int], tuple[dict[str, Any], str, list[str]]] = {}

    def feed(self, delta: dict[str, Any], note: Note) -> str:
        """Take one delta's thinking.

        `reasoning` (else `reasoning_content`) gives the text; `reasoning_details` supply it
        only when no string came.

        Args:
            delta: One choice's `delta` (or `message`).
            note: Records an odd input.

        Returns:
            The thinking text the delta added ("" for none).
        """
        text = ""
        for name in ("reasoning", "reasoning_content"):
            value = delta.get(name)
            if isinstance(value, str) and value:
                text = value
                break
        details = delta.get("reasoning_details")
        if details:
            from_details = self._merge_details(details, note)
            if not text:
                text = from_details
        if text:
            self._pieces.append(text)
        return text

    def _merge_details(self, details: Any, note: Note) -> str:
        """Collect `reasoning_details` items, merging fragments of one item by (type, index)."""
        if not isinstance(details, list):
            details = [details]
        shown: list[str] = []
        stored = self.reply.reasoning_details
        for item in details:
            if not isinstance(item, dict):
                note(f"ignored a reasoning detail of unknown shape: {short_json(item)}")
                continue
            kind = str(item.get("type", ""))
            key = "summary" if kind == "reasoning.summary" else "text"
            piece = item.get(key)
            if isinstance(piece, str) and kind != "reasoning.encrypted":
                shown.append(piece)
            index = item.get("index")
            if not isinstance(index, int) or kind == "reasoning.encrypted":
                stored.append(dict(item))
                continue
            entry = self._details.get((kind, index))
            if entry is None:
                copy = dict(item)
                self._details[(kind, index)] = (copy, key, [])
                stored.append(copy)
                continue
            previous, _, pending = entry
            for name, value in item.items():
                if name == key and isinstance(value, str):
                    pending.append(value)
                elif value is not None and previous.get(name) is None:
                    previous[name] = value
        return "".join(shown)

    def flush(self) -> None:
        """Join the pieces received so far into the reply."""
        for item, key, pending in self._details.values():
            if pending:
                item[key] = str(item.get(key) or "") + "".join(pending)
                pending.clear()
        if self._pieces:
            self.reply.reasoning += "".join(self._pieces)
            self._pieces.clear()
