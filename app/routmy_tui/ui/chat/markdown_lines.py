"""Growing Markdown drawn block by block, within a time budget per layout and size caps."""

from __future__ import annotations

import time
from dataclasses import replace

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from routmy_tui.config.settings import DEFAULT_RENDER_LIMIT
from routmy_tui.core.markdown_blocks import Block, BlockSplitter, merge_parts
from routmy_tui.ui.chat.markdown_block import (
    RenderedBlock,
    cut_block,
    definitions_of,
    labels_used,
    render_block,
)
from routmy_tui.ui.chat.strips import BLANK, is_blank, render_strips

BLOCK_CAP = 12_000
"""Characters of one block drawn at most until the user asks to see all (a long paragraph or
code block is drawn in parts, each under this; the cap bites on one huge line or table)."""
LIVE_CAP = 4_000
"""Characters of the block still arriving that are drawn on every frame; the rest waits for
the block to end, so a frame costs the same however long the block grows."""
LAYOUT_BUDGET = 0.012
"""Seconds one layout spends drawing new blocks; text that arrived faster is drawn over the
next frames (keys are handled in between), never in one long freeze. A key that comes
meanwhile waits this long (and one block) at most."""
SHOW_ALL_HINT = "a or click here: show all"


def _lstrip_blank(strips: list[Strip]) -> list[Strip]:
    skip = 0
    while skip < len(strips) and is_blank(strips[skip]):
        skip += 1
    return strips[skip:] if skip else strips


def _note(console: Console, text: str, width: int, style: Style) -> list[Strip]:
    return render_strips(console, Text(text, style=style), width)


class MarkdownLines:
    """Markdown text that grows, rendered block by block.

    Frozen blocks are rendered once per width and kept; only the live tail is rendered
    again when text arrives, so the cost of an update depends on the size of the tail,
    not of the reply. Once the text is final (`set_text(..., final=True)`), the blocks a
    long block was cut into are rendered again as one and link definitions found anywhere
    apply everywhere: the lines are then those of a render of the whole text at once.
    Text past `limit` characters is not drawn (a note says so).
    """

    def __init__(self, code_theme: str = "monokai", limit: int = DEFAULT_RENDER_LIMIT) -> None:
        self.code_theme = code_theme
        self.limit = limit
        """Characters of the text drawn at most."""
        self.expanded = False
        """Draw blocks past `BLOCK_CAP` in full (the user asked to see all)."""
        self.note_style = Style(dim=True, italic=True)
        self.budget = LAYOUT_BUDGET
        """Seconds the next layout may spend drawing new blocks (the view lowers it while
        the user is typing or scrolling)."""
        self._splitter = BlockSplitter()
        self._source = ""
        self._text = ""
        self._final = False
        self._final_blocks: list[Block] | None = None
        self._key: tuple[object, ...] = ()
        self._done: list[RenderedBlock] = []
        self._starts: list[tuple[int, bool, bool]] = []
        """Per rendered block: (line where it starts, blank line due, anything drawn yet)."""
        self._lines: list[Strip] = []
        self._due = False
        self._started = False
        self._definitions: dict[str, str] = {}
        self._read: set[tuple[int, int]] = set()
        """Spans of the blocks whose link definitions were taken."""
        self._read_list: list[Block] | None = None
        self._read_count = 0
        self._synced: list[Block] | None = None
        self._pieces_of: list[Block] | None = None
        self._pieces_count = 0
        self._pieces_out: list[Block] = []
        self.pending = False
        """Blocks are left to draw at the next layout (each layout has a time budget)."""
        self._stale = 0
        """Index of the first drawn block that must be drawn again (new link definitions)."""
        self._tail: list[Strip] = []
        self._tail_key: tuple[object, ...] | None = None
        self._tail_block: RenderedBlock | None = None
        self._notes: list[Strip] = []
        self._trim = 0
        self._resplit = False
        """The final text's blocks were let go (`release`): split it again at the next layout."""
        self._held_height = 0
        self._held_key: tuple[object, ...] = ()
        """Height and layout key when the lines were let go: until they are all drawn again
        (over a few layouts for a long reply), the height stays what it was."""

    @property
    def text(self) -> str:
        """The Markdown source so far."""
        return self._source

    @property
    def final(self) -> bool:
        """Whether the text is complete (rendered as a whole)."""
        return self._final

    @property
    def capped(self) -> bool:
        """Whether some text is not drawn for a size cap the user can lift (`expanded`)."""
        if self.expanded:
            return False
        tail = self._tail_block
        return any(done.hidden for done in self._done) or bool(tail and tail.hidden)

    def set_limit(self, limit: int) -> None:
        """Draw at most `limit` characters of the text."""
        if limit != self.limit:
            self.limit = limit
            source, final = self._source, self._final
            self._reset()
            self.set_text(source, final)

    def set_text(self, text: str, final: bool = False) -> None:
        """Take the text so far (normally the old text plus an appended delta).

        `final` says the text is complete: it is then rendered as a whole once.
        """
        if text is self._source and final == self._final:
            return
        old = self._source
        # Replies only grow while they stream: a look at the end of the old text tells an
        # append from a new text without comparing megabytes on every frame.
        appended = len(text) >= len(old) and text[max(0, len(old) - 64) : len(old)] == old[-64:]
        if not appended or (self._final and not (final and len(text) == len(old))):
            self._reset()
        self._source = text
        shown = text if len(text) <= self.limit else text[: self.limit]
        if final and not self._final and not self._text:
            # A whole text at once (a stored reply): split it at its first layout, not now
            # (opening a long conversation makes thousands of these).
            self._text, self._final, self._resplit = shown, True, True
            return
        if len(shown) != len(self._text):
            self._text = shown
            self._splitter.update(shown)
        if final and not self._final:
            self._final = True
            self._final_blocks = merge_parts(self._splitter.finish(), shown, BLOCK_CAP)

    def release(self) -> None:
        """Let go of everything drawn, and of a final text's blocks (the text is kept): the
        next layout draws it all again, the same (the height meanwhile stays the same)."""
        self._held_height, self._held_key = self.height, self._key
        self._key = ()
        self._done = []
        self._starts = []
        self._lines = []
        self._tail = []
        self._notes = []
        self._tail_block = None
        self._tail_key = None
        self._synced = None
        self._read_list = None
        self._pieces_of = None
        self._pieces_out = []
        if self._final:
            self._splitter.reset()
            self._final_blocks = None
            self._read = set()  # the blocks split again are read again (same definitions)
            self._resplit = True

    def _reset(self) -> None:
        self._resplit = False
        self._splitter.reset()
        self._source = ""
        self._text = ""
        self._final = False
        self._final_blocks = None
        self._key = ()

    # --- layout ------------------------------------------------------------------------

    def layout(self, console: Console, width: int) -> int:
        """Render what changed at `width`; returns the height in lines."""
        key = (width, self.code_theme, self.expanded, self.limit)
        if key != self._held_key:
            self._held_height = 0
        if key != self._key:
            self._key = key
            self._done = []
            self._starts = []
            self._lines = []
            self._due = self._started = False
            self._definitions = {}
            self._read = set()
            self._read_list = None
            self._synced = None
            self._pieces_of = None
            self._stale = 0
            self._tail_key = None
            self._tail_block = None
        if self._resplit:
            self._resplit = False
            self._splitter.update(self._text)
            self._final_blocks = merge_parts(self._splitter.finish(), self._text, BLOCK_CAP)
        blocks = self._final_blocks if self._final_blocks is not None else self._splitter.blocks
        if self.expanded:
            blocks = self._pieces(blocks)
        self._learn_definitions(blocks)
        self._sync(console, width, blocks, time.perf_counter() + self.budget)
        self.pending = len(self._done) < len(blocks)
        if not self.pending:
            self._held_height = 0
        if self._final_blocks is None and not self.pending:
            self._layout_tail(console, width)
        else:
            self._tail = []
            self._tail_block = None
        self._trim = 0
        if not self._tail:
            while self._trim < len(self._lines) and is_blank(self._lines[-1 - self._trim]):
                self._trim += 1
        self._notes = []
        if self.pending:
            behind = sum(len(block.text) for block in blocks[len(self._done) :])
            self._notes += _note(
                console, f"… drawing: {behind:,} characters to go", width, self.note_style
            )
        if len(self._source) > self.limit:
            self._notes += _note(
                console,
                f"⚠ This reply is {len(self._source):,} characters: drawing stops at "
                f"{self.limit:,} (render_limit in the config file). All of it is kept.",
                width,
                self.note_style,
            )
        return self.height

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

    def _learn_definitions(self, blocks: list[Block]) -> None:
        """Take link definitions from blocks not read yet; blocks already drawn that use a
        new one are drawn again."""
        new: dict[str, str] = {}
        start = self._read_count if blocks is self._read_list else 0
        self._read_list, self._read_count = blocks, len(blocks)
        for block in blocks[start:]:
            if block.span in self._read or block.fence:
                continue
            self._read.add(block.span)
            for label, line in definitions_of(block.text).items():
                if label not in self._definitions and label not in new:
                    new[label] = line
        if not new:
            return
        self._definitions.update(new)
        for index, done in enumerate(self._done):
            if not done.block.fence and labels_used(done.block.text, new):
                self._stale = min(self._stale, index)
                break
        self._tail_key = None

    def _sync(self, console: Console, width: int, blocks: list[Block], deadline: float) -> None:
        """Render the blocks not drawn yet (reusing the draw of any unchanged block), until
        `deadline` (one block at least): the rest waits for the next layout (`pending`)."""
        tail = self._tail_block
        done = self._done
        first_changed = min(len(done), self._stale)
        self._stale = len(blocks)
        if blocks is not self._synced:
            # A new list of blocks (the text became final): find the first that changed.
            self._synced = blocks
            for index in range(min(first_changed, len(blocks))):
                if done[index].block != blocks[index]:
                    first_changed = index
                    break
        if first_changed < len(self._starts):
            start, self._due, self._started = self._starts[first_changed]
            del self._lines[start:]
            del self._starts[first_changed:]
            kept = done[first_changed:]
            del done[first_changed:]
        else:
            kept = []
        reuse = {id(r.block): r for r in kept}
        cap = None if self.expanded else BLOCK_CAP  # expanded: `_pieces` cut them already
        last = len(blocks) - 1
        first = len(done)
        for index in range(first, len(blocks)):
            if index > first and time.perf_counter() > deadline:
                break
            block = blocks[index]
            rendered = reuse.get(id(block))
            if rendered is None and tail is not None and index == last:
                # The block that was the live tail until the text became final.
                drawn = tail.block
                same = (drawn.text, drawn.joined, drawn.fence) == (
                    block.text,
                    block.joined,
                    block.fence,
                )
                rendered = replace(tail, block=block) if same else None
            if rendered is None or rendered.labels != labels_used(block.text, self._definitions):
                open_end = index == last and self._final and self._splitter.tail_open
                rendered = render_block(
                    console,
                    block,
                    width,
                    code_theme=self.code_theme,
                    definitions=self._definitions,
                    cap=cap,
                    open_end=open_end,
                )
            self._starts.append((len(self._lines), self._due, self._started))
            done.append(rendered)
            self._append(console, width, rendered, self._lines)

    def _append(
        self, console: Console, width: int, rendered: RenderedBlock, lines: list[Strip]
    ) -> None:
        """Add a block's lines after those before it, spaced as a whole render spaces them."""
        strips = rendered.strips
        block = rendered.block
        if not self._started or (block.joined and not block.fence):
            strips = _lstrip_blank(strips)
        elif self._due and rendered.has_tokens and rendered.leaf_start and not block.joined:
            lines.append(BLANK)
        lines.extend(strips)
        if rendered.hidden:
            lines.extend(
                _note(
                    console,
                    f"… {rendered.hidden:,} more characters in this block · {SHOW_ALL_HINT}",
                    width,
                    self.note_style,
                )
            )
        if strips:
            self._started = True
        if rendered.has_tokens:
            self._due = rendered.new_line

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
        due, started = self._due, self._started
        lines: list[Strip] = []
        self._append(console, width, rendered, lines)
        self._due, self._started = due, started
        while lines and is_blank(lines[-1]):
            lines.pop()
        if hidden:
            lines.extend(
                _note(
                    console,
                    f"… {hidden:,} more characters of this block are arriving; "
                    "it is drawn when it ends",
                    width,
                    self.note_style,
                )
            )
        self._tail = lines

    @property
    def height(self) -> int:
        """Lines at the last layout width."""
        height = len(self._lines) - self._trim + len(self._tail) + len(self._notes)
        return max(height, self._held_height)

    def line(self, index: int) -> Strip:
        """One line of the last layout."""
        body = len(self._lines) - self._trim
        if index < body:
            return self._lines[index]
        index -= body
        if index < len(self._tail):
            return self._tail[index]
        index -= len(self._tail)
        if index < len(self._notes):
            return self._notes[index]
        return BLANK

    def estimate_height(self, width: int) -> int:
        """A cheap guess of the height, before anything is rendered."""
        text = self._text
        if not text:
            return 0
        width = max(10, width)
        return text.count("\n") + 1 + len(text) // width
