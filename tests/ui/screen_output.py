"""What the app would write to the terminal for its current screen, escape codes and all."""

from __future__ import annotations

import io
import re
from typing import Any

from rich.console import Console

# What Textual itself writes: cursor moves to a cell and SGR colours/styles.
_OWN_CODES = re.compile(r"\x1b\[\d+;\d+H|\x1b\[[0-9;]*m")
_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def terminal_output(app: Any) -> str:
    """The bytes (as text) a full redraw of the app's screen sends to the terminal."""
    update = app.screen._compositor.render_update(full=True)
    buffer = io.StringIO()
    width = app.size.width
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="truecolor",
        width=width,
        legacy_windows=False,
    )
    console.print(update, end="")
    return buffer.getvalue()


def raw_controls(output: str) -> list[str]:
    """Terminal control in `output` that Textual did not put there itself (should be [])."""
    stripped = _OWN_CODES.sub("", output).replace("\n", "")
    return sorted({repr(match.group()) for match in _RAW.finditer(stripped)})


def shown_text(output: str) -> str:
    """The visible text of `output` (Textual's own codes removed)."""
    return _OWN_CODES.sub("", output)
