"""The `routmy-tui` command line: version, help, settings from arguments and environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from routmy_tui import __version__
from routmy_tui.cli import main

COMMAND = Path(sys.executable).parent / "routmy-tui"


def test_version_and_help_of_the_installed_command() -> None:
    version = subprocess.run(
        [str(COMMAND), "--version"], capture_output=True, text=True, timeout=30
    )
    assert version.returncode == 0 and version.stdout.strip() == f"routmy-tui {__version__}"
    help_text = subprocess.run([str(COMMAND), "--help"], capture_output=True, text=True, timeout=30)
    for option in ("--demo", "--base-url", "--model", "--config", "--data-dir", "--version"):
        assert option in help_text.stdout
    assert "ROUTMY_API_KEY" in help_text.stdout


def _capture_settings(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Replace the app with one that only keeps the settings it was given."""
    seen: dict[str, object] = {}

    class FakeApp:
        def __init__(self, services: object, **kwargs: object) -> None:
            seen["settings"] = services.settings.current  # type: ignore[attr-defined]

        def run(self) -> None:
            pass

    monkeypatch.setattr("routmy_tui.ui.app.RoutmyApp", FakeApp)
    return seen


def test_arguments_and_environment_reach_the_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen = _capture_settings(monkeypatch)
    monkeypatch.setenv("ROUTMY_API_KEY", "sk_test_env_key_123456789")
    monkeypatch.setenv("ROUTMY_BASE_URL", "http://127.0.0.1:1/v1")
    config = tmp_path / "c.toml"
    config.write_text('model = "from/config"\n')
    assert main(["--model", "x/y", "--config", str(config), "--data-dir", str(tmp_path)]) == 0
    settings = seen["settings"]
    assert settings.model == "x/y"  # type: ignore[attr-defined]
    assert settings.base_url == "http://127.0.0.1:1/v1"  # type: ignore[attr-defined]
    assert settings.api_key == "sk_test_env_key_123456789"  # type: ignore[attr-defined]
    assert settings.data_dir == tmp_path  # type: ignore[attr-defined]
    assert settings.config_path == config  # type: ignore[attr-defined]


def test_the_collector_is_off_while_the_app_starts_and_on_after(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Start-up runs without the cyclic collector (the app turns it back on after its
    first frame); whatever way the app ends, the command leaves it on."""
    import gc

    states: list[bool] = []

    class FakeApp:
        def __init__(self, services: object, **kwargs: object) -> None:
            states.append(gc.isenabled())

        def run(self) -> None:
            raise RuntimeError("the app failed")

    monkeypatch.setattr("routmy_tui.ui.app.RoutmyApp", FakeApp)
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        main(["--data-dir", str(tmp_path)])
    assert states == [False]
    assert gc.isenabled()


def test_the_app_draws_up_to_240_frames_and_threads_take_turns_every_ms(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A key typed while a reply streams is drawn at the next quarter-frame, and the input
    and writer threads wait 1 ms, not 5, for the interpreter; a user's TEXTUAL_FPS wins, and
    the command leaves the switch interval as it found it."""
    seen: list[tuple[str | None, float]] = []

    class FakeApp:
        def __init__(self, services: object, **kwargs: object) -> None:
            seen.append((os.environ.get("TEXTUAL_FPS"), sys.getswitchinterval()))

        def run(self) -> None:
            return None

    before = sys.getswitchinterval()
    monkeypatch.setattr("routmy_tui.ui.app.RoutmyApp", FakeApp)
    monkeypatch.delenv("TEXTUAL_FPS", raising=False)
    main(["--data-dir", str(tmp_path)])
    monkeypatch.setenv("TEXTUAL_FPS", "30")
    main(["--data-dir", str(tmp_path)])
    assert seen == [("240", 0.001), ("30", 0.001)]
    assert sys.getswitchinterval() == before


def test_demo_points_at_a_loopback_server_and_drops_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = _capture_settings(monkeypatch)
    monkeypatch.setenv("ROUTMY_API_KEY", "sk_test_env_key_123456789")
    assert main(["--demo"]) == 0
    settings = seen["settings"]
    assert settings.demo is True  # type: ignore[attr-defined]
    assert settings.base_url.startswith("http://127.0.0.1:")  # type: ignore[attr-defined]
    assert settings.api_key is None  # type: ignore[attr-defined]


def test_the_graphics_probe_imports_nothing_heavy_beside_the_app_loading() -> None:
    """The start-up probe runs in a thread while the main thread imports the app: it must
    import nothing the main thread imports then (two threads importing Textual's modules
    from different ends deadlocked Python's import locks about once in twenty starts), and
    nothing that only pictures need (textual-image and Pillow: 20-30 ms of start-up)."""
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "from routmy_tui.ui.graphics_probe import probe\n"
        "probe()\n"
        "new = sorted(m for m in set(sys.modules) - before"
        " if m.split('.')[0] in ('textual', 'rich', 'textual_image', 'PIL'))\n"
        "print(new)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout
