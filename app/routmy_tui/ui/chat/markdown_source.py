"""Where `MarkdownLines` gets its blocks: huge blocks cut into parts, the final split of the
whole text, link definitions taken from every block, and the tail still arriving."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from routmy_tui.core.markdown_blocks import Block, BlockSplitter, merge_parts
from routmy_tui.ui.chat.markdown_block import (
    RenderedBlock,
    cut_block,
    definitions_of,
    labels_used,
    render_block,
)
from routmy_tui.ui.chat.strips import render_strips

if TYPE_CHECKING:
    from routmy_tui.ui.chat.block_lines import BlockLines

__all__ = ["BLOCK_CAP", "LIVE_CAP", "BlockSourceMixin", "note_lines"]

BLOCK_CAP = 12_000
"""Characters of one block drawn at most until the user asks to see all (a long paragraph or
code block is drawn in parts, each under this; the cap bites on one huge line or table)."""
LIVE_CAP = 4_000
"""Characters of the block still arriving that are drawn on every frame; the rest waits for
the block to end, so a frame costs the same however long the block grows."""


def note_lines(console: Console, text: str, width: int, style: Style) -> list[Strip]:
    """`text` as a note under a block (dim, italic: `MarkdownLines.note_style`)."""
    return render_strips(console, Text(text, style=style), width)


class BlockSourceMixin:
    """`MarkdownLines`' blocks (its state is made by `MarkdownLines.__init__`)."""

    code_theme: str
    expanded: bool
    note_style: Style
    _splitter: BlockSplitter
    _final_blocks: list[Block] | None
    _open_end: bool
    _rows: BlockLines
    _definitions: dict[str, str]
    _read: set[tuple[int, int]]
    _guessed: set[str]
    _read_list: list[Block] | None
    _read_count: int
    _pieces_of: list[Block] | None
    _pieces_count: int
    _pieces_out: list[Block]
    _tail: list[Strip]
    _tail_key: tuple[object, ...] | None
    _tail_block: RenderedBlock | None

    def _pieces(self, blocks: list[Block]) -> list[Block]:
        """The blocks with each one past `BLOCK_CAP` cut into parts under it, so that
        showing all of a huge block is drawn over several layouts too."""
        if blocks is not self._pieces_of:
            self._pieces_of, self._pieces_count, self._pieces_out = blocks, 0, []
        out = self._pieces_out
        for block in blocks[self._pieces_count :]:
            out.extend(cut_block(block, BLOCK_CAP))
        self._pieces_count = len(blocks)
        return out

    def _split_final(self, text: str) -> None:
        """The final blocks of the whole `text`. Its last line is complete now, ended or not
        (a closing fence there closes the code block: a link defined elsewhere applies to
        the text before it, as in a render of the whole)."""
        self._splitter.update(text if text.endswith("\n") else text + "\n")
        self._open_end = self._splitter.tail_open
        self._final_blocks = merge_parts(self._splitter.finish(), text, BLOCK_CAP)
        self._splitter.reset()  # its blocks are in the final list now
        self._unlearn_guesses()

    def _unlearn_guesses(self) -> None:
        """Forget the link definitions read in parts of a block cut while it streamed: the
        line a part starts with may be a definition alone but not in the whole block (a
        definition cannot interrupt a paragraph: `[d]: https://...` right under a line of
        text is more of that text). All blocks are read again, the final ones whole; what
        was drawn with such a definition is drawn again."""
        guessed = self._guessed
        if not guessed:
            return
        self._guessed = set()
        for label in guessed:
            self._definitions.pop(label, None)
        self._read = set()  # a later block may define a label a part defined first
        self._read_list = None
        rows = self._rows
        for index, rendered in enumerate(rows.rendered):
            if rendered is not None and rendered.labels & guessed:
                rows.forget(index)
        self._tail_key = None
        self._tail_block = None

    def _learn_definitions(self, blocks: list[Block]) -> None:
        """Take link definitions from blocks not read yet; blocks already drawn that use a
        new one are drawn again."""
        new: dict[str, str] = {}
        start = self._read_count if blocks is self._read_list else 0
        self._read_list, self._read_count = blocks, len(blocks)
        streaming = self._final_blocks is None
        for block in blocks[start:]:
            if block.span in self._read or block.fence:
                continue
            self._read.add(block.span)
            for label, line in definitions_of(block.text).items():
                if label not in self._definitions and label not in new:
                    new[label] = line
                    if streaming and (block.joined or block.open_end):
                        self._guessed.add(label)
        if not new:
            return
        self._definitions.update(new)
        rows = self._rows
        for index, rendered in enumerate(rows.rendered):
            drawn = rendered.block if rendered is not None else None
            if drawn is not None and not drawn.fence and labels_used(drawn.text, new):
                rows.forget(index)
        self._tail_key = None

    def _layout_tail(self, console: Console, width: int) -> None:
        splitter = self._splitter
        tail = splitter.tail.strip("\n")
        cap = LIVE_CAP if not self.expanded else BLOCK_CAP
        hidden = max(0, len(tail) - cap)
        shown = tail[:cap] if hidden else tail
        key = (shown, splitter.tail_joined, splitter.tail_fence, len(self._definitions))
        if key != self._tail_key:
            self._tail_key = key
            if not shown.strip():
                self._tail_block = None
            else:
                block = Block(shown, splitter.tail_joined, False, splitter.tail_fence)
                self._tail_block = render_block(
                    console,
                    block,
                    width,
                    code_theme=self.code_theme,
                    definitions=self._definitions,
                    cap=None,
                    open_end=splitter.tail_open,
                )
        rendered = self._tail_block
        if rendered is None:
            self._tail = []
            return
        lines = self._rows.join_after(rendered)
        if hidden:
            lines.extend(
                note_lines(
                    console,
                    f"… {hidden:,} more characters of this block are arriving; "
                    "it is drawn when it ends",
                    width,
                    self.note_style,
                )
            )
        self._tail = lines
