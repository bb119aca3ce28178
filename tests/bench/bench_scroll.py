"""Reading back while a reply streams: PgUp typed during a long reply, in a pty.

Measures: the installed `routmy-tui` in a 120x40 pty against `routmy-tui demo-server` in its
own process, a reply of 20,000 chunks at full speed and one of 5,000 at 1,000 chunks/s. Once
the reply has about 1,500 tokens on screen, PgUp is typed in the composer three times, about
80 ms apart (the composer pages the conversation). Each key's latency: from the key to the
first read after which the conversation's rows changed as it asked (the first key: the
reply's "streaming" line gone from them, the view no longer following the end; the next
ones: rows other than before the key). Then, until the reply ends and 0.3 s after, whether
the rows read back stayed put: each change of them with no key typed is a jump (target: 0;
the screen is read after every write of the app). Floor, same run: the same three PgUps once
the reply has ended (nothing else to draw).
Leaves out: the mouse wheel and the scroll bar (tests/ui/test_live_stream.py checks that they
stop the following), the terminal emulator's own drawing, and the scroll bar's column (its
thumb moves as the reply grows). The machine is shared: read `machine`.
Prints JSON. Run: `python tests/bench/bench_scroll.py` (BENCH_RUNS=3, BENCH_CASES=full,1000).
Target (issue 13): scrolling up during a 20,000-token reply stays smooth (each key drawn
within 33 ms, as typing) and does not jump back (0 jumps).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import DemoServerProcess, PtyProcess, app_argv, machine, private_home, stats

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
CASES = {"full": (20_000, 0), "1000": (5_000, 1000)}  # name: (chunks, chunks per second)
ROWS, COLS = 40, 120
VIEW_ROWS = range(1, ROWS - 5)
"""The conversation's rows: under the header, above the composer and the footer."""
SCROLLBAR = COLS - 4
"""Columns from here on are the scroll bar and the margin (left out: the thumb moves)."""
PAGE_UP = b"\x1b[5~"
KEYS = 3
INTERVAL = 0.08
TOKENS_BEFORE = 1_500
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
    """Reads the app's output after each key and counts changes of the conversation's rows
    that no key asked for."""

    def __init__(self, proc: PtyProcess) -> None:
        self.proc = proc
        self.rows = view_rows(proc.screen())
        self.jumps = 0

    def key(self, changed: Callable[[list[str]], bool]) -> float:
        """Type PgUp; ms until a read after which `changed(screen)` holds."""
        sent = self.proc.write(PAGE_UP)
        try:
            shown = self.proc.wait_screen(changed, timeout=TIMEOUT_MS / 1000)
        except TimeoutError:
            return TIMEOUT_MS
        self._settle()
        self.rows = view_rows(self.proc.screen())
        return (shown - sent) * 1000

    def _settle(self) -> None:
        """Read the rest of a frame: a frame can come in several reads, and its first part
        alone is not what the user sees (no terminal here asks for synchronized output)."""
        while self.proc.pump(FRAME_GAP):
            pass

    def still(self, seconds: float, until: Callable[[list[str]], bool] | None = None) -> None:
        """Read for `seconds` (or until `until(screen)`, then 0.3 s more), counting jumps."""
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            if not self.proc.pump(0.01):
                continue
            self._settle()
            screen = self.proc.screen()
            rows = view_rows(screen)
            if rows != self.rows:
                self.jumps += 1
                self.rows = rows
            if until is not None and until(screen):
                until = None
                deadline = time.perf_counter() + 0.3

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


def run_case(base_url: str, chunks: int, rate: int) -> dict[str, object]:
    config = f"[params]\ndemo_tokens = {chunks}\ndemo_tps = {rate}\n"
    _, env = private_home(config)
    data = tempfile.mkdtemp(prefix="routmy-bench-data-")
    argv = app_argv("--base-url", base_url, "--model", "demo/chat", "--data-dir", data)
    proc = PtyProcess(argv, cols=COLS, rows=ROWS, env={**env, "ROUTMY_API_KEY": "sk_bench_0"})
    try:
        proc.wait_for("Enter send")
        proc.drain(quiet=0.5)
        proc.write(b"Write a long technical document")
        proc.drain(quiet=0.2)
        proc.write(b"\r")
        proc.wait_screen(lambda screen: tokens_shown(screen) >= TOKENS_BEFORE, timeout=60)
        watch = Watch(proc)
        streaming = watch.page_up_three_times()
        during = watch.jumps
        ended = not replying(proc.screen())
        watch.still(120, until=lambda screen: not replying(screen))
        after_keys = watch.jumps - during
        idle = watch.page_up_three_times()  # the floor: nothing else to draw
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
    results: dict[str, object] = {"bench": "scroll", "runs": RUNS, "machine": machine()}
    idle: list[float] = []
    with DemoServerProcess(tps=0) as server:
        for name in wanted:
            chunks, rate = CASES[name]
            streaming: list[float] = []
            jumps = 0
            ended = 0
            for _ in range(RUNS):
                run = run_case(server.base_url, chunks, rate)
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
