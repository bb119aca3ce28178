"""End to end: the installed `routmy-tui --demo` in tmux at 120x40, read off the screen."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from routmy_tui.demo.replies import markdown_reply
from routmy_tui.demo.server import DemoServer
from tests.conftest import FAKE_KEY
from tests.e2e.tmux import COMMAND, Tmux, app_command

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def start(arguments: str, extra_env: str = "") -> Tmux:
    """`routmy-tui ARGUMENTS` in a fresh tmux server."""
    session = Tmux("routmy-e2e")
    session.start(app_command(arguments, extra_env))
    return session


@pytest.fixture
def tmux(isolated_env: Path) -> Iterator[Tmux]:
    session = start("--demo")
    try:
        yield session
    finally:
        session.run("kill-server")


def test_the_terminal_sets_the_size_not_columns_and_lines(isolated_env: Path) -> None:
    """A stale COLUMNS=80 LINES=24 in the environment (test runners set them; some shells
    export them) must not shrink the app in a 120x40 terminal, nor stop it following a
    resize."""
    session = start("--demo", "COLUMNS=80 LINES=24")
    try:
        screen = session.wait_for("Ctrl+P palette")
        lines = screen.rstrip("\n").split("\n")
        assert len(lines) == 40 and lines[-1].endswith("Ctrl+P palette"), lines[-1]
        assert len(lines[-1]) == 119  # the last column is the palette key's padding
        session.run("resize-window", "-t", "main", "-x", "100", "-y", "30")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            lines = session.screen().rstrip("\n").split("\n")
            if len(lines) == 30 and len(lines[-1]) == 99:
                break
            time.sleep(0.1)
        assert len(lines) == 30 and lines[-1].endswith("Ctrl+P palette"), lines[-3:]
    finally:
        session.run("kill-server")


def test_demo_chat_in_a_real_terminal(tmux: Tmux) -> None:
    assert COMMAND.exists(), "the routmy-tui command is not installed"
    tmux.wait_for("Welcome to routmy-tui")
    screen = tmux.screen()
    assert "demo/chat" in screen
    tmux.type("Hello from tmux")
    screen = tmux.wait_for("finish: stop", timeout=30)
    # The end of the reply the demo server sent is on screen (the view follows the bottom),
    # above its status line.
    last_sentence = markdown_reply("Hello from tmux").strip().splitlines()[-1]
    assert last_sentence in screen
    assert screen.index(last_sentence) < screen.index("finish: stop")
    # The reply is longer than the window: go to the top to find the question.
    tmux.run("send-keys", "-t", "main", "Tab")
    tmux.run("send-keys", "-t", "main", "Home")
    screen = tmux.wait_for("▎ you")
    assert "▎ Hello from tmux" in screen
    assert "You asked: Hello from tmux" in screen
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
            session.type("Hello real server")
            screen = session.wait_for("finish: stop", timeout=30)
            assert FAKE_KEY not in screen
        finally:
            session.run("kill-server")
        chats = [r for r in server.requests if r.path.endswith("/chat/completions")]
        assert chats and chats[-1].headers["authorization"] == f"Bearer {FAKE_KEY}"
        assert b"Hello real server" in chats[-1].body
