"""No key: the app says so, takes one, saves it privately, and never shows it."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from routmy_tui.config.settings import Settings
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from tests.conftest import FAKE_KEY
from tests.ui.helpers import last_reply, send, wait_for


async def test_no_key_is_explained_then_a_key_is_saved(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    config = tmp_path / "config" / "config.toml"
    settings = Settings(base_url=demo_server.base_url, model="demo/chat", config_path=config)
    app = RoutmyApp(settings)
    async with app.run_test(size=(110, 36)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#welcome")))
        welcome = str(app.screen.query_one("#welcome").render())
        assert "No API key is set" in welcome and "--demo" in welcome
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: bool(app.screen.query("#key-input")))
        for character in FAKE_KEY:
            await pilot.press(character)
        assert FAKE_KEY not in str(app.screen.query_one("#key-input").render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: config.exists())
        assert stat.S_IMODE(config.stat().st_mode) == 0o600
        assert FAKE_KEY in config.read_text()
        assert app.settings.api_key == FAKE_KEY
        await send(pilot, "hello with a key")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        sent = [r for r in demo_server.requests if b"hello with a key" in r.body]
        assert sent and sent[-1].headers["authorization"] == f"Bearer {FAKE_KEY}"
        assert FAKE_KEY not in app.export_screenshot()


async def test_a_crash_report_never_shows_the_key(demo_server: DemoServer) -> None:
    from rich.console import Console

    settings = Settings(base_url=demo_server.base_url, model="demo/chat", api_key=FAKE_KEY)
    app = RoutmyApp(settings)

    def crash() -> None:
        config_being_saved = {"api_key": FAKE_KEY}
        raise RuntimeError(f"crash with {len(config_being_saved)} setting")

    reported: list[object] = []
    report_crash = app._fatal_error

    def keep_report() -> None:  # the app prints and clears its report on exit
        report_crash()
        reported.extend(app._exit_renderables)

    app._fatal_error = keep_report  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(100, 30)) as pilot:
            app.call_later(crash)
            await wait_for(pilot, lambda: bool(reported))
    console = Console(record=True, width=120, file=io.StringIO())
    for renderable in reported:
        console.print(renderable)
    report = console.export_text()
    assert "crash with 1 setting" in report
    assert FAKE_KEY not in report


async def test_sending_without_a_key_says_so_once(demo_server: DemoServer) -> None:
    app = RoutmyApp(Settings(base_url=demo_server.base_url, model="demo/chat"))
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "no key here")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        await send(pilot, "still no key")
        await wait_for(pilot, lambda: len(app.screen.query_one("#conversation").items) == 4)
        warnings = [n.message for n in app._notifications if "No API key" in n.message]
        assert len(warnings) == 1
