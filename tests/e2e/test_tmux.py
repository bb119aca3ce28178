"""End to end: the installed `routmy-tui --demo` in tmux at 120x40, read off the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

COMMAND = Path(sys.executable).parent / "routmy-tui"


class Tmux:
    """A private tmux server running one command in a fixed-size window."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        return result.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "main")

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; last screen:\n{screen}")


@pytest.fixture
def tmux(isolated_env: Path) -> Iterator[Tmux]:
    socket = f"routmy-e2e-{os.getpid()}"
    session = Tmux(socket)
    env = " ".join(
        f"{name}={os.environ[name]}"
        for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")
    )
    session.run(
        "new-session",
        "-d",
        "-s",
        "main",
        "-x",
        "120",
        "-y",
        "40",
        f"env {env} TERM=xterm-256color {COMMAND} --demo",
    )
    try:
        yield session
    finally:
        session.run("kill-server")


def test_demo_chat_in_a_real_terminal(tmux: Tmux) -> None:
    assert COMMAND.exists(), "the routmy-tui command is not installed"
    tmux.wait_for("Welcome to routmy-tui")
    screen = tmux.screen()
    assert "demo/chat" in screen
    tmux.run("send-keys", "-t", "main", "-l", "Hello from tmux")
    tmux.run("send-keys", "-t", "main", "Enter")
    screen = tmux.wait_for("finish: stop", timeout=30)
    assert "You asked: Hello from tmux" in screen or "tokens" in screen
    # The reply is longer than the window: go to the top to find the question.
    tmux.run("send-keys", "-t", "main", "Tab")
    tmux.run("send-keys", "-t", "main", "Home")
    screen = tmux.wait_for("▎ you")
    assert "▎ Hello from tmux" in screen
    tmux.run("send-keys", "-t", "main", "C-q")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "main" in tmux.run("list-sessions"):
        time.sleep(0.1)
    assert "main" not in tmux.run("list-sessions")
