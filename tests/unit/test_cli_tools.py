"""`routmy-tui --tools FILE|NAME`: the tools reach the app's default parameters, or exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from routmy_tui.cli import main
from tests.unit.test_cli import _capture_settings


def test_a_saved_set_by_name_becomes_the_default_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _capture_settings(monkeypatch)
    assert main(["--tools", "examples"]) == 0
    tools = seen["settings"].params["tools"]  # type: ignore[attr-defined]
    assert [t["function"]["name"] for t in tools] == ["get_order", "get_weather"]


def test_a_file_becomes_the_default_tools(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen = _capture_settings(monkeypatch)
    path = tmp_path / "t.json"
    path.write_text(json.dumps([{"name": "ping", "command": ["true"], "auto_approve": True}]))
    assert main(["--tools", str(path)]) == 0
    settings = seen["settings"]
    (tool,) = settings.params["tools"]  # type: ignore[attr-defined]
    assert tool["function"]["name"] == "ping" and tool["command"] == ["true"]
    assert "auto_approve" not in tool  # a file from elsewhere never runs without asking
    assert any("auto_approve ignored" in p for p in settings.problems)  # type: ignore[attr-defined]


def test_a_bad_file_is_one_clear_line_and_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen = _capture_settings(monkeypatch)
    path = tmp_path / "t.json"
    path.write_text('[\n  {"name": "no spaces allowed"}\n]')
    assert main(["--tools", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert f"{path}: line 2, column 12" in err and "must be 1 to 64" in err
    assert "settings" not in seen  # the app did not start
    assert main(["--tools", "no-such-set"]) == 2
    assert "no tool set named 'no-such-set'" in capsys.readouterr().err
