"""A reply's tool calls: name at once, arguments growing, then pretty JSON or the parse error."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.highlighter import JSONHighlighter
from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from routmy_tui.core.text import json_error, make_safe
from routmy_tui.core.types import ToolCall
from routmy_tui.ui.chat.render import render_strips

LIVE_TAIL = 1500
"""Characters of still-forming arguments shown (the end, where they grow)."""

PRETTY_LIMIT = 100_000
"""Arguments longer than this are not pretty-printed (the inspector has them whole)."""

SHOWN_RAW = 4000
"""Characters of raw arguments shown when they are too long or not JSON."""

SHOWN_LINES = 60
"""Lines of pretty arguments shown in the conversation (laying out thousands costs seconds)."""


def parse_arguments(arguments: str) -> tuple[Any, str | None]:
    """The arguments' value, or None and why not (never raises, even for hostile input)."""
    if not arguments.strip():
        return {}, None
    try:
        return json.loads(arguments), None
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {json_error(exc)}"
    except RecursionError:
        return None, "invalid JSON: nested too deeply to read"


def _head(call: ToolCall, number: int, count: int, palette: Any, note: str = "") -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    prefix = f"⚙ {number}/{count} " if count > 1 else "⚙ "
    text.append(prefix + make_safe(call.name or "(no name yet)"), style=palette.tool)
    text.append(f"  id {make_safe(call.id) if call.id else '(none)'}", style=palette.dim)
    if note:
        text.append(f"  {note}", style=palette.dim)
    return text


def _raw(arguments: str, limit: int) -> str:
    if len(arguments) <= limit:
        return arguments
    return arguments[:limit] + f" … ({len(arguments) - limit:,} more characters)"


def _live(call: ToolCall, style: Style) -> RenderableType:
    arguments = call.arguments
    if not arguments:
        return Text("  …", style=style)
    text = Text(style=style)
    if len(arguments) > LIVE_TAIL:
        text.append(f"  … {len(arguments) - LIVE_TAIL:,} characters before\n")
        arguments = arguments[-LIVE_TAIL:]
    text.append(make_safe(arguments))
    return Padding(text, (0, 0, 0, 2))


def _done(call: ToolCall, palette: Any) -> list[RenderableType]:
    arguments = call.arguments
    if len(arguments) > PRETTY_LIMIT:
        note = Text(
            f"  {len(arguments):,} characters of arguments: too long to show here"
            " (the inspector's Response tab has them all)",
            style=palette.warning,
        )
        return [note, Padding(Text(make_safe(_raw(arguments, SHOWN_RAW))), (0, 0, 0, 2))]
    value, problem = parse_arguments(arguments)
    if problem is not None:
        return [
            Text(f"  ✖ {problem}; raw arguments below", style=palette.error),
            Padding(Text(make_safe(_raw(arguments, SHOWN_RAW))), (0, 0, 0, 2)),
        ]
    if not arguments.strip():
        return [Text("  (no arguments)", style=palette.dim)]
    lines = json.dumps(value, indent=2, ensure_ascii=False).split("\n")
    # Rich's JSON highlighter on plain Text: no background block behind the arguments.
    pretty = Text(make_safe("\n".join(lines[:SHOWN_LINES])))
    JSONHighlighter().highlight(pretty)
    out: list[RenderableType] = [Padding(pretty, (0, 0, 0, 2))]
    if len(lines) > SHOWN_LINES:
        more = f"  … {len(lines) - SHOWN_LINES:,} more lines"
        more += " (the inspector's Response tab has them all)"
        out.append(Text(more, style=palette.dim))
    return out


def tool_call_strips(
    console: Console, width: int, calls: list[ToolCall], streaming: bool, palette: Any
) -> list[Strip]:
    """The lines of a reply's calls, in order, each with its id.

    Args:
        console: The console to render with.
        width: Cells per line.
        calls: The reply's calls (read live while it streams).
        streaming: The reply is still arriving: arguments are shown as they grow, unparsed.
        palette: The conversation's styles (`tool`, `dim`, `error`, `warning`, `code_theme`).
    """
    parts: list[RenderableType] = []
    count = len(calls)
    for number, call in enumerate(calls, 1):
        if streaming:
            parts.append(_head(call, number, count, palette, "forming…"))
            parts.append(_live(call, palette.dim))
        else:
            parts.append(_head(call, number, count, palette))
            parts.extend(_done(call, palette))
    return render_strips(console, Group(*parts), width)
