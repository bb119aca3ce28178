"""Shared fixtures: an isolated environment and a demo server on loopback."""

from __future__ import annotations

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


@pytest.fixture(scope="session")
def demo_server() -> Iterator[DemoServer]:
    """A demo backend streaming as fast as it can, shared by a test session."""
    with DemoServer(tps=0, ttft=0) as server:
        yield server
