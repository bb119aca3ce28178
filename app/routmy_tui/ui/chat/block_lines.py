"""The frozen blocks of a Markdown reply: drawn near the viewport, an estimated height elsewhere."""

from __future__ import annotations

import time
import weakref
from bisect import bisect_right
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from textual.strip import Strip

from routmy_tui.core.markdown_blocks import Block
from routmy_tui.ui.chat.block_heights import BlockHeights
from routmy_tui.ui.chat.markdown_block import (
    RenderedBlock,
    Window,
    is_visible,
    join_block,
    quick_facts,
)
from routmy_tui.ui.chat.strips import is_blank

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


class BlockLines(BlockHeights):
    """Per block: its drawn lines, or a height guessed from its text (`BlockHeights`).

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
        super().__init__()

    def clear(self) -> None:
        """Forget every block (a new text or width)."""
        super().clear()
        self.shift = 0
        """How far the window's anchor moved at the last `draw_window` or `commit`."""
        self.left = 0
        """Characters of the blocks the last drawing ran out of time for."""

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
