"""The Settings screen's Keys tab: every binding with its keys, each one editable.

A key string Textual cannot use, or a key another command already answers where this one
applies, is refused with the reason; the binding in force is kept.
"""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Static

from routmy_tui.ui.commands import (
    BY_ID,
    COMMANDS,
    WHERE,
    key_clash,
    key_label,
    key_problem,
    keys_of,
    normalize_keys,
)
from routmy_tui.ui.host import AppHost


class KeymapPane(Vertical):
    """The bindings as a table; the highlighted one is edited in the field below it."""

    DEFAULT_CSS = """
    KeymapPane { height: 1fr; }
    KeymapPane #keys-table { height: 1fr; }
    KeymapPane #key-note { height: auto; color: $text-muted; }
    KeymapPane #key-note.-invalid { color: $error; }
    KeymapPane #key-edit { height: 1; }
    KeymapPane #key-input { width: 1fr; min-width: 12; }
    """

    @property
    def host(self) -> AppHost:
        """The app, typed."""
        return cast(AppHost, self.app)

    def compose(self) -> ComposeResult:
        yield DataTable[Text](id="keys-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="key-note")
        with Horizontal(id="key-edit"):
            yield Input(placeholder="e.g. ctrl+k, f6 or escape,q", id="key-input", compact=True)
            yield Button("Set", id="key-set", compact=True)
            yield Button("Default", id="key-default", compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("keys", key="keys")
        table.add_column("command", key="command")
        table.add_column("where", key="where")
        for command in COMMANDS:
            if command.keys:
                table.add_row(
                    self._keys_cell(command.id),
                    Text(command.title or command.label),
                    Text(WHERE[command.where]),
                    key=command.id,
                )

    def _keys_cell(self, binding_id: str) -> Text:
        """The keys in force, bold when they are not the default."""
        command = BY_ID[binding_id]
        keys = keys_of(command, self.host.keymap)
        return Text(key_label(keys), style="bold" if keys != command.keys else "")

    @property
    def selected(self) -> str | None:
        """The binding id of the highlighted row."""
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        row_key, _column = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def _say(self, text: str, problem: bool = False) -> None:
        note = self.query_one("#key-note", Static)
        note.set_class(problem, "-invalid")
        note.update(Text(text))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        binding_id = event.row_key.value
        if binding_id is None:
            return
        command = BY_ID[binding_id]
        self.query_one("#key-input", Input).value = keys_of(command, self.host.keymap)
        default = key_label(command.keys)
        self._say(f"{command.title or command.label} ({WHERE[command.where]}) · default {default}")

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.query_one("#key-input", Input).focus()

    @on(Input.Submitted, "#key-input")
    @on(Button.Pressed, "#key-set")
    def _set(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        binding_id = self.selected
        if binding_id is not None:
            self.set_keys(binding_id, self.query_one("#key-input", Input).value)

    @on(Button.Pressed, "#key-default")
    def _default(self, event: Button.Pressed) -> None:
        event.stop()
        binding_id = self.selected
        if binding_id is not None:
            self.set_keys(binding_id, BY_ID[binding_id].keys)

    def set_keys(self, binding_id: str, text: str) -> bool:
        """Bind `binding_id` to the keys typed, if Textual can use them and none clashes.

        Returns:
            Whether the keys were saved (and are used at once).
        """
        command = BY_ID[binding_id]
        keys = normalize_keys(text)
        problem = key_problem(keys) or key_clash(binding_id, keys, self.host.keymap)
        name = command.title or command.label
        if problem is not None:
            kept = key_label(keys_of(command, self.host.keymap))
            self._say(f"✖ {problem}. {name} keeps {kept}.", problem=True)
            return False
        user = self.host.services.settings
        keymap = dict(user.current.keymap)
        if keys == command.keys:
            keymap.pop(binding_id, None)
        else:
            keymap[binding_id] = keys
        try:
            user.save(
                {"keymap": {binding_id: keys if keys != command.keys else None}}, keymap=keymap
            )
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._say(f"✖ Not saved: {reason}", problem=True)
            return False
        table = self.query_one(DataTable)
        table.update_cell(binding_id, "keys", self._keys_cell(binding_id), update_width=True)
        self.query_one("#key-input", Input).value = keys
        self._say(f"✔ {name}: {key_label(keys)}, saved and in use")
        return True
