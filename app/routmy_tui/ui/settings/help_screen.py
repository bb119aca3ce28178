"""Help (F1, or ? outside text boxes): every key of the app, by screen, made from the table."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from routmy_tui.ui.commands import COMMANDS, WHERE, bindings_for, key_label, keys_of


def help_text(keymap: Mapping[str, str]) -> Text:
    """The help as plain text lines: a heading per place, then `keys  what` rows."""
    text = Text()
    for heading, rows in help_rows(keymap):
        text.append(heading + "\n", style="bold")
        for keys, what in rows:
            text.append(f"  {keys:<18} {what}\n")
        text.append("\n")
    return text


def help_rows(keymap: Mapping[str, str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(heading, [(keys as shown, what it does)]) for each place, in `WHERE` order.

    A remapped key says so, with its default.
    """
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for where, heading in WHERE.items():
        rows = []
        for command in COMMANDS:
            if command.where != where:
                continue
            keys = keys_of(command, keymap)
            if not keys:
                continue
            what = command.title or command.label
            if command.id in keymap and keymap[command.id] != command.keys:
                what += f"  (remapped; default {key_label(command.keys) or 'none'})"
            rows.append((key_label(keys), what))
        if rows:
            out.append((heading, rows))
    return out


def help_table(keymap: Mapping[str, str]) -> Group:
    """The help: a heading per place, then a two-column grid of keys and what they do."""
    parts: list[RenderableType] = []
    sections = [*help_rows(keymap), ("Text boxes", [("", "the usual editing keys")])]
    width = max(len(keys) for _, rows in sections for keys, _ in rows)
    for heading, rows in sections:
        parts.append(Text(heading, style="bold underline"))
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold", min_width=width)
        table.add_column()
        for keys, what in rows:
            table.add_row(keys, what)
        parts += [table, Text("")]
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """Every key of the app: its own first, grouped by screen, remapped keys shown."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > Vertical {
        width: 90%;
        max-width: 100;
        height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-title {
        height: 1;
        text-style: bold;
    }
    """

    BINDINGS = bindings_for("help")

    def __init__(self, keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.keymap = dict(keymap)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Keys · Escape closes · Ctrl+P lists every command", id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(help_table(self.keymap), id="help-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)


def keys_markdown() -> str:
    """The default keys as Markdown tables, one per place (the README's key tables)."""
    out: list[str] = []
    for heading, rows in help_rows({}):
        out += [f"**{heading}**", "", "| key | what |", "|---|---|"]
        out += [f"| `{keys}` | {what} |" for keys, what in rows]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
