"""End to end: `routmy-tui --demo` in tmux, a picture pasted for demo/vision, a blue square
asked of demo/image, both drawn as half-cell blocks; the square opened and saved."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.tmux import Tmux, app_command

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_LEVELS = (0, 95, 135, 175, 215, 255)


def _colour(codes: list[int]) -> tuple[int, int, int] | None:
    """The colour of `5;N` (xterm 256) or `2;R;G;B` after 38 or 48."""
    if codes[:1] == [2] and len(codes) >= 4:
        return codes[1], codes[2], codes[3]
    if codes[:1] == [5] and len(codes) >= 2 and 16 <= codes[1] <= 231:
        n = codes[1] - 16
        return _LEVELS[n // 36], _LEVELS[n // 6 % 6], _LEVELS[n % 6]
    return None


def block_colours(session: Tmux) -> list[tuple[int, int, int]]:
    """The upper-half colour of every "▀" on screen (tmux's capture with escapes)."""
    screen = session.run("capture-pane", "-e", "-p", "-t", "main")
    colours: list[tuple[int, int, int]] = []
    for line in screen.splitlines():
        foreground: tuple[int, int, int] | None = None
        for index, part in enumerate(_SGR.split(line)):
            if index % 2:  # the codes of an SGR sequence
                codes = [int(c) for c in part.split(";") if c] or [0]
                for at, code in enumerate(codes):
                    if code == 0:
                        foreground = None
                    elif code == 38:
                        foreground = _colour(codes[at + 1 :]) or foreground
            elif foreground is not None:
                colours += [foreground] * part.count("▀")
    return colours


def wait_for_blocks(session: Tmux, kind: str, timeout: float = 20.0) -> None:
    """Until at least 50 blocks on screen are mostly `kind` ("green" or "blue")."""
    channel = {"green": 1, "blue": 2}[kind]
    deadline = time.monotonic() + timeout
    found = 0
    while time.monotonic() < deadline:
        colours = block_colours(session)
        found = sum(
            1 for c in colours if all(c[channel] > c[other] + 60 for other in {0, 1, 2} - {channel})
        )
        if found >= 50:
            return
        time.sleep(0.2)
    raise AssertionError(f"only {found} {kind} blocks on screen:\n{session.screen()}")


def test_paste_a_picture_ask_for_one_open_and_save_it(isolated_env: Path, tmp_path: Path) -> None:
    photo = tmp_path / "leaf.jpg"
    Image.new("RGB", (640, 480), (30, 160, 60)).save(photo, "JPEG")
    session = Tmux("routmy-e2e-pictures")
    session.start(app_command("--demo --model demo/vision"))
    try:
        session.wait_for("demo/vision")
        session.wait_for("Message  (Enter send")
        # A terminal pastes a dropped file as its path (bracketed paste).
        session.run("set-buffer", str(photo))
        session.run("paste-buffer", "-p", "-t", "main")
        session.wait_for("leaf.jpg · 688 B · 640×480")
        session.type("What is this?")
        session.wait_for("mostly green")
        session.wait_for("▣ picture 1 · 640×480 · enter to open")
        wait_for_blocks(session, "green")

        session.run("send-keys", "-t", "main", "F3")
        session.wait_for("Select model")
        session.run("send-keys", "-t", "main", "-l", "demo/image")
        session.run("send-keys", "-t", "main", "Enter")
        session.wait_for("·  demo/image  ·")
        session.type("a blue square")
        session.wait_for("Here is a picture for a blue square")
        session.wait_for("▣ picture 1 · 1024×1024 · enter to open")
        wait_for_blocks(session, "blue")

        session.run("send-keys", "-t", "main", "Tab")  # to the conversation
        # Its keys in the footer: it has the focus (an Enter before that went to the empty
        # composer, which sends nothing: seen once under load).
        session.wait_for("g Regenerate")
        session.run("send-keys", "-t", "main", "Enter")  # opens the newest picture
        session.wait_for("picture 1 of 1 · 1024×1024")
        session.wait_for("s save")
        session.run("send-keys", "-t", "main", "s")
        session.wait_for("File to write:")
        session.run("send-keys", "-t", "main", "Enter")  # the default name, in the home folder
        session.wait_for("Saved to")
        (saved,) = isolated_env.glob("routmy-*.png")
        with Image.open(saved) as picture:
            assert picture.format == "PNG" and picture.size == (1024, 1024)
            red, green, blue = picture.convert("RGB").getpixel((512, 512))  # type: ignore[misc]
        assert blue > red + 100 and blue > green + 100
    finally:
        session.run("kill-server")
