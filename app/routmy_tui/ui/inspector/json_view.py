"""JSON-mode replies: pretty, highlighted JSON once complete; invalid or cut-off JSON flagged."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.strip import Strip

from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.request import wants_json  # noqa: F401 - re-exported
from routmy_tui.core.text import json_error, make_safe
from routmy_tui.ui.chat.render import render_strips

_FENCE_RE = re.compile(r"^\s*```(?:json)?\s*\n(.*?)\n\s*```\s*$", re.S | re.I)


@dataclass
class JsonCheck:
    """What a JSON-mode reply turned out to be.

    Attributes:
        value: The parsed value (when valid).
        valid: Whether the text (or the text inside a ``` fence) parsed.
        problem: Why it did not, e.g. "Expecting ',' delimiter at line 3 column 5".
        fenced: The JSON was wrapped in a Markdown code fence.
        truncated: The reply ended with finish_reason "length" (cut off by the token limit).
    """

    value: Any = None
    valid: bool = False
    problem: str = ""
    fenced: bool = False
    truncated: bool = False


def check_json(content: str, finish_reason: str | None) -> JsonCheck:
    """Parse a JSON-mode reply, tolerating only a surrounding code fence (and saying so)."""
    result = JsonCheck(truncated=finish_reason == "length")
    text = content
    fence = _FENCE_RE.match(content)
    if fence:
        text = fence.group(1)
        result.fenced = True
    try:
        result.value = loads_bounded(text)
        result.valid = True
    except json.JSONDecodeError as exc:
        result.problem = json_error(exc)
    except RecursionError:
        result.problem = "nested too deeply"
    return result


def json_reply_strips(
    console: Console,
    width: int,
    content: str,
    finish_reason: str | None,
    *,
    code_theme: str = "monokai",
    warning: Style | None = None,
    error: Style | None = None,
) -> list[Strip]:
    """The lines of a finished JSON-mode reply: warnings first, then the JSON or the raw text."""
    check = check_json(content, finish_reason)
    warning = warning or Style(color="yellow")
    error = error or Style(color="red", bold=True)
    parts: list[RenderableType] = []
    if check.truncated:
        parts.append(Text("⚠ truncated: finish_reason 'length' (raise max_tokens)", style=warning))
    if check.valid:
        head = "✔ valid JSON" + (" (inside a ``` fence)" if check.fenced else "")
        parts.append(Text(head, style=Style(dim=True)))
        pretty = make_safe(json.dumps(check.value, indent=2, ensure_ascii=False))
        parts.append(
            Syntax(pretty, "json", theme=code_theme, word_wrap=True, background_color="default")
        )
    else:
        parts.append(Text(f"✖ invalid JSON: {check.problem}; raw text below", style=error))
        parts.append(Text(make_safe(content)))
    return render_strips(console, Group(*parts), width)
