"""Open a message in $EDITOR or $PAGER (fake programs), and edit the draft in $EDITOR."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from routmy_tui.core.types import Reply
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.composer import Composer
from routmy_tui.ui.chat.items import UserItem
from tests.ui.helpers import make_app, view_of, wait_for

REPLY = "# Title\n\nSome **bold** text and `code`.\n"


def _script(tmp_path: Path, name: str, body: str) -> Path:
    script = tmp_path / name
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o700)
    return script


def _notices(app: RoutmyApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _start(pilot: Pilot[Any], app: RoutmyApp, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pilot runs headless: there is no terminal to hand over (the real app suspends).
    monkeypatch.setattr(app, "suspend", contextlib.nullcontext)
    view = view_of(app)
    view.add_items(
        [UserItem("hello"), AssistantItem("demo/chat", Reply(content=REPLY, status="complete"))]
    )
    await wait_for(pilot, lambda: len(view.items) == 2)
    view.focus()


async def test_the_pager_shows_the_message_markdown(
    demo_server: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "seen.md"
    # A "pager" that keeps what it was shown and the file's mode.
    pager = _script(
        tmp_path,
        "pager.sh",
        f'cat "$1" > {seen}\nstat -c %a "$1" > {seen}.mode\necho "$1" > {seen}.path\n',
    )
    monkeypatch.setenv("PAGER", str(pager))
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _start(pilot, app, monkeypatch)
        await pilot.press("v")  # the newest reply
        await wait_for(pilot, seen.exists)
        assert seen.read_text() == REPLY
        assert (tmp_path / "seen.md.mode").read_text().strip() == "600"
        view_of(app).select(0)
        await pilot.press("v")
        await wait_for(pilot, lambda: seen.read_text() == "hello")
    assert not Path((tmp_path / "seen.md.path").read_text().strip()).exists()  # removed


async def test_the_editor_opens_the_message_and_keeps_an_edit_apart(
    demo_server: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    used = tmp_path / "used"
    editor = _script(tmp_path, "editor.sh", f'echo "$1" > {used}\necho "my note" >> "$1"\n')
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _start(pilot, app, monkeypatch)
        (command,) = [
            c for c in app.get_system_commands(app.screen) if c.title == "Open message in $EDITOR"
        ]
        command.callback()
        await wait_for(pilot, lambda: any("your edit is kept" in n for n in _notices(app)))
        temp = Path(used.read_text().strip())
        assert temp.name.startswith("routmy-message-") and not temp.exists()
        assert view_of(app).items[1].reply.content == REPLY  # type: ignore[attr-defined]
    (kept,) = (tmp_path / "exports").glob("*-edited-message.md")
    assert kept.read_text() == REPLY + "my note\n"
    assert kept.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("variable", "program", "problem"),
    [
        ("PAGER", "/nonexistent/pager", "'/nonexistent/pager' was not found"),
        ("EDITOR", "FAIL", "ended with exit code 3"),
    ],
)
async def test_a_missing_or_failing_program_says_so(
    demo_server: DemoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    program: str,
    problem: str,
) -> None:
    if program == "FAIL":
        program = str(_script(tmp_path, "fails.sh", "exit 3\n"))
    monkeypatch.setenv(variable, program)
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await _start(pilot, app, monkeypatch)
        await pilot.press("v" if variable == "PAGER" else "o")
        await wait_for(pilot, lambda: any("Could not open" in n for n in _notices(app)))
        (notice,) = [n for n in _notices(app) if "Could not open" in n]
        assert f"${variable}" in notice and problem in notice
    assert not (tmp_path / "exports").exists()


async def test_the_draft_is_edited_in_the_editor(
    demo_server: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = _script(
        tmp_path, "editor.sh", "printf 'written in the editor\\nsecond line\\n' > \"$1\"\n"
    )
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        monkeypatch.setattr(app, "suspend", contextlib.nullcontext)
        composer = app.screen.query_one(Composer)
        composer.text = "a start"
        (command,) = [
            c for c in app.get_system_commands(app.screen) if c.title == "Edit draft in $EDITOR"
        ]
        command.callback()
        await wait_for(pilot, lambda: composer.text == "written in the editor\nsecond line")
