"""`routmy-tui` with each event-loop step's CPU time recorded (for bench_ui_steps).

SIGUSR1 starts recording, SIGUSR2 writes the steps over 1 ms to the file named by
`ROUTMY_STEPS_OUT` as JSON ([cpu seconds, what ran]). Main-thread CPU (`thread_time`), so
the machine's load does not count, nor Textual's writer thread.
"""

from __future__ import annotations

import asyncio.events
import json
import os
import signal
import sys
import threading
import time
from collections import Counter
from typing import Any

steps: list[tuple[float, str]] = []
recording = False
_run = asyncio.events.Handle._run
STACKS = os.environ.get("ROUTMY_STEPS_STACKS", "")
"""Diagnosis: when set, the main thread's stack is sampled every ms, and the functions seen
in steps over 16 ms are written beside the steps (`<out>.stacks.json`), and the garbage
collector's runs over 2 ms of CPU ([generation, ms], `<out>.gc.json`)."""
_samples: list[tuple[float, tuple[str, ...]]] = []
_long: list[dict[str, Any]] = []
_collections: list[tuple[int, float]] = []
_gc_started = [0.0]


def _gc_timed(phase: str, info: dict[str, Any]) -> None:
    """Times the collector's runs (generation, ms) while recording (with STACKS)."""
    if phase == "start":
        _gc_started[0] = time.thread_time()
    elif recording:
        _collections.append((int(info["generation"]), (time.thread_time() - _gc_started[0]) * 1e3))


_main = threading.main_thread().ident


def _sampler() -> None:
    while True:
        time.sleep(0.001)
        if not recording:
            continue
        frame = sys._current_frames().get(_main)  # type: ignore[arg-type]
        names: list[str] = []
        while frame is not None:
            code = frame.f_code
            names.append(f"{code.co_filename.rsplit('/', 2)[-1]}:{code.co_name}")
            frame = frame.f_back
        _samples.append((time.perf_counter(), tuple(names)))


def _name(handle: Any) -> str:
    owner = getattr(handle._callback, "__self__", None)
    if owner is not None and hasattr(owner, "get_name"):
        return str(owner.get_name())
    return repr(handle._callback)[:60]


def _timed_run(self: Any) -> None:
    if not recording:
        return _run(self)
    started = time.thread_time()
    wall = time.perf_counter()
    try:
        return _run(self)
    finally:
        used = time.thread_time() - started
        if used > 0.001:
            steps.append((used, _name(self)))
        if STACKS and used > 0.016:
            seen: Counter[str] = Counter()
            inside = [names for at, names in _samples if at >= wall]
            for names in inside:
                seen.update(set(names))
            top = [(n, name) for name, n in seen.most_common(40)]
            _long.append({"cpu_ms": round(used * 1000, 1), "samples": len(inside), "top": top})
        if STACKS:
            _samples.clear()


def _start(*_: object) -> None:
    global recording
    steps.clear()
    recording = True


def _dump(*_: object) -> None:
    global recording
    recording = False
    with open(os.environ["ROUTMY_STEPS_OUT"], "w") as out:
        json.dump(steps, out)
    if STACKS:
        with open(os.environ["ROUTMY_STEPS_OUT"] + ".stacks.json", "w") as out:
            json.dump(_long, out, indent=1)
        slow = [(g, round(ms, 1)) for g, ms in _collections if ms > 2]
        with open(os.environ["ROUTMY_STEPS_OUT"] + ".gc.json", "w") as out:
            json.dump({"collections": len(_collections), "over_2ms": slow}, out)


asyncio.events.Handle._run = _timed_run  # type: ignore[method-assign]
signal.signal(signal.SIGUSR1, _start)
signal.signal(signal.SIGUSR2, _dump)
if STACKS:
    import gc

    threading.Thread(target=_sampler, daemon=True).start()
    gc.callbacks.append(_gc_timed)

if __name__ == "__main__":
    from routmy_tui.cli import main

    sys.argv[0] = "routmy-tui"
    sys.exit(main())
