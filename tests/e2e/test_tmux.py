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

from routmy_tui.demo.server import DemoServer
from tests.conftest import FAKE_KEY

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


def start(arguments: str, extra_env: str = "") -> Tmux:
    """`routmy-tui ARGUMENTS` in a fresh tmux server, 120x40, with the test's HOME and XDG."""
    session = Tmux(f"routmy-e2e-{os.getpid()}")
    env = " ".join(
        f"{name}={os.environ[name]}"
        for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")
    )
    command = f"env {env} {extra_env} TERM=xterm-256color {COMMAND} {arguments}"
    session.run("new-session", "-d", "-s", "main", "-x", "120", "-y", "40", command)
    return session


@pytest.fixture
def tmux(isolated_env: Path) -> Iterator[Tmux]:
    session = start("--demo")
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


def test_a_key_and_a_base_url_talk_to_any_server(isolated_env: Path) -> None:
    """Like a real OpenAI-compatible server: the key goes in the Authorization header only."""
    with DemoServer(tps=0, ttft=0) as server:
        session = start(
            f"--base-url {server.base_url} --model demo/chat", f"ROUTMY_API_KEY={FAKE_KEY}"
        )
        try:
            screen = session.wait_for("Enter sends")
            assert FAKE_KEY not in screen
            session.run("send-keys", "-t", "main", "-l", "Hello real server")
            session.run("send-keys", "-t", "main", "Enter")
            screen = session.wait_for("finish: stop", timeout=30)
            assert FAKE_KEY not in screen
        finally:
            session.run("kill-server")
        chats = [r for r in server.requests if r.path.endswith("/chat/completions")]
        assert chats and chats[-1].headers["authorization"] == f"Bearer {FAKE_KEY}"
        assert b"Hello real server" in chats[-1].body
