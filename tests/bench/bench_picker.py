"""Benchmark: keystroke to updated list in the real model picker over 2,000 models (prints JSON).

Run on demand: `python tests/bench/bench_picker.py [--models N] [--repeat R]`.
Target: median under 16 ms (one frame), worst under 50 ms. Each keystroke is a real key
event posted to the running app (under Pilot); the time runs from posting it until the
picker has set the rows for the new query, plus the time to draw every visible row afresh
(what the next frame costs). Pilot's own settling waits are not counted. The floor is the
core filter alone for the same queries.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from textual import events

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from routmy_tui.config.settings import Settings  # noqa: E402
from routmy_tui.core.catalog import ModelIndex  # noqa: E402
from routmy_tui.ui.app import RoutmyApp  # noqa: E402
from routmy_tui.ui.models.model_list import ModelList  # noqa: E402
from routmy_tui.ui.models.model_picker import ModelPicker  # noqa: E402
from tests.bench.bench_models import QUERIES, percentile, synthetic_catalog  # noqa: E402

KEYS = {" ": "space", "/": "slash", "-": "minus", ".": "full_stop"}


async def measure(models: int, repeat: int) -> dict[str, object]:
    catalog = synthetic_catalog(models)
    tmp = Path(tempfile.mkdtemp(prefix="bench-picker-"))
    # A base URL nothing listens on: the app keeps the catalog we give it.
    settings = Settings(
        base_url="http://127.0.0.1:9/v1",
        model="openai/gpt-4o",
        config_path=tmp / "config.toml",
        cache_dir=tmp / "cache",
        data_dir=tmp / "data",
        max_retries=0,
    )
    app = RoutmyApp(settings)
    handler: list[float] = []
    paint: list[float] = []
    floor: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)  # let start-up settle (the failed refresh included)
        app.catalog._set_models(catalog, time.time(), from_cache=False)
        app.screen.action_select_model()  # type: ignore[attr-defined]
        while not isinstance(app.screen, ModelPicker):
            await pilot.pause(0.01)
        picker = app.screen
        opened = time.perf_counter()
        while not picker.query(ModelList) or picker.shown_query is None:
            if time.perf_counter() - opened > 10:
                raise RuntimeError("the picker did not open")
            await pilot.pause(0.01)
        open_ms = (time.perf_counter() - opened) * 1000
        model_list = picker.query_one(ModelList)
        await pilot.pause(0.2)
        index = ModelIndex(catalog)
        gc.disable()  # as in bench_models: measure the work, not a collection landing on it
        for _ in range(repeat):
            for query in QUERIES:
                await pilot.press("ctrl+u")  # clear the box
                while picker.shown_query != "":
                    await pilot.pause(0)
                index.filter("")
                for end in range(1, len(query) + 1):
                    typed = query[:end]
                    # Key event posted -> Input.Changed -> filter -> list rows set.
                    start = time.perf_counter()
                    app.post_message(events.Key(KEYS.get(typed[-1], typed[-1]), typed[-1]))
                    while picker.shown_query != typed:
                        await asyncio.sleep(0)
                    handler.append((picker.updated_at - start) * 1000)
                    # Then the frame: every visible row drawn afresh.
                    start = time.perf_counter()
                    model_list.redraw()
                    for y in range(model_list.size.height):
                        model_list.render_line(y)
                    paint.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    index.filter(typed)
                    floor.append((time.perf_counter() - start) * 1000)
                    await pilot.pause()
        gc.enable()
    total = [a + b for a, b in zip(handler, paint, strict=True)]
    return {
        "benchmark": "model picker: keystroke to updated list (Pilot, real widget)",
        "python": sys.version.split()[0],
        "models": models,
        "keystrokes": len(total),
        "open_picker_ms": round(open_ms, 1),
        "keystroke_to_painted_list_ms": {
            "median": round(statistics.median(total), 2),
            "p95": round(percentile(total, 0.95), 2),
            "worst": round(max(total), 2),
        },
        "of_which_key_to_rows_set_ms": {
            "median": round(statistics.median(handler), 2),
            "worst": round(max(handler), 2),
        },
        "of_which_painting_visible_rows_ms": {
            "median": round(statistics.median(paint), 2),
            "worst": round(max(paint), 2),
        },
        "floor_core_filter_ms": {
            "median": round(statistics.median(floor), 3),
            "worst": round(max(floor), 3),
        },
        "target": {"median_ms": 16, "worst_ms": 50},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.models, args.repeat)), indent=2))


if __name__ == "__main__":
    main()
