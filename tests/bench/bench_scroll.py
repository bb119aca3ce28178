"""Reading back while a reply streams: PgUp typed during a long reply, in a pty.

Measures: the installed `routmy-tui` in a 120x40 pty against `routmy-tui demo-server` in its
own process, a reply of 20,000 chunks at full speed, 5,000 at 1,000 chunks/s and 1,500 at
100 chunks/s. Once the reply has 1,500 tokens on screen (900 at 100/s), PgUp is typed in the
composer three times, about 80 ms apart (the composer pages the conversation). Each key's
latency: from the key to the read that ended the first frame in which the conversation's
rows changed as it asked (the first key: the reply's "streaming" line gone from them, the
view no longer following the end; the next ones: rows other than before the key). Reads
are stamped by a thread as they come (see `Watch`). Then, until the reply ends and 0.3 s
after, whether the rows read back stayed put: each frame that changed them with no key
typed is a jump (target: 0). Floor, same run: the same three PgUps once the reply has ended
(nothing else to draw).
Leaves out: the mouse wheel and the scroll bar (tests/ui/test_live_stream.py checks that they
stop the following), the terminal emulator's own drawing, and the scroll bar's column (its
thumb moves as the reply grows). The machine is shared: read `machine`.
Prints JSON. Run: `python tests/bench/bench_scroll.py` (BENCH_RUNS=3, BENCH_CASES=full,1000,100).
Target (issue 13): scrolling up during a 20,000-token reply stays smooth (each key drawn
within 33 ms, as typing) and does not jump back (0 jumps).
"""

from __future__ import annotations

import json
import os
import queue
import re
import select
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import DemoServerProcess, PtyProcess, app_on_demo_server, machine, stats

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
CASES = {  # name: (chunks, chunks per second, tokens on screen before the first PgUp)
    "full": (20_000, 0, 1_500),
    "1000": (5_000, 1000, 1_500),
    "100": (1_500, 100, 900),
}
ROWS, COLS = 40, 120
VIEW_ROWS = range(1, ROWS - 5)
"""The conversation's rows: under the header, above the composer and the footer."""
SCROLLBAR = COLS - 4
"""Columns from here on are the scroll bar and the margin (left out: the thumb moves)."""
PAGE_UP = b"\x1b[5~"
PAGE_DOWN = b"\x1b[6~"
FINISHED = "finish: "
"""On the status line under a reply that ended."""
KEYS = 3
INTERVAL = 0.08
STREAMING = re.compile(r" streaming · (\d+) tokens")
TIMEOUT_MS = 5000.0
FRAME_GAP = 0.003
"""Seconds without output after which a frame counts as written in full."""


def view_rows(screen: list[str]) -> list[str]:
    """The conversation's rows of the screen, without the scroll bar's column."""
    return [screen[row][:SCROLLBAR] for row in VIEW_ROWS]


def following(screen: list[str]) -> bool:
    """Whether the reply's "streaming" line (its end) is among the conversation's rows."""
    return any(STREAMING.search(row) for row in view_rows(screen))


def tokens_shown(screen: list[str]) -> int:
    """The token count on the reply's "streaming" line (0 if it is not on screen)."""
    for row in view_rows(screen):
        found = STREAMING.search(row)
        if found:
            return int(found.group(1))
    return 0


def replying(screen: list[str]) -> bool:
    """Whether a reply is on its way (the footer offers to stop it)."""
    return "Esc Stop" in screen[-1]


class Watch:
    """Reads the app's output in a thread, each read stamped when it came (the screen model,
    pure Python, is fed from them afterwards: fed as they came, its own time made the reads
    look later than they were, by 10-50 ms for a full-screen frame); counts changes of the
    conversation's rows that no key asked for. Frames split over several reads are fed in
    full before they count (no terminal here asks for synchronized output): reads closer
    together than `FRAME_GAP` are one frame."""

    def __init__(self, proc: PtyProcess) -> None:
        proc.drain(quiet=FRAME_GAP)
        self.proc = proc
        self.rows = view_rows(proc.screen())
        self.jumps = 0
        self._reads: queue.SimpleQueue[tuple[float, bytes]] = queue.SimpleQueue()
        self._pending: tuple[float, bytes] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.proc.fd], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.proc.fd, 1 << 20)
            except OSError:
                return
            self._reads.put((time.perf_counter(), data))

    def close(self) -> None:
        """Stop reading (before the process is killed)."""
        self._stop.set()
        self._thread.join()

    def _next_read(self, timeout: float) -> tuple[float, bytes] | None:
        if self._pending is not None:
            read, self._pending = self._pending, None
            return read
        try:
            return self._reads.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    def _frame(self, timeout: float) -> tuple[float, list[str]] | None:
        """The next whole frame: when its last read came, and the screen after it."""
        read = self._next_read(timeout)
        if read is None:
            return None
        at, data = read
        self.proc.raw += data
        while (read := self._next_read(at + FRAME_GAP - time.perf_counter())) is not None:
            if read[0] - at > FRAME_GAP:
                self._pending = read  # the next frame's first read
                break
            at, data = read
            self.proc.raw += data
        return at, self.proc.screen()

    def key(self, changed: Callable[[list[str]], bool]) -> float:
        """Type PgUp; ms until the frame after which `changed(screen)` holds."""
        sent = self.proc.write(PAGE_UP)
        deadline = sent + TIMEOUT_MS / 1000
        while (left := deadline - time.perf_counter()) > 0:
            frame = self._frame(left)
            if frame is None:
                break
            at, screen = frame
            if changed(screen):
                self.rows = view_rows(screen)
                return (at - sent) * 1000
        return TIMEOUT_MS

    def still(self, seconds: float, until: Callable[[list[str]], bool] | None = None) -> None:
        """Read for `seconds` (or until `until(screen)`, then 0.3 s more), counting jumps."""
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            frame = self._frame(min(left, 0.05))
            if frame is None:
                continue
            rows = view_rows(frame[1])
            if rows != self.rows:
                self.jumps += 1
                self.rows = rows
            if until is not None and until(frame[1]):
                until = None
                deadline = time.perf_counter() + 0.3

    def back_to_the_end(self) -> None:
        """PgDn until the reply's last line is on screen (not timed, no jumps counted)."""
        for _ in range(100):
            if any(FINISHED in row for row in self.rows):
                return
            self.proc.write(PAGE_DOWN)
            jumps = self.jumps
            self.still(INTERVAL)
            self.jumps = jumps

    def page_up_three_times(self) -> list[float]:
        """Three PgUps, INTERVAL apart; the first may have to leave the end of a reply."""
        times = []
        for number in range(KEYS):
            before = self.rows
            if number == 0 and following(self.proc.screen()):
                times.append(self.key(lambda screen: not following(screen)))
            else:
                times.append(self.key(lambda screen, before=before: view_rows(screen) != before))
            self.still(INTERVAL)
        return times


def run_case(base_url: str, chunks: int, rate: int, before: int) -> dict[str, object]:
    proc = app_on_demo_server(base_url, chunks, rate, cols=COLS, rows=ROWS)
    try:
        proc.wait_for("Enter send")
        proc.drain(quiet=0.5)
        proc.write(b"Write a long technical document")
        proc.drain(quiet=0.2)
        proc.write(b"\r")
        proc.wait_screen(lambda screen: tokens_shown(screen) >= before, timeout=60)
        watch = Watch(proc)
        streaming = watch.page_up_three_times()
        during = watch.jumps
        ended = not replying(proc.screen())
        watch.still(120, until=lambda screen: not replying(screen))
        after_keys = watch.jumps - during
        watch.back_to_the_end()
        idle = watch.page_up_three_times()  # the floor: nothing else to draw
        watch.close()
        return {
            "streaming_ms": streaming,
            "idle_ms": idle,
            "jumps": during + after_keys,
            "ended_before_the_keys_were_drawn": ended,
        }
    finally:
        proc.kill()


def main() -> None:
    wanted = os.environ.get("BENCH_CASES", ",".join(CASES)).split(",")
    # The reader thread stamps each read when it gets the interpreter: at most this long
    # after the read while the screen model runs in the main thread.
    sys.setswitchinterval(0.0005)
    results: dict[str, object] = {"bench": "scroll", "runs": RUNS, "machine": machine()}
    idle: list[float] = []
    with DemoServerProcess(tps=0) as server:
        for name in wanted:
            chunks, rate, before = CASES[name]
            streaming: list[float] = []
            jumps = 0
            ended = 0
            for _ in range(RUNS):
                run = run_case(server.base_url, chunks, rate, before)
                streaming += run["streaming_ms"]  # type: ignore[arg-type]
                idle += run["idle_ms"]  # type: ignore[arg-type]
                jumps += int(run["jumps"])  # type: ignore[call-overload]
                ended += bool(run["ended_before_the_keys_were_drawn"])
            results[name] = {
                "chunks": chunks,
                "chunks_per_s": rate or "full speed",
                "page_up_ms": stats(streaming, 1),
                "over_33ms": sum(1 for t in streaming if t > 33),
                "jumps": jumps,
                "runs_where_the_reply_ended_during_the_keys": ended,
            }
    results["floor_page_up_after_the_reply_ms"] = stats(idle, 1)
    results["target"] = "page up drawn within 33 ms while a reply streams; 0 jumps"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
