"""The wire inspector as the user feels it, on a 20,000-chunk reply: opening it, its raw stream
log, scrolling and filtering that log, in a pty.

Measures: the installed `routmy-tui` in a 120x40 pty against `routmy-tui demo-server` in its
own process (full speed); one reply of 20,000 chunks, then, each timed from the key written
to the pty to the first read after which the terminal shows the expected result (`shown`),
and to the first read that changed the screen at all (`first_frame`: the log's keys scroll
with Textual's animation, so the rows expected come some frames after the first):
- F2 (the inspector opens on the Request tab): the panel's title for the reply and the request
  body's `"stream": true` line shown (the first open mounts the panel; later ones toggle it);
- Right, Right from the tab strip (the Stream tab, drawn the first time for this reply): the
  log's first rows and its line count (`M of M lines`) shown;
- PageDown in the log, ten times: the rows expected at the top of the log shown (each row's
  time and gist, as the app draws them, computed here from the stored exchange); End (the
  `done` row) and Home (the first row) five times each;
- typing `[DONE]` into the filter, each keystroke: the box shows the text and the count line
  says how many lines match, counted here from the stored exchange.
Expected rows and counts come from the reply's exchange as the app stored it (read from its
database after the reply, never from the app's widgets).
Floors, same run: the same steps on a reply of 500 chunks (a fresh app: a log still long
enough to page through ten times), and the pty's own echo (`cat`).
Leaves out: the terminal emulator's own drawing (bytes are read, not displayed); copying or
saving the log (Ctrl+P); mouse scrolling; the inspector following a reply while it streams.
GC on. The machine is shared: read `machine`.
Prints JSON. Run: `python tests/bench/bench_inspector.py` (BENCH_RUNS=3, --chunks N).
Target: each step shown, worst under 100 ms; scrolling and filter keys within 33 ms of the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_typing import pty_floor
from ptyrun import (
    DemoServerProcess,
    PtyProcess,
    app_argv,
    machine,
    private_home,
    scratch_dir,
    stats,
)

from routmy_tui.core.stream_lines import StreamLine
from routmy_tui.core.wire_text import stream_gist
from routmy_tui.store import Store

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
F2 = b"\x1bOQ"
RIGHT = b"\x1b[C"
TAB = b"\t"
PAGE_DOWN = b"\x1b[6~"
HOME = b"\x1b[H"
END = b"\x1b[F"
FILTER = "[DONE]"
FLOOR_CHUNKS = 500
TARGET = "each step shown: worst < 100 ms; scrolling and filter keys within 33 ms of the floor"
GIST_WIDTH = 26
"""As `ui.inspector.stream_log` draws a row: `+  0.123s ` then the gist in 26 cells."""


def row_prefix(line: StreamLine) -> str:
    """The start of the log row that shows `line` (time and gist), as the app draws it."""
    gist = stream_gist(line.text)
    return f"+{line.t:7.3f}s {gist[: GIST_WIDTH - 1]:<{GIST_WIDTH}}".rstrip()


def stored_lines(data: str) -> list[StreamLine]:
    """The stream log of the conversation's reply, as the app stored it."""
    with Store.open(Path(data) / "routmy.db") as store:
        conversation = store.latest_conversation_id()
        assert conversation is not None
        reply = store.current_path(conversation)[-1]
        exchange = store.get_exchange(reply.id)
        assert exchange is not None
        return list(exchange.stream_lines)


def matches(lines: list[StreamLine], needle: str) -> int:
    """How many lines the log's filter keeps for `needle` (text or note, any case)."""
    needle = needle.strip().casefold()
    return sum(
        needle in line.text.casefold() or (line.note is not None and needle in line.note.casefold())
        for line in lines
    )


class Log:
    """Reads the stream log off the terminal: which lines its rows show."""

    def __init__(self, proc: PtyProcess, lines: list[StreamLine]) -> None:
        self.proc = proc
        self.lines = lines
        self.prefixes = [row_prefix(line) for line in lines]
        self.height = 0

    def shows_from(self, screen: list[str], top: int, rows: int = 3) -> bool:
        """Whether consecutive screen rows show lines `top`, `top + 1`, ... (`rows` of them)."""
        want = self.prefixes[top : top + rows]
        for y, text in enumerate(screen):
            if want[0] in text:
                below = screen[y : y + len(want)]
                if len(below) == len(want) and all(
                    p in t for p, t in zip(want, below, strict=True)
                ):
                    return True
        return False

    def measure_height(self, screen: list[str]) -> int:
        """How many log rows are on screen (the log at its top)."""
        start = next(y for y, text in enumerate(screen) if self.prefixes[0] in text)
        count = 0
        while start + count < len(screen) and count < len(self.prefixes):
            if self.prefixes[count] not in screen[start + count]:
                break
            count += 1
        self.height = count
        return count


class Steps:
    """Times keys: to the first frame that changes the screen, and to the expected result."""

    def __init__(self, proc: PtyProcess) -> None:
        self.proc = proc
        self.shown: dict[str, list[float]] = {}
        self.first: dict[str, list[float]] = {}

    def key(self, step: str, key: bytes, shown: Callable[[list[str]], bool]) -> None:
        """Write `key`; record the ms to the first read that changed the screen and to the
        first read after which `shown` holds (only what was written after the key counts)."""
        proc = self.proc
        proc.drain(quiet=0.05, timeout=1.0)
        before = proc.screen()
        sent = proc.write(key)
        first: float | None = None
        while True:
            proc.pump(0.01)
            if not proc.reads or proc.reads[-1][0] <= sent:
                if time.perf_counter() > sent + 30:
                    raise TimeoutError(f"{step}: nothing written")
                continue
            at = (proc.reads[-1][0] - sent) * 1000
            screen = proc.screen()
            if first is None and screen != before:
                first = at
            if shown(screen):
                self.first.setdefault(step, []).append(first if first is not None else at)
                self.shown.setdefault(step, []).append(at)
                return
            if time.perf_counter() > sent + 30:
                raise TimeoutError(f"{step}: not shown:\n" + "\n".join(screen))


def run_once(base_url: str, chunks: int) -> Steps:
    _, env = private_home(f"[params]\ndemo_tokens = {chunks}\ndemo_tps = 0\n")
    data = scratch_dir("routmy-bench-data-")
    argv = app_argv("--base-url", base_url, "--model", "demo/chat", "--data-dir", data)
    proc = PtyProcess(argv, env={**env, "ROUTMY_API_KEY": "sk_bench_0"})
    steps = Steps(proc)
    try:
        proc.wait_for("Enter send")
        proc.drain(quiet=0.5)
        mark = len(proc.text)
        proc.write(b"show me the wire\r")
        proc.wait_for_any(["finish: "], timeout=300, since=mark)
        proc.drain(quiet=1.0)
        lines = stored_lines(data)
        log = Log(proc, lines)
        total = len(lines)

        def title(screen: list[str]) -> bool:
            return any("Reply 1 · demo/chat" in t for t in screen) and any(
                '"stream": true' in t for t in screen
            )

        def closed(screen: list[str]) -> bool:
            return not any("Reply 1 · demo/chat" in t for t in screen)

        steps.key("open_first", F2, title)
        for _ in range(3):
            steps.key("close", F2, closed)
            steps.key("open_again", F2, title)
        count_line = f"{total:,} of {total:,} lines"
        steps.key(
            "stream_tab",
            RIGHT + RIGHT,
            lambda s: any(count_line in t for t in s) and log.shows_from(s, 0),
        )
        proc.drain(quiet=0.3)
        height = log.measure_height(proc.screen())
        # Focus: the tab strip, then the filter box, then the log.
        proc.write(TAB + TAB)
        proc.drain(quiet=0.3)
        for page in range(1, 11):
            top = min(page * height, max(0, total - height))
            steps.key("page_down", PAGE_DOWN, lambda s, t=top: log.shows_from(s, t))
        for _ in range(5):
            last = max(0, total - 3)
            steps.key("end", END, lambda s, t=last: log.shows_from(s, t))
            steps.key("home", HOME, lambda s: log.shows_from(s, 0))
        # Typing anywhere in the panel goes to the filter box.
        for end in range(1, len(FILTER) + 1):
            typed = FILTER[:end]
            want = f"{matches(lines, typed):,} of {total:,} lines"

            def filtered(s: list[str], typed: str = typed, want: str = want) -> bool:
                return any(want in t for t in s) and any(typed in t for t in s)

            steps.key("filter_key", typed[-1].encode(), filtered)
        steps.shown["log_rows"] = [float(height)]
        steps.shown["lines"] = [float(total)]
        steps.shown["rss_mb"] = [proc.rss_mb()]
        return steps
    finally:
        proc.kill()


def figures(runs: list[Steps]) -> dict[str, Any]:
    """Per step: ms to the expected result shown and to the first frame that changed."""
    names = [k for k in runs[0].first]
    return {
        name: {
            "shown": stats([v for run in runs for v in run.shown[name]], 1),
            "first_frame": stats([v for run in runs for v in run.first[name]], 1),
        }
        for name in names
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    with DemoServerProcess(tps=0) as server:
        run_once(server.base_url, FLOOR_CHUNKS)  # warms the file cache and writes bytecode
        big = [run_once(server.base_url, args.chunks) for _ in range(args.runs)]
        small = [run_once(server.base_url, FLOOR_CHUNKS) for _ in range(args.runs)]
    echo = pty_floor()
    results: dict[str, Any] = {
        "bench": "inspector",
        "machine": machine(),
        "chunks": args.chunks,
        "stream_lines": int(big[0].shown["lines"][0]),
        "log_rows_on_screen": int(big[0].shown["log_rows"][0]),
        "runs": args.runs,
        "steps_ms": figures(big),
        f"floor_same_steps_{FLOOR_CHUNKS}_chunks_ms": figures(small),
        "floor_pty_cat_echo_ms": stats(echo, 1),
        "rss_after_mb": stats([run.shown["rss_mb"][0] for run in big], 1),
        "target": TARGET,
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
