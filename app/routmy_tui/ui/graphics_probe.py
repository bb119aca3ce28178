"""Ask the terminal what pictures it can draw, once, at start-up; textual-image is told the
answers when a picture first needs it. Imports no Textual, no Rich and no Pillow."""

from __future__ import annotations

import os
import random
import re
import select
import sys
import termios
import tty
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

__all__ = ["FOUND", "TerminalGraphics", "probe", "textual_image_renderables"]

DA1 = "\x1b[c"
"""Primary Device Attributes: every terminal answers it, and answers in the order asked."""
DA1_ANSWER = re.compile(r"\x1b\[\?([0-9;]*)c")
KITTY_QUESTION = "\x1b_Gi={id},s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
"""The Kitty graphics query textual-image asks (a 1x1 picture, checked, never stored)."""
KITTY_ANSWER = re.compile(r"\x1b_Gi=(\d+)[^;\x1b]*;([^\x1b]*)\x1b\\")
CELL_QUESTION = "\x1b[16t"
CELL_ANSWER = re.compile(r"\x1b\[6;(\d+);(\d+)t")
ANSWER_WAIT = 0.1
"""Seconds of silence after which the terminal is taken to answer nothing (textual-image's
own timeout)."""
DEFAULT_CELL = (10, 20)
"""VT340's cell in pixels: textual-image's guess when nothing says otherwise."""


@dataclass(frozen=True)
class TerminalGraphics:
    """What the terminal said it draws.

    Attributes:
        terminal: Whether standard output is a terminal (no: tests, pipes).
        sixel: Whether it answered DA1 with Sixel graphics (attribute 4).
        kitty: Whether it answered the Kitty graphics query with OK.
        cell: A cell's size in pixels (width, height).
    """

    terminal: bool
    sixel: bool
    kitty: bool
    cell: tuple[int, int]

    @property
    def renderer(self) -> str:
        """The renderable textual-image picks for these answers, in its own order: Sixel,
        then Kitty, then half-cell blocks in a terminal, Unicode blocks elsewhere."""
        if not self.terminal:
            return "unicode"
        return "sixel" if self.sixel else "tgp" if self.kitty else "halfcell"


FOUND: TerminalGraphics | None = None
"""What `probe` found (None until it ran)."""


def probe() -> TerminalGraphics:
    """Ask the terminal, in one go, whether it draws Kitty graphics and (when the pty does
    not say) its cell size in pixels, then DA1, whose answer says whether it draws Sixel and
    that no other answer is coming. Keeps the result in `FOUND` and returns it.

    This must run before Textual owns stdin (the answers come on stdin). It runs in a thread
    while the app's modules load: it imports nothing the main thread may import at the same
    time (two threads importing one package's modules from different ends can deadlock on
    Python's import locks), and nothing heavy (textual-image and Pillow cost 20-30 ms of
    start-up; they load when a picture is first shown). A terminal that answers nothing is
    waited for `ANSWER_WAIT` once.
    """
    global FOUND
    out = sys.__stdout__
    terminal = out is not None and out.isatty() and _stdin_is_a_terminal()
    width, height = _pixels_per_cell() if terminal else (0, 0)
    sixel = kitty = False
    if terminal and out is not None:
        image_id = random.randint(1, 2**31)
        questions = KITTY_QUESTION.format(id=image_id)
        if not (width and height):
            questions += CELL_QUESTION
        try:
            with _cbreak() as stdin:
                out.write(questions + DA1)
                out.flush()
                answers, attributes = _read_until_da1(stdin, ANSWER_WAIT)
        except (OSError, TimeoutError, termios.error):
            answers, attributes = "", ""
        sixel = "4" in attributes.split(";")
        kitty = any(
            int(found.group(1)) == image_id and found.group(2) == "OK"
            for found in KITTY_ANSWER.finditer(answers)
        )
        cell = CELL_ANSWER.search(answers)
        if cell is not None and not (width and height):
            height, width = int(cell.group(1)), int(cell.group(2))
    if not (width and height):
        width, height = _cell_from_environment()
    FOUND = TerminalGraphics(terminal, sixel, kitty, (width, height))
    return FOUND


def textual_image_renderables() -> ModuleType:
    """`textual_image.renderable`, its `Image` the one `FOUND` calls for, imported without
    asking the terminal anything (Textual owns stdin by now: an answer would arrive as keys).

    textual-image asks the terminal when this module is first imported if standard output
    is a terminal (0.12, what pip picks on Python 3.11, question by question; 0.14 once, in
    `probe_terminal`): it is shown a standard output that is not a terminal while it loads,
    its caches are filled with `FOUND`'s answers, and its choice is set after. Without a
    probe (the app run by tests) it is imported as it is.
    """
    loaded = sys.modules.get("textual_image.renderable")
    if loaded is not None:
        return loaded
    found = FOUND
    if found is None:
        import textual_image.renderable as renderable

        return renderable
    import textual_image._terminal as terminal

    cell = terminal.CellSize(*found.cell)
    capabilities = getattr(terminal, "TerminalCapabilities", None)
    if capabilities is not None:  # textual-image 0.14+: one cached probe
        terminal.probe_terminal._result = capabilities(  # type: ignore[attr-defined]
            cell, sixel=found.sixel, tgp=found.kitty
        )
    terminal.get_cell_size._result = cell  # type: ignore[attr-defined]
    real = sys.__stdout__
    sys.__stdout__ = _NotATerminal()  # type: ignore[misc,assignment]
    try:
        import textual_image.renderable as renderable
    finally:
        sys.__stdout__ = real  # type: ignore[misc]
    choices: dict[str, Any] = {
        "sixel": renderable.SixelImage,
        "tgp": renderable.TGPImage,
        "halfcell": renderable.HalfcellImage,
        "unicode": renderable.UnicodeImage,
    }
    renderable.Image = choices[found.renderer]
    return renderable


class _NotATerminal:
    """A standard output that is not a terminal and writes nothing."""

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return None


def _stdin_is_a_terminal() -> bool:
    stream = sys.__stdin__
    try:
        return stream is not None and os.isatty(stream.fileno())
    except (OSError, ValueError):
        return False


def _pixels_per_cell() -> tuple[int, int]:
    """A cell's size from the pty's window size in pixels (0, 0 when it gives none)."""
    import fcntl
    import struct

    out = sys.__stdout__
    try:
        assert out is not None
        packed = fcntl.ioctl(out.fileno(), termios.TIOCGWINSZ, bytes(8))
    except (AssertionError, OSError, ValueError):
        return 0, 0
    rows, columns, width, height = struct.unpack("HHHH", packed)
    if not (rows and columns):
        return 0, 0
    return width // columns, height // rows


def _cell_from_environment() -> tuple[int, int]:
    """TEXTUAL_CELL_WIDTH/HEIGHT (set by textual-serve), else VT340's cell."""
    width = os.environ.get("TEXTUAL_CELL_WIDTH", "")
    height = os.environ.get("TEXTUAL_CELL_HEIGHT", "")
    if width.isdigit() and height.isdigit() and int(width) and int(height):
        return int(width), int(height)
    return DEFAULT_CELL


@contextmanager
def _cbreak() -> Iterator[int]:
    """stdin unbuffered and unechoed (answers are read a byte at a time), restored after."""
    stream = sys.__stdin__
    if stream is None:
        raise TimeoutError("stdin is closed")
    stdin = stream.buffer.fileno()
    mode = termios.tcgetattr(stdin)
    tty.setcbreak(stdin, termios.TCSANOW)
    try:
        yield stdin
    finally:
        termios.tcsetattr(stdin, termios.TCSANOW, mode)


def _read_until_da1(stdin: int, wait: float) -> tuple[str, str]:
    """What the terminal sends before its answer to DA1, and DA1's attributes (read a byte
    at a time: a key typed after it stays for Textual); TimeoutError after `wait` of
    silence."""
    text = ""
    while True:
        ready, _, _ = select.select([stdin], [], [], wait)
        if not ready:
            raise TimeoutError("the terminal stopped answering")
        text += os.read(stdin, 1).decode("ascii", "replace")
        if text.endswith("c"):
            answer = DA1_ANSWER.search(text)
            if answer is not None:
                return text[: answer.start()], answer.group(1)
