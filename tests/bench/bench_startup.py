"""Start-up as the user feels it: first frame, and ready (a message sent then is answered).

Measures, in a 120x40 pty, from process start: the first frame (the composer's hint is
written), then, typing a message and Enter at that moment, READY: the reply's first words
written on screen. The app talks to `routmy-tui demo-server` in its own process (full speed,
50 chunks), with a fresh, empty history. Beside it, same run, alternating: a minimal Textual
app with the same widgets (first frame only), and a minimal Markdown chat app (an `Input`
and a `Markdown` fed through Textual's `MarkdownStream` from the same server with httpx),
first frame and ready. Peak RSS (VmHWM) of each at ready.
Leaves out: a resumed history (see bench_conversation) and a cold disk cache (one untimed
start of each first, which also writes the app's bytecode as an installed package has it;
ptyrun drops PYTHONDONTWRITEBYTECODE). The machine is shared: read `machine`.
Prints JSON. Run: `python tests/bench/bench_startup.py` (BENCH_RUNS=5).
Target (issue 13): ready no later than the minimal MarkdownStream app's.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

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
MESSAGE = "hello ready"
ANSWER = "You asked: hello ready"

MINIMAL = """
from textual.app import App
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static, TextArea

class Minimal(App):
    def compose(self):
        yield Static("routmy-tui header")
        with Horizontal():
            with Vertical():
                yield Static("Welcome")
                yield Static("")
                yield TextArea(placeholder="Enter send")
        yield Footer()

Minimal().run()
"""

MARKDOWN_STREAM = """
import json, sys
import httpx
from textual.app import App
from textual.widgets import Input, Markdown

URL = sys.argv[1]

class MinimalChat(App):
    def compose(self):
        yield Markdown(id="reply")
        yield Input(placeholder="Enter send")

    def on_input_submitted(self, event):
        self.run_worker(self.ask(event.value))

    async def ask(self, text):
        stream = Markdown.get_stream(self.query_one(Markdown))
        body = {"model": "demo/chat", "stream": True, "demo_tokens": 50, "demo_tps": 0,
                "messages": [{"role": "user", "content": text}]}
        async with httpx.AsyncClient() as client:
            async with client.stream("POST", URL + "/chat/completions", json=body) as response:
                async for line in response.aiter_lines():
                    if not line.startswith("data: ") or line == "data: [DONE]":
                        continue
                    for choice in json.loads(line[6:]).get("choices") or []:
                        delta = (choice.get("delta") or {}).get("content")
                        if delta:
                            await stream.write(delta)
        await stream.stop()

MinimalChat().run()
"""


def measure(argv: list[str], env: dict[str, str], ready: bool) -> dict[str, float]:
    """First frame (s), ready (s, when asked) and peak RSS (MB) of one start."""
    proc = PtyProcess(argv, env=env)
    try:
        first = proc.wait_for("Enter send", timeout=60)
        out = {"first_frame_s": first}
        if ready:
            proc.write(MESSAGE.encode() + b"\r")
            out["ready_s"] = proc.wait_for(ANSWER, timeout=60)
        out["peak_rss_mb"] = proc.peak_rss_mb()
        return out
    finally:
        proc.kill()


def main() -> None:
    with DemoServerProcess(tps=0) as server:
        home, env = private_home("[params]\ndemo_tokens = 50\ndemo_tps = 0\n")
        env["ROUTMY_API_KEY"] = "sk_bench_0"
        minimal = Path(home) / "minimal.py"
        minimal.write_text(MINIMAL)
        chat = Path(home) / "minimal_markdown_stream.py"
        chat.write_text(MARKDOWN_STREAM)

        def ours() -> list[str]:
            data = scratch_dir("routmy-bench-data-")
            base = server.base_url
            return app_argv("--base-url", base, "--model", "demo/chat", "--data-dir", data)

        starts = {
            "app": (ours, True),
            "floor_minimal_textual": (lambda: [sys.executable, str(minimal)], False),
            "floor_minimal_markdown_stream": (
                lambda: [sys.executable, str(chat), server.base_url],
                True,
            ),
        }
        for make, ready in starts.values():  # warm the file cache
            measure(make(), env, ready)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in starts}
        for _ in range(RUNS):
            for name, (make, ready) in starts.items():
                runs[name].append(measure(make(), env, ready))
    results: dict[str, object] = {"bench": "startup", "runs": RUNS, "machine": machine()}
    for name, values in runs.items():
        results[name] = {key: stats([v[key] for v in values]) for key in values[0]}
    app_ready = stats([v["ready_s"] for v in runs["app"]])["median"]
    floor_ready = stats([v["ready_s"] for v in runs["floor_minimal_markdown_stream"]])["median"]
    results["ready_ratio_to_markdown_stream"] = round(app_ready / floor_ready, 2)
    results["target"] = "app ready <= minimal MarkdownStream app ready"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
