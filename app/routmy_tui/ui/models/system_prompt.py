"""The system prompt editor: this conversation's prompt, with saved prompts to pick from."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static, TextArea

from routmy_tui.config.settings import Settings
from routmy_tui.core.text import make_safe
from routmy_tui.services.container import UserSettings
from routmy_tui.ui.commands import bindings_for


class SystemPromptScreen(ModalScreen[str | None]):
    """Edit the system prompt; dismisses with the new text or None.

    Args:
        prompt: The conversation's current system prompt.
        settings: Saved prompts (`system_prompts`) are read from and written to its file.
        title: The heading (the Settings screen edits the default of new chats here).
    """

    DEFAULT_CSS = """
    SystemPromptScreen { align: center middle; }
    SystemPromptScreen > #system {
        width: 90%; max-width: 110; height: 80%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    SystemPromptScreen #system-title { height: 1; text-style: bold; }
    SystemPromptScreen #saved-row, SystemPromptScreen #system-buttons { height: 3; }
    SystemPromptScreen #saved-select { width: 1fr; }
    SystemPromptScreen #saved-name { width: 24; }
    SystemPromptScreen #system-text { height: 1fr; }
    SystemPromptScreen #system-help { width: 1fr; padding: 1 0 0 2; color: $text-muted; }
    SystemPromptScreen.-narrow > #system { width: 100%; }
    SystemPromptScreen.-narrow #saved-name { width: 20; }
    SystemPromptScreen.-narrow #saved-select { min-width: 16; }
    SystemPromptScreen.-low > #system, SystemPromptScreen.-short > #system { height: 100%; }
    SystemPromptScreen.-short #saved-row, SystemPromptScreen.-short #system-buttons {
        height: 1;
    }
    SystemPromptScreen.-short #system-help { padding: 0 0 0 2; }
    """

    BINDINGS = bindings_for("system")

    def __init__(
        self,
        prompt: str,
        settings: UserSettings,
        *,
        title: str = "System prompt of this conversation",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.user_settings = settings

    @property
    def settings(self) -> Settings:
        """The settings in force."""
        return self.user_settings.current

    AUTO_FOCUS = "#system-text"

    def compose(self) -> ComposeResult:
        with Vertical(id="system"):
            yield Static(self.title_text, id="system-title", markup=False)
            with Horizontal(id="saved-row"):
                yield Select[str](self._options(), prompt="saved prompts…", id="saved-select")
                yield Input(placeholder="name to save as", id="saved-name")
                yield Button("Save", id="saved-save")
            yield TextArea(self.prompt, id="system-text", soft_wrap=True)
            with Horizontal(id="system-buttons"):
                yield Button("Apply", variant="primary", id="system-apply")
                yield Button("Clear", id="system-clear")
                yield Button("Cancel", id="system-cancel")
                yield Static("Ctrl+S apply · Esc cancel", id="system-help")

    def _options(self) -> list[tuple[str, str]]:
        return [(make_safe(name), name) for name in self.settings.system_prompts]

    def on_mount(self) -> None:
        self.query_one("#system-text", TextArea).focus()

    @on(Select.Changed, "#saved-select")
    def use_saved(self, event: Select.Changed) -> None:
        """Put the chosen saved prompt in the editor."""
        name = event.value
        if isinstance(name, str) and name in self.settings.system_prompts:
            self.query_one("#system-text", TextArea).text = self.settings.system_prompts[name]
            self.query_one("#saved-name", Input).value = name

    @on(Button.Pressed, "#saved-save")
    def save_prompt(self) -> None:
        """Save the editor's text under a name in the config file."""
        name = self.query_one("#saved-name", Input).value.strip()
        if not name:
            self.notify("Give the prompt a name.", severity="warning")
            return
        text = self.query_one("#system-text", TextArea).text
        prompts = {**self.settings.system_prompts, name: text}
        try:
            self.user_settings.save({"system_prompts": {name: text}}, system_prompts=prompts)
        except (OSError, ValueError) as exc:
            self.notify(f"Could not save: {exc}", severity="error")
            return
        self.query_one("#saved-select", Select).set_options(self._options())
        self.notify(f"Saved prompt {name!r}")

    @on(Button.Pressed, "#system-clear")
    def clear(self) -> None:
        """Empty the editor (no system message is sent)."""
        self.query_one("#system-text", TextArea).text = ""

    @on(Button.Pressed, "#system-apply")
    def action_apply(self) -> None:
        """Use the text for this conversation."""
        self.dismiss(self.query_one("#system-text", TextArea).text)

    @on(Button.Pressed, "#system-cancel")
    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)
