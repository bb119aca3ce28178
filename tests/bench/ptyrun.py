"""Run the real app in a pseudo-terminal and read what it writes, as a terminal would.

Shared by the benchmarks. `PtyProcess` reads the child's output as fast as it comes and keeps
it three ways: the raw bytes with the time each read arrived, the text with escape sequences
removed (searched incrementally: enough to see when a given line was first written), and, on
demand, a `pyte` screen model of what the terminal shows. Also: the child's CPU time and
memory, a demo backend in a process of its own, private HOME/XDG folders with a config file,
and summary statistics.
"""

from __future__ import annotations

import atexit
import fcntl
import gc
import os
import pty
import re
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyte

ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-B]|\x1b[=>78]"
)
BIN = Path(sys.executable).parent
COMMAND = str(BIN / "routmy-tui")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def scratch_dir(prefix: str = "routmy-bench-") -> str:
    """A fresh temporary folder, removed when the benchmark's process exits (a run starts
    the app dozens of times: thousands of folders were left in /tmp)."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, True)
    return path


def private_home(config: str = "") -> tuple[str, dict[str, str]]:
    """A fresh temporary HOME and the XDG variables pointing into it (no user config leaks in).

    `config` is written as the app's config file (TOML) when given.
    """
    home = scratch_dir()
    env = {
        "HOME": home,
        "XDG_CONFIG_HOME": f"{home}/config",
        "XDG_DATA_HOME": f"{home}/data",
        "XDG_CACHE_HOME": f"{home}/cache",
    }
    if config:
        folder = Path(home) / "config" / "routmy-tui"
        folder.mkdir(parents=True, mode=0o700)
        (folder / "config.toml").write_text(config)
        (folder / "config.toml").chmod(0o600)
    return home, env


def stats(values: Sequence[float], digits: int = 3) -> dict[str, float]:
    """Median, 95th percentile, worst and count of `values`."""
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered), digits),
        "p95": round(p95, digits),
        "worst": round(ordered[-1], digits),
        "best": round(ordered[0], digits),
    }


def machine() -> dict[str, Any]:
    """What the figures depend on: load (the machine is shared), CPUs, GC on."""
    return {
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "gc_enabled": gc.isenabled(),
    }


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DemoServerProcess:
    """`routmy-tui demo-server` in a process of its own (as a third-party server would be)."""

    def __init__(self, tps: float = 0) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.process = subprocess.Popen(
            [COMMAND, "demo-server", "--port", str(self.port), "--tps", str(tps)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the demo server did not start")

    def stop(self) -> None:
        """Stop the server."""
        self.process.kill()
        self.process.wait()

    def __enter__(self) -> DemoServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


CELL = (10, 20)
"""Pixels of a cell, reported with the pty's size (TIOCSWINSZ) as terminal emulators do."""
DA1_ASKED = re.compile(rb"\x1b\[0?c")
DA1_ANSWER = b"\x1b[?62;22c"
"""xterm's answer to Primary Device Attributes (a VT220 with colour, no Sixel). Every
terminal answers it (textual-image asks it at start-up; a pty that answered nothing made it
wait 0.1 s); the Kitty graphics query and the cell-size query are left unanswered, as xterm
leaves them."""


class PtyProcess:
    """A child process on a pty of `cols` x `rows`, its output read and timed; it answers the
    questions a terminal answers (see `DA1_ANSWER`, `CELL`)."""

    def __init__(
        self,
        argv: Sequence[str],
        cols: int = 120,
        rows: int = 40,
        env: dict[str, str] | None = None,
    ) -> None:
        self.cols, self.rows = cols, rows
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # child
            # Bytecode is written and used as for an installed package (pip compiles it): a
            # PYTHONDONTWRITEBYTECODE in the caller's environment would make the app (an
            # editable install) compile its modules at every start while Textual's are cached.
            inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            os.execvpe(argv[0], list(argv), {**inherited, "TERM": "xterm-256color", **(env or {})})
        self.pid = pid
        self.fd = fd
        # As a terminal emulator does: the size in cells and in pixels (10x20 cells).
        size = struct.pack("HHHH", rows, cols, cols * CELL[0], rows * CELL[1])
        fcntl.ioctl(fd, termios.TIOCSWINSZ, size)
        self.raw = bytearray()
        self.reads: list[tuple[float, int]] = []
        """(time of the read, size of `raw` after it)."""
        self.text = bytearray()
        self._pending = b""
        self._screen = pyte.Screen(cols, rows)
        self._stream = pyte.ByteStream(self._screen)
        self._fed = 0

    # --- reading -------------------------------------------------------------------------

    def pump(self, timeout: float) -> bool:
        """Read what the child wrote (waiting up to `timeout`); False if nothing came."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 1 << 20)
        except OSError:
            return False
        now = time.perf_counter()
        if DA1_ASKED.search(self._pending + data):
            os.write(self.fd, DA1_ANSWER)  # a terminal answers at once
        self.raw += data
        self.reads.append((now, len(self.raw)))
        # Strip escapes incrementally; an escape cut by the read waits for the next one.
        chunk = self._pending + data
        cut = chunk.rfind(b"\x1b")
        if cut >= 0 and len(chunk) - cut < 64 and not ANSI.match(chunk, cut):
            chunk, self._pending = chunk[:cut], chunk[cut:]
        else:
            self._pending = b""
        self.text += ANSI.sub(b"", chunk)
        return True

    def drain(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Read until the child has written nothing for `quiet` seconds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and self.pump(quiet):
            pass

    def wait_for(self, needle: str, timeout: float = 30.0, since: int = 0) -> float:
        """Seconds from start until `needle` was written (in the text after offset `since`)."""
        return self.wait_for_any([needle], timeout, since)[1] - self.started

    def wait_for_any(
        self, needles: Sequence[str], timeout: float = 30.0, since: int = 0
    ) -> tuple[str, float]:
        """The first of `needles` written after text offset `since`, and when (perf_counter)."""
        targets = [needle.encode() for needle in needles]
        deadline = time.perf_counter() + timeout
        while True:
            for needle, target in zip(needles, targets, strict=True):
                if self.text.find(target, since) >= 0:
                    return needle, self.reads[-1][0] if self.reads else time.perf_counter()
            if time.perf_counter() > deadline:
                break
            self.pump(0.01)
        raise TimeoutError(f"{needles!r} not seen; tail: {bytes(self.text[-400:])!r}")

    def wait_screen(self, condition: Callable[[list[str]], bool], timeout: float = 30.0) -> float:
        """perf_counter time of the first read after which the screen satisfies `condition`."""
        deadline = time.perf_counter() + timeout
        while True:
            if condition(self.screen()):
                return self.reads[-1][0] if self.reads else time.perf_counter()
            if time.perf_counter() > deadline:
                raise TimeoutError("screen condition not met:\n" + "\n".join(self.screen()))
            self.pump(0.01)

    def screen(self) -> list[str]:
        """The terminal's lines now (a pyte model fed with everything read so far)."""
        if self._fed < len(self.raw):
            self._stream.feed(bytes(self.raw[self._fed :]))
            self._fed = len(self.raw)
        return list(self._screen.display)

    def write(self, data: bytes) -> float:
        """Type into the terminal; returns when (perf_counter)."""
        os.write(self.fd, data)
        return time.perf_counter()

    # --- the child's resources ------------------------------------------------------------

    def cpu_seconds(self) -> float:
        """User plus system CPU time the child has used so far."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def _status(self, key: str) -> float:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def rss_mb(self) -> float:
        """The child's resident memory now, in MB."""
        return self._status("VmRSS:")

    def peak_rss_mb(self) -> float:
        """The child's peak resident memory (VmHWM) so far, in MB."""
        return self._status("VmHWM:")

    def kill(self) -> None:
        """Stop the child and reap it."""
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def app_argv(*arguments: str) -> list[str]:
    """The installed `routmy-tui` command with arguments."""
    return [COMMAND, *arguments]


def app_on_demo_server(
    base_url: str,
    chunks: int,
    rate: float,
    *,
    data: str | None = None,
    cols: int = 120,
    rows: int = 40,
) -> PtyProcess:
    """The installed app in a pty of `cols` x `rows` against the demo server at `base_url` (a
    fake key), its replies `chunks` chunks long at `rate` chunks/s (0: full speed), with a
    private HOME and a fresh history unless `data` names one. Not waited for."""
    _, env = private_home(f"[params]\ndemo_tokens = {chunks}\ndemo_tps = {rate}\n")
    data = data or scratch_dir("routmy-bench-data-")
    argv = app_argv("--base-url", base_url, "--model", "demo/chat", "--data-dir", data)
    return PtyProcess(argv, cols=cols, rows=rows, env={**env, "ROUTMY_API_KEY": "sk_bench_0"})
