"""Ask the terminal what pictures it can draw, in a thread at start-up; imports no Textual."""

from __future__ import annotations

import os
import re
import select
import sys
import termios
import tty
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

__all__ = ["QuickAnswers", "probe"]

DA1 = "\x1b[c"
"""Primary Device Attributes: every terminal answers it, and answers in the order asked."""
DA1_ANSWER = re.compile(r"\x1b\[\?[0-9;]*c")
DA1_START = "\x1b[?"
"""How textual-image's Sixel check (DA1 itself) names the answer it waits for."""
ANSWER_WAIT = 0.1
"""Seconds to wait for each byte of an answer (textual-image's own timeout)."""


def probe() -> tuple[int, int]:
    """Let textual-image ask the terminal what it can draw (Kitty, Sixel) and its cell size
    in pixels, which it keeps for the app; returns the cell size.

    textual-image asks when `textual_image.renderable` is first imported, by writing to the
    terminal and reading the answer from stdin: this must happen before Textual owns stdin.
    It runs in a thread while the app's modules load, so it must import nothing the main
    thread may be importing at the same time: two threads importing one package's modules
    from different ends can deadlock on Python's import locks (`_DeadlockError`; seen about
    once in twenty starts when this thread imported `textual.strip`). textual-image's
    renderables need only Rich and Pillow: `cli.main` imports Rich's modules before this
    thread starts, and the main thread imports no Pillow at start.

    textual-image 0.12 (what pip picks on Python 3.11) asks one question at a time and waits
    0.1 s for each answer a terminal does not give (the Kitty graphics question in every
    terminal but Kitty and Ghostty, often the cell size; all three in a terminal that answers
    nothing): its questions go through `QuickAnswers`, which never waits for an answer that
    is not coming. textual-image 0.14 asks all at once, ended by DA1, by itself; it does not
    use the function replaced, so nothing changes there.
    """
    import textual_image._terminal as terminal

    original = getattr(terminal, "capture_terminal_response", None)
    quick = QuickAnswers(original) if original is not None else None
    if quick is not None:
        terminal.capture_terminal_response = quick.capture
    try:
        import textual_image.renderable  # noqa: F401  (asks the terminal at import)

        size = terminal.get_cell_size()
    finally:
        if quick is not None:
            terminal.capture_terminal_response = quick.original
    return size.width, size.height


class QuickAnswers:
    """textual-image's questions to the terminal, each followed by DA1 (which every terminal
    answers, in order): an answer not given before DA1's is not coming, so it is not waited
    for. After a DA1 that got no answer (a terminal that answers nothing) the other
    questions are not asked at all.

    Args:
        original: textual-image's `capture_terminal_response`, used for DA1 itself.
    """

    def __init__(self, original: Callable[..., Any]) -> None:
        self.original = original
        self.silent = False
        """Whether the terminal left DA1 unanswered."""

    @contextmanager
    def capture(
        self, start_marker: str, end_marker: str, timeout: float | None = None
    ) -> Iterator[SimpleNamespace]:
        """As `capture_terminal_response`: the caller writes its question in the block and
        reads `.sequence`; TimeoutError when no answer comes."""
        if self.silent:
            raise TimeoutError("the terminal answers no questions")
        if start_marker == DA1_START:
            try:
                with self.original(start_marker, end_marker, timeout) as response:
                    yield response
            except TimeoutError:
                self.silent = True
                raise
            return
        response = SimpleNamespace(sequence="")
        with _cbreak() as stdin:
            yield response  # the caller writes its question
            out = sys.__stdout__
            assert out is not None
            out.write(DA1)
            out.flush()
            before_da1 = _read_until_da1(stdin, timeout or ANSWER_WAIT)
        wanted = re.compile(re.escape(start_marker) + ".*?" + re.escape(end_marker), re.DOTALL)
        found = wanted.search(before_da1)
        if found is None:
            raise TimeoutError("not answered before DA1")
        response.sequence = found.group()


@contextmanager
def _cbreak() -> Iterator[int]:
    """stdin unbuffered and unechoed (as textual-image reads answers), restored after."""
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


def _read_until_da1(stdin: int, wait: float) -> str:
    """What the terminal sends before its answer to DA1 (read a byte at a time: a key typed
    after it stays for Textual); TimeoutError after `wait` of silence."""
    text = ""
    while True:
        ready, _, _ = select.select([stdin], [], [], wait)
        if not ready:
            raise TimeoutError("the terminal stopped answering")
        text += os.read(stdin, 1).decode("ascii", "replace")
        if text.endswith("c"):
            answer = DA1_ANSWER.search(text)
            if answer is not None:
                return text[: answer.start()]
