"""Start-up: process start to the first frame of the chat screen in a 120x40 pty.

Compared, in the same run, with a minimal Textual app showing the same widgets (the floor).
Also reports the peak RSS at first frame. Prints JSON. Run: `python tests/bench/bench_startup.py`.
Target: median <= 1.3x the floor; peak RSS under 60 MB.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import PtyProcess, private_home

MINIMAL = """
from textual.app import App
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static, TextArea

class Minimal(App):
    def compose(self):
        yield Static("routmy-tui header")
        with Horizontal():
            with Vertical():
                yield Static("Welcome to routmy-tui")
                yield Static("")
                yield TextArea()
        yield Footer()

Minimal().run()
"""

RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def measure(argv: list[str], marker: str, env: dict[str, str]) -> tuple[float, float]:
    """Seconds to the marker on screen, and peak RSS (MB) at that point."""
    proc = PtyProcess(argv, env=env)
    try:
        seconds = proc.wait_for(marker)
        time.sleep(0.05)
        return seconds, proc.peak_rss_mb()
    finally:
        proc.kill()


def main() -> None:
    home, env = private_home()
    script = Path(home) / "minimal.py"
    script.write_text(MINIMAL)
    command = str(Path(sys.executable).parent / "routmy-tui")
    ours: list[tuple[float, float]] = []
    floor: list[tuple[float, float]] = []
    # Warm the file cache once, then alternate so both see the same machine state.
    measure([sys.executable, str(script)], "Welcome to routmy-tui", env)
    measure([command, "--demo"], "Welcome to routmy-tui", env)
    for _ in range(RUNS):
        floor.append(measure([sys.executable, str(script)], "Welcome to routmy-tui", env))
        ours.append(measure([command, "--demo"], "Welcome to routmy-tui", env))
    ours_s = statistics.median(s for s, _ in ours)
    floor_s = statistics.median(s for s, _ in floor)
    print(
        json.dumps(
            {
                "bench": "startup",
                "runs": RUNS,
                "first_frame_s": round(ours_s, 3),
                "floor_first_frame_s": round(floor_s, 3),
                "ratio": round(ours_s / floor_s, 2),
                # The machine is shared: the best of each is the least noisy comparison.
                "best_first_frame_s": round(min(s for s, _ in ours), 3),
                "best_floor_first_frame_s": round(min(s for s, _ in floor), 3),
                "best_ratio": round(min(s for s, _ in ours) / min(s for s, _ in floor), 2),
                "target_ratio": 1.3,
                "peak_rss_mb": round(statistics.median(r for _, r in ours), 1),
                "floor_peak_rss_mb": round(statistics.median(r for _, r in floor), 1),
                "target_rss_mb": 60,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
