"""A modal that asks for the API key; the key is never shown while typed."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class KeyDialog(ModalScreen[str | None]):
    """Returns the key typed, or None when cancelled."""

    DEFAULT_CSS = """
    KeyDialog {
        align: center middle;
    }
    KeyDialog > Vertical {
        width: 70;
        height: auto;
        padding: 1 2;
        border: thick $primary;
        background: $surface;
    }
    KeyDialog Label {
        margin-bottom: 1;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel-dialog")]

    def __init__(self, config_path: str) -> None:
        super().__init__()
        self.config_path = config_path

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Enter your rout.my API key (it starts with sk_)", markup=False)
            yield Input(placeholder="sk_...", password=True, id="key-input")
            yield Label(
                f"It is saved to {self.config_path} (mode 0600). Escape cancels.",
                markup=False,
            )

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        """Return the key, if any was typed."""
        value = event.value.strip()
        if value:
            self.dismiss(value)

    def action_cancel(self) -> None:
        """Close without a key."""
        self.dismiss(None)
