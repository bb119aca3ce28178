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
import time
from typing import Any

steps: list[tuple[float, str]] = []
recording = False
_run = asyncio.events.Handle._run


def _name(handle: Any) -> str:
    owner = getattr(handle._callback, "__self__", None)
    if owner is not None and hasattr(owner, "get_name"):
        return str(owner.get_name())
    return repr(handle._callback)[:60]


def _timed_run(self: Any) -> None:
    if not recording:
        return _run(self)
    started = time.thread_time()
    try:
        return _run(self)
    finally:
        used = time.thread_time() - started
        if used > 0.001:
            steps.append((used, _name(self)))


def _start(*_: object) -> None:
    global recording
    steps.clear()
    recording = True


def _dump(*_: object) -> None:
    global recording
    recording = False
    with open(os.environ["ROUTMY_STEPS_OUT"], "w") as out:
        json.dump(steps, out)


asyncio.events.Handle._run = _timed_run  # type: ignore[method-assign]
signal.signal(signal.SIGUSR1, _start)
signal.signal(signal.SIGUSR2, _dump)

if __name__ == "__main__":
    from routmy_tui.cli import main

    sys.argv[0] = "routmy-tui"
    sys.exit(main())
