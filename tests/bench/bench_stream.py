"""Streaming: a long Markdown reply from the demo backend, rendered by the real app (headless).

For 2,000 and 20,000 tokens streamed as fast as the demo backend can, reports the time from
Enter to the finished reply on screen, tokens/s, and the floor: the same stream parsed by the
core client with no UI, in the same run. Checks that the final screen matches a full render of
the reply. Prints JSON. Run: `python tests/bench/bench_stream.py`.
Targets: >= 2,500 tokens/s at 20,000 tokens; time(20,000) / time(2,000) <= 12.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from routmy_tui.config.settings import Settings  # noqa: E402
from routmy_tui.core.client import ReplyFinished, RoutmyClient  # noqa: E402
from routmy_tui.core.request import ChatParams, build_chat_body  # noqa: E402
from routmy_tui.core.types import ChatMessage  # noqa: E402
from routmy_tui.demo.server import DemoServer  # noqa: E402
from routmy_tui.ui.app import RoutmyApp  # noqa: E402
from routmy_tui.ui.chat.render import MarkdownLines  # noqa: E402
from tests.ui.helpers import last_reply, send, view_of, wait_for  # noqa: E402

SIZES = (2_000, 20_000)
PROMPT = "Write a long technical document"


async def floor(base_url: str, tokens: int) -> tuple[float, int]:
    """Seconds for the core client alone to receive and assemble the stream."""
    client = RoutmyClient(base_url, None)
    params = ChatParams(extra={"demo_tokens": tokens, "demo_tps": 0})
    body = build_chat_body("demo/chat", [ChatMessage("user", PROMPT)], params)
    started = time.perf_counter()
    reply = None
    async for event in client.chat(body).events():
        if isinstance(event, ReplyFinished):
            reply = event.reply
    elapsed = time.perf_counter() - started
    await client.aclose()
    assert reply is not None and reply.status == "complete"
    return elapsed, len(reply.content)


async def in_app(base_url: str, tokens: int) -> dict[str, object]:
    """Seconds from Enter to the complete reply drawn by the app."""
    settings = Settings(
        base_url=base_url,
        model="demo/chat",
        demo=True,
        params={"extra": {"demo_tokens": tokens, "demo_tps": 0}},
        data_dir=Path(tempfile.mkdtemp(prefix="routmy-bench-")),  # a fresh, empty history
        resume_last=False,
    )
    app = RoutmyApp(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        started = time.perf_counter()
        await send(pilot, PROMPT)
        await wait_for(pilot, lambda: len(view_of(app).items) == 2)
        await wait_for(pilot, lambda: last_reply(app).reply.status != "streaming", timeout=120)
        done = time.perf_counter()
        await pilot.pause()
        drawn = time.perf_counter()
        view = view_of(app)
        item = last_reply(app)
        screen = [view.render_line(y).text.rstrip() for y in range(view.size.height)]
        # The same text rendered in full from scratch, bottom lines compared.
        fresh = MarkdownLines(view.palette.code_theme)
        fresh.set_text(item.reply.content)
        width = item.laid_width
        height = fresh.layout(app.console, width)
        expected = [fresh.line(i).text.rstrip() for i in range(height)]
        visible_reply = [line[2:] for line in screen if line.startswith("▎ ")]
        tail = [line for line in visible_reply if line.strip()][-8:-2]
        correct = bool(tail) and all(line in expected for line in tail)
        return {
            "status": item.reply.status,
            "seconds": round(drawn - started, 3),
            "seconds_to_complete": round(done - started, 3),
            "tokens_per_s": round(tokens / (drawn - started)),
            "final_screen_correct": correct,
        }


async def main() -> None:
    results: dict[str, object] = {"bench": "stream"}
    with DemoServer(tps=0, ttft=0) as server:
        await floor(server.base_url, 200)  # warm up
        for tokens in SIZES:
            floor_s, chars = await floor(server.base_url, tokens)
            app_result = await in_app(server.base_url, tokens)
            results[str(tokens)] = {
                "reply_chars": chars,
                "floor_core_only_s": round(floor_s, 3),
                "floor_tokens_per_s": round(tokens / floor_s),
                **app_result,
            }
    small = results[str(SIZES[0])]
    large = results[str(SIZES[1])]
    assert isinstance(small, dict) and isinstance(large, dict)
    results["ratio_20000_vs_2000"] = round(large["seconds"] / small["seconds"], 2)
    results["targets"] = {"tokens_per_s_at_20000": 2500, "max_ratio": 12}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
