"""A Markdown reply's blocks with their heights (drawn or guessed) and where each line is."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from itertools import accumulate

from textual.strip import Strip

from routmy_tui.core.markdown_blocks import Block
from routmy_tui.ui.chat.markdown_block import RenderedBlock, estimate
from routmy_tui.ui.chat.strips import BLANK, is_blank

__all__ = ["BlockHeights"]


class BlockHeights:
    """Per block: its draw and drawn lines if it has them, and its height (measured, or
    guessed from its text); where each line is, and the heights kept when blocks are let go.
    `BlockLines` draws the blocks.
    """

    def __init__(self) -> None:
        self.width = 80
        self.clear()

    def clear(self) -> None:
        """Forget every block (a new text or width)."""
        self.blocks: list[Block] = []
        self._starts: list[int] = []
        self._source: list[Block] | None = None
        self.rendered: list[RenderedBlock | None] = []
        self._lines: list[list[Strip] | None] = []
        self._joined_as: list[tuple[bool, bool] | None] = []
        self._visible: list[bool | None] = []
        self._quick: list[tuple[bool, bool, bool] | None] = []
        self.heights: list[int] = []
        self._measured: list[bool] = []
        self._offsets: list[int] | None = None
        self._kept: tuple[array[int], bytes] | None = None
        """Heights (and whether measured) of the blocks let go (see `release`)."""
        self.missed = False
        """A line of a block not drawn was asked for (a blank line was given)."""

    def release(self, keep_blocks: bool = True) -> None:
        """Let go of everything drawn; the heights stay (the view does not move). Without
        `keep_blocks` the blocks go too, their heights kept compactly for the same blocks
        when they are split again (`sync`)."""
        if not keep_blocks:
            kept = (array("l", self.heights), bytes(self._measured))
            self.clear()
            self._kept = kept
            return
        count = len(self.blocks)
        self.rendered = [None] * count
        self._lines = [None] * count
        self._joined_as = [None] * count
        self._visible = [None] * count

    @property
    def kept(self) -> tuple[bytes, bytes] | None:
        """The heights (an array's bytes) and whether each was measured of the blocks let
        go, if they were."""
        return None if self._kept is None else (self._kept[0].tobytes(), self._kept[1])

    def keep(self, heights: bytes, measured: bytes) -> None:
        """Take the heights `kept` gave of a copy of these blocks let go: the next `sync` of
        the same number of blocks puts them in (as after `release`)."""
        restored = array("l")
        restored.frombytes(heights)
        self._kept = (restored, measured)

    # --- the list of blocks ---------------------------------------------------------------

    def sync(self, blocks: list[Block]) -> None:
        """Take the blocks as they are now (the same list grown, or a new list)."""
        if blocks is self._source:
            known = len(self.blocks)
            if known and blocks[known - 1] is not self.blocks[known - 1]:
                # The splitter closed its last block (more parts were expected).
                self.blocks[known - 1] = blocks[known - 1]
                self.forget(known - 1)
            for block in blocks[known:]:
                self._append(block, None, estimate(block, self.width), False)
            return
        kept, self._kept = self._kept, None
        if kept is not None and not self.blocks and len(kept[0]) == len(blocks):
            # The blocks let go, split again: the same, with the heights they had.
            self._source = blocks
            for block, height, measured in zip(blocks, kept[0], kept[1], strict=True):
                self._append(block, None, height, bool(measured))
            return
        old_blocks, old_rendered = self.blocks, self.rendered
        old_heights, old_measured = self.heights, self._measured
        old_lines, old_joined, old_visible = self._lines, self._joined_as, self._visible
        index_of = {block: index for index, block in enumerate(old_blocks)}
        starts = [block.span[0] for block in old_blocks]
        self.clear()
        self._source = blocks
        for block in blocks:
            old = index_of.get(block)
            if old is not None:
                self._append(block, old_rendered[old], old_heights[old], old_measured[old])
                self._lines[-1] = old_lines[old]
                self._joined_as[-1] = old_joined[old]
                self._visible[-1] = old_visible[old]
                continue
            # A block made of parts drawn before: their heights are a good guess.
            first = bisect_right(starts, block.span[0] - 1)
            guess = 0
            for index in range(first, len(old_blocks)):
                if old_blocks[index].span[1] > block.span[1]:
                    break
                guess += old_heights[index]
            self._append(block, None, guess or estimate(block, self.width), False)

    def _append(
        self, block: Block, rendered: RenderedBlock | None, height: int, measured: bool
    ) -> None:
        self.blocks.append(block)
        self._starts.append(block.span[0])
        self.rendered.append(rendered)
        self._lines.append(None)
        self._joined_as.append(None)
        self._visible.append(None)
        self._quick.append(None)
        self.heights.append(height)
        self._measured.append(measured)
        self._offsets = None

    def forget(self, index: int) -> None:
        """Block `index` must be drawn again (its height stays until it is)."""
        self.rendered[index] = None
        self._lines[index] = None
        self._joined_as[index] = None
        self._visible[index] = None
        self._quick[index] = None
        self._measured[index] = False

    def put(self, index: int, rendered: RenderedBlock) -> None:
        """Use `rendered` as the draw of block `index` (the live tail that became it)."""
        self.forget(index)
        self.rendered[index] = rendered

    # --- geometry ------------------------------------------------------------------------

    @property
    def offsets(self) -> list[int]:
        """Where each block starts, and the end."""
        if self._offsets is None:
            self._offsets = [0, *accumulate(self.heights)]
        return self._offsets

    @property
    def height(self) -> int:
        """Lines of all blocks (drawn or guessed)."""
        return self.offsets[-1]

    def drawn(self, index: int) -> bool:
        """Whether block `index` holds its lines."""
        return self._lines[index] is not None

    @property
    def unmeasured(self) -> bool:
        """Whether some heights are guesses."""
        return not all(self._measured)

    def line(self, number: int) -> Strip:
        """Line `number` of the blocks (blank where a block is not drawn)."""
        offsets = self.offsets
        index = bisect_right(offsets, number) - 1
        if index < 0 or index >= len(self.blocks):
            return BLANK
        lines = self._lines[index]
        if lines is None:
            self.missed = True
            return BLANK
        local = number - offsets[index]
        return lines[local] if local < len(lines) else BLANK

    def trailing_blanks(self) -> int:
        """Blank lines at the end of the blocks (as far back as they are drawn)."""
        count = 0
        for lines in reversed(self._lines):
            if lines is None:
                break
            for strip in reversed(lines):
                if not is_blank(strip):
                    return count
                count += 1
        return count

    def anchor_of(self, line: int | None) -> tuple[int, int] | None:
        """Where line `line` is: (where its block starts in the text, line in the block);
        past the last block, the end of the last one."""
        if line is None:
            return None
        offsets = self.offsets
        if line >= offsets[-1] or not self.blocks:
            end = self.blocks[-1].span[1] if self.blocks else 0
            return end, line - offsets[-1]
        index = max(0, bisect_right(offsets, line) - 1)
        return self.blocks[index].span[0], line - offsets[index]

    def moved_since(self, anchor: tuple[int, int] | None, line: int | None) -> int:
        """How far the content at `line` (where `anchor` was taken) has moved since."""
        if anchor is None or line is None:
            return 0
        start, local = anchor
        offsets = self.offsets
        index = bisect_right(self._starts, start) - 1
        if index < 0 or not self.blocks:
            return offsets[-1] + local - line if self.blocks else 0
        block = self.blocks[index]
        if start >= block.span[1]:
            return offsets[-1] + local - line  # past the blocks (the tail)
        if block.span[0] != start and block.span[1] > block.span[0]:
            # Inside a block made of parts: as far down as it was in the text.
            part = (start - block.span[0]) / (block.span[1] - block.span[0])
            local += int(part * self.heights[index])
        return offsets[index] + min(local, max(0, self.heights[index] - 1)) - line
