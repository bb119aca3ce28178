"""Turn text and Markdown into Textual strips, with caches keyed by width."""

from __future__ import annotations

import sys
import threading

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
    "load_markdown_in_background",
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


_loading: threading.Thread | None = None


def load_markdown_in_background() -> None:
    """Import Rich's Markdown (markdown-it, Pygments: ~35 ms of CPU) in a thread, once, if
    nothing has yet. Called when a reply's response headers are in: the server's wait
    before the first token leaves the interpreter idle, and the reply's first words then
    find it loaded instead of waiting for it (a message sent at the first frame, before the
    warm-up).

    The thread imports only those libraries, never the app's modules: the main thread,
    importing `code_markdown` for the first words, waits for their import locks and holds
    none the thread needs (two threads importing one package from different ends can
    deadlock).
    """
    global _loading
    if _loading is not None or "rich.markdown" in sys.modules:
        return
    _loading = threading.Thread(target=_import_markdown, name="routmy-markdown", daemon=True)
    _loading.start()


def _import_markdown() -> None:
    import markdown_it  # noqa: F401
    import rich.markdown  # noqa: F401


def warm_up(console: Console | None = None) -> None:
    """Render a sample once, so the first reply does not pay for parser and lexer set-up
    (the Python lexer's and the plain one's: 50-120 ms of regular expressions on first use).

    The whole sample is drawn: a layout's time budget would stop before its code blocks.
    """
    lines = MarkdownLines()
    lines.budget = float("inf")
    lines.set_text(_WARM_UP_SAMPLE, final=True)
    lines.layout(console or Console(width=80), 80)
