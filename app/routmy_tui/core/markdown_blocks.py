"""Split growing Markdown into top-level blocks, and long blocks into parts, as text arrives.

A streamed reply only ever grows at its end. Everything before the last top-level block
boundary renders the same whatever comes next (reference links aside: see the UI's
renderer), so the UI renders it once and caches it; only the tail is rendered again as
text arrives. A boundary is a blank line followed by an unindented line that cannot
continue the block before it (a list item of the same list does; so does anything inside
a code fence or an HTML block that spans blank lines).

So that a frame never costs more for a longer unfinished block, a long paragraph, list,
quote or fenced code block is also cut at line boundaries into parts, every `PART_LINES`
lines or `PART_CHARS` characters. A part is drawn joined to the one before it (no blank
line between); once the reply ends, the UI renders a block's parts again as one block.
The splitter reads each character once: `update` costs what was appended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PART_LINES = 32
"""Complete lines after which an open paragraph or code block is cut into a part."""
PART_CHARS = 3_000
"""Characters after which an open paragraph or code block is cut into a part."""

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BULLET = re.compile(r"([-+*])(?:[ \t]|$)")
_ORDERED = re.compile(r"\d{1,9}([.)])(?:[ \t]|$)")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")
_DELIMITER_ROW = re.compile(r" {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_HTML_SPANNING = (
    (
        re.compile(r" {0,3}<(?:script|pre|style|textarea)(?:[\s>]|$)", re.I),
        re.compile(r"</(?:script|pre|style|textarea)>", re.I),
    ),
    (re.compile(r" {0,3}<!--"), re.compile(r"-->")),
    (re.compile(r" {0,3}<\?"), re.compile(r"\?>")),
    (re.compile(r" {0,3}<![A-Za-z]"), re.compile(r">")),
    (re.compile(r" {0,3}<!\[CDATA\["), re.compile(r"\]\]>")),
)
"""HTML blocks (CommonMark kinds 1-5) that run past blank lines until their end marker."""
HTML_BLOCK_TAGS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|"
    "details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|"
    "h1|h2|h3|h4|h5|h6|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|"
    "noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|"
    "thead|title|tr|track|ul"
)
"""The tags that start an HTML block running to the next blank line (CommonMark kind 6)."""
_HTML_TO_BLANK = re.compile(r" {0,3}</?(?:" + HTML_BLOCK_TAGS + r")(?=[ \t>]|/>|$)", re.I)


@dataclass(frozen=True)
class Block:
    """A frozen piece of the text.

    Attributes:
        text: The Markdown source, without the newlines around it.
        joined: A later part of the block before it: drawn right under it, no blank line.
        open_end: More parts of the same block follow.
        fence: For a part of a fenced code block, its opening line ("```python"), so that
            any part can be drawn as code on its own; "" otherwise.
        span: Where the block's source starts and ends in the whole text (newlines around
            it included), so that parts can be put back together.
    """

    text: str
    joined: bool = False
    open_end: bool = False
    fence: str = ""
    span: tuple[int, int] = (0, 0)


def _closed(block: Block) -> Block:
    return Block(block.text, block.joined, False, block.fence, block.span)


def merge_parts(blocks: list[Block], text: str, limit: int) -> list[Block]:
    """Put the parts of each block cut into parts back together, when it is at most `limit`
    characters long (a longer one stays in parts, each drawn on its own)."""
    out: list[Block] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        end = index
        if block.open_end:
            while end + 1 < len(blocks) and blocks[end].open_end:
                end += 1
        start, stop = block.span[0], blocks[end].span[1]
        if end > index and stop - start <= limit:
            out.append(Block(text[start:stop].strip("\n"), span=(start, stop)))
        else:
            out.extend(blocks[index : end + 1])
        index = end + 1
    return out


def list_kind(line: str) -> str | None:
    """The kind of list an unindented line starts an item of ("-", "*", "+", "." or ")")."""
    if _RULE.match(line):
        return None
    bullet = _BULLET.match(line)
    if bullet:
        return bullet.group(1)
    ordered = _ORDERED.match(line)
    return ordered.group(1) if ordered else None


class BlockSplitter:
    """Incrementally splits Markdown text into frozen blocks plus a live tail.

    Feed the whole text so far with `update()` (it must only grow by appending, otherwise
    call `reset()`); `blocks` holds the frozen blocks and `tail` the text still changing.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything."""
        self.blocks: list[Block] = []
        self._text = ""
        self._frozen_end = 0
        self._scan = 0  # start of the first line not yet read
        # State of the open block, as of `_scan`.
        self._fence: str | None = None  # the fence characters of an open code fence
        self._fence_line = ""  # its opening line, when the fence opened the block
        self._html_end: re.Pattern[str] | None = None
        self._html_to_blank = False  # inside an HTML block that a blank line ends
        self._previous_blank = False
        self._list: str | None = None  # kind of the list the block's last item belongs to
        self._lines = 0  # complete lines in the open part
        self._first = ""  # the first line of the open block
        self._partable = True  # the open block may be cut into parts
        self._joined = False  # the open part continues a block cut before

    @property
    def tail(self) -> str:
        """The last block (or part), which may still change."""
        return self._text[self._frozen_end :]

    @property
    def tail_joined(self) -> bool:
        """Whether the tail is a later part of a block cut into parts."""
        return self._joined

    @property
    def tail_fence(self) -> str:
        """The opening line of the code fence the tail is a later part of ("" if none)."""
        return self._fence_line if self._joined else ""

    @property
    def tail_open(self) -> bool:
        """Whether the tail ends inside a code fence or an HTML block."""
        return self._fence is not None or self._html_end is not None

    def update(self, text: str) -> bool:
        """Take the text so far (the text before plus what was appended).

        Returns:
            True when new blocks were frozen.
        """
        self._text = text
        before = len(self.blocks)
        length = len(text)
        pos = self._scan
        while pos < length:
            newline = text.find("\n", pos)
            if newline == -1:
                break  # the last line is not complete yet
            self._line(pos, text[pos:newline])
            pos = newline + 1
            self._scan = pos
        return len(self.blocks) != before

    def finish(self) -> list[Block]:
        """All blocks of the complete text, the tail included."""
        blocks = list(self.blocks)
        tail = self.tail.strip("\n")
        if tail.strip():
            span = (self._frozen_end, len(self._text))
            blocks.append(Block(tail, self._joined, False, self.tail_fence, span))
        elif blocks and blocks[-1].open_end:
            blocks[-1] = _closed(blocks[-1])
        return blocks

    # --- one complete line at a time ---------------------------------------------------

    def _cut(self, at: int, part: bool) -> None:
        """Freeze the text before `at` (a line start) as a block, or as a part of one."""
        text = self._text[self._frozen_end : at].strip("\n")
        if text.strip():
            fence = self._fence_line if part or self._joined else ""
            span = (self._frozen_end, at)
            self.blocks.append(Block(text, self._joined, part, fence, span))
        elif self.blocks and self.blocks[-1].open_end and not part:
            self.blocks[-1] = _closed(self.blocks[-1])
        self._frozen_end = at
        self._lines = 0
        self._joined = part
        if not part:
            self._list = None
            self._first = ""
            self._fence_line = ""
            self._partable = True

    def _line(self, pos: int, line: str) -> None:
        blank = not line.strip()
        if self._fence is not None:
            stripped = line.strip()
            closes = stripped.startswith(self._fence) and not stripped.strip(self._fence[0])
            if not closes and self._part_due(pos) and self._fence_line:
                self._cut(pos, part=True)
            if closes:
                self._fence = None
                self._partable = False  # what follows a closed fence in one block: keep whole
            self._lines += 1
            self._previous_blank = False
            return
        if self._html_end is not None:
            if self._html_end.search(line):
                self._html_end = None
            self._lines += 1
            self._previous_blank = blank
            return
        if blank:
            self._html_to_blank = False
            self._previous_blank = True
            self._lines += 1
            return
        unindented = not line[:1].isspace()
        kind = list_kind(line) if unindented else None
        if self._previous_blank and unindented and pos > self._frozen_end:
            if kind is None or kind != self._list:
                self._cut(pos, part=False)
            elif self._part_due(pos) and self._partable:
                self._cut(pos, part=True)
        elif (
            unindented
            and self._partable
            and self._part_due(pos)
            and not self._previous_blank
            and not _SETEXT.match(line)
            and not line.startswith("|")
            and not _DELIMITER_ROW.match(line)
        ):
            self._cut(pos, part=True)
        self._previous_blank = False
        if not self._first:
            self._first = line
            if line.startswith(("|", "<", " ", "\t")):
                self._partable = False
        if kind is not None:
            self._list = kind
        self._lines += 1
        if self._html_to_blank or _HTML_TO_BLANK.match(line):
            # All of it is HTML up to a blank line: a fence or a comment start in it
            # opens nothing.
            self._html_to_blank = True
            self._partable = False
            return
        fence = _FENCE.match(line)
        if fence:
            self._fence = fence.group(1)
            if self._first == line and line.startswith(("`", "~")):
                self._fence_line = line.rstrip()
            else:
                self._partable = False  # a fence inside a paragraph or list: keep whole
            return
        if "|" in line and _DELIMITER_ROW.match(line):
            self._partable = False  # a table
        for start, end in _HTML_SPANNING:
            if start.match(line):
                if not end.search(line, line.index("<") + 2):
                    self._html_end = end
                self._partable = False
                break

    def _part_due(self, pos: int) -> bool:
        return self._lines >= PART_LINES or pos - self._frozen_end >= PART_CHARS
