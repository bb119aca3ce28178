"""Pictures: a 12-MP JPEG to a data URL; a conversation with 50 pictures opened and scrolled.

1. A 12-megapixel JPEG from disk to a data URL (`core.images.prepare_file`: verify, orient,
   strip, scale to 2048, re-encode), time and peak RSS (Linux VmHWM, reset after imports),
   each run in a fresh process, beside Pillow's own decode of the same file (the floor).
2. A stored conversation of 200 messages, 50 of them with a picture: open it in the running
   app (headless, 120x40) to the first frame showing its last message, then scroll from the
   top to the bottom a page at a time (every page drawn), beside the same conversation
   without pictures. Target: within 1.5x of it. Pictures make the conversation taller (more
   pages), so the time per page is reported too, and the CPU time of the scroll (steadier
   than wall time when other processes share the machine).
Prints JSON. Run: `python tests/bench/bench_images.py` (BENCH_RUNS=N, default 5).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
MESSAGES = 200
PICTURES = 50

_MEASURE = r"""
import gc, json, sys, time
gc.enable()
from PIL import Image
from routmy_tui.core.images import prepare_file


def hwm_mb():
    # Peak RSS since the last reset (ru_maxrss would carry the parent's peak over exec).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024


path, what = sys.argv[1], sys.argv[2]
base = hwm_mb()
open("/proc/self/clear_refs", "w").write("5")  # reset the peak to what is resident now
t0 = time.perf_counter()
if what == "pillow":
    with Image.open(path) as image:
        image.load()
else:
    prepare_file(path)
elapsed = time.perf_counter() - t0
print(json.dumps({"s": elapsed, "peak_mb": hwm_mb(), "base_mb": base}))
"""


def photo(path: Path) -> None:
    """A 4000x3000 photo-like JPEG (smooth gradients and noise), with EXIF."""
    from PIL import Image

    size = (4000, 3000)
    bands = [
        Image.linear_gradient("L").resize(size),
        Image.radial_gradient("L").resize(size),
        Image.effect_noise(size, 40),
    ]
    image = Image.merge("RGB", bands)
    exif = Image.Exif()
    exif[0x010F] = "Bench Camera"
    image.save(path, "JPEG", quality=90, exif=exif.tobytes())


def stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median": round(statistics.median(ordered), 4),
        "p95": round(p95, 4),
        "worst": round(ordered[-1], 4),
    }


def measure_file(path: Path, what: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), what],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def bench_file(folder: Path) -> dict[str, Any]:
    path = folder / "photo.jpg"
    photo(path)
    pipeline: list[dict[str, float]] = []
    pillow: list[dict[str, float]] = []
    for run in range(RUNS + 1):
        p, f = measure_file(path, "pipeline"), measure_file(path, "pillow")
        if run:  # the first run warms the file cache
            pipeline.append(p)
            pillow.append(f)
    return {
        "file_mb": round(path.stat().st_size / 1e6, 2),
        "pixels": "4000x3000",
        "to_data_url_s": stats([r["s"] for r in pipeline]),
        "to_data_url_peak_mb": stats([r["peak_mb"] for r in pipeline]),
        "floor_pillow_decode_s": stats([r["s"] for r in pillow]),
        "floor_pillow_decode_peak_mb": stats([r["peak_mb"] for r in pillow]),
        "process_after_imports_mb": round(statistics.median(r["base_mb"] for r in pipeline), 1),
    }


def picture_url(number: int) -> str:
    """A distinct 800x600 JPEG data URL (about 40 kB) for each number."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), ((number * 37) % 256, (number * 91) % 256, 160))
    draw = ImageDraw.Draw(image)
    draw.ellipse((100 + number, 100, 500 + number, 500), fill=(240, 200, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def build(data: Path, pictures: bool) -> None:
    from routmy_tui.core.types import ChatMessage, Reply
    from routmy_tui.store import Store

    every = MESSAGES // 2 // PICTURES
    with Store.open(data / "routmy.db") as store, store.transaction():
        conversation = store.create_conversation("demo/image", title="Pictures")
        parent = None
        for number in range(MESSAGES // 2):
            question = f"MSG-{number:04d} draw part {number} " + "with care " * 10
            parent = store.add_message(conversation, parent, ChatMessage("user", question))
            parent = store.add_message(
                conversation, parent, ChatMessage("assistant", ""), status="streaming"
            )
            images = [picture_url(number)] if pictures and number % every == 0 else []
            text = f"Here is part {number}, as asked.\n\n- one\n- two\n\nEND-{number:04d}"
            store.checkpoint_reply(parent, Reply(content=text, images=images, status="complete"))


async def open_and_scroll(data: Path, last: str) -> tuple[float, float, int, float]:
    """(seconds to the first frame showing `last`, seconds to scroll top to bottom, pages,
    CPU seconds of the process (every thread) during the scroll)."""
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
        view = app.screen.query_one(ConversationView)

        def frame() -> list[str]:
            return [view.render_line(y).text for y in range(view.size.height)]

        started = time.perf_counter()
        app.session.open(conversation_id)
        while not any(last in line for line in frame()):
            await asyncio.sleep(0.002)
        opened = time.perf_counter() - started
        await pilot.pause(0.3)
        started = time.perf_counter()
        cpu = time.process_time()
        view.action_scroll_home()
        await asyncio.sleep(0)
        frame()
        pages = 0
        while True:
            pages += 1
            view.action_page_down()
            await asyncio.sleep(0)
            lines = frame()
            if view.scroll_y >= view.max_scroll_y - 0.5 and any(last in x for x in lines):
                break
        scrolled = time.perf_counter() - started
        cpu = time.process_time() - cpu
    return opened, scrolled, pages, cpu


def bench_conversation(folder: Path) -> dict[str, Any]:
    last = f"END-{MESSAGES // 2 - 1:04d}"
    results: dict[str, Any] = {}
    for label, pictures in (("with_pictures", True), ("without_pictures", False)):
        data = folder / label
        data.mkdir()
        build(data, pictures)
        runs = [asyncio.run(open_and_scroll(data, last)) for _ in range(RUNS)]
        results[label] = {
            "open_to_first_frame_s": stats([r[0] for r in runs]),
            "scroll_top_to_bottom_s": stats([r[1] for r in runs]),
            "scroll_cpu_s": stats([r[3] for r in runs]),
            "pages": runs[-1][2],
            "per_page_ms": stats([1000 * r[1] / r[2] for r in runs]),
        }
    with_, without = results["with_pictures"], results["without_pictures"]
    results["ratio_open"] = round(
        with_["open_to_first_frame_s"]["median"] / without["open_to_first_frame_s"]["median"], 2
    )
    results["ratio_scroll"] = round(
        with_["scroll_top_to_bottom_s"]["median"] / without["scroll_top_to_bottom_s"]["median"],
        2,
    )
    # CPU seconds move less than wall time on a shared machine.
    results["ratio_scroll_cpu"] = round(
        with_["scroll_cpu_s"]["median"] / without["scroll_cpu_s"]["median"], 2
    )
    # Pictures make the conversation taller: per page is the like-for-like figure.
    results["ratio_scroll_per_page"] = round(
        with_["per_page_ms"]["median"] / without["per_page_ms"]["median"], 2
    )
    return results


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="routmy-bench-images-") as tmp:
        folder = Path(tmp)
        os.environ["HOME"] = str(folder / "home")
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            os.environ[name] = str(folder / "home" / name.lower())
        file_result = bench_file(folder)
        conversation = bench_conversation(folder)
    print(
        json.dumps(
            {
                "bench": "images",
                "runs": RUNS,
                "jpeg_12mp": file_result,
                "conversation": {"messages": MESSAGES, "pictures": PICTURES, **conversation},
                "targets": {"conversation_ratio": 1.5},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
