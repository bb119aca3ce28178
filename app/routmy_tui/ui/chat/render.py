"""Turn text and Markdown into Textual strips, with caches keyed by width."""

from __future__ import annotations

from rich.console import Console

from routmy_tui.ui.chat.markdown_block import clip_text
from routmy_tui.ui.chat.markdown_lines import (
    BLOCK_CAP,
    LIVE_CAP,
    SHOW_ALL_HINT,
    MarkdownLines,
)
from routmy_tui.ui.chat.strips import BLANK, render_strips, text_strips

__all__ = [
    "BLANK",
    "BLOCK_CAP",
    "LIVE_CAP",
    "SHOW_ALL_HINT",
    "MarkdownLines",
    "clip_text",
    "render_strips",
    "text_strips",
    "warm_up",
]

_WARM_UP_SAMPLE = """# Title

Some *text* with `code`.

- a list
1. numbered

| a | b |
|---|---|
| 1 | 2 |

```python
print("hello")
```

```
plain
```
"""


def warm_up(console: Console | None = None) -> None:
    """Render a sample once, so the first reply does not pay for parser and lexer set-up
    (the Python lexer's and the plain one's: 50-120 ms of regular expressions on first use).

    The whole sample is drawn: a layout's time budget would stop before its code blocks.
    """
    lines = MarkdownLines()
    lines.budget = float("inf")
    lines.set_text(_WARM_UP_SAMPLE, final=True)
    lines.layout(console or Console(width=80), 80)
