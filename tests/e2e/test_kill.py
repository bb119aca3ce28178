"""End to end: SIGKILL the real `routmy-tui --demo` mid-reply; the next start loses nothing."""

from __future__ import annotations

import os
import re
import shutil
import signal
import time
from pathlib import Path

import psutil
import pytest

from routmy_tui.store import Store
from tests.e2e.tmux import Tmux, app_command

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def _wait(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def _words(text: str) -> str:
    """The words of a text, one space apart: the same for Markdown and its rendering."""
    return " ".join(re.findall(r"\w+", text))


def test_sigkill_mid_reply_keeps_the_message_and_the_reply_so_far(
    isolated_env: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    command = app_command(f"--demo --model demo/slow --data-dir {data}") + "; true"
    tmux = Tmux("routmy-kill")
    try:
        tmux.start(command)
        tmux.wait_for("Welcome to routmy-tui")
        tmux.type("Tell me a long story")
        tmux.wait_for("streaming", timeout=30)
        db = data / "routmy.db"

        def checkpointed() -> bool:
            with Store.open(db) as store:
                conversation = store.latest_conversation_id()
                if conversation is None:
                    return False
                path = store.current_path(conversation)
                return len(path) == 2 and path[1].status == "streaming" and bool(path[1].content)

        _wait(checkpointed, timeout=30)
        # The shell in the pane is the app's parent: it reaps the killed process at once (a
        # zombie would still count as a live instance that may be streaming).
        shell = psutil.Process(int(tmux.run("display-message", "-p", "-t", "main", "#{pane_pid}")))
        (app,) = [p for p in shell.children() if "routmy-tui" in " ".join(p.cmdline())]
        os.kill(app.pid, signal.SIGKILL)
        _wait(lambda: not psutil.pid_exists(app.pid), timeout=10)
        _wait(lambda: "main" not in tmux.run("list-sessions"), timeout=10)

        with Store.open(db) as store:
            conversation = store.latest_conversation_id()
            assert conversation is not None
            path = store.current_path(conversation)
            assert path[0].content == "Tell me a long story"
            kept = path[1].content or ""
            assert kept and path[1].status == "streaming"

        # The next start shows the conversation: the question, the reply so far, "interrupted".
        tmux.start(command)
        screen = tmux.wait_for("interrupted", timeout=30)
        # The whole last line kept, every word in order (Markdown marks and wrapping aside).
        last_line = [line for line in kept.splitlines() if line.strip()][-1]
        assert _words(last_line) and _words(last_line) in _words(screen)
        tmux.run("send-keys", "-t", "main", "Tab")
        tmux.run("send-keys", "-t", "main", "Home")
        tmux.wait_for("Tell me a long story")
        with Store.open(db) as store:
            stored = store.get_message(path[1].id)
            assert stored is not None and stored.status == "interrupted"
            assert stored.content == kept
    finally:
        tmux.run("kill-server")
