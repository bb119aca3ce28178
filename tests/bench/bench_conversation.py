"""Long conversations: open a stored 1,000-message conversation in the real app (120x40 pty).

Reports the time from opening it in a running app to the first frame showing its last message
(headless), the same from process start in a pty, peak RSS, and the time to scroll to the top
(Home) and back (End). Compared, in the same run, with the app's
first frame on an empty history (the floor). Prints JSON.
Run: `python tests/bench/bench_conversation.py`. Targets: first frame < 0.5 s, RSS < 150 MB.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import PtyProcess, private_home

from routmy_tui.core.types import ChatMessage, Exchange, Reply, Usage
from routmy_tui.store import Store

MESSAGES = 1000
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def reply_text(number: int) -> str:
    """About 500 characters of Markdown: a heading, a list, code, a closing marker."""
    return (
        f"### Part {number}\n\n"
        "Here is what matters, **briefly**, with `inline code` and a [link](https://rout.my):\n\n"
        "- the first point, which explains why streaming must never block the UI\n"
        "- the second point, about caching rendered lines by width\n"
        "- the third point, about laying out only what is visible\n\n"
        "```python\ndef visible(items, top, height):\n    return items[top:top + height]\n```\n\n"
        f"That is all for this part. END-{number:04d}"
    )


def build(data: Path) -> None:
    """A conversation of MESSAGES messages (half questions, half replies with exchanges)."""
    with Store.open(data / "routmy.db") as store, store.transaction():
        conversation = store.create_conversation("demo/chat", title="Long conversation")
        parent = None
        for number in range(MESSAGES // 2):
            question = f"MSG-{number:04d} please explain part {number} " + "in detail " * 30
            parent = store.add_message(conversation, parent, ChatMessage("user", question))
            parent = store.add_message(
                conversation, parent, ChatMessage("assistant", ""), status="streaming"
            )
            store.checkpoint_reply(
                parent,
                Reply(
                    content=reply_text(number),
                    status="complete",
                    finish_reason="stop",
                    usage=Usage(prompt_tokens=100, completion_tokens=120, total_tokens=220),
                ),
            )
            store.save_exchange(
                parent,
                Exchange(
                    method="POST",
                    url="http://127.0.0.1/v1/chat/completions",
                    request_headers={"Content-Type": "application/json"},
                    request_body={"model": "demo/chat", "messages": []},
                ),
            )


async def open_in_app(data: Path, last: str) -> float:
    """Seconds from opening the stored conversation in a running app to a frame showing its
    last message (Pilot, headless)."""
    from routmy_tui.config.settings import Settings
    from routmy_tui.ui.app import RoutmyApp
    from routmy_tui.ui.chat.conversation_view import ConversationView

    settings = Settings(
        base_url="http://127.0.0.1:9/v1", demo=True, model="demo/chat", data_dir=data
    )
    app = RoutmyApp(settings.with_changes(resume_last=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        store = app.session.store
        assert store is not None
        conversation_id = store.latest_conversation_id()
        assert conversation_id is not None
        started = time.perf_counter()
        app.session.open(conversation_id)
        view = app.screen.query_one(ConversationView)
        while True:
            await asyncio.sleep(0.002)  # let the app run; pilot.pause() waits for idle
            lines = [view.render_line(y).text for y in range(view.size.height)]
            if any(last in line for line in lines):
                return time.perf_counter() - started


def main() -> None:
    home, env = private_home()
    data = Path(home) / "long"
    empty = Path(home) / "empty"
    started = time.perf_counter()
    build(data)
    build_s = time.perf_counter() - started
    command = str(Path(sys.executable).parent / "routmy-tui")
    last = f"END-{MESSAGES // 2 - 1:04d}"
    opened: list[tuple[float, float, float, float]] = []
    floor: list[float] = []
    home_presses: list[int] = []
    end_presses: list[int] = []
    for run in range(RUNS + 1):
        proc = PtyProcess([command, "--demo", "--data-dir", str(empty)], env=env)
        try:
            floor_s = proc.wait_for("Welcome to routmy-tui")
        finally:
            proc.kill()
        proc = PtyProcess([command, "--demo", "--data-dir", str(data)], env=env)
        try:
            first = proc.wait_for(last)
            time.sleep(0.05)
            rss = proc.peak_rss_mb()
            proc.write(b"\t")  # from the composer to the conversation
            time.sleep(0.2)
            mark = len(proc.text)
            t0 = time.perf_counter()
            # Home; pressed again while the top is not reached (estimated heights above the
            # viewport are measured on the way and can stop the scroll short).
            for presses in range(1, 21):  # noqa: B007
                proc.write(b"\x1b[H")
                try:
                    proc.wait_for("MSG-0000", since=mark, timeout=1.0)
                    break
                except TimeoutError:
                    mark = len(proc.text)
            top = time.perf_counter() - t0
            home_presses.append(presses)
            mark = len(proc.text)
            t0 = time.perf_counter()
            for presses in range(1, 21):  # noqa: B007
                proc.write(b"\x1b[F")  # End, again while the bottom is not reached
                try:
                    proc.wait_for(last, since=mark, timeout=1.0)
                    break
                except TimeoutError:
                    mark = len(proc.text)
            end_presses.append(presses)
            back = time.perf_counter() - t0
            rss = max(rss, proc.peak_rss_mb())
        finally:
            proc.kill()
        if run:  # the first run warms the file cache
            opened.append((first, rss, top, back))
            floor.append(floor_s)
    in_app = [asyncio.run(open_in_app(data, last)) for _ in range(RUNS)]
    print(
        json.dumps(
            {
                "bench": "conversation",
                "open_in_running_app_s": round(statistics.median(in_app), 3),
                "messages": MESSAGES,
                "runs": RUNS,
                "build_store_s": round(build_s, 2),
                "process_start_to_first_frame_s": round(statistics.median(o[0] for o in opened), 3),
                "floor_empty_first_frame_s": round(statistics.median(floor), 3),
                "peak_rss_mb": round(max(o[1] for o in opened), 1),
                "scroll_to_top_s": round(statistics.median(o[2] for o in opened), 3),
                "scroll_back_s": round(statistics.median(o[3] for o in opened), 3),
                "home_presses_to_reach_top": home_presses,
                "end_presses_to_reach_bottom": end_presses,
                "targets": {"first_frame_s": 0.5, "peak_rss_mb": 150},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
