"""Inspector actions: toggle, copy (OSC 52 and a file), save, replay, palette commands."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, Select

from routmy_tui.config.paths import atomic_write
from routmy_tui.core.exchange import Exchange
from routmy_tui.core.text import make_safe
from routmy_tui.core.wire_text import EXPORT_SUFFIX, ExportKind, export_text, pretty_json, redact
from routmy_tui.ui.inspector.replay import BodyError, ReplayDialog, edit_externally, parse_body

if TYPE_CHECKING:
    from routmy_tui.ui.chat.assistant_item import AssistantItem

LABELS: dict[str, str] = {
    "curl": "curl command",
    "request": "request JSON",
    "response": "response JSON",
    "stream": "stream log",
}


def _target(screen: Screen[Any]) -> AssistantItem | None:
    from routmy_tui.ui.chat.conversation_view import ConversationView

    views = screen.query(ConversationView)
    return views.first().target_reply() if views else None


def _exchange(screen: Screen[Any]) -> Exchange | None:
    """The exchange of the target reply, or None after saying why."""
    item = _target(screen)
    if item is None or item.exchange is None:
        screen.app.notify("No reply with a recorded exchange yet.", severity="warning")
        return None
    return item.exchange


def _secret(screen: Screen[Any]) -> str | None:
    settings = getattr(screen.app, "settings", None)
    return getattr(settings, "api_key", None)


def exports_dir(screen: Screen[Any]) -> Path:
    """Where copies and saves go by default: `exports/` in the data folder."""
    settings = getattr(screen.app, "settings", None)
    base = getattr(settings, "data_dir", None) or Path.home()
    return Path(base) / "exports"


def default_path(folder: Path, exchange: Exchange, kind: str) -> Path:
    """A new file name like `20250101-120000-request.json` that does not exist yet."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(exchange.started_at or time.time()))
    suffix = EXPORT_SUFFIX.get(kind, "txt")
    path = folder / f"{stamp}-{kind}.{suffix}"
    number = 2
    while path.exists():
        path = folder / f"{stamp}-{kind}-{number}.{suffix}"
        number += 1
    return path


def render_export(screen: Screen[Any], kind: ExportKind, exchange: Exchange) -> str:
    """The export text, with the key scrubbed should a message have quoted it."""
    return redact(export_text(kind, exchange), _secret(screen))


def write_export(path: Path, text: str) -> Path:
    """Write an export atomically, readable by its owner only (0600)."""
    path = Path(os.path.expanduser(path))
    atomic_write(path, text.encode("utf-8"), 0o600)
    return path


def copy_export(screen: Screen[Any], kind: ExportKind) -> str | None:
    """Copy one form of the target exchange through the terminal (OSC 52), and save it.

    Whether the terminal honoured OSC 52 cannot be known, so the text is also written to
    a file in `exports/` and the notice names it.

    Returns:
        The text copied, or None when there was nothing to copy.
    """
    exchange = _exchange(screen)
    if exchange is None:
        return None
    text = render_export(screen, kind, exchange)
    if not text:
        screen.app.notify(f"This reply has no {LABELS[kind]}.", severity="warning")
        return None
    screen.app.copy_to_clipboard(text)
    label = LABELS[kind]
    try:
        path = write_export(default_path(exports_dir(screen), exchange, kind), text)
    except OSError as exc:
        screen.app.notify(
            f"Copied {label} (via OSC 52); saving a copy failed: {exc.strerror}",
            severity="warning",
        )
        return text
    screen.app.notify(
        make_safe(
            f"Copied {label} (via OSC 52; if your terminal does not support it, saved to {path})"
        ),
        title="Copied",
    )
    return text


class SaveDialog(ModalScreen[tuple[str, str] | None]):
    """Asks what to save and where; returns (kind, path) or None."""

    DEFAULT_CSS = """
    SaveDialog {
        align: center middle;
    }
    SaveDialog > Vertical {
        width: 80;
        height: auto;
        padding: 1 2;
        border: thick $primary;
        background: $surface;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="save-cancel")]

    def __init__(self, kind: str, folder: Path, exchange: Exchange) -> None:
        super().__init__()
        self.kind = kind
        self.folder = folder
        self.exchange = exchange

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Save from the inspected reply (file mode 0600) · Escape cancels")
            yield Select(
                [(label, kind) for kind, label in LABELS.items()],
                value=self.kind,
                allow_blank=False,
                id="save-kind",
            )
            yield Input(str(default_path(self.folder, self.exchange, self.kind)), id="save-path")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Select.Changed)
    def kind_changed(self, event: Select.Changed) -> None:
        """Suggest a matching file name for the new kind."""
        self.kind = str(event.value)
        self.query_one(Input).value = str(default_path(self.folder, self.exchange, self.kind))

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        """Return the choice."""
        if event.value.strip():
            self.dismiss((self.kind, event.value.strip()))

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)


def save_export_dialog(screen: Screen[Any], kind: ExportKind | None = None) -> None:
    """Ask where to save one form of the target exchange, then write it (0600)."""
    exchange = _exchange(screen)
    if exchange is None:
        return

    def done(choice: tuple[str, str] | None) -> None:
        if choice is None:
            return
        chosen, where = choice
        text = render_export(screen, chosen, exchange)  # type: ignore[arg-type]
        try:
            path = write_export(Path(where), text)
        except OSError as exc:
            screen.app.notify(f"Could not save: {exc.strerror}", severity="error")
            return
        screen.app.notify(make_safe(f"Saved {LABELS[chosen]} to {path}"), title="Saved")

    screen.app.push_screen(SaveDialog(kind or "curl", exports_dir(screen), exchange), done)


def replay(screen: Screen[Any], external: bool = False) -> None:
    """Edit the target reply's request and send it as a new reply.

    Args:
        screen: The chat screen.
        external: Use `$EDITOR` (falls back to the in-app editor where it is not set or
            cannot run).
    """
    exchange = _exchange(screen)
    controller = getattr(screen, "controller", None)
    if exchange is None or controller is None:
        return
    if controller.busy:
        screen.app.notify("A reply is still on its way: Escape stops it.", severity="warning")
        return
    text = pretty_json(exchange.request_body)
    target = _target(screen)
    # The reply to the edited request becomes a sibling of the replayed one.
    index = controller.view.index_of(target) if target is not None else None

    def send(body: dict[str, Any] | None) -> None:
        if body is None:
            return
        from routmy_tui.ui.chat.paid import confirm_paid

        services = getattr(screen.app, "services", None)
        if services is None:
            controller.send_body(body, index)
            return
        confirm_paid(
            screen.app,
            services.settings,
            "confirm_replay",
            "Send this request? It is a new request, billed like any other.",
            "Send",
            lambda: controller.send_body(body, index),
        )

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    error = ""
    if external and editor:
        edited = edit_externally(screen.app, text, editor)
        if edited is not None:
            try:
                send(parse_body(edited))
                return
            except BodyError as exc:
                # Keep the user's edit; show where it is wrong in the in-app editor.
                text, error = edited, str(exc)
        else:
            error = f"Could not run {editor!r}; edit here instead."
    screen.app.push_screen(ReplayDialog(text, error), send)
