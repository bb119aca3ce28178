"""Memory as the user's machine feels it: RSS over many long replies and many switches.

Measures: (1) the installed `routmy-tui` in a 120x40 pty against `routmy-tui demo-server` in
its own process: 20 replies of 20,000 chunks each (full speed) in one conversation, the
app's resident memory (VmRSS) after each reply has ended, the app has gone quiet and the user
has typed nothing for 3 s (the app's idle work, such as a deferred collection, is done), with
the figures after replies 1, 5 and 20 and the growth from 5 to 20; (2) the app headless
(Pilot, in this process: drawing is not the point here) on a history of two stored
1,000-message conversations, switching 50 times between them as the browser does
(`open_conversation`), RSS after switches 1, 10 and 50. Floor, same run: the RSS of the
app after its first frame on an empty history (pty), and of this process before (2).
Leaves out: freeing on demand (GC runs as it would, never forced). The machine is shared.
Prints JSON. Run: `python tests/bench/bench_memory.py` (BENCH_REPLIES=20, BENCH_SWITCHES=50;
BENCH_PARTS=switching runs only part (2), BENCH_PARTS=replies only part (1)).
Target (issue 13): within 10 MB from reply 5 to reply 20; switching does not grow.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import DemoServerProcess, PtyProcess, app_argv, machine, private_home, scratch_dir
from seed import conversations_db, data_dir_with

REPLIES = int(os.environ.get("BENCH_REPLIES", "20"))
SWITCHES = int(os.environ.get("BENCH_SWITCHES", "50"))
PARTS = os.environ.get("BENCH_PARTS", "replies,switching").split(",")
CHUNKS = 20_000
SETTLE = 3.0
"""Seconds after a reply's end when RSS is read (the user reading it, typing nothing)."""


def self_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def replies() -> dict[str, object]:
    """RSS of the app after each of REPLIES long replies in one conversation."""
    _, env = private_home(f"[params]\ndemo_tokens = {CHUNKS}\ndemo_tps = 0\n")
    data = scratch_dir("routmy-bench-data-")
    rss: list[float] = []
    seconds: list[float] = []
    with DemoServerProcess(tps=0) as server:
        argv = app_argv("--base-url", server.base_url, "--model", "demo/chat", "--data-dir", data)
        proc = PtyProcess(argv, env={**env, "ROUTMY_API_KEY": "sk_bench_0"})
        try:
            proc.wait_for("Enter send")
            proc.drain(quiet=1.0)
            first_frame_rss = proc.rss_mb()
            for number in range(1, REPLIES + 1):
                mark = len(proc.text)
                started = proc.write(f"reply {number} please\r".encode())
                # The earlier replies' status lines are drawn again: wait for this one's.
                proc.wait_for_any(["streaming"], timeout=60, since=mark)
                mark = len(proc.text)
                _, ended = proc.wait_for_any(["finish: "], timeout=600, since=mark)
                seconds.append(ended - started)
                proc.drain(quiet=1.0)
                # The user reads the reply: the app's idle work (deferred collection) is done.
                time.sleep(max(0.0, ended + SETTLE - time.perf_counter()))
                proc.drain(quiet=0.3)
                rss.append(round(proc.rss_mb(), 1))
            peak = proc.peak_rss_mb()
        finally:
            proc.kill()
    pick = {f"after_reply_{n}": rss[n - 1] for n in (1, 5, 20) if n <= len(rss)}
    return {
        "chunks_per_reply": CHUNKS,
        "floor_rss_after_first_frame_mb": round(first_frame_rss, 1),
        **pick,
        "growth_5_to_20_mb": round(rss[19] - rss[4], 1) if len(rss) >= 20 else None,
        "rss_after_each_reply_mb": rss,
        "peak_rss_mb": round(peak, 1),
        "reply_seconds_first_last": [round(seconds[0], 2), round(seconds[-1], 2)],
    }


async def switching() -> dict[str, object]:
    """RSS of this process (the app headless) over SWITCHES switches between two conversations."""
    from routmy_tui.config.settings import Settings
    from routmy_tui.store import Store
    from routmy_tui.ui.app import RoutmyApp
    from routmy_tui.ui.chat.conversation_view import ConversationView

    with Store.open(conversations_db(1000, 2)) as store:
        ids = [c.id for c in store.list_conversations()]
    floor = self_rss_mb()
    data = Path(data_dir_with(1000, 2))
    app = RoutmyApp(Settings(base_url="http://127.0.0.1:9/v1", demo=True, data_dir=data))
    rss: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:

        async def until(condition: object, timeout: float = 60) -> None:
            deadline = time.monotonic() + timeout
            while not condition():  # type: ignore[operator]
                if time.monotonic() > deadline:
                    raise TimeoutError("switch did not finish")
                await pilot.pause(0.01)

        await until(lambda: len(app.screen.query_one(ConversationView).items) == 1000)
        after_open = self_rss_mb()
        for number in range(SWITCHES):
            target = ids[number % 2]
            app.screen.open_conversation(target)  # type: ignore[attr-defined]
            view = app.screen.query_one(ConversationView)
            await until(
                lambda t=target, v=view: (
                    app.session.conversation_id == t  # type: ignore[misc]
                    and len(v.items) == 1000
                )
            )
            await pilot.pause(0.05)
            rss.append(round(self_rss_mb(), 1))
    return {
        "floor_rss_before_app_mb": round(floor, 1),
        "rss_after_open_mb": round(after_open, 1),
        **{f"after_switch_{n}": rss[n - 1] for n in (1, 10, 50) if n <= len(rss)},
        "growth_10_to_50_mb": round(rss[49] - rss[9], 1) if len(rss) >= 50 else None,
    }


def main() -> None:
    results: dict[str, object] = {"bench": "memory", "machine": machine()}
    if "replies" in PARTS:
        results["replies"] = replies()
    if "switching" in PARTS:
        results["switching"] = asyncio.run(switching())
    results["targets"] = "growth_5_to_20_mb <= 10; switching growth ~0"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
