"""Messages read as meant: Textual's own notices keep their markup, ours are shown as is."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from routmy_tui.cli import main
from routmy_tui.core.text import json_error
from routmy_tui.demo.server import DemoServer
from tests.ui.helpers import make_app, wait_for


async def test_screenshot_without_a_downloads_folder_saves_to_the_data_folder(
    demo_server: DemoServer, tmp_path: Path, isolated_env: Path
) -> None:
    assert not (isolated_env / "Downloads").exists()
    app = make_app(demo_server.base_url, data_dir=tmp_path / "data")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        (command,) = [c for c in app.get_system_commands(app.screen) if c.title == "Screenshot"]
        command.callback()
        await wait_for(pilot, lambda: any(n.title == "Screenshot" for n in app._notifications))
        (notice,) = [n for n in app._notifications if n.title == "Screenshot"]
        app.notify("model [b]x[/b] at [$text-success]")  # ours: shown exactly as written
        await pilot.pause()
        ours = [n for n in app._notifications if "model [b]x" in n.message]
    assert notice.severity == "information" and notice.markup  # Textual's markup applies
    saved = list((tmp_path / "data" / "screenshots").glob("*.svg"))
    assert len(saved) == 1
    assert (tmp_path / "data" / "screenshots").stat().st_mode & 0o777 == 0o700
    assert ours and not ours[0].markup


def test_json_errors_say_where_once() -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads('{\n "a": 1,\n "b": "open')
    text = json_error(caught.value)
    assert text == "Unterminated string at line 3 column 7"
    assert "at at" not in text


def test_demo_server_bad_port_is_one_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["demo-server", "--port", "99999"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "99999 is not a port number (1 to 65535)" in err
    assert "Traceback" not in err


def test_demo_server_busy_port_is_one_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["demo-server", "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"routmy-tui demo-server: cannot listen on 127.0.0.1:{port}: address already in use "
        "(try another --port)"
    )
