"""A conversation's settings: model, parameters (tools, JSON mode), system prompt."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from routmy_tui.core.request import ChatParams

__all__ = ["ChatSettings"]

_SHOWN_APART = ("tools", "tool_choice", "response_format")
"""Parameters the active-settings line names in words of their own."""


@dataclass(frozen=True)
class ChatSettings:
    """What a conversation sends besides its messages. Immutable: `replace` makes a new value.

    Attributes:
        model: Model id ("" until one is chosen).
        system_prompt: Sent as the first message when not blank.
        params: Request parameters, tools, tool_choice and response_format included.
        stream: Ask for a streamed reply.
    """

    model: str = ""
    system_prompt: str = ""
    params: ChatParams = field(default_factory=ChatParams)
    stream: bool = True

    def replace(self, **changes: Any) -> ChatSettings:
        """A copy with `changes` (parameters are copied: no two values share a mutable part)."""
        if "params" in changes and changes["params"] is not None:
            changes["params"] = copy.deepcopy(changes["params"])
        else:
            changes["params"] = copy.deepcopy(self.params)
        return dataclasses.replace(self, **changes)

    @property
    def tools(self) -> list[dict[str, Any]]:
        """The function tools offered to the model (empty when none)."""
        return list(self.params.tools or [])

    def summary(self, defaults: ChatSettings) -> str:
        """One line naming what is active beyond `defaults` ("" when nothing is).

        System prompt, parameters that differ from the defaults, tools (a count), tool_choice
        and JSON mode; e.g. "system prompt · temperature 0.2 · 2 tools · JSON mode".
        """
        parts: list[str] = []
        if self.system_prompt.strip() and self.system_prompt != defaults.system_prompt:
            parts.append("system prompt")
        mine, theirs = self.params.to_dict(), defaults.params.to_dict()
        for name, value in mine.items():
            if name in _SHOWN_APART or theirs.get(name) == value:
                continue
            if name == "extra":
                changed = [k for k, v in value.items() if theirs.get("extra", {}).get(k) != v]
                parts.extend(f"+{key}" for key in changed)
            else:
                parts.append(f"{name} {_short(value)}")
        tools = self.tools
        if tools:
            parts.append(f"{len(tools)} tool{'s' if len(tools) != 1 else ''}")
            choice = self.params.tool_choice
            if choice not in (None, "auto"):
                parts.append(f"tool_choice {_short(choice)}")
        fmt = self.params.response_format
        if isinstance(fmt, dict) and fmt.get("type") == "json_object":
            parts.append("JSON mode")
        elif isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            parts.append("JSON schema")
        if not self.stream and defaults.stream:
            parts.append("no streaming")
        return " · ".join(parts)


def _short(value: Any, limit: int = 24) -> str:
    if isinstance(value, dict) and isinstance(value.get("function"), dict):
        value = value["function"].get("name", value)  # tool_choice naming one function
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
