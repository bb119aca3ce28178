"""Streaming as the user sees it: Enter to the final frame of a long Markdown reply, in a pty.

Measures: the installed `routmy-tui` in a 120x40 pty (the real driver, bytes written to the
terminal and read back here), against `routmy-tui demo-server` in its own process; a reply of
20,000 chunks at full speed, and replies paced at 1,000 and 100 chunks/s. For each: seconds
from the Enter key to the final frame: the first read after which the terminal (a pyte
model of it) shows the finished reply's status line with the end of the reply drawn above
it as the reference draws it, and no "… drawing" note (the status line alone can come
before the last blocks are drawn); the app's CPU seconds over that time (and per chunk),
the bytes it wrote, and whether the final screen matches an independent reference: Rich's
own `Markdown` render of the reply's full text (known from the demo server's deterministic
generator) at the same width. `status_line_s` is the time to the status line alone.
Floors, same server, same run: the core client (`RoutmyClient`) reading and assembling the
same stream with no UI, and a plain socket reading its bytes.
Leaves out: start-up (the app has drawn and gone quiet before Enter), typing (see
bench_typing), and the network (loopback). The machine is shared: read `machine`.
Prints JSON. Run: `python tests/bench/bench_stream.py` (BENCH_RUNS=2; BENCH_CASES=full,1000,100).
Target (issue 13): a 20,000-chunk reply drawn within 2x of the core client.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import DemoServerProcess, app_on_demo_server, machine, stats

from routmy_tui.demo.replies import reply_tokens

PROMPT = "Write a long technical document"
RUNS = int(os.environ.get("BENCH_RUNS", "2"))
CASES = {  # name: (chunks, chunks per second; 0 = as fast as the server can)
    "full": (20_000, 0),
    "1000": (5_000, 1000),
    "100": (600, 100),
}
COLS, ROWS = 120, 40
ITEM_WIDTH = COLS - 4
"""The reply's width on screen (ConversationView.item_width at 120 columns)."""
SCROLLBAR = COLS - 4
"""The conversation's scrollbar column: its thumb beside a code block's header line hid the
header from `reply_lines` (a short reply's final frame was never seen)."""


def body(chunks: int, rate: int) -> dict[str, object]:
    return {
        "model": "demo/chat",
        "stream": True,
        "messages": [{"role": "user", "content": PROMPT}],
        "demo_tokens": chunks,
        "demo_tps": rate,
    }


def socket_floor(base_url: str, chunks: int, rate: int) -> float:
    """Seconds for a plain socket to send the request and read the stream to [DONE]."""
    parts = urlsplit(base_url)
    payload = json.dumps(body(chunks, rate)).encode()
    request = (
        f"POST {parts.path}/chat/completions HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + payload
    started = time.perf_counter()
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.sendall(request)
        seen = b""
        while True:
            data = sock.recv(1 << 16)
            if not data:
                break
            seen = seen[-16:] + data
            if b"[DONE]" in seen:
                break
    return time.perf_counter() - started


def client_floor(base_url: str, chunks: int, rate: int) -> tuple[float, float, str]:
    """Seconds and CPU seconds for the core client to read and assemble the stream; the text."""
    from routmy_tui.core.client import ReplyFinished, RoutmyClient

    async def run() -> tuple[float, float, str]:
        client = RoutmyClient(base_url, None)
        cpu, started = time.process_time(), time.perf_counter()
        text = ""
        async for event in client.chat(body(chunks, rate)).events():
            if isinstance(event, ReplyFinished):
                text = event.reply.content
        elapsed, used = time.perf_counter() - started, time.process_time() - cpu
        await client.aclose()
        return elapsed, used, text

    return asyncio.run(run())


def reference_lines(text: str, width: int = ITEM_WIDTH) -> list[str]:
    """Rich's Markdown render of the whole text at `width`, as plain lines."""
    from rich.console import Console
    from rich.markdown import Markdown

    console = Console(file=io.StringIO(), width=width, color_system=None, record=True)
    console.print(Markdown(text, code_theme="monokai", hyperlinks=False))
    return [line.rstrip() for line in console.export_text().splitlines()]


COPY_HEADER = "⧉ copy"
"""Ends the header line the app draws above a code block (not part of Rich's render)."""


def reply_lines(screen: list[str]) -> list[str]:
    """The reply's lines on screen, above its status line, without padding, gutter, scrollbar
    and code block headers."""
    out: list[str] = []
    for line in screen[1:]:
        body_text = line[:SCROLLBAR]  # the scrollbar and the margin after it
        if "finish: " in body_text:
            break
        if body_text.startswith(" ▎ ") and not body_text.rstrip().endswith(COPY_HEADER):
            out.append(body_text[3:].rstrip())
    return out


def compare(screen: list[str], reference: list[str]) -> dict[str, object]:
    """How many of the reply's lines on screen the reference has, and whether in one run."""
    shown = [line for line in reply_lines(screen) if line.strip()]
    ref = [line for line in reference if line.strip()]
    known = set(ref)
    matched = sum(1 for line in shown if line in known)
    contiguous = False
    if shown and shown[-1] in known:
        end = len(ref) - 1 - ref[::-1].index(shown[-1])
        contiguous = ref[end - len(shown) + 1 : end + 1] == shown
    return {
        "lines_compared": len(shown),
        "lines_matching_reference": matched,
        "same_as_reference": contiguous,
        "first_difference": next(((s,) for s in shown if s not in known), None),
    }


def is_final(screen: list[str], reference: list[str]) -> bool:
    """Whether `screen` shows the end of the finished reply as the reference draws it."""
    if any("… drawing" in line for line in screen):
        return False
    shown = [line for line in reply_lines(screen) if line.strip()]
    ref = [line for line in reference if line.strip()]
    check = compare(screen, reference)
    return bool(shown) and bool(check["same_as_reference"]) and shown[-1] == ref[-1]


def in_app(base_url: str, chunks: int, rate: int, reference: list[str]) -> dict[str, object]:
    """One run of the real app: Enter to final frame, CPU, bytes, final screen."""
    proc = app_on_demo_server(base_url, chunks, rate, cols=COLS, rows=ROWS)
    try:
        proc.wait_for("Enter send")
        proc.drain(quiet=0.5)  # start-up done: warm-up and catalog
        proc.write(PROMPT.encode())
        proc.wait_for(PROMPT, since=0)
        proc.drain(quiet=0.2)
        mark, written = len(proc.text), len(proc.raw)
        cpu = proc.cpu_seconds()
        sent = proc.write(b"\r")
        _, status = proc.wait_for_any(["finish: "], timeout=600, since=mark)
        try:
            final = proc.wait_screen(lambda screen: is_final(screen, reference), timeout=30)
        except TimeoutError:
            final = float("nan")  # never drawn as the reference draws it: see final_screen
        used = proc.cpu_seconds() - cpu
        proc.drain(quiet=0.3)
        return {
            "seconds": final - sent,
            "status_line_s": status - sent,
            "cpu_s": used,
            "bytes_written": len(proc.raw) - written,
            "screen": proc.screen(),
            "peak_rss_mb": proc.peak_rss_mb(),
        }
    finally:
        proc.kill()


def main() -> None:
    wanted = os.environ.get("BENCH_CASES", ",".join(CASES)).split(",")
    results: dict[str, object] = {"bench": "stream", "runs": RUNS, "machine": machine()}
    with DemoServerProcess(tps=0) as server:
        socket_floor(server.base_url, 200, 0)  # warm up
        for name in wanted:
            chunks, rate = CASES[name]
            text = "".join(reply_tokens(PROMPT, count=chunks))
            reference = reference_lines(text)
            floors_socket, floors_client, floors_cpu, app_s, app_cpu = [], [], [], [], []
            status_s: list[float] = []
            written: list[int] = []
            checks: list[dict[str, object]] = []
            rss: list[float] = []
            for _ in range(RUNS):
                floors_socket.append(socket_floor(server.base_url, chunks, rate))
                seconds, cpu, assembled = client_floor(server.base_url, chunks, rate)
                assert assembled == text, "the demo server's reply is not the generator's"
                floors_client.append(seconds)
                floors_cpu.append(cpu)
                run = in_app(server.base_url, chunks, rate, reference)
                if run["seconds"] == run["seconds"]:  # not NaN: the final frame was seen
                    app_s.append(float(run["seconds"]))  # type: ignore[arg-type]
                status_s.append(float(run["status_line_s"]))  # type: ignore[arg-type]
                app_cpu.append(float(run["cpu_s"]))  # type: ignore[arg-type]
                written.append(int(run["bytes_written"]))  # type: ignore[call-overload]
                rss.append(float(run["peak_rss_mb"]))  # type: ignore[arg-type]
                checks.append(compare(run["screen"], reference))  # type: ignore[arg-type]
            app_median = stats(app_s).get("median", float("nan"))
            client_median = stats(floors_client)["median"]
            results[name] = {
                "chunks": chunks,
                "chunks_per_s": rate or "full speed",
                "reply_chars": len(text),
                "enter_to_final_frame_s": stats(app_s),
                "final_frame_not_seen": RUNS - len(app_s),
                "enter_to_status_line_s": stats(status_s),
                "app_cpu_s": stats(app_cpu),
                "app_cpu_us_per_chunk": round(stats(app_cpu)["median"] / chunks * 1e6, 1),
                "bytes_written_to_terminal": stats(written, 0),
                "peak_rss_mb": stats(rss, 1),
                "floor_core_client_s": stats(floors_client),
                "floor_core_client_cpu_us_per_chunk": round(
                    stats(floors_cpu)["median"] / chunks * 1e6, 1
                ),
                "floor_socket_s": stats(floors_socket),
                "ratio_to_core_client": round(app_median / client_median, 2),
                "final_screen": checks,
            }
    results["target"] = "full: ratio_to_core_client <= 2"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
