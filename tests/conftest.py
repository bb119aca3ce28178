"""Shared fixtures: an isolated environment and a demo server on loopback."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from routmy_tui.demo.server import DemoServer

# CI runs the property tests on fixed examples: a failure there is one a developer can
# repeat; random exploration stays for local runs.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

FAKE_KEY = "sk_test_fake_key_0123456789abcdef"
"""A key that looks real enough to be found if it ever leaks."""


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads the developer's config, data or key."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    for name in ("ROUTMY_API_KEY", "ROUTMY_BASE_URL", "ROUTMY_TUI_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def fresh_collector() -> Iterator[None]:
    """Each test ends with Python's cyclic collector as a new process has it: on, nothing
    frozen, its usual thresholds. The app sets it process-wide (`ui/chat/gc_pacer.py`: it
    freezes what lives at the first reply, defers full collections while replies stream),
    which is right for the one app a process runs, but a run of tests is one process: what
    one test froze came back when a later one unfroze its own, and changed what it counted
    (tests/ui/test_switch_memory.py, seen once in a serial run)."""
    yield
    from routmy_tui.ui.chat import gc_pacer

    if gc_pacer._saved_thresholds:
        gc.set_threshold(*gc_pacer._saved_thresholds.pop())
    gc_pacer._settled.clear()
    gc.unfreeze()
    gc.enable()


@pytest.fixture(scope="session")
def demo_server() -> Iterator[DemoServer]:
    """A demo backend streaming as fast as it can, shared by a test session."""
    with DemoServer(tps=0, ttft=0) as server:
        yield server
