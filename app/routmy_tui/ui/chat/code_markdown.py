"""The app's Markdown: Rich's, with a header line (language, "copy") above each code block."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, Markdown, MarkdownElement
from rich.text import Text

from routmy_tui.core.text import make_safe
from routmy_tui.ui.chat.code_blocks import COPY_LABEL, HEADER_STYLE

if TYPE_CHECKING:
    from markdown_it.token import Token


def header_line(language: str, width: int) -> Text:
    """The header of a code block: its language at the left, the copy action at the right."""
    name = make_safe(language) or "code"
    line = Text(no_wrap=True, overflow="ellipsis", style=HEADER_STYLE)
    line.append(f" {name}")
    gap = width - cell_len(name) - 1 - cell_len(COPY_LABEL) - 1
    if gap >= 2:
        line.append(" " * gap)
        line.append(COPY_LABEL + " ")
    return line


class HeaderedCodeBlock(CodeBlock):
    """Rich's code block with a header line above it."""

    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> CodeBlock:
        block = super().create(markdown, token)
        assert isinstance(block, HeaderedCodeBlock)
        block.language = (token.info or "").partition(" ")[0]
        return block

    language = ""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield header_line(self.language, options.max_width)
        yield from super().__rich_console__(console, options)


class CodeMarkdown(Markdown):
    """Rich's Markdown with a header line above each code block (the app's Markdown)."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "fence": HeaderedCodeBlock,
        "code_block": HeaderedCodeBlock,
    }
