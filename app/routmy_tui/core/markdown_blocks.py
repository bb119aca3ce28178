"""Split growing Markdown into top-level blocks that can no longer change.

A streamed reply only ever grows at its end. Everything before the last top-level block
boundary (a blank line outside a code fence, followed by an unindented line) renders the
same whatever comes next, so the UI renders it once and caches it; only the tail is
re-rendered as text arrives.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


class BlockSplitter:
    """Incrementally splits Markdown text into frozen blocks plus a live tail.

    Feed the whole text so far with `update()` (it must only grow by appending, otherwise
    call `reset()`); `blocks` holds the frozen blocks and `tail` the text still changing.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything."""
        self.blocks: list[str] = []
        self._frozen_end = 0
        self._text = ""

    @property
    def tail(self) -> str:
        """The last block, which may still change."""
        return self._text[self._frozen_end :]

    def update(self, text: str) -> bool:
        """Take the text so far.

        Returns:
            True when new blocks were frozen.
        """
        if not text.startswith(self._text[: self._frozen_end]):
            self.reset()
        self._text = text
        start = self._frozen_end
        cuts = _boundaries(text, start)
        if not cuts:
            return False
        for end in cuts:
            block = text[start:end].strip("\n")
            if block.strip():
                self.blocks.append(block)
            start = end
        self._frozen_end = start
        return True

    def finish(self) -> list[str]:
        """All blocks of the complete text, the tail included."""
        blocks = list(self.blocks)
        tail = self.tail.strip("\n")
        if tail.strip():
            blocks.append(tail)
        return blocks


def _boundaries(text: str, start: int) -> list[int]:
    """Offsets (from `start`) where a new top-level block begins, in order."""
    cuts: list[int] = []
    fence: str | None = None
    pos = start
    previous_blank = False
    length = len(text)
    while pos < length:
        newline = text.find("\n", pos)
        if newline == -1:
            break  # the last line is not complete yet
        line = text[pos:newline]
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            previous_blank = False
        else:
            match = _FENCE.match(line)
            if match:
                if previous_blank and pos > start:
                    cuts.append(pos)
                fence = match.group(1)[0] * 3
                previous_blank = False
            elif not line.strip():
                previous_blank = True
            else:
                if previous_blank and pos > start and not line[:1].isspace():
                    cuts.append(pos)
                previous_blank = False
        pos = newline + 1
    return cuts
