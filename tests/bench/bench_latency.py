"""Latency as the user feels it: from Enter to the reply's first word on screen.

Measures, in a 120x40 pty: the installed `routmy-tui` against `routmy-tui demo-server` in its
own process at 20 tokens/s (so the first token arrives alone), from the Enter key written to
the pty to the first read after which the terminal shows the reply's first word. Two cases
per start, with a fresh, empty history: the first message, sent as soon as the first frame
is written (whatever warm-up is still running is part of what the user waits for), and the
next message, sent once the first reply has ended (the status line says so). Nothing sleeps
to let the app settle. Floor, same run: the same server's time to first token read by a
bare httpx client (streaming, no UI).
Leaves out: the terminal emulator's own drawing (bytes are read, not displayed) and start-up
before the first frame (bench_startup). The machine is shared: read `machine`. GC on.
Prints JSON. Run: `python tests/bench/bench_latency.py` (BENCH_RUNS=5).
Target: the next message's first word under 50 ms beyond the server's first token.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import (
    DemoServerProcess,
    PtyProcess,
    app_argv,
    machine,
    private_home,
    scratch_dir,
    stats,
)

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
FIRST_WORD = "You"
"""The demo server's first token: `You asked: ...`."""


def server_ttft(base_url: str, prompt: str) -> float:
    """Seconds from sending to the first content delta, bare httpx."""
    body = {"model": "demo/chat", "stream": True, "messages": [{"role": "user", "content": prompt}]}
    started = time.perf_counter()
    with httpx.stream("POST", f"{base_url}/chat/completions", json=body, timeout=30) as response:
        for line in response.iter_lines():
            if line.startswith("data:") and '"content"' in line and '"content":""' not in line:
                return time.perf_counter() - started
    raise RuntimeError("no content")


def replies_shown(proc: PtyProcess) -> int:
    """How many replies' first words the terminal shows now."""
    return sum(line.lstrip(" ▎│▌").startswith(FIRST_WORD) for line in proc.screen())


def ask(proc: PtyProcess, prompt: str, replies_before: int) -> float:
    """Type `prompt`, press Enter; seconds from Enter to the new reply's first word shown."""
    proc.write(prompt.encode())
    proc.wait_for(prompt)
    sent = proc.write(b"\r")
    shown = proc.wait_screen(lambda _: replies_shown(proc) > replies_before, timeout=30)
    return shown - sent


def one_start(base_url: str, env: dict[str, str], run: int) -> tuple[float, float]:
    """(first message, next message) latencies of one start of the app."""
    data = scratch_dir("routmy-bench-data-")  # no history to resume
    proc = PtyProcess(
        app_argv("--base-url", base_url, "--model", "demo/chat", "--data-dir", data), env=env
    )
    try:
        proc.wait_for("Enter send")
        first = ask(proc, f"latency probe {run}", 0)
        mark = len(proc.text)
        proc.wait_for("finish: ", timeout=60, since=mark)  # the first reply has ended
        following = ask(proc, f"latency again {run}", replies_shown(proc))
        return first, following
    finally:
        proc.kill()


def main() -> None:
    _, env = private_home("[params]\ndemo_tokens = 6\n")
    env["ROUTMY_API_KEY"] = "sk_bench_fake_key_000000"
    first: list[float] = []
    following: list[float] = []
    floor: list[float] = []
    with DemoServerProcess(tps=20) as server:
        server_ttft(server.base_url, "warm")
        one_start(server.base_url, env, -1)  # warms the file cache and writes bytecode
        for run in range(RUNS):
            floor.append(server_ttft(server.base_url, f"floor {run}"))
            a, b = one_start(server.base_url, env, run)
            first.append(a)
            following.append(b)
    results = {
        "bench": "latency",
        "runs": RUNS,
        "machine": machine(),
        "first_message_enter_to_first_word_ms": stats([t * 1000 for t in first], 1),
        "next_message_enter_to_first_word_ms": stats([t * 1000 for t in following], 1),
        "floor_server_ttft_httpx_ms": stats([t * 1000 for t in floor], 1),
    }
    floor_median = stats(floor)["median"]
    results["next_message_beyond_server_ms"] = round(
        (stats(following)["median"] - floor_median) * 1000, 1
    )
    results["target"] = "next_message_beyond_server_ms < 50"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
