"""The start-up probe of what the terminal draws, against terminals that answer differently.

The probe runs in a child process on a pty; this test plays the terminal, answering (or not)
each question it is asked. What the user would notice: pictures drawn the way the terminal
can draw them, and a start that never waits for an answer that is not coming (the questions
go in one write, ended by DA1, which every terminal answers in order). textual-image, loaded
later when a picture is shown, is told the answers and asks nothing: by then Textual reads
stdin, and an answer would arrive as keys.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import sys
import termios
from collections.abc import Callable

CHILD = (
    "import json, sys\n"
    "from routmy_tui.ui.graphics_probe import probe, textual_image_renderables\n"
    "found = probe()\n"
    "sys.stdout.write('PROBED\\n'); sys.stdout.flush()\n"
    "renderable = textual_image_renderables()\n"
    "import textual_image.widget\n"  # reads the cell size, as the picture viewer does
    "from textual_image._terminal import get_cell_size\n"
    "kind = renderable.Image.__module__.rsplit('.', 1)[-1]\n"
    "assert list(get_cell_size()) == list(found.cell), (get_cell_size(), found)\n"
    "sys.stdout.write('RESULT' + json.dumps([kind, list(found.cell)]) + '\\n')\n"
)
QUESTION = re.compile(r"\x1b\[c|\x1b\[16t|\x1b_G[^\x1b]*\x1b\\")
DA1, CELL = "\x1b[c", "\x1b[16t"


def run_probe(
    answer: Callable[[str], str | None], pixels: tuple[int, int] = (0, 0)
) -> tuple[str, list[int], list[str]]:
    """The renderer textual-image chose, the cell size, and the questions asked in order
    (none may be asked once the probe has ended)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the probe, on the pty as its terminal
        os.execv(sys.executable, [sys.executable, "-c", CHILD])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, *pixels))
    out, seen, asked = "", 0, []
    try:
        while "\n" not in out[out.find("RESULT") :] or "RESULT" not in out:
            ready, _, _ = select.select([fd], [], [], 20)
            assert ready, f"the probe hung; it wrote {out!r}"
            out += os.read(fd, 4096).decode("utf-8", "replace")
            for question in QUESTION.finditer(out, seen):
                seen = question.end()
                text = question.group()
                asked.append("TGP" if text.startswith("\x1b_G") else text)
                reply = answer(text)
                if reply is not None:
                    os.write(fd, reply.encode())
    finally:
        os.waitpid(pid, 0)
        os.close(fd)
    kind, cell = json.loads(out[out.find("RESULT") + 6 :].splitlines()[0])
    after_probe = QUESTION.findall(out, out.find("PROBED"))
    assert not after_probe, f"textual-image asked the terminal {after_probe!r}"
    return kind, cell, asked


def kitty(question: str) -> str | None:
    if question == DA1:
        return "\x1b[?62;22c"
    if question == CELL:
        return "\x1b[6;18;9t"
    image_id = re.search(r"i=(\d+)", question)
    assert image_id is not None
    return f"\x1b_Gi={image_id.group(1)};OK\x1b\\"


def xterm(question: str) -> str | None:
    return "\x1b[?62;22c" if question == DA1 else None


def test_kitty_graphics_found_in_one_round_trip() -> None:
    kind, cell, asked = run_probe(kitty)
    assert kind == "tgp"
    assert cell == [9, 18]
    assert asked == ["TGP", CELL, DA1]


def test_a_terminal_without_kitty_graphics_is_not_waited_for() -> None:
    """xterm answers DA1 only: its answer says no other is coming (textual-image 0.12 alone
    waited 0.1 s for each of the other two)."""
    kind, cell, asked = run_probe(xterm)
    assert kind == "halfcell"
    assert cell == [10, 20]  # VT340's, textual-image's default
    assert asked == ["TGP", CELL, DA1]


def test_the_cell_size_from_the_pty_needs_no_question() -> None:
    kind, cell, asked = run_probe(xterm, pixels=(80 * 8, 24 * 16))
    assert (kind, cell) == ("halfcell", [8, 16])
    assert asked == ["TGP", DA1]


def test_sixel_found_from_da1_and_preferred_to_kitty_graphics() -> None:
    """textual-image's order: Sixel first (Konsole and WezTerm answer both, and draw only
    Sixel the way textual-image sends pictures)."""
    both = lambda q: "\x1b[?62;4;22c" if q == DA1 else kitty(q)  # noqa: E731
    kind, _, asked = run_probe(both, (800, 480))
    assert kind == "sixel"
    assert asked == ["TGP", DA1]


def test_a_terminal_that_answers_nothing_is_waited_for_once() -> None:
    kind, cell, asked = run_probe(lambda question: None)
    assert (kind, cell) == ("halfcell", [10, 20])
    assert asked == ["TGP", CELL, DA1]
