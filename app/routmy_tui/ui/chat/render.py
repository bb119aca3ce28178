"""Turn text and Markdown into Textual strips, with caches keyed by width."""

from __future__ import annotations

from rich.console import Console, RenderableType
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from routmy_tui.core.markdown_blocks import BlockSplitter
from routmy_tui.core.text import make_safe

BLANK = Strip.blank(0)


def render_strips(
    console: Console, renderable: RenderableType, width: int, style: Style | None = None
) -> list[Strip]:
    """Render anything Rich can render into strips of exactly `width` cells."""
    options = console.options.update(width=width, min_width=width, max_width=width, highlight=False)
    lines = console.render_lines(renderable, options, style=style, pad=True, new_lines=False)
    return [Strip(line, width) for line in lines]


def text_strips(console: Console, text: Text, width: int) -> list[Strip]:
    """Wrap a `Text` to `width`."""
    return render_strips(console, text, width)


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
"""


def warm_up(console: Console | None = None) -> None:
    """Render a sample once, so the first reply does not pay for parser and lexer set-up."""
    lines = MarkdownLines()
    lines.set_text(_WARM_UP_SAMPLE)
    lines.layout(console or Console(width=80), 80)


class MarkdownLines:
    """Markdown text that grows, rendered block by block.

    Frozen blocks are rendered once per width and appended to `_frozen`; only the live
    tail is rendered again when text arrives, so the cost of an update depends on the
    size of the tail, not of the reply.
    """

    def __init__(self, code_theme: str = "monokai") -> None:
        self.code_theme = code_theme
        self._splitter = BlockSplitter()
        self._text = ""
        self._width = -1
        self._frozen: list[Strip] = []
        self._frozen_blocks = 0
        self._tail: list[Strip] = []
        self._tail_text: str | None = None

    @property
    def text(self) -> str:
        """The Markdown source so far."""
        return self._text

    def set_text(self, text: str) -> None:
        """Take the text so far (normally the old text plus an appended delta)."""
        if text == self._text:
            return
        if not text.startswith(self._text):
            self._width = -1  # not an append: render everything again
        self._text = text
        self._splitter.update(text)

    def _render_block(self, console: Console, block: str, width: int) -> list[Strip]:
        from rich.markdown import Markdown

        markdown = Markdown(make_safe(block), code_theme=self.code_theme, hyperlinks=False)
        strips = render_strips(console, markdown, width)
        # Blocks are joined with exactly one blank line: drop Rich's own margins.
        start = 0
        while start < len(strips) and not strips[start].text.strip():
            start += 1
        end = len(strips)
        while end > start and not strips[end - 1].text.strip():
            end -= 1
        return strips[start:end]

    def layout(self, console: Console, width: int) -> int:
        """Render what changed at `width`; returns the height in lines."""
        if width != self._width:
            self._width = width
            self._frozen = []
            self._frozen_blocks = 0
            self._tail_text = None
        blocks = self._splitter.blocks
        while self._frozen_blocks < len(blocks):
            if self._frozen:
                self._frozen.append(BLANK)
            self._frozen.extend(self._render_block(console, blocks[self._frozen_blocks], width))
            self._frozen_blocks += 1
        tail = self._splitter.tail.strip("\n")
        if tail != self._tail_text:
            self._tail_text = tail
            self._tail = self._render_block(console, tail, width) if tail.strip() else []
            if self._tail and self._frozen:
                self._tail.insert(0, BLANK)
        return len(self._frozen) + len(self._tail)

    @property
    def height(self) -> int:
        """Lines at the last layout width."""
        return len(self._frozen) + len(self._tail)

    def line(self, index: int) -> Strip:
        """One line of the last layout."""
        frozen = self._frozen
        if index < len(frozen):
            return frozen[index]
        return self._tail[index - len(frozen)]

    def estimate_height(self, width: int) -> int:
        """A cheap guess of the height, before anything is rendered."""
        if not self._text:
            return 0
        width = max(10, width)
        return sum(len(line) // width + 1 for line in self._text.split("\n"))
