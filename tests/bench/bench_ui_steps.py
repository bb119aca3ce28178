"""How long a key can wait behind the app's own work: CPU of each event-loop step, in a pty.

Measures: `routmy-tui` (run through `steps_app.py`, which times every asyncio step in the
main thread's CPU time) in a 120x40 pty against `routmy-tui demo-server` in its own
process, while letters are typed into the composer: idle (the floor: the steps that
handling and drawing the keys themselves cost), and during a reply of 20,000 chunks at
full speed, 5,000 at 1,000 chunks/s and 600 at 100 chunks/s, from Enter to the reply's
status line. A key that arrives while a step runs waits for it to end, whatever the
machine's load: the longest steps bound the echo delay the app itself adds. Reports the
steps over 1 ms: count, median, p95, worst, how many exceed 16 and 33 ms, and which tasks
ran the five longest; also the echo times (wall clock, which the load inflates).
Leaves out: time the process waits for a CPU (see bench_typing for wall-clock echo) and
the writer thread. Prints JSON. Run: `python tests/bench/bench_ui_steps.py` (BENCH_RUNS=1).
Target (issue 13): no step over 16 ms while a reply streams (a key then echoes within two
frames on an idle machine).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_typing import MAX_KEYS, type_and_time
from ptyrun import BIN, DemoServerProcess, PtyProcess, machine, private_home, scratch_dir, stats

RUNS = int(os.environ.get("BENCH_RUNS", "1"))
CASES = {"idle": (0, 0), "stream_full": (20_000, 0), "stream_1000": (5_000, 1000)}
CASES["stream_100"] = (600, 100)
APP = str(Path(__file__).parent / "steps_app.py")


def run_case(base_url: str, chunks: int, rate: int) -> tuple[list[float], list[tuple[float, str]]]:
    """Echo times (ms) and loop steps ([cpu s, task]) of one run."""
    config = f"[params]\ndemo_tokens = {chunks or 50}\ndemo_tps = {rate}\n"
    _, env = private_home(config)
    out = str(Path(scratch_dir("routmy-steps-")) / "steps.json")
    data = scratch_dir("routmy-bench-data-")
    argv = [str(BIN / "python"), APP, "--base-url", base_url, "--model", "demo/chat"]
    argv += ["--data-dir", data]
    env = {**env, "ROUTMY_API_KEY": "sk_bench_0", "ROUTMY_STEPS_OUT": out}
    proc = PtyProcess(argv, env=env)
    try:
        proc.wait_for("Enter send")
        proc.drain(quiet=0.5)
        if chunks:
            proc.write(b"Write a long technical document")
            proc.drain(quiet=0.2)
        os.kill(proc.pid, signal.SIGUSR1)
        time.sleep(0.05)
        if chunks:
            mark = len(proc.text)
            proc.write(b"\r")
            proc.wait_for_any(["streaming"], timeout=30, since=mark)
            times = type_and_time(proc, MAX_KEYS, until="finish: ")
            proc.wait_for_any(["finish: "], timeout=600, since=mark)
        else:
            times = type_and_time(proc, 40)
        os.kill(proc.pid, signal.SIGUSR2)
        deadline = time.monotonic() + 10
        while not os.path.exists(out) and time.monotonic() < deadline:
            proc.pump(0.05)
        time.sleep(0.2)
        steps = [(float(cpu), str(what)) for cpu, what in json.loads(Path(out).read_text())]
        return times, steps
    finally:
        proc.kill()


def main() -> None:
    wanted = os.environ.get("BENCH_CASES", ",".join(CASES)).split(",")
    results: dict[str, object] = {"bench": "ui_steps", "runs": RUNS, "machine": machine()}
    with DemoServerProcess(tps=0) as server:
        for name in wanted:
            chunks, rate = CASES[name]
            echo: list[float] = []
            steps: list[tuple[float, str]] = []
            for _ in range(RUNS):
                times, found = run_case(server.base_url, chunks, rate)
                echo += times
                steps += found
            cpu_ms = [cpu * 1000 for cpu, _ in steps]
            longest = sorted(steps, reverse=True)[:5]
            results[name] = {
                "step_cpu_ms": stats(cpu_ms, 1),
                "steps_over_16ms": sum(1 for ms in cpu_ms if ms > 16),
                "steps_over_33ms": sum(1 for ms in cpu_ms if ms > 33),
                "longest": [[round(cpu * 1000, 1), what] for cpu, what in longest],
                "echo_ms": stats(echo, 1),
            }
    results["machine_after"] = machine()
    results["target"] = "no step over 16 ms while a reply streams"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
