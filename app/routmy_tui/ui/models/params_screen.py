"""The parameters screen: every request field of a conversation, validated as typed, presets."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from routmy_tui.config.settings import Settings
from routmy_tui.core.catalog import unsupported_params
from routmy_tui.core.request import ChatParams
from routmy_tui.core.text import make_safe
from routmy_tui.core.types import ModelInfo
from routmy_tui.services.container import UserSettings
from routmy_tui.ui.commands import bindings_for
from routmy_tui.ui.models.params_form import (
    ASPECT_RATIOS,
    FIELD_PARAM,
    IMAGE_SIZES,
    REASONING_MODES,
    FormValues,
    form_from_params,
    parse_form,
)

_TEXT_FIELDS = ("temperature", "top_p", "max_tokens", "max_output_tokens", "schema_name")
_AREA_FIELDS = ("stop", "schema", "metadata", "extra")
_SELECT_FIELDS = (
    "response_format",
    "reasoning",
    "tool_choice",
    "image_output",
    "aspect_ratio",
    "image_size",
)
_CHECK_FIELDS = ("schema_strict", "reasoning_exclude")
_AREA_INPUT_FIELDS = ("reasoning_max_tokens",)

_LABELS = {
    "temperature": "temperature",
    "top_p": "top_p",
    "max_tokens": "max_tokens",
    "max_output_tokens": "max_output_tokens",
    "stop": "stop (one a line)",
    "response_format": "response_format",
    "schema_name": "  schema name",
    "schema": "  JSON schema",
    "reasoning": "reasoning",
    "reasoning_max_tokens": "  reasoning max tokens",
    "tool_choice": "tool_choice",
    "image_output": "image output",
    "aspect_ratio": "  aspect ratio",
    "image_size": "  image size",
    "metadata": "metadata (JSON)",
    "extra": "extra fields (JSON)",
}
_HINTS = {
    "temperature": "0 to 2",
    "top_p": "0 to 1",
    "max_tokens": "e.g. 1024",
    "max_output_tokens": "e.g. 1024",
    "schema_name": "response",
    "reasoning_max_tokens": "e.g. 2000",
}


class ParamsScreen(ModalScreen[ChatParams | None]):
    """Edit a conversation's parameters; dismisses with the new `ChatParams` or None.

    Args:
        params: The conversation's current parameters.
        settings: The settings in force: the defaults (`params`) and the presets (written).
        model: The conversation's model, to mark fields it is known not to support.
        title: The heading (the Settings screen edits the defaults of new chats here).
    """

    CSS_PATH = "params_screen.tcss"

    BINDINGS = bindings_for("params")

    def __init__(
        self,
        params: ChatParams,
        settings: UserSettings,
        model: ModelInfo | None,
        *,
        title: str = "Parameters of this conversation",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.base = params
        self.user_settings = settings
        self.model = model
        self.unsupported = (unsupported_params(model) or set()) if model else set()
        self.values = form_from_params(params)
        self.errors: dict[str, str] = {}

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        values = self.values
        with Vertical(id="params"):
            title = self.title_text
            if self.model is not None:
                title += f" · {make_safe(self.model.id)}"
            yield Static(title, id="params-title", markup=False)
            with Horizontal(id="preset-row"):
                yield Select[str](
                    [(make_safe(n), n) for n in self.settings.presets],
                    prompt="preset…",
                    id="preset-select",
                )
                yield Button("Load", id="preset-load")
                yield Input(placeholder="preset name", id="preset-name")
                yield Button("Save preset", id="preset-save")
                yield Button("Delete", id="preset-delete")
            with VerticalScroll(id="params-fields"):
                for name in ("temperature", "top_p", "max_tokens", "max_output_tokens"):
                    yield self._row(name, self._input(name, getattr(values, name)))
                yield self._row("stop", self._area("stop", values.stop))
                yield self._row(
                    "response_format",
                    Select[str](
                        [
                            ("off", "off"),
                            ("JSON object", "json_object"),
                            ("JSON schema", "json_schema"),
                        ],
                        value=values.response_format,
                        allow_blank=False,
                        id="p-response_format",
                    ),
                )
                yield self._row("schema_name", self._input("schema_name", values.schema_name))
                yield self._row("schema", self._area("schema", values.schema, "json"))
                yield Checkbox("strict schema", values.schema_strict, id="p-schema_strict")
                yield self._row(
                    "reasoning",
                    Select[str](
                        [(m if m != "max_tokens" else "token budget", m) for m in REASONING_MODES],
                        value=values.reasoning,
                        allow_blank=False,
                        id="p-reasoning",
                    ),
                )
                yield self._row(
                    "reasoning_max_tokens",
                    self._input("reasoning_max_tokens", values.reasoning_max_tokens),
                )
                yield Checkbox(
                    "exclude reasoning from the reply",
                    values.reasoning_exclude,
                    id="p-reasoning_exclude",
                )
                choices = [
                    ("not sent", ""),
                    ("auto", "auto"),
                    ("none", "none"),
                    ("required", "required"),
                ]
                if values.tool_choice == "keep":
                    choices.append(("named function (kept)", "keep"))
                yield self._row(
                    "tool_choice",
                    Select[str](
                        choices, value=values.tool_choice, allow_blank=False, id="p-tool_choice"
                    ),
                    note="takes effect once tools are offered",
                )
                yield from self._image_rows(values)
                yield self._row("metadata", self._area("metadata", values.metadata, "json"))
                yield self._row("extra", self._area("extra", values.extra, "json"))
            with Horizontal(id="params-buttons"):
                yield Button("Apply", variant="primary", id="params-apply")
                yield Button("Defaults", id="params-defaults")
                yield Button("Cancel", id="params-cancel")
                yield Static("Ctrl+S apply · Esc cancel", id="params-help")

    def _image_rows(self, values: FormValues) -> ComposeResult:
        """Image output (modalities) and its image_config: aspect ratio and size."""
        outputs = [
            ("auto: when the model makes pictures", "auto"),
            ("on: image and text", "on"),
            ("off: text only", "off"),
        ]
        yield self._row(
            "image_output",
            Select[str](outputs, value=values.image_output, allow_blank=False, id="p-image_output"),
            note="sent as modalities",
        )
        ratios = [("not sent", "")] + [(r, r) for r in ASPECT_RATIOS if r]
        yield self._row(
            "aspect_ratio",
            Select[str](ratios, value=values.aspect_ratio, allow_blank=False, id="p-aspect_ratio"),
        )
        sizes = [("not sent", "")] + [(z, z) for z in IMAGE_SIZES if z]
        yield self._row(
            "image_size",
            Select[str](sizes, value=values.image_size, allow_blank=False, id="p-image_size"),
        )

    def _row(self, name: str, widget: Widget, note: str = "") -> Horizontal:
        label = _LABELS[name]
        param = FIELD_PARAM.get(name)
        classes = "param-row"
        if param in self.unsupported:
            label += " ⚠"
            classes += " -unsupported"
            note = note or "not supported by this model"
        error = Static(note, id=f"err-{name}", classes="param-error", markup=False)
        error.tooltip = note or None
        return Horizontal(
            Label(label, classes="param-label"), widget, error, id=f"row-{name}", classes=classes
        )

    def _input(self, name: str, value: str) -> Input:
        return Input(value, placeholder=_HINTS.get(name, ""), id=f"p-{name}")

    def _area(self, name: str, value: str, language: str | None = None) -> TextArea:
        area = TextArea(value, id=f"p-{name}", soft_wrap=True, show_line_numbers=False)
        area.add_class("param-area")
        return area

    def on_mount(self) -> None:
        self.validate()
        self.query_one("#p-temperature", Input).focus()

    # --- reading and validating -------------------------------------------------------

    def read_form(self) -> FormValues:
        """The form's current values."""
        changes: dict[str, Any] = {}
        for name in (*_TEXT_FIELDS, *_AREA_INPUT_FIELDS):
            changes[name] = self.query_one(f"#p-{name}", Input).value
        for name in _AREA_FIELDS:
            changes[name] = self.query_one(f"#p-{name}", TextArea).text
        for name in _SELECT_FIELDS:
            value = self.query_one(f"#p-{name}", Select).value
            changes[name] = value if isinstance(value, str) else ""
        for name in _CHECK_FIELDS:
            changes[name] = self.query_one(f"#p-{name}", Checkbox).value
        return FormValues(**changes)

    def write_form(self, values: FormValues) -> None:
        """Show `values` in the form."""
        for name in (*_TEXT_FIELDS, *_AREA_INPUT_FIELDS):
            self.query_one(f"#p-{name}", Input).value = getattr(values, name)
        for name in _AREA_FIELDS:
            self.query_one(f"#p-{name}", TextArea).text = getattr(values, name)
        for name in _SELECT_FIELDS:
            value = getattr(values, name)
            select = self.query_one(f"#p-{name}", Select)
            if name == "tool_choice" and value == "keep":
                value = ""
            select.value = value
        for name in _CHECK_FIELDS:
            self.query_one(f"#p-{name}", Checkbox).value = getattr(values, name)
        self.validate()

    def validate(self) -> tuple[ChatParams, dict[str, str]]:
        """Parse the form and show each field's error beside it."""
        values = self.read_form()
        params, errors = parse_form(values, self.base)
        self.errors = errors
        for row in self.query(".param-row"):
            name = (row.id or "").removeprefix("row-")
            error = row.query_one(".param-error", Static)
            if name in errors:
                error.update(Text("✖ " + errors[name], style="bold red"))
                row.add_class("-invalid")
            else:
                error.update(str(error.tooltip or ""))
                row.remove_class("-invalid")
        self.query_one("#row-schema_name").display = values.response_format == "json_schema"
        self.query_one("#row-schema").display = values.response_format == "json_schema"
        self.query_one("#p-schema_strict").display = values.response_format == "json_schema"
        self.query_one("#row-reasoning_max_tokens").display = values.reasoning == "max_tokens"
        pictures = values.image_output != "off"
        self.query_one("#row-aspect_ratio").display = pictures
        self.query_one("#row-image_size").display = pictures
        self.query_one("#params-apply", Button).disabled = bool(errors)
        return params, errors

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _field_changed(self, event: Any) -> None:
        if getattr(event.control, "id", "") in ("preset-select", "preset-name"):
            return
        self.validate()

    # --- buttons ----------------------------------------------------------------------

    @on(Button.Pressed, "#params-apply")
    def action_apply(self) -> None:
        """Use the parameters for this conversation (only when every field is valid)."""
        params, errors = self.validate()
        if errors:
            self.notify("Fix the marked fields first.", severity="error")
            return
        self.dismiss(params)

    @on(Button.Pressed, "#params-cancel")
    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)

    @on(Button.Pressed, "#params-defaults")
    def load_defaults(self) -> None:
        """Fill the form with the config file's defaults."""
        self.write_form(form_from_params(ChatParams.from_dict(self.settings.params)))

    @on(Button.Pressed, "#preset-load")
    def load_preset(self) -> None:
        """Fill the form from the chosen preset."""
        name = self.query_one("#preset-select", Select).value
        if not isinstance(name, str) or name not in self.settings.presets:
            self.notify("Choose a preset first.", severity="warning")
            return
        self.write_form(form_from_params(ChatParams.from_dict(self.settings.presets[name])))
        self.query_one("#preset-name", Input).value = name

    @on(Button.Pressed, "#preset-save")
    def save_preset(self) -> None:
        """Save the form as a named preset in the config file."""
        name = self.query_one("#preset-name", Input).value.strip()
        if not name:
            self.notify("Give the preset a name.", severity="warning")
            return
        params, errors = self.validate()
        if errors:
            self.notify("Fix the marked fields first.", severity="error")
            return
        data = params.to_dict()
        data.pop("tools", None)  # tools belong to a conversation, not to a preset
        self._write_presets({name: data}, f"Preset {name!r} saved")

    @on(Button.Pressed, "#preset-delete")
    def delete_preset(self) -> None:
        """Remove the chosen (or named) preset from the config file."""
        name = self.query_one("#preset-name", Input).value.strip()
        chosen = self.query_one("#preset-select", Select).value
        name = (
            name if name in self.settings.presets else (chosen if isinstance(chosen, str) else "")
        )
        if name not in self.settings.presets:
            self.notify("No such preset.", severity="warning")
            return
        self._write_presets({name: None}, f"Preset {name!r} deleted")

    @property
    def settings(self) -> Settings:
        """The settings in force."""
        return self.user_settings.current

    def _write_presets(self, updates: dict[str, Any], done: str) -> None:
        presets = dict(self.settings.presets)
        for name, data in updates.items():
            if data is None:
                presets.pop(name, None)
            else:
                presets[name] = data
        try:
            self.user_settings.save({"presets": updates}, presets=presets)
        except (OSError, ValueError) as exc:
            self.notify(f"Could not save: {exc}", severity="error")
            return
        self.query_one("#preset-select", Select).set_options([(make_safe(n), n) for n in presets])
        self.notify(done)
