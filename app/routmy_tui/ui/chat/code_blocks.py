"""Code blocks in replies: their source, and which drawn line is a block's header."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.message import Message
from textual.strip import Strip

COPY_LABEL = "⧉ copy"
"""The right end of a code block's header; a click on the header copies the block."""
HEADER_META = "routmy_code_header"
"""Style meta key marking the segments of a header line."""
HEADER_STYLE = Style(dim=True, meta={HEADER_META: True})


@dataclass(frozen=True)
class CodeSource:
    """One code block of a Markdown text: its language (info word) and its exact source."""

    language: str
    code: str

    @property
    def lines(self) -> int:
        """How many lines the code has."""
        return self.code.count("\n") + 1 if self.code else 0


def code_sources(markdown: str) -> list[CodeSource]:
    """The code blocks (fenced and indented) of `markdown`, in order, as written."""
    from markdown_it import MarkdownIt

    # The parser and rules Rich's Markdown uses: the same blocks in the same order.
    parser = MarkdownIt().enable("strikethrough").enable("table")
    out: list[CodeSource] = []
    for token in parser.parse(markdown):
        if token.type in ("fence", "code_block"):
            code = token.content
            if code.endswith("\n"):
                code = code[:-1]
            out.append(CodeSource((token.info or "").partition(" ")[0], code))
    return out


HEADER_LINES = 1
"""Lines a code block's header takes."""


def is_header(strip: Strip) -> bool:
    """Whether a drawn line is the header of a code block."""
    return any(_marked(segment) for segment in strip)


def _marked(segment: Segment) -> bool:
    style = segment.style
    return style is not None and bool(style._meta) and HEADER_META in style.meta


class CodeBlockClicked(Message):
    """The header of a code block was clicked: copy that block."""

    def __init__(self, index: int, number: int) -> None:
        super().__init__()
        self.index = index
        """The item (message) in the view."""
        self.number = number
        """The code block in it (0-based)."""


def code_block_at(line: Callable[[int], Strip], index: int) -> int | None:
    """Which code block (0-based) line `index` of an item is the header of, if it is one."""
    if not is_header(line(index)):
        return None
    return sum(1 for above in range(index) if is_header(line(above)))
