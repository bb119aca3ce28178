"""Growing Markdown drawn block by block, within a time budget per layout and size caps."""

from __future__ import annotations

import time
from dataclasses import replace

from rich.console import Console
from rich.style import Style
from textual.strip import Strip

from routmy_tui.config.settings import DEFAULT_RENDER_LIMIT
from routmy_tui.core.markdown_blocks import Block, BlockSplitter
from routmy_tui.ui.chat.block_lines import BlockLines, KeptHeights, weak_method
from routmy_tui.ui.chat.markdown_block import (
    SHOW_ALL_HINT,
    RenderedBlock,
    Window,
    labels_used,
    render_block,
)
from routmy_tui.ui.chat.markdown_source import BLOCK_CAP, LIVE_CAP, BlockSourceMixin, note_lines
from routmy_tui.ui.chat.strips import BLANK

__all__ = ["BLOCK_CAP", "LAYOUT_BUDGET", "LIVE_CAP", "SHOW_ALL_HINT", "MarkdownLines", "Window"]

LAYOUT_BUDGET = 0.012
"""Seconds one layout spends drawing new blocks; text that arrived faster is drawn over the
next frames (keys are handled in between), never in one long freeze. A key that comes
meanwhile waits this long (and one block) at most."""


class MarkdownLines(BlockSourceMixin):
    """Markdown text that grows, rendered block by block, near the viewport only.

    Frozen blocks are rendered once per width and kept; only the live tail is rendered
    again when text arrives, so the cost of an update depends on the size of the tail,
    not of the reply. With a `window` (the view sets one), only the blocks it shows are
    rendered; the others have a height guessed from their text until `measure` and
    `commit` (or a window) draw them. Once the text is final (`set_text(..., final=True)`),
    the blocks a long block was cut into are rendered again as one and link definitions
    found anywhere apply everywhere: the lines are then those of a render of the whole
    text at once. Text past `limit` characters is not drawn (a note says so).
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
        self.window: Window | None = None
        """The lines that must be drawn (None: all of them)."""
        self._splitter = BlockSplitter()
        self._source = ""
        self._text = ""
        self._final = False
        self._final_blocks: list[Block] | None = None
        self._open_end = False
        """The final text ends inside a code fence or an HTML block."""
        self._key: tuple[object, ...] = ()
        self._console: Console | None = None
        self._width = 80
        self._rows = BlockLines(weak_method(self._render), weak_method(self._note_lines))
        self._definitions: dict[str, str] = {}
        self._read: set[tuple[int, int]] = set()
        """Spans of the blocks whose link definitions were taken."""
        self._guessed: set[str] = set()
        """Labels defined only by a part of a block cut while it streams (see
        `_unlearn_guesses`)."""
        self._read_list: list[Block] | None = None
        self._read_count = 0
        self._pieces_of: list[Block] | None = None
        self._pieces_count = 0
        self._pieces_out: list[Block] = []
        self.pending = False
        """Blocks the window shows are left to draw at the next layout (each layout has
        a time budget)."""
        self._tail: list[Strip] = []
        self._tail_key: tuple[object, ...] | None = None
        self._tail_block: RenderedBlock | None = None
        self._notes: list[Strip] = []
        self._trim = 0
        self._resplit = False
        """The final text is not split yet: split it at the next layout."""

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
        if tail is not None and tail.hidden:
            return True
        return any(len(block.text) > BLOCK_CAP for block in self._rows.blocks)

    @property
    def shift(self) -> int:
        """How far the window's anchor line moved at the last layout, `reveal` or `commit`."""
        return self._rows.shift

    @property
    def missed(self) -> bool:
        """Whether a line of a block not drawn yet was asked for since the last layout."""
        return self._rows.missed

    @property
    def unmeasured(self) -> bool:
        """Whether some blocks have a guessed height (see `measure`)."""
        return self._rows.unmeasured

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
            self._split_final(shown)

    def release(self) -> None:
        """Let go of everything drawn (the text and the heights are kept): the next layout
        draws what its window shows again, the same."""
        self._rows.release()
        self._tail = []
        self._notes = []
        self._tail_block = None
        self._tail_key = None
        self._read_list = None
        self._pieces_of = None
        self._pieces_out = []
        if self._final:
            # The blocks go too (split again at the next layout, the same); their heights
            # are kept, compactly, so that nothing moves meanwhile.
            self._rows.release(keep_blocks=False)
            self._splitter.reset()
            self._final_blocks = None
            self._read = set()  # the blocks split again are read again (same definitions)
            self._resplit = True

    def kept_heights(self) -> KeptHeights | None:
        """What a copy of the same text needs to lay its blocks out with the heights these
        had when they were let go (`release`), without drawing them: see `recall_heights`."""
        kept = self._rows.kept
        return None if kept is None else (self._key, *kept)

    def recall_heights(self, memo: KeptHeights) -> None:
        """Take the heights `kept_heights` gave of a copy of this text: at the same width
        (and theme and caps) the blocks not drawn have their true heights, not guesses."""
        key, heights, measured = memo
        if key and isinstance(key[0], int):
            self._key = key
            self._rows.width = key[0]
            self._rows.keep(heights, measured)

    def _reset(self) -> None:
        self._resplit = False
        self._splitter.reset()
        self._source = ""
        self._text = ""
        self._final = False
        self._final_blocks = None
        self._key = ()

    # --- layout ------------------------------------------------------------------------

    def _render(self, index: int, block: Block) -> RenderedBlock:
        assert self._console is not None
        blocks = self._rows.blocks
        open_end = index == len(blocks) - 1 and self._final and self._open_end
        return render_block(
            self._console,
            block,
            self._width,
            code_theme=self.code_theme,
            definitions=self._definitions,
            cap=None if self.expanded else BLOCK_CAP,  # expanded: `_pieces` cut them already
            open_end=open_end,
        )

    def _note_lines(self, text: str) -> list[Strip]:
        assert self._console is not None
        return note_lines(self._console, text, self._width, self.note_style)

    def layout(self, console: Console, width: int) -> int:
        """Render what changed at `width` (of what the window shows); returns the height."""
        key = (width, self.code_theme, self.expanded, self.limit)
        self._console, self._width = console, width
        rows = self._rows
        if key != self._key:
            self._key = key
            rows.clear()
            rows.width = width
            self._definitions = {}
            self._guessed = set()
            self._read = set()
            self._read_list = None
            self._pieces_of = None
            self._tail_key = None
            self._tail_block = None
            self._tail = []
        if self._resplit:
            self._resplit = False
            self._split_final(self._text)
        blocks = self._final_blocks if self._final_blocks is not None else self._splitter.blocks
        if self.expanded:
            blocks = self._pieces(blocks)
        window = self.window
        # Where the anchor line is now (none when nothing is placed: after `release` the
        # blocks come back with the heights they had, or the width changed).
        mark = rows.anchor_of(window.anchor if window is not None and rows.blocks else None)
        self._learn_definitions(blocks)
        rows.sync(blocks)
        tail = self._tail_block
        if self._final_blocks is not None and tail is not None and blocks:
            # The block that was the live tail until the text became final.
            last = len(blocks) - 1
            block = blocks[last]
            drawn = tail.block
            same = (drawn.text, drawn.joined, drawn.fence) == (
                block.text,
                block.joined,
                block.fence,
            )
            labels = labels_used(block.text, self._definitions)
            if same and rows.rendered[last] is None and tail.labels == labels:
                rows.put(last, replace(tail, block=block))
        self._draw(console, width)
        rows.shift = rows.moved_since(mark, window.anchor) if window is not None else 0
        return self.height

    def reveal(self, console: Console, width: int) -> bool:
        """Draw what the window shows of the blocks as they are (no new text is taken);
        False when a layout is needed first (the width changed)."""
        if (width, self.code_theme, self.expanded, self.limit) != self._key:
            return False
        self._console, self._width = console, width
        self._rows.missed = False
        self._draw(console, width)
        return True

    def _draw(self, console: Console, width: int) -> None:
        """Draw the blocks the window shows (all without one), within the budget, then the
        tail and the notes."""
        rows = self._rows
        rows.missed = False
        rows.shift = 0
        deadline = time.perf_counter() + self.budget
        window = self.window
        if window is None:
            done = rows.draw_all(deadline)
        else:
            # Lines under the blocks: the live tail (as last drawn) while the text grows.
            under = len(self._tail) if self._final_blocks is None else 0
            done = rows.draw_window(window, under, deadline)
        self.pending = not done
        streaming = self._final_blocks is None
        near_end = window is None or window.from_end is not None or window.bottom >= rows.height
        if streaming and not self.pending and near_end:
            self._layout_tail(console, width)
        elif not streaming or self.pending:
            self._tail = []
            self._tail_block = None if not streaming else self._tail_block
        self._trim = 0 if self._tail else rows.trailing_blanks()
        self._notes = []
        if self.pending:
            self._notes += note_lines(
                console, f"… drawing: {rows.left:,} characters to go", width, self.note_style
            )
        if len(self._source) > self.limit:
            self._notes += note_lines(
                console,
                f"⚠ This reply is {len(self._source):,} characters: drawing stops at "
                f"{self.limit:,} (render_limit in the config file). All of it is kept.",
                width,
                self.note_style,
            )

    def measure(self, deadline: float) -> bool:
        """Draw the blocks whose height is a guess until `deadline` (the height stays what
        it was until `commit`); True when none is left."""
        if self._console is None:
            return True
        return self._rows.measure(deadline)

    def commit(self, anchor: int | None) -> int:
        """Put in the heights `measure` found (`shift`: how far line `anchor` moved);
        returns the height."""
        if self._console is not None:
            rows = self._rows
            rows.commit(anchor)
            moved = rows.shift
            self._draw(self._console, self._width)
            rows.shift += moved
        return self.height

    @property
    def height(self) -> int:
        """Lines at the last layout width (blocks not drawn: their guessed heights)."""
        return self._rows.height - self._trim + len(self._tail) + len(self._notes)

    def line(self, index: int) -> Strip:
        """One line of the last layout."""
        body = self._rows.height - self._trim
        if index < body:
            return self._rows.line(index)
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
