"""Latency: from Enter to the first reply token on screen, beyond the server's own first token.

Runs the real `routmy-tui` in a 120x40 pty against `routmy-tui demo-server` (a separate
process, 20 tokens/s so that the first token arrives alone), types a message and presses
Enter; the floor is the same server's time to first token measured by a bare httpx client in
the same run. Prints JSON.
Run: `python tests/bench/bench_latency.py`. Target: under 50 ms beyond the server.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import PtyProcess, private_home

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_ttft(base_url: str, prompt: str) -> float:
    """Seconds from sending to the first content delta, bare httpx."""
    body = {"model": "demo/chat", "stream": True, "messages": [{"role": "user", "content": prompt}]}
    started = time.perf_counter()
    with httpx.stream("POST", f"{base_url}/chat/completions", json=body, timeout=30) as response:
        for line in response.iter_lines():
            if line.startswith("data:") and '"content"' in line and '"content":""' not in line:
                return time.perf_counter() - started
    raise RuntimeError("no content")


def main() -> None:
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "routmy-tui"), "demo-server", "--port", str(port), "--tps", "20"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}/v1"
    _, env = private_home()
    env["ROUTMY_API_KEY"] = "sk_bench_fake_key_000000"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                server_ttft(base_url, "warm")
                break
            except (httpx.HTTPError, RuntimeError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        app_times: list[float] = []
        floors: list[float] = []
        for run in range(RUNS):
            floors.append(server_ttft(base_url, f"floor {run}"))
            data = tempfile.mkdtemp(prefix="routmy-bench-data-")  # no history to resume
            proc = PtyProcess(
                [
                    str(BIN / "routmy-tui"),
                    "--base-url",
                    base_url,
                    "--model",
                    "demo/chat",
                    "--data-dir",
                    data,
                ],
                env=env,
            )
            try:
                proc.wait_for("Enter send")
                time.sleep(1.0)  # let the post-first-frame warm-up finish, as a user would
                prompt = f"latency probe {run}"
                proc.write(prompt.encode())
                proc.wait_for(prompt)
                mark = len(proc.text)
                sent = time.perf_counter()
                proc.write(b"\r")
                proc.wait_for("You", since=mark)  # the first token alone
                app_times.append(time.perf_counter() - sent)
            finally:
                proc.kill()
    finally:
        server.kill()
        server.wait()
    app_s = statistics.median(app_times)
    floor_s = statistics.median(floors)
    print(
        json.dumps(
            {
                "bench": "latency",
                "runs": RUNS,
                "enter_to_first_token_on_screen_ms": round(app_s * 1000, 1),
                "floor_server_ttft_ms": round(floor_s * 1000, 1),
                "beyond_server_ms": round((app_s - floor_s) * 1000, 1),
                "target_beyond_server_ms": 50,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
