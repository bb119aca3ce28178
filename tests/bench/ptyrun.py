"""Run a command in a pseudo-terminal of a fixed size and watch its screen output.

Shared by the start-up and latency benchmarks. Text is searched in the output with
escape sequences removed, which is enough to see when a given line was drawn.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import tempfile
import termios
import time
from collections.abc import Sequence

ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-B]|\x1b[=>78]"
)


def private_home() -> tuple[str, dict[str, str]]:
    """A fresh temporary HOME and the XDG variables pointing into it (no user config leaks in)."""
    home = tempfile.mkdtemp(prefix="routmy-bench-")
    return home, {
        "HOME": home,
        "XDG_CONFIG_HOME": f"{home}/config",
        "XDG_DATA_HOME": f"{home}/data",
        "XDG_CACHE_HOME": f"{home}/cache",
    }


class PtyProcess:
    """A child process on a pty of `cols` x `rows`."""

    def __init__(
        self,
        argv: Sequence[str],
        cols: int = 120,
        rows: int = 40,
        env: dict[str, str] | None = None,
    ) -> None:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # child
            os.execvpe(argv[0], list(argv), {**os.environ, "TERM": "xterm-256color", **(env or {})})
        self.pid = pid
        self.fd = fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.raw = bytearray()
        self.text = bytearray()

    def _pump(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return False
        self.raw += data
        self.text = bytearray(ANSI.sub(b"", bytes(self.raw)))
        return True

    def wait_for(self, needle: str, timeout: float = 30.0, since: int = 0) -> float:
        """Seconds from start until `needle` shows in the output after offset `since`."""
        target = needle.encode()
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if target in self.text[since:]:
                return time.perf_counter() - self.started
            self._pump(0.002)
        raise TimeoutError(f"{needle!r} not seen; tail: {bytes(self.text[-400:])!r}")

    def write(self, data: bytes) -> None:
        """Type into the terminal."""
        os.write(self.fd, data)

    def peak_rss_mb(self) -> float:
        """The child's peak resident memory (VmHWM) so far, in MB."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def kill(self) -> None:
        """Stop the child and reap it."""
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)
