"""A private tmux server for end-to-end tests of the real `routmy-tui` command."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

COMMAND = Path(sys.executable).parent / "routmy-tui"
"""The installed command, next to the interpreter running the tests."""


def app_command(arguments: str, extra_env: str = "") -> str:
    """A shell command running `routmy-tui ARGUMENTS` with the test's HOME and XDG folders."""
    env = " ".join(
        f"{name}={os.environ[name]}"
        for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")
    )
    return f"env {env} {extra_env} TERM=xterm-256color {COMMAND} {arguments}"


_SERVERS = itertools.count()


class Tmux:
    """One tmux server of its own, running a command in a 120x40 window."""

    def __init__(self, name: str) -> None:
        # A socket of its own each time: a server just told to quit may still answer on the
        # old one, and a new session started there came up blank (seen in CI).
        self.socket = f"{name}-{os.getpid()}-{next(_SERVERS)}"

    def run(self, *args: str) -> str:
        """A tmux command; its standard output."""
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        return result.stdout

    def start(self, command: str) -> None:
        """Run `command` in a new 120x40 session called "main"."""
        self.run("new-session", "-d", "-s", "main", "-x", "120", "-y", "40", command)

    def screen(self) -> str:
        """The text on screen now."""
        return self.run("capture-pane", "-p", "-t", "main")

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        """The screen, once `text` is on it; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; last screen:\n{screen}")

    def type(self, text: str) -> None:
        """Type text literally, then Enter."""
        self.run("send-keys", "-t", "main", "-l", text)
        self.run("send-keys", "-t", "main", "Enter")
