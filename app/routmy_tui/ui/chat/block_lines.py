"""The frozen blocks of a Markdown reply: drawn near the viewport, an estimated height elsewhere."""

from __future__ import annotations

import time
import weakref
from array import array
from bisect import bisect_right
from collections.abc import Callable
from itertools import accumulate
from typing import ParamSpec, TypeVar

from textual.strip import Strip

from routmy_tui.core.markdown_blocks import Block
from routmy_tui.ui.chat.markdown_block import (
    RenderedBlock,
    Window,
    estimate,
    is_visible,
    join_block,
    quick_facts,
)
from routmy_tui.ui.chat.strips import BLANK, is_blank

P = ParamSpec("P")
R = TypeVar("R")

Render = Callable[[int, Block], RenderedBlock]
"""Draws block `index` (what Rich makes of it alone)."""
Note = Callable[[str], list[Strip]]
"""Draws a dim note line."""


def weak_method(method: Callable[P, R]) -> Callable[P, R]:
    """`method` (a bound method) called without holding its object: an object that hands
    its own methods to a part it holds makes no reference cycle with it (a cycle outlives
    its last use until a full collection, which may be long in coming)."""
    ref = weakref.WeakMethod(method)

    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        bound = ref()
        if bound is None:
            raise ReferenceError("the object of a weak method is gone")
        return bound(*args, **kwargs)

    return call


KeptHeights = tuple[tuple[object, ...], bytes, bytes]
"""What a reply let go keeps of its blocks for a copy made again: how they were drawn
(`MarkdownLines`' key: width first), their heights (an array's bytes) and whether each was
measured. Bytes and atomic values only: the garbage collector does not track them."""


class BlockLines:
    """Per block: its drawn lines, or a height guessed from its text.

    A block's lines are its render joined to the blocks before it (a blank line between
    them as a whole render puts one); joining needs only what the block before drew, so a
    block can be drawn without drawing the whole text above it. Blocks are drawn when a
    window asks for them; `measure` draws the rest in steps and `commit` puts in their
    true heights at once (so that the view moves once, not at every step).

    Args:
        render: Draws one block.
        note: Draws a note line (under a block cut by the size cap).
    """

    def __init__(self, render: Render, note: Note) -> None:
        self._render = render
        self._note = note
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
        self.shift = 0
        """How far the window's anchor moved at the last `draw_window` or `commit`."""
        self.left = 0
        """Characters of the blocks the last drawing ran out of time for."""

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

    # --- drawing -------------------------------------------------------------------------

    def _rendered(self, index: int) -> RenderedBlock:
        rendered = self.rendered[index]
        if rendered is None:
            rendered = self._render(index, self.blocks[index])
            self.rendered[index] = rendered
            self._lines[index] = None
            self._visible[index] = None
        return rendered

    def _is_visible(self, index: int) -> bool:
        visible = self._visible[index]
        if visible is None:
            visible = is_visible(self._rendered(index).strips)
            self._visible[index] = visible
        return visible

    def _facts(self, index: int) -> tuple[bool, bool, bool]:
        """(holds something, a blank line follows, draws a line not blank) of a block:
        from its draw, or from a parse when that tells (a parse costs far less)."""
        rendered = self.rendered[index]
        if rendered is None:
            facts = self._quick[index]
            if facts is None:
                facts = quick_facts(self.blocks[index])
                if facts is not None:
                    self._quick[index] = facts
                    return facts
                rendered = self._rendered(index)
            else:
                return facts
        return rendered.has_tokens, rendered.new_line, self._is_visible(index)

    def _state_before(self, index: int) -> tuple[bool, bool]:
        """(a blank line is due, anything drawn yet) after the blocks before `index`, as a
        whole render has them: found from the nearest blocks before it."""
        due: bool | None = None
        started = False
        back = index - 1
        while back >= 0 and (due is None or not started):
            has_tokens, new_line, visible = self._facts(back)
            if due is None and has_tokens:
                due = new_line
            if visible:
                started = True
            back -= 1
        return bool(due), started

    def join_after(self, rendered: RenderedBlock) -> list[Strip]:
        """The lines of `rendered` (the live tail) joined under the last block."""
        lines = join_block(rendered, *self._state_before(len(self.blocks)), self._note)
        while lines and is_blank(lines[-1]):
            lines.pop()
        return lines

    def draw(self, index: int) -> None:
        """Draw block `index` (if it is not drawn as things stand)."""
        rendered = self._rendered(index)
        state = self._state_before(index)
        if self._lines[index] is not None and self._joined_as[index] == state:
            return
        lines = join_block(rendered, *state, self._note)
        self._lines[index] = lines
        self._joined_as[index] = state
        self._measured[index] = True
        if len(lines) != self.heights[index]:
            self.heights[index] = len(lines)
            self._offsets = None

    def draw_all(self, deadline: float) -> bool:
        """Draw every block in order until `deadline` (one block at least); True when done."""
        began = False
        self.left = 0
        for index in range(len(self.blocks)):
            if self.rendered[index] is None:
                if began and time.perf_counter() > deadline:
                    self.left = sum(len(block.text) for block in self.blocks[index:])
                    return False
                began = True
            self.draw(index)
        return True

    def draw_window(self, window: Window, tail: int, deadline: float) -> bool:
        """Draw the blocks `window` shows (`tail`: lines after the blocks) until `deadline`
        (one block at least); sets `shift`. True when all are drawn."""
        mark = self.anchor_of(window.anchor)
        self.left = 0
        began = False
        index = len(self.blocks) - 1
        covered = tail
        trailing = not tail
        if window.from_end is None:
            index = max(0, bisect_right(self.offsets, max(0, window.top)) - 1)
        while 0 <= index < len(self.blocks):
            if window.from_end is not None:
                if covered >= window.from_end:
                    break
            elif self.offsets[index] >= window.bottom + self.moved_since(mark, window.anchor):
                break
            late = self.rendered[index] is None and began and time.perf_counter() > deadline
            if late:
                self.left += len(self.blocks[index].text)  # drawn at the next layout
            else:
                began = began or self.rendered[index] is None
                self.draw(index)
            if window.from_end is not None:
                lines = self._lines[index]
                if trailing and lines is not None:
                    # Blank lines at the end are not shown (a whole render has none).
                    shown = len(lines)
                    while shown and is_blank(lines[shown - 1]):
                        shown -= 1
                    covered += shown
                    trailing = not shown
                else:
                    covered += self.heights[index]
                index -= 1
            else:
                index += 1
        self.shift = self.moved_since(mark, window.anchor)
        return not self.left

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

    def measure(self, deadline: float) -> bool:
        """Draw the blocks whose height is a guess, from the last back, until `deadline`
        (their heights are put in by `commit`); True when none is left."""
        for index in range(len(self.blocks) - 1, -1, -1):
            if self._measured[index] or self.rendered[index] is not None:
                continue
            if time.perf_counter() > deadline:
                return False
            self._rendered(index)
        return True

    def commit(self, anchor: int | None) -> None:
        """Put in the true height of every block drawn by `measure`; sets `shift`."""
        mark = self.anchor_of(anchor)
        for index in range(len(self.blocks)):
            if not self._measured[index] or self._lines[index] is not None:
                self.draw(index)
        self.shift = self.moved_since(mark, anchor)
