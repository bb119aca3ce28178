"""End to end: the crash loop of issue 14 (deeply nested tool arguments) in the real command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import FAKE_KEY
from tests.e2e.tmux import COMMAND, Tmux, app_command
from tests.hostile_server import DEEP, HostileServer

ARGS_TAIL = "]" * 40
"""The end of the raw arguments, shown as text (the view follows the bottom)."""

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def _run_app(arguments: str, expect: str) -> str:
    """Start the app, wait for `expect`, check it is still running a moment later, quit."""
    session = Tmux("routmy-hostile")
    session.start(app_command(arguments, f"ROUTMY_API_KEY={FAKE_KEY}"))
    try:
        screen = session.wait_for(expect, timeout=30)
        time.sleep(1.0)  # a crash after drawing would end the session
        assert "main" in session.run("list-sessions"), "the app exited"
        screen = session.screen()
        session.run("send-keys", "-t", "main", "C-q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "main" in session.run("list-sessions"):
            time.sleep(0.1)
        return screen
    finally:
        session.run("kill-server")


def test_deep_tool_arguments_neither_crash_the_reply_nor_the_next_start(
    isolated_env: Path,
) -> None:
    assert COMMAND.exists(), "the routmy-tui command is not installed"
    with HostileServer() as server:
        arguments = f"--base-url {server.url} --model hostile/deep-args"
        session = Tmux("routmy-hostile")
        session.start(app_command(arguments, f"ROUTMY_API_KEY={FAKE_KEY}"))
        try:
            session.wait_for("Enter sends")
            session.type("call the deep tool")
            screen = session.wait_for(ARGS_TAIL, timeout=30)
            time.sleep(1.0)
            assert "main" in session.run("list-sessions"), "the app exited"
            assert FAKE_KEY not in screen
            session.run("send-keys", "-t", "main", "C-q")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and "main" in session.run("list-sessions"):
                time.sleep(0.1)
        finally:
            session.run("kill-server")
        # The app resumes the last conversation: before the fix every later start crashed.
        screen = _run_app(arguments, ARGS_TAIL)
        assert "call the deep tool" in screen  # the title in the header


def test_an_imported_conversation_with_deep_arguments_opens(isolated_env: Path) -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "deep", "arguments": DEEP}}
    data = [
        {"role": "user", "content": "imported question"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
    ]
    path = isolated_env / "deep.json"
    path.write_text(json.dumps(data))
    env = {**os.environ, "TERM": "dumb"}
    result = subprocess.run(
        [str(COMMAND), "import", str(path)], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    with HostileServer() as server:
        screen = _run_app(f"--base-url {server.url} --model hostile/deep-args", ARGS_TAIL)
    assert "imported question" in screen  # the title in the header
