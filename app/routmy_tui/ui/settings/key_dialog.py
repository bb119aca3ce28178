"""A modal that asks for the API key; the key is never shown while typed."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from routmy_tui.core.secret import Secret


class KeyDialog(ModalScreen[Secret | None]):
    """Returns the key typed (wrapped, so no traceback or log can show it), or None."""

    DEFAULT_CSS = """
    KeyDialog {
        align: center middle;
    }
    KeyDialog > Vertical {
        width: 70;
        max-width: 100%;
        height: auto;
        padding: 1 2;
        border: thick $primary;
        background: $surface;
    }
    KeyDialog Label {
        margin-bottom: 1;
        width: 100%;  /* long config paths wrap instead of being cut off */
    }
    KeyDialog.-short > Vertical {
        padding: 0 1;
    }
    KeyDialog.-short Label {
        margin-bottom: 0;
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
        if event.value.strip():
            self.dismiss(Secret(event.value.strip()))

    def action_cancel(self) -> None:
        """Close without a key."""
        self.dismiss(None)
