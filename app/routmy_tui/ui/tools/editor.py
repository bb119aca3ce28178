"""The tools editor: a conversation's function tools, each checked as typed, and tool_choice."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from routmy_tui.config import toolsets as sets
from routmy_tui.core.text import make_safe
from routmy_tui.core.toolsets import FunctionTool, ToolSetError, parse_tool

ToolChoice = str | dict[str, Any] | None
"""What `tool_choice` sends: None (not sent), "auto", "none", "required" or a named function."""

UNSET = "(not sent)"
FIXED_CHOICES = ("auto", "none", "required")
NEW_TOOL = {
    "name": "new_tool",
    "description": "What it does, for the model.",
    "parameters": {"type": "object", "properties": {}, "required": []},
}


@dataclass
class ToolsResult:
    """What the editor gives back.

    Attributes:
        tools: The function tools, in order (empty: no tools are offered).
        tool_choice: The `tool_choice` to send (None: not sent).
    """

    tools: list[FunctionTool]
    tool_choice: ToolChoice


def choice_key(choice: ToolChoice) -> str:
    """The editor's option value for a `tool_choice`."""
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        return f"fn:{name}" if isinstance(name, str) else UNSET
    return choice if choice in FIXED_CHOICES else UNSET


def choice_value(key: str) -> ToolChoice:
    """The `tool_choice` an option value stands for."""
    if key.startswith("fn:"):
        return {"type": "function", "function": {"name": key[3:]}}
    return key if key in FIXED_CHOICES else None


def _editor_text(tool: FunctionTool) -> str:
    return json.dumps(tool.to_editor(), indent=2, ensure_ascii=False)


class ToolsEditor(ModalScreen[ToolsResult | None]):
    """Edit a conversation's tools; dismisses with a `ToolsResult` or None (cancelled).

    Args:
        tools: The conversation's tools.
        tool_choice: Its `tool_choice`.
        folder: Where saved sets live (the config folder's `tools/` by default).
    """

    DEFAULT_CSS = """
    ToolsEditor { align: center middle; }
    ToolsEditor > #tools {
        width: 96%; max-width: 130; height: 94%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ToolsEditor #tools-title { height: 1; text-style: bold; }
    ToolsEditor .tools-row { height: 3; }
    ToolsEditor #set-select { width: 28; }
    ToolsEditor #tools-path { width: 1fr; }
    ToolsEditor #tools-body { height: 1fr; }
    ToolsEditor #tool-list { width: 30; height: 1fr; border: round $primary 40%; }
    ToolsEditor #tool-text { width: 1fr; height: 1fr; }
    ToolsEditor #tool-error { height: auto; max-height: 3; padding: 0 1; }
    ToolsEditor #tool-error.-bad { color: $error; }
    ToolsEditor #tool-error.-good { color: $success; }
    ToolsEditor #choice-label { width: auto; padding: 1 1 0 0; }
    ToolsEditor #choice-select { width: 34; }
    ToolsEditor #set-name { width: 20; }
    ToolsEditor #tools-help { width: 1fr; padding: 1 0 0 2; color: $text-muted; }
    ToolsEditor.-narrow > #tools { width: 100%; }
    ToolsEditor.-narrow #set-select { width: 20; }
    ToolsEditor.-narrow #tool-list { width: 18; }
    ToolsEditor.-narrow #tools-path, ToolsEditor.-narrow #set-name { min-width: 12; }
    ToolsEditor.-narrow #choice-row {
        layout: grid;
        grid-size: 3;
        grid-columns: auto 1fr auto;
        grid-rows: auto;
        height: auto;
    }
    ToolsEditor.-narrow #choice-select, ToolsEditor.-narrow #set-name { width: 1fr; }
    ToolsEditor.-low > #tools, ToolsEditor.-short > #tools { height: 100%; }
    ToolsEditor.-short .tools-row { height: auto; }
    ToolsEditor.-short #choice-label { padding: 0 1 0 0; }
    ToolsEditor.-short #tools-help { padding: 0 0 0 2; height: 1; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="tools-cancel"),
        Binding("ctrl+s", "apply", "Apply", id="tools-apply"),
        Binding("ctrl+n", "new_tool", "New tool", id="tools-new"),
    ]

    def __init__(
        self, tools: list[FunctionTool], tool_choice: ToolChoice, folder: Path | None = None
    ) -> None:
        super().__init__()
        self.folder = folder
        self.texts: list[str] = [_editor_text(t) for t in tools]
        self.current = 0
        self.choice = choice_key(tool_choice)
        self._names: tuple[str, ...] = ()

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="tools"):
            yield Static("Tools of this conversation", id="tools-title")
            with Horizontal(classes="tools-row"):
                yield Select[str](self._set_options(), prompt="saved sets…", id="set-select")
                yield Input(placeholder="load a file: tools .json or .toml", id="tools-path")
                yield Button("Load file", id="load-file")
            with Horizontal(id="tools-body"):
                yield OptionList(id="tool-list")
                yield TextArea("", id="tool-text", soft_wrap=True, show_line_numbers=True)
            yield Static("", id="tool-error", markup=False)
            with Horizontal(classes="tools-row", id="choice-row"):
                yield Static("tool_choice", id="choice-label")
                yield Select[str](
                    [(UNSET, UNSET)], allow_blank=False, id="choice-select", value=UNSET
                )
                yield Button("New", id="tool-new")
                yield Button("Delete", id="tool-delete")
                yield Input(placeholder="set name", id="set-name")
                yield Button("Save set", id="set-save")
            with Horizontal(classes="tools-row"):
                yield Button("Apply", variant="primary", id="tools-apply")
                yield Button("Cancel", id="tools-cancel")
                yield Static(
                    "Ctrl+S apply · Ctrl+N new tool · Esc cancel · a tool is a JSON object:"
                    " name, description, parameters (JSON Schema), optional command (argv)",
                    id="tools-help",
                    markup=False,
                )

    def on_mount(self) -> None:
        self._show(0)
        self._refresh_list()
        self.query_one("#tool-text", TextArea).focus()

    def _set_options(self) -> list[tuple[str, str]]:
        return [(make_safe(name), name) for name in sets.saved_sets(self.folder)]

    # --- checking ------------------------------------------------------------------------

    def check(self, index: int) -> tuple[FunctionTool | None, ToolSetError | None]:
        """Parse tool `index`; an earlier tool with the same name makes it a duplicate."""
        earlier: list[str] = []
        for text in self.texts[:index]:
            try:
                earlier.append(parse_tool(text).name)
            except ToolSetError:
                continue
        try:
            return parse_tool(self.texts[index], earlier), None
        except ToolSetError as exc:
            return None, exc

    def _label(self, index: int) -> str:
        tool = self.check(index)[0]
        if tool is not None:
            runs = "  ▶ program" if tool.command else ""
            return make_safe(tool.name) + runs
        try:
            name = str(json.loads(self.texts[index]).get("name") or "(no name)")
        except (ValueError, AttributeError, RecursionError):
            name = f"tool {index + 1}"
        return f"✖ {make_safe(name)}"

    def _refresh_list(self) -> None:
        listing = self.query_one("#tool-list", OptionList)
        listing.clear_options()
        listing.add_options([Option(self._label(i)) for i in range(len(self.texts))])
        if self.texts:
            listing.highlighted = self.current
        self._refresh_error()
        self._refresh_choices()

    def _refresh_error(self) -> None:
        line = self.query_one("#tool-error", Static)
        if not self.texts:
            line.update("No tools: none are sent. New (Ctrl+N) adds one; or load a set or a file.")
            line.set_classes("")
            return
        tool, error = self.check(self.current)
        if error is not None:
            line.update(f"✖ {error}")
            line.set_classes("-bad")
        else:
            assert tool is not None
            what = "answered by you"
            if tool.command:
                ask = "without asking" if tool.auto_approve else "after you approve each call"
                what = f"answered by running {' '.join(tool.command)} {ask}"
            line.update(make_safe(f"✔ {tool.name}: valid; {what}"))
            line.set_classes("-good")

    def _valid_names(self) -> tuple[str, ...]:
        return tuple(tool.name for tool, _ in map(self.check, range(len(self.texts))) if tool)

    def _refresh_choices(self) -> None:
        names = self._valid_names()
        select = self.query_one("#choice-select", Select)
        if names == self._names and select.value == self.choice:
            return
        self._names = names
        options = [(UNSET, UNSET)] + [(c, c) for c in FIXED_CHOICES]
        options += [(f"function: {make_safe(n)}", f"fn:{n}") for n in names]
        keys = {value for _, value in options}
        with self.prevent(Select.Changed):
            select.set_options(options)
            select.value = self.choice if self.choice in keys else UNSET

    # --- editing -------------------------------------------------------------------------

    def _show(self, index: int) -> None:
        area = self.query_one("#tool-text", TextArea)
        self.current = max(0, min(index, len(self.texts) - 1))
        area.disabled = not self.texts
        with self.prevent(TextArea.Changed):
            area.text = self.texts[self.current] if self.texts else ""

    @on(TextArea.Changed, "#tool-text")
    def typed(self, event: TextArea.Changed) -> None:
        """Check the tool as it is typed; its list entry and the error line follow."""
        if not self.texts:
            return
        self.texts[self.current] = event.text_area.text
        listing = self.query_one("#tool-list", OptionList)
        for index in range(self.current, len(self.texts)):
            listing.replace_option_prompt_at_index(index, self._label(index))
        self._refresh_error()
        self._refresh_choices()

    @on(OptionList.OptionHighlighted, "#tool-list")
    def picked(self, event: OptionList.OptionHighlighted) -> None:
        """Edit the highlighted tool."""
        if event.option_index != self.current:
            self._show(event.option_index)
            self._refresh_error()

    @on(Select.Changed, "#choice-select")
    def choice_changed(self, event: Select.Changed) -> None:
        """Remember the chosen tool_choice."""
        if isinstance(event.value, str):
            self.choice = event.value

    @on(Button.Pressed, "#tool-new")
    def action_new_tool(self) -> None:
        """Add a tool to fill in."""
        names = set(self._valid_names())
        tool = dict(NEW_TOOL)
        number = 1
        while tool["name"] in names:
            number += 1
            tool["name"] = f"new_tool_{number}"
        self.texts.append(json.dumps(tool, indent=2))
        self._show(len(self.texts) - 1)
        self._refresh_list()
        self.query_one("#tool-text", TextArea).focus()

    @on(Button.Pressed, "#tool-delete")
    def delete_tool(self) -> None:
        """Remove the tool being edited."""
        if not self.texts:
            return
        del self.texts[self.current]
        self._show(self.current)
        self._refresh_list()

    def replace_tools(self, tools: list[FunctionTool], where: str) -> None:
        """Show another set of tools (loaded from a file or a saved set)."""
        self.texts = [_editor_text(t) for t in tools]
        self._show(0)
        self._refresh_list()
        self.notify(f"Loaded {len(tools)} tool(s) from {make_safe(where)}.")

    @on(Select.Changed, "#set-select")
    def load_set(self, event: Select.Changed) -> None:
        """Load a saved set picked by name."""
        name = event.value
        if not isinstance(name, str):
            return
        try:
            tools = sets.load_tool_set(name, self.folder)
        except ToolSetError as exc:
            self.notify(make_safe(str(exc)), title="Tool set", severity="error")
            return
        self.query_one("#set-name", Input).value = name
        self.replace_tools(tools, f"set {name!r}")

    @on(Button.Pressed, "#load-file")
    @on(Input.Submitted, "#tools-path")
    def load_file(self) -> None:
        """Load the tools of the file named in the path field."""
        raw = self.query_one("#tools-path", Input).value.strip()
        if not raw:
            self.notify("Type the path of a tools .json or .toml file.", severity="warning")
            return
        try:
            tools, notes = sets.read_tools_file(Path(raw).expanduser())
        except ToolSetError as exc:
            self.query_one("#tool-error", Static).update(f"✖ {exc}")
            self.query_one("#tool-error", Static).set_classes("-bad")
            self.notify(make_safe(str(exc)), title="Load tools", severity="error")
            return
        self.replace_tools(tools, raw)
        for note in notes:
            self.notify(make_safe(note), severity="warning", timeout=10)

    def _all_tools(self) -> list[FunctionTool] | None:
        """Every tool, or None after pointing at the first bad one."""
        tools: list[FunctionTool] = []
        for index in range(len(self.texts)):
            tool, error = self.check(index)
            if tool is None:
                self._show(index)
                self._refresh_list()
                self.notify(
                    make_safe(f"Tool {index + 1} cannot be used: {error}"), severity="error"
                )
                return None
            tools.append(tool)
        return tools

    @on(Button.Pressed, "#set-save")
    def save_set(self) -> None:
        """Save the tools as a named set in the config folder."""
        name = self.query_one("#set-name", Input).value.strip()
        tools = self._all_tools()
        if tools is None:
            return
        try:
            path = sets.save_tool_set(name, tools, self.folder)
        except (ToolSetError, OSError) as exc:
            self.notify(make_safe(f"Could not save the set: {exc}"), severity="error")
            return
        with self.prevent(Select.Changed):
            self.query_one("#set-select", Select).set_options(self._set_options())
        self.notify(make_safe(f"Saved {len(tools)} tool(s) as {name!r} ({path})."))

    @on(Button.Pressed, "#tools-apply")
    def action_apply(self) -> None:
        """Use these tools and tool_choice for the conversation."""
        tools = self._all_tools()
        if tools is None:
            return
        choice = choice_value(self.choice)
        if isinstance(choice, dict) and self.choice[3:] not in {t.name for t in tools}:
            self.notify(
                make_safe(f"tool_choice names {self.choice[3:]!r}, which is not among the tools."),
                severity="error",
            )
            return
        if not tools and choice is not None:
            choice = None  # servers refuse a tool_choice without tools
        self.dismiss(ToolsResult(tools, choice))

    @on(Button.Pressed, "#tools-cancel")
    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)
