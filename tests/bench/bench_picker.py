"""Model picker as the user feels it: keystroke to the filtered list on screen, in a pty.

Measures: the installed `routmy-tui` in a 120x40 pty, its catalog (2,000 synthetic models, as
in bench_models) served by a plain HTTP server on 127.0.0.1 in this process. F3 opens the
picker (timed: F3 to the list of models shown); then every prefix of 8 queries is typed one
letter at a time, Ctrl+U clearing the box between queries. A keystroke's time runs from
writing it to the pty to the first read after which the terminal shows the typed text in the
query box and, as the list's first rows, the best matches as the core filter ranks them
(a space ending a word is typed but not timed: only the cursor moves).
Floors, same run: the pty's own echo (`cat` echoing a letter), and the core filter alone on
the same keystrokes (in this process).
Leaves out: the terminal emulator's own drawing (bytes are read, not displayed); mouse use.
GC on. The machine is shared: read `machine`.
Prints JSON. Run: `python tests/bench/bench_picker.py` (BENCH_RUNS=2, --models N).
Target: keystroke to list on screen median under 16 ms beyond the pty echo, worst under 50 ms.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_models import QUERIES, synthetic_catalog
from bench_typing import pty_floor
from ptyrun import PtyProcess, app_argv, machine, private_home, stats

from routmy_tui.core.catalog import ModelIndex
from routmy_tui.core.types import ModelInfo
from routmy_tui.ui.models.model_picker import ID_WIDTH

F3 = b"\x1bOR"
CLEAR = b"\x15"
ROWS_CHECKED = 5
"""How many of the list's first rows must be the expected matches."""
PLACEHOLDER = "type to filter by id"


def serve_catalog(models: list[ModelInfo]) -> ThreadingHTTPServer:
    """`GET /v1/models` with `models`, on 127.0.0.1 (a thread; `shutdown()` stops it)."""
    body = json.dumps(
        {
            "data": [
                {"id": m.id, "owned_by": m.owned_by, "name": m.name, "is_available": m.is_available}
                for m in models
            ]
        }
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_error(404)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def shown_id(model_id: str) -> str:
    """The id as a picker row shows it (cut to the id column)."""
    return model_id if len(model_id) <= ID_WIDTH else model_id[: ID_WIDTH - 1] + "…"


class Screen:
    """Reads the picker off the terminal: the query box's line and the ids listed below it."""

    def __init__(self, proc: PtyProcess, models: list[ModelInfo]) -> None:
        self.proc = proc
        self.ids = {shown_id(m.id) for m in models}
        self.box = -1

    def find_box(self) -> None:
        """Remember the line of the query box (shown with its placeholder)."""
        self.proc.wait_screen(lambda lines: any(PLACEHOLDER in line for line in lines))
        self.box = next(y for y, line in enumerate(self.proc.screen()) if PLACEHOLDER in line)

    def listed(self, lines: list[str]) -> list[str]:
        """The ids listed below the query box, top first."""
        found = []
        for line in lines[self.box + 1 :]:
            for token in line.split():
                if token in self.ids:
                    found.append(token)
                    break
        return found

    def typed(self, lines: list[str]) -> str:
        """The text in the query box (the placeholder when it is empty)."""
        return lines[self.box].split("▊", 1)[-1].split("▎", 1)[0].strip()

    def shows(self, lines: list[str], typed: str, expected: list[str]) -> bool:
        """Whether the box shows `typed` and the list starts with `expected`'s first rows."""
        if typed and self.typed(lines) != typed:
            return False
        want = expected[:ROWS_CHECKED]
        return self.listed(lines)[: len(want)] == want and (bool(want) or not self.listed(lines))


def run_once(models: list[ModelInfo], base_url: str) -> dict[str, list[Any]]:
    _, env = private_home()
    argv = app_argv("--base-url", base_url, "--model", "openai/gpt-4o")
    proc = PtyProcess(argv, env={**env, "ROUTMY_API_KEY": "sk_bench_0"})
    index = ModelIndex(models)
    screen = Screen(proc, models)
    keys: list[float] = []
    floor: list[float] = []
    missed: list[str] = []
    try:
        proc.wait_for("Enter send")
        everything = [shown_id(m.model.id) for m in index.filter("")]
        sent = proc.write(F3)
        screen.find_box()
        shown = proc.wait_screen(lambda lines: screen.shows(lines, "", everything), timeout=30)
        open_ms = (shown - sent) * 1000
        # A letter typed the moment the list shows can be lost (the box is focused a moment
        # later): one untimed letter, seen in the box, comes first.
        proc.write(b"x")
        proc.wait_screen(lambda lines: screen.typed(lines) == "x", timeout=30)
        for query in QUERIES:
            proc.write(CLEAR)
            proc.wait_screen(lambda lines: screen.typed(lines).startswith(PLACEHOLDER))
            for end in range(1, len(query) + 1):
                typed = query[:end]
                start = time.perf_counter()
                expected = [shown_id(m.model.id) for m in index.filter(typed)]
                floor.append((time.perf_counter() - start) * 1000)
                sent = proc.write(typed[-1].encode())
                if typed.endswith(" "):  # only the cursor moves: typed, not timed
                    proc.wait_screen(lambda lines, e=expected: screen.shows(lines, "", e))  # type: ignore[misc]
                    continue
                try:
                    shown = proc.wait_screen(
                        lambda lines, t=typed, e=expected: screen.shows(lines, t, e),  # type: ignore[misc]
                        timeout=5,
                    )
                except TimeoutError:  # counted as 5 s, and named in the results
                    shown = sent + 5.0
                    missed.append(typed)
                keys.append((shown - sent) * 1000)
        return {"keys": keys, "floor": floor, "open": [open_ms], "missed": missed}
    finally:
        proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    models = synthetic_catalog(args.models)
    server = serve_catalog(models)
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    runs = []
    try:
        run_once(models, base_url)  # warms the file cache and writes bytecode
        runs = [run_once(models, base_url) for _ in range(args.runs)]
    finally:
        server.shutdown()
    echo = pty_floor()
    keys = [t for run in runs for t in run["keys"]]
    results = {
        "bench": "picker",
        "machine": machine(),
        "models": args.models,
        "keystrokes": len(keys),
        "open_picker_ms": stats([t for run in runs for t in run["open"]], 1),
        "keystroke_to_list_on_screen_ms": stats(keys, 1),
        "not_shown_within_5s": [t for run in runs for t in run["missed"]],
        "floor_pty_cat_echo_ms": stats(echo, 1),
        "floor_core_filter_ms": stats([t for run in runs for t in run["floor"]], 2),
        "target": "keystroke median < 16 ms beyond the pty echo, worst < 50 ms",
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
