"""The Settings screen (F9): defaults of new chats, theme, keys, picture limits, confirmations.

Every change is written to the config file at once (`UserSettings.save`: atomic, 0600, other
keys kept) and used at once (the app listens to the settings). A value that does not pass is
refused beside its field, and nothing is written.
"""

from __future__ import annotations

from typing import Any, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalGroup, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Footer,
    Input,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from routmy_tui.config.settings import Settings
from routmy_tui.config.validate import IMAGE_LIMITS, limit_expected
from routmy_tui.core.request import ChatParams
from routmy_tui.core.text import make_safe
from routmy_tui.services.container import UserSettings
from routmy_tui.ui.commands import bindings_for
from routmy_tui.ui.host import AppHost
from routmy_tui.ui.settings.keymap_pane import KeymapPane

CONFIRMATIONS = {
    "confirm_regenerate": "ask before regenerating a reply",
    "confirm_replay": "ask before sending a replayed request",
}
"""The questions asked before a paid request, each with its "don't ask again" setting."""

_TEXT_FIELDS = ("model", "image_max_side", "image_max_mb")


def check_field(name: str, text: str) -> tuple[Any, str | None]:
    """A text field's value, or why it cannot be used (nothing is guessed).

    Args:
        name: `model` or one of `IMAGE_LIMITS`.
        text: What the field holds.
    """
    text = text.strip()
    if name == "model":
        if any(char.isspace() for char in text):
            return None, "a model id has no spaces"
        return text, None
    low, high, _unit = IMAGE_LIMITS[name]
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        return None, f"{text or 'empty'!r} is not {limit_expected(name)}"
    if not low <= value <= high:
        return None, f"must be {limit_expected(name)}"
    return value, None


def params_summary(params: dict[str, Any]) -> str:
    """The default parameters in one line (`temperature 0.7 · max_tokens 400`)."""
    shown = ChatParams.from_dict(params).to_dict()
    shown.pop("tools", None)
    if not shown:
        return "none set: each model's own"
    return " · ".join(f"{name} {value}" for name, value in shown.items())


def prompt_summary(prompt: str) -> str:
    """The first line of the default system prompt, or `none`."""
    lines = prompt.strip().splitlines()
    if not lines:
        return "none"
    return lines[0] + (" …" if len(lines) > 1 else "")


class SettingsScreen(Screen[None]):
    """The user's settings, each saved and used as soon as it changes."""

    CSS_PATH = "settings_screen.tcss"
    BINDINGS = bindings_for("settings")

    @property
    def host(self) -> AppHost:
        """The app, typed (screens do not import the app module)."""
        return cast(AppHost, self.app)

    @property
    def user_settings(self) -> UserSettings:
        """The settings in force, and where they are saved."""
        return self.host.services.settings

    @property
    def settings(self) -> Settings:
        """The settings now."""
        return self.user_settings.current

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        settings = self.settings
        yield Static("Settings · each change is saved at once · Esc closes", id="settings-title")
        with TabbedContent(id="settings-tabs"):
            with TabPane("General", id="tab-general"):
                # Not a stop of its own: Shift+Tab from the first field reaches the tabs.
                scroll = VerticalScroll(id="general", can_focus=False)
                with scroll:
                    yield from self._general(settings)
            with TabPane("Keys", id="tab-keys"):
                yield KeymapPane()
        yield Footer()

    def _general(self, settings: Settings) -> ComposeResult:
        yield Label("New chats start with", classes="section")
        yield self._row(
            "model",
            Input(
                settings.model or "",
                placeholder="demo/chat (the demo's)" if settings.demo else "none: pick per chat",
                id="s-model",
                compact=True,
            ),
            Button("Pick…", id="pick-model", compact=True),
        )
        yield self._row(
            "params",
            Static(
                make_safe(params_summary(settings.params)), id="s-params", classes="setting-value"
            ),
            Button("Edit…", id="edit-params", compact=True),
        )
        yield self._row(
            "system_prompt",
            Static(
                make_safe(prompt_summary(settings.system_prompt)),
                id="s-system_prompt",
                classes="setting-value",
            ),
            Button("Edit…", id="edit-system-prompt", compact=True),
        )
        yield Checkbox("stream replies", settings.stream, id="s-stream", compact=True)
        yield Label("Look", classes="section")
        themes = sorted(self.app.available_themes)
        yield self._row(
            "theme",
            Select[str](
                [(make_safe(name), name) for name in themes],
                value=self.app.theme if self.app.theme in themes else Select.NULL,
                allow_blank=self.app.theme not in themes,
                id="s-theme",
                compact=True,
            ),
        )
        yield Label("Pictures you attach", classes="section")
        for name in IMAGE_LIMITS:
            yield self._row(
                name,
                Input(str(getattr(settings, name)), id=f"s-{name}", compact=True),
                note=limit_expected(name).removeprefix("a whole number of "),
            )
        yield Label("Before a paid request", classes="section")
        for name, text in CONFIRMATIONS.items():
            yield Checkbox(text, getattr(settings, name), id=f"s-{name}", compact=True)
        yield Label("Files (set with --data-dir, --config)", classes="section")
        yield self._row(
            "data_dir",
            Static(make_safe(str(settings.data_dir)), id="s-data_dir", classes="setting-value"),
        )
        yield self._row(
            "config_path",
            Static(
                make_safe(str(settings.config_path)), id="s-config_path", classes="setting-value"
            ),
        )

    _LABELS = {
        "model": "model",
        "params": "parameters",
        "system_prompt": "system prompt",
        "theme": "theme",
        "image_max_side": "longest side",
        "image_max_mb": "largest file",
        "data_dir": "data folder",
        "config_path": "config file",
    }

    def _row(self, name: str, *widgets: Widget, note: str = "") -> Widget:
        """A label, the field (and its button), then a line for its note or error."""
        row = Horizontal(
            Label(self._LABELS[name], classes="setting-label"), *widgets, classes="setting-row"
        )
        message = Static(note, id=f"note-{name}", classes="setting-note", markup=False)
        message.display = bool(note)
        message.tooltip = note or None
        return VerticalGroup(row, message, id=f"row-{name}")

    def on_mount(self) -> None:
        self.query_one("#s-model", Input).focus()

    # --- showing how it went ---------------------------------------------------------

    def _note(self, name: str, problem: str | None = None, done: str = "") -> None:
        """Show a field's error (red), what was saved, or its plain note."""
        note = self.query_one(f"#note-{name}", Static)
        row = self.query_one(f"#row-{name}")
        row.set_class(problem is not None, "-invalid")
        if problem is not None:
            note.update(Text("✖ " + problem + "; not saved", style="bold"))
        elif done:
            note.update(Text("✔ " + done))
        else:
            note.update(str(note.tooltip or ""))
        note.display = bool(problem or done or note.tooltip)

    def _save(self, updates: dict[str, Any], **changes: Any) -> bool:
        """Write to the config file and use the change; a failure says so and changes nothing."""
        replace = tuple(name for name in ("params",) if name in updates)
        try:
            self.user_settings.save(updates, replace, **changes)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.notify(f"Not saved: {reason}", title="Settings", severity="error")
            return False
        return True

    # --- text fields: checked as typed, saved on Enter or on leaving the field ---------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("s-")
        if name in _TEXT_FIELDS:
            _value, problem = check_field(name, event.value)
            self._note(name, problem)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        name = (event.input.id or "").removeprefix("s-")
        if name in _TEXT_FIELDS:
            event.stop()
            if not self.commit(name):
                self.notify(f"{self._LABELS[name]}: not saved", title="Settings", severity="error")

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        name = (event.input.id or "").removeprefix("s-")
        if name in _TEXT_FIELDS:
            self.commit(name)

    def commit(self, name: str) -> bool:
        """Save a text field when its value is good and new; False when it is refused."""
        text = self.query_one(f"#s-{name}", Input).value
        value, problem = check_field(name, text)
        if problem is not None:
            self._note(name, problem)
            return False
        current = getattr(self.settings, name)
        if value == (current or ""):
            return True
        if name == "model":
            saved = self._save({"model": value or None}, model=value or None)
            done = f"new chats use {value}" if value else "new chats ask for a model"
        else:
            saved = self._save({name: value}, **{name: value})
            done = "used from the next picture attached"
        if saved:
            self._note(name, done=done)
        return saved

    # --- buttons, switches, the theme --------------------------------------------------

    @on(Button.Pressed, "#pick-model")
    def pick_model(self) -> None:
        """Choose the default model in the model picker."""
        from routmy_tui.ui.models.conversation_settings import pick_model

        def picked(model_id: str | None) -> None:
            if model_id:
                self.query_one("#s-model", Input).value = model_id
                self.commit("model")

        self.app.call_later(pick_model, self.app, self.settings.model or "", picked)

    @on(Button.Pressed, "#edit-params")
    def edit_params(self) -> None:
        """Edit the default parameters in the parameters screen (its checks apply)."""
        from routmy_tui.ui.models.params_screen import ParamsScreen

        def done(params: ChatParams | None) -> None:
            if params is None:
                return
            data = params.to_dict()
            data.pop("tools", None)  # tools belong to a conversation
            if self._save({"params": data}, params=data):
                self.query_one("#s-params", Static).update(make_safe(params_summary(data)))
                self._note("params", done="used by the next new chat")

        defaults = ChatParams.from_dict(self.settings.params)
        screen = ParamsScreen(
            defaults, self.user_settings, None, title="Default parameters of new chats"
        )
        self.app.call_later(self.app.push_screen, screen, done)

    @on(Button.Pressed, "#edit-system-prompt")
    def edit_system_prompt(self) -> None:
        """Edit the default system prompt in the system prompt editor."""
        from routmy_tui.ui.models.system_prompt import SystemPromptScreen

        def done(prompt: str | None) -> None:
            if prompt is None:
                return
            if self._save({"system_prompt": prompt or None}, system_prompt=prompt):
                summary = make_safe(prompt_summary(prompt))
                self.query_one("#s-system_prompt", Static).update(summary)
                self._note("system_prompt", done="used by the next new chat")

        screen = SystemPromptScreen(
            self.settings.system_prompt,
            self.user_settings,
            title="Default system prompt of new chats",
        )
        self.app.call_later(self.app.push_screen, screen, done)

    @on(Checkbox.Changed)
    def _switched(self, event: Checkbox.Changed) -> None:
        name = (event.checkbox.id or "").removeprefix("s-")
        if name not in ("stream", *CONFIRMATIONS) or getattr(self.settings, name) == event.value:
            return
        if not self._save({name: event.value}, **{name: event.value}):
            with event.checkbox.prevent(Checkbox.Changed):
                event.checkbox.value = getattr(self.settings, name)

    @on(Select.Changed, "#s-theme")
    def _theme_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.app.theme:
            self.app.theme = event.value  # the app saves a theme the user picks

    def action_close(self) -> None:
        """Back to where Settings was opened (every change is already saved)."""
        self.app.pop_screen()
