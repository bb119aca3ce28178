"""Replay: edit a recorded request body (in the app or in $EDITOR) and hand it back to send."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.text import json_error
from routmy_tui.ui.commands import bindings_for


class BodyError(ValueError):
    """The edited body cannot be sent; the message says where and why."""


def _no_constants(name: str) -> Any:
    raise BodyError(f"{name} is not valid JSON")


def parse_body(text: str) -> dict[str, Any]:
    """Parse an edited request body.

    Args:
        text: The JSON text.

    Returns:
        The body as a dict.

    Raises:
        BodyError: Invalid JSON (with line and column), NaN/Infinity (json.dumps would send
            them as bare words no server accepts), or a value that is not an object.
    """
    try:
        value = loads_bounded(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise BodyError(f"Invalid JSON: {json_error(exc)}") from None
    except RecursionError:
        raise BodyError("Invalid JSON: nested too deeply") from None
    if not isinstance(value, dict):
        raise BodyError("The request body must be a JSON object")
    return value


class ReplayDialog(ModalScreen[dict[str, Any] | None]):
    """An editor prefilled with the request JSON; Ctrl+S sends it, Escape cancels.

    Returns the parsed body, or None when cancelled. Invalid JSON is refused with its
    line and column and the dialog stays open.
    """

    DEFAULT_CSS = """
    ReplayDialog {
        align: center middle;
    }
    ReplayDialog > Vertical {
        width: 90%;
        height: 90%;
        padding: 0 1;
        border: thick $primary;
        background: $surface;
    }
    ReplayDialog TextArea {
        height: 1fr;
    }
    ReplayDialog #replay-error {
        color: $error;
        height: auto;
    }
    """

    BINDINGS = bindings_for("replay")

    def __init__(self, text: str, error: str = "") -> None:
        super().__init__()
        self.text = text
        self.initial_error = error
        self._checked: str | None = text if error else None
        """The text the shown error is about (a Changed event for it must not clear it)."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Replay request: edit the JSON body · Ctrl+S sends · Escape cancels")
            area = TextArea(self.text, id="replay-body", soft_wrap=True, show_line_numbers=True)
            if "json" in area.available_languages:
                area.language = "json"
            yield area
            yield Static(self.initial_error, id="replay-error", markup=False)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @on(TextArea.Changed)
    def clear_error(self) -> None:
        """An edit makes the old error stale."""
        if self.query_one(TextArea).text != self._checked:
            self.query_one("#replay-error", Static).update("")

    def action_send(self) -> None:
        """Send the body if it parses; otherwise say where it is wrong."""
        self._checked = text = self.query_one(TextArea).text
        try:
            body = parse_body(text)
        except BodyError as exc:
            self.query_one("#replay-error", Static).update(str(exc))
            self.app.bell()
            return
        self.dismiss(body)

    def action_cancel(self) -> None:
        """Close without sending."""
        self.dismiss(None)


def edit_externally(app: App[Any], text: str, editor: str) -> str | None:
    """Let the user edit `text` in their editor with the app suspended.

    The text goes to a private temporary file (0600), removed afterwards.

    Args:
        app: The running app (suspended while the editor runs).
        text: What to edit.
        editor: The editor command (`$EDITOR`, may hold arguments).

    Returns:
        The edited text, or None when the editor could not run or failed.
    """
    fd, name = tempfile.mkstemp(prefix="routmy-request-", suffix=".json")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(path, 0o600)
        command = [*shlex.split(editor), str(path)]
        try:
            with app.suspend():
                result = subprocess.run(command, check=False)
        except (OSError, ValueError, SuspendNotSupported):
            return None
        if result.returncode != 0:
            return None
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
