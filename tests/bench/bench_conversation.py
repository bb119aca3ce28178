"""Long conversations as the user feels them: open, Home, End and a full PageDown scroll, in a pty.

Measures: the installed `routmy-tui` in a 120x40 pty with a stored conversation of 1,000
and of 10,000 messages (about 350-character questions and 500-character Markdown replies
with a list and code): from process start to the first frame; opening it as a user does
(Ctrl+O, Enter: from Enter to the frame showing its last message; a conversation over
5,000 messages is not reopened at start); then, with the conversation focused,
Home (to the frame showing the first message), End (back to the last), and a full scroll
from the top to the last message with PageDown, each key sent as soon as the previous
frame was written (per-page latency and the whole scroll); then, from the top again,
PAGED pages with a pause of PAUSE s before each (a reader's pace: what is laid out between
two keys is not waited for). Peak RSS once opened and drawn, and at the end (after every
message was scrolled through). Floor, same run: the first frame on an
empty history.
Leaves out: mouse scrolling, and resizing. The machine is shared: read `machine`.
Prints JSON. Run: `python tests/bench/bench_conversation.py` (BENCH_RUNS=2, BENCH_SIZES=...;
BENCH_PAGES=N stops the scroll after N pages, for a quicker run: full_scroll_s is then theirs).
Targets (issue 13): 10,000-message conversation open under 0.3 s and under 150 MB.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import PtyProcess, app_argv, machine, private_home, scratch_dir, stats
from seed import data_dir_with, open_from_browser

RUNS = int(os.environ.get("BENCH_RUNS", "2"))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000").split(",")]
PAGES = int(os.environ.get("BENCH_PAGES", "20000"))
PAGED, PAUSE = 40, 0.25
HOME, END, PAGE_DOWN, TAB = b"\x1b[H", b"\x1b[F", b"\x1b[6~", b"\t"


def key_to(proc: PtyProcess, key: bytes, marker: str, timeout: float = 30) -> float:
    """Seconds from pressing `key` to `marker` being written."""
    mark = len(proc.text)
    sent = proc.write(key)
    _, shown = proc.wait_for_any([marker], timeout=timeout, since=mark)
    return shown - sent


MARKER = re.compile(rb"(?:MSG|END)-(\d{5})")


def newest_marker(proc: PtyProcess, since: int) -> int:
    """The highest message number written after text offset `since` (-1: none)."""
    return max((int(m.group(1)) for m in MARKER.finditer(proc.text, since)), default=-1)


def scroll_down(
    proc: PtyProcess, marker: str, limit: int = 20_000, pause: float = 0.0
) -> tuple[list[float], float]:
    """PageDown until `marker` is written (at most `limit` pages, `pause` s before each):
    per page, ms until a message further down than any on screen before is written (the
    page's new content); and the total seconds."""
    pages: list[float] = []
    started = time.perf_counter()
    mark = len(proc.text)
    screen = "\n".join(proc.screen()).encode()
    seen = max((int(m.group(1)) for m in MARKER.finditer(screen)), default=-1)
    while proc.text.find(marker.encode(), mark) < 0 and len(pages) < limit:
        resume = time.perf_counter() + pause
        while (left := resume - time.perf_counter()) > 0:
            proc.pump(left)  # read what comes meanwhile
        since = len(proc.text)
        sent = proc.write(PAGE_DOWN)
        deadline = sent + 5
        while newest_marker(proc, since) <= seen and time.perf_counter() < deadline:
            proc.pump(0.01)
        newest = newest_marker(proc, since)
        if newest <= seen:
            break  # nothing new: at the bottom already
        seen = newest
        pages.append((proc.reads[-1][0] - sent) * 1000)
    return pages, time.perf_counter() - started


def run(messages: int) -> dict[str, object]:
    _, env = private_home()
    data = data_dir_with(messages) if messages else scratch_dir("routmy-bench-")
    proc = PtyProcess(app_argv("--demo", "--data-dir", data), env=env)
    try:
        first = proc.wait_for("Enter send", timeout=60)
        if not messages:
            return {"first_frame_s": first, "peak_rss_mb": proc.peak_rss_mb()}
        last = f"END-{messages // 2 - 1:05d}"
        proc.drain(quiet=1.0)
        opened = open_from_browser(proc, messages)
        proc.drain(quiet=0.5)
        opened_rss = proc.peak_rss_mb()  # opened and drawn, before any scrolling
        proc.write(TAB)
        proc.drain(quiet=0.2)
        home = key_to(proc, HOME, "MSG-00000")
        end = key_to(proc, END, last)
        proc.drain(quiet=0.2)
        key_to(proc, HOME, "MSG-00000")
        proc.drain(quiet=0.2)
        pages, total = scroll_down(proc, last, PAGES)
        key_to(proc, HOME, "MSG-00000")
        proc.drain(quiet=0.3)  # the whole frame: what is on screen is where paging starts
        paced, _ = scroll_down(proc, last, PAGED, PAUSE)
        return {
            "first_frame_s": first,
            "open_s": opened,
            "home_s": home,
            "end_s": end,
            "pagedown_ms": pages,
            "full_scroll_s": total,
            "pagedown_paced_ms": paced,
            "peak_rss_after_open_mb": opened_rss,
            "peak_rss_mb": proc.peak_rss_mb(),
        }
    finally:
        proc.kill()


def main() -> None:
    results: dict[str, object] = {"bench": "conversation", "runs": RUNS, "machine": machine()}
    results["pages_at_most"] = PAGES
    floor = [run(0) for _ in range(RUNS)]
    results["floor_empty_history"] = {
        "first_frame_s": stats([r["first_frame_s"] for r in floor]),  # type: ignore[misc]
        "peak_rss_mb": stats([r["peak_rss_mb"] for r in floor], 1),  # type: ignore[misc]
    }
    for messages in SIZES:
        runs = [run(messages) for _ in range(RUNS)]
        summary: dict[str, object] = {}
        for key in ("first_frame_s", "open_s", "home_s", "end_s"):
            summary[key] = stats([r[key] for r in runs])  # type: ignore[misc]
        pages = [p for r in runs for p in r["pagedown_ms"]]  # type: ignore[attr-defined]
        summary["pagedown_ms"] = stats(pages, 1)
        paced = [p for r in runs for p in r["pagedown_paced_ms"]]  # type: ignore[attr-defined]
        summary["pagedown_paced_ms"] = stats(paced, 1)
        summary["full_scroll_s"] = stats([r["full_scroll_s"] for r in runs])  # type: ignore[misc]
        summary["peak_rss_after_open_mb"] = stats(
            [r["peak_rss_after_open_mb"] for r in runs],  # type: ignore[misc]
            1,
        )
        summary["peak_rss_mb"] = stats([r["peak_rss_mb"] for r in runs], 1)  # type: ignore[misc]
        results[str(messages)] = summary
    results["targets"] = (
        "10000: open_s median < 0.3, peak_rss_after_open < 150 MB (peak_rss: after a full"
        " scroll through every message, reported beside it)"
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
