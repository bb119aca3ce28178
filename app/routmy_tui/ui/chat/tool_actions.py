"""Chat screen actions for tools: answering the calls a reply asks for, and the tool list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App

    from routmy_tui.conversation import Conversation, UnansweredCalls
    from routmy_tui.core.toolsets import FunctionTool
    from routmy_tui.core.types import ToolCall
    from routmy_tui.ui.chat.composer import Composer
    from routmy_tui.ui.chat.tool_answers import ToolAnswers

__all__ = ["ToolActions"]


class ToolActions:
    """Mixed into `ChatScreen`: answering tool calls, running a tool's program, the tools
    editor and loader."""

    conversation: Conversation
    answers: ToolAnswers | None

    if TYPE_CHECKING:
        app: App[Any]

        def notify(self, message: str, **kwargs: Any) -> None: ...
        def refresh_bindings(self) -> None: ...
        def send_message(self, event: Composer.Submitted) -> None: ...

    def _answer_with_program(
        self, call: ToolCall, tool: FunctionTool, done: Callable[[Any], None]
    ) -> None:
        """Ask before running a tool's program (the dialog's module loads on first use)."""
        from routmy_tui.ui.tools.approval import answer_with_program

        answer_with_program(self.app, call, tool, done)

    def _ask_about_pending(self, exc: UnansweredCalls, event: Composer.Submitted) -> None:
        """A message while tool calls wait: answer them first, or drop them and send it."""
        from routmy_tui.ui.widgets.dialogs import ChoiceDialog

        def chosen(choice: str | None) -> None:
            if self.answers is None:
                return
            if choice == "answer":
                self.answers.begin(keep_draft=True)
            elif choice == "drop":
                self.answers.drop()
                self.send_message(event)

        question = (
            f"{exc}.\nA request with unanswered calls would be refused. Answer them first, "
            "or drop them (they are left out of the request) and send your message?"
        )
        self.app.push_screen(
            ChoiceDialog(question, [("answer", "Answer them"), ("drop", "Drop and send")]),
            chosen,
        )

    def action_leave_answering(self) -> None:
        """Stop answering tool calls (they stay pending)."""
        if self.answers is not None:
            self.answers.leave()
            self.refresh_bindings()

    def action_answer_calls(self) -> None:
        """Answer the tool calls the last reply is waiting on."""
        if self.answers is None or not self.answers.begin():
            self.notify("No tool call is waiting for an answer.")
        self.refresh_bindings()

    def action_edit_tools(self) -> None:
        """Open the tools editor on the conversation's tools."""
        from routmy_tui.ui.tools.commands import edit_tools

        edit_tools(self)

    def action_load_tools(self) -> None:
        """Offer the tools of a file or a saved set."""
        from routmy_tui.ui.tools.commands import load_tools

        load_tools(self)
