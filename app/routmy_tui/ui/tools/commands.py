"""Palette commands of the tools feature ("Edit tools", "Load tools") and where results go."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Protocol

from routmy_tui.core.text import make_safe
from routmy_tui.core.toolsets import FunctionTool, ToolSetError, to_params, tools_from_params

if TYPE_CHECKING:
    from textual.app import App

    from routmy_tui.conversation import Conversation
    from routmy_tui.ui.tools.editor import ToolsResult


class ChatScreen(Protocol):
    """What the tools feature needs of the chat screen (no import of it: no circle)."""

    conversation: Conversation

    @property
    def app(self) -> App[Any]: ...

    def notify(self, message: str, **kwargs: Any) -> None: ...


def current_tools(screen: ChatScreen) -> tuple[list[FunctionTool], Any]:
    """The conversation's tools and tool_choice."""
    params = screen.conversation.settings.params
    return tools_from_params(params.tools), params.tool_choice


def apply_tools(screen: ChatScreen, result: ToolsResult) -> None:
    """Give the conversation these tools and tool_choice.

    The one place the tools feature changes the conversation (stored and shown through
    the conversation's settings event).
    """
    params = dataclasses.replace(
        screen.conversation.settings.params,
        tools=to_params(result.tools) or None,
        tool_choice=result.tool_choice if result.tools else None,
    )
    screen.conversation.change_settings("params", params=params)


def edit_tools(screen: ChatScreen) -> None:
    """Open the tools editor on the conversation's tools."""
    from routmy_tui.ui.tools.editor import ToolsEditor

    tools, choice = current_tools(screen)

    def done(result: ToolsResult | None) -> None:
        if result is None:
            return
        apply_tools(screen, result)
        names = ", ".join(t.name for t in result.tools)
        screen.notify(
            make_safe(f"Tools: {names}.") if names else "No tools are offered now.", title="Tools"
        )

    screen.app.push_screen(ToolsEditor(tools, choice), done)


def load_tools(screen: ChatScreen) -> None:
    """Ask for a tools file or a saved set's name and use its tools."""
    from routmy_tui.config.toolsets import load_tools_arg, saved_sets
    from routmy_tui.ui.tools.editor import ToolsResult, choice_key, choice_value
    from routmy_tui.ui.widgets.dialogs import PathDialog

    def chosen(value: str | None) -> None:
        if not value:
            return
        try:
            tools, notes = load_tools_arg(value.strip())
        except ToolSetError as exc:
            screen.notify(make_safe(str(exc)), title="Load tools", severity="error", timeout=10)
            return
        _, choice = current_tools(screen)
        key = choice_key(choice)
        if key.startswith("fn:") and key[3:] not in {t.name for t in tools}:
            choice = None  # it named a function the new set does not have
        apply_tools(screen, ToolsResult(tools, choice_value(choice_key(choice))))
        for note in notes:
            screen.notify(make_safe(note), severity="warning", timeout=10)
        names = ", ".join(t.name for t in tools)
        screen.notify(make_safe(f"Loaded {len(tools)} tool(s): {names}."), title="Tools")

    names = ", ".join(saved_sets())
    screen.app.push_screen(
        PathDialog(
            "Load tools",
            f"A tools file (.json OpenAI tools array, or .toml) or a saved set ({names}):",
            "",
        ),
        chosen,
    )
