"""Copy a code block of a reply: by a click on its header, or from the palette (with a choice)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from routmy_tui.core.text import make_safe
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.code_blocks import CodeSource, code_sources
from routmy_tui.ui.chat.conversation_view import ConversationView
from routmy_tui.ui.chat.copy_actions import copy_text
from routmy_tui.ui.chat.items import Item

PREVIEW = 48
"""Characters of a block's first line shown in the choice."""


def sources_of(item: Item) -> list[CodeSource]:
    """The code blocks of a message as written (a reply's drawn Markdown, a user's text)."""
    if isinstance(item, AssistantItem) and not item.json_mode:
        return code_sources(item.markdown.text)
    return []  # a user's message is drawn as plain text: no code blocks on screen


def _target(screen: Screen[Any]) -> Item | None:
    view = screen.query_one(ConversationView)
    if view.selected is not None and view.selected < len(view.items):
        return view.items[view.selected]
    return view.target_reply()


def describe(number: int, source: CodeSource) -> str:
    """One line naming a block in the choice: number, language, size, first line."""
    first = next((line.strip() for line in source.code.split("\n") if line.strip()), "")
    if len(first) > PREVIEW:
        first = first[: PREVIEW - 1] + "…"
    lines = "1 line" if source.lines == 1 else f"{source.lines} lines"
    return f"{number + 1}. {source.language or 'code'} · {lines} · {first}"


def copy_block(screen: Screen[Any], sources: list[CodeSource], number: int) -> None:
    """Copy block `number` of `sources` exactly as written (OSC 52 and a 0600 file)."""
    if not 0 <= number < len(sources):
        screen.app.notify("That code block is not in the message any more.", severity="warning")
        return
    source = sources[number]
    what = f"the {source.language} code block" if source.language else "the code block"
    copy_text(screen, source.code, what, "code")


def copy_code(screen: Screen[Any]) -> None:
    """Copy a code block of the selected message (else the newest reply); ask which one
    when it has several, the last one preselected."""
    item = _target(screen)
    sources = sources_of(item) if item is not None else []
    if not sources:
        screen.app.notify("No code block in this message.", severity="warning")
        return
    if len(sources) == 1:
        copy_block(screen, sources, 0)
        return

    def chosen(number: int | None) -> None:
        if number is not None:
            copy_block(screen, sources, number)

    screen.app.push_screen(CodeBlockDialog(sources), chosen)


class CodeBlockDialog(ModalScreen[int | None]):
    """Which code block to copy: one line each, the last one highlighted."""

    DEFAULT_CSS = """
    CodeBlockDialog {
        align: center middle;
    }
    CodeBlockDialog > Vertical {
        width: 80%;
        max-width: 90;
        min-width: 30;
        height: auto;
        max-height: 80%;
        padding: 1 2;
        border: thick $primary;
        background: $surface;
    }
    CodeBlockDialog OptionList {
        height: auto;
        max-height: 16;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="code-cancel")]

    def __init__(self, sources: list[CodeSource]) -> None:
        super().__init__()
        self.sources = sources

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Copy which code block?", markup=False)
            yield OptionList(
                *(
                    Option(Text(make_safe(describe(n, s)), no_wrap=True, overflow="ellipsis"))
                    for n, s in enumerate(self.sources)
                ),
                id="code-blocks",
            )
            yield Label("Enter copies · Escape cancels", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = len(self.sources) - 1
        options.focus()

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click: copy that block."""
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        """Close without copying."""
        self.dismiss(None)
