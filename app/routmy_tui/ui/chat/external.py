"""Open a message (or the draft) in the user's `$EDITOR` or `$PAGER`, the app suspended."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Literal

from textual.app import App, SuspendNotSupported
from textual.screen import Screen

from routmy_tui.core.text import make_safe

Program = Literal["editor", "pager"]

FALLBACK = {"editor": "vi", "pager": "less"}
"""What runs when the environment names no program."""
VARIABLES = {"editor": ("VISUAL", "EDITOR"), "pager": ("PAGER",)}


def program_for(kind: Program) -> tuple[str, str]:
    """(command, where it came from): `$VISUAL`/`$EDITOR` or `$PAGER`, else vi or less."""
    for name in VARIABLES[kind]:
        value = os.environ.get(name, "").strip()
        if value:
            return value, f"${name}"
    return FALLBACK[kind], "the default"


def run_on_file(app: App[Any], command: str, text: str, suffix: str = ".md") -> tuple[str, str]:
    """Write `text` to a private temporary file (0600), run `command` on it with the app
    suspended, read it back and remove it.

    Returns:
        (the file's text afterwards, "") or ("", why the program could not run or failed).
    """
    fd, name = tempfile.mkstemp(prefix="routmy-message-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(path, 0o600)
        try:
            argv = [*shlex.split(command), str(path)]
        except ValueError as exc:
            return "", f"cannot read the command {command!r}: {exc}"
        try:
            with app.suspend():
                result = subprocess.run(argv, check=False)
        except FileNotFoundError:
            return "", f"{argv[0]!r} was not found"
        except SuspendNotSupported:
            return "", "this terminal cannot hand the screen over to another program"
        except OSError as exc:
            return "", f"{argv[0]!r} could not run: {exc.strerror or exc}"
        if result.returncode != 0:
            return "", f"{argv[0]!r} ended with exit code {result.returncode}"
        return path.read_text(encoding="utf-8", errors="replace"), ""
    finally:
        path.unlink(missing_ok=True)


def open_message(screen: Screen[Any], kind: Program) -> None:
    """Show the selected message (else the newest reply) as Markdown in `$EDITOR` or
    `$PAGER`. Changes made in the editor are not the message: they are kept in a 0600
    file in `exports/`, and the notice names it."""
    from routmy_tui.ui.chat.copy_actions import message_source
    from routmy_tui.ui.inspector.wire_actions import exports_dir, write_export

    text = message_source(screen)
    if not text:
        screen.app.notify("No message to open: select one with ↑/↓.", severity="warning")
        return
    command, origin = program_for(kind)
    after, problem = run_on_file(screen.app, command, text)
    screen.refresh()
    if problem:
        screen.app.notify(
            make_safe(f"Could not open the message in {origin} ({command}): {problem}."),
            title="Open message",
            severity="error",
            timeout=10,
        )
        return
    if kind == "editor" and after != text:
        path = exports_dir(screen) / f"{time.strftime('%Y%m%d-%H%M%S')}-edited-message.md"
        try:
            write_export(path, after)
        except OSError as exc:
            screen.app.notify(f"Your edit could not be kept: {exc.strerror}", severity="error")
            return
        screen.app.notify(
            make_safe(f"The message itself is unchanged; your edit is kept in {path}"),
            title="Open message",
        )


def edit_draft(screen: Screen[Any], draft: str) -> str | None:
    """The draft after editing it in `$EDITOR` (None, after saying why, when it failed)."""
    command, origin = program_for("editor")
    after, problem = run_on_file(screen.app, command, draft)
    screen.refresh()
    if problem:
        screen.app.notify(
            make_safe(f"Could not edit the draft in {origin} ({command}): {problem}."),
            title="Edit draft",
            severity="error",
            timeout=10,
        )
        return None
    return after.removesuffix("\n") if not draft.endswith("\n") else after
