"""Answering a reply's tool calls from the composer, one by one, then sending the results."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from routmy_tui.conversation import InvalidRequest
from routmy_tui.core.toolsets import FunctionTool, find_tool
from routmy_tui.core.types import ToolCall
from routmy_tui.ui.chat.answer_bar import AnswerBar, call_label

if TYPE_CHECKING:
    from routmy_tui.ui.chat.composer import Composer
    from routmy_tui.ui.chat.controller import ChatController

RunProgram = Callable[[ToolCall, FunctionTool, Callable[[Any], None]], None]
"""Asks to run a tool's program for a call (`ui.tools.approval.answer_with_program`)."""


class ToolAnswers:
    """The answering flow of the chat screen.

    When a reply ends with tool calls, the composer answers the first unanswered one; Enter
    gives the answer; after the last, the results go out at once and the conversation goes
    on. Escape leaves answering (the calls stay pending: a new message asks what to do).

    Args:
        controller: The chat controller (its conversation knows the pending calls).
        composer: The composer the answers are typed in.
        bar: The line above it naming the call being answered.
        notify: Shows a notice.
        run_program: Answers a call of a command-backed tool with its program, after the
            user approves (None: every call is answered by hand).
    """

    def __init__(
        self,
        controller: ChatController,
        composer: Composer,
        bar: AnswerBar,
        notify: Callable[..., Any],
        run_program: RunProgram | None = None,
    ) -> None:
        self.controller = controller
        self.run_program = run_program
        self._declined: set[str] = set()
        """Calls whose program the user declined to run: answered by hand."""
        self.composer = composer
        self.bar = bar
        self.notify = notify
        self._placeholder = composer.placeholder

    @property
    def active(self) -> bool:
        """Whether the composer answers a call now."""
        return self.bar.active

    def begin(self, keep_draft: bool = True) -> bool:
        """Start answering the pending calls (False when none wait)."""
        calls = self.controller.conversation.pending_calls()
        if not calls:
            return False
        if not self.active:
            self.bar.saved_draft = self.composer.text if keep_draft else ""
            self._placeholder = self.composer.placeholder
            self.composer.placeholder = "The tool's answer (text or JSON) · Enter gives it"
            self.composer.text = ""
        self._show_next()
        self.composer.focus()
        return True

    def _show_next(self) -> None:
        conversation = self.controller.conversation
        pending = conversation.pending_calls()
        reply = conversation.pending_reply()
        if not pending or reply is None:
            self.finish()
            return
        total = len(reply.calls())
        number = total - len(pending) + 1
        call = pending[0]
        self.bar.show(call, number, total)
        tool = find_tool(conversation.settings.params.tools, call.name)
        runnable = tool is not None and tool.command and self.run_program is not None
        if runnable and call.id not in self._declined:
            assert tool is not None and self.run_program is not None
            self.run_program(call, tool, lambda answer: self._program_answered(call, answer))

    def _program_answered(self, call: ToolCall, answer: Any) -> None:
        """The approval dialog closed: give the program's answer, or answer by hand."""
        if self.bar.call is None or self.bar.call.id != call.id:
            return  # answering moved on meanwhile
        if answer is None:
            self._declined.add(call.id)
            self.notify(f"Not run: type the answer for {call_label(call, 40)} by hand.")
            self.composer.focus()
            return
        self._give(call, answer.content, answer.by)

    def submit(self, text: str) -> None:
        """Give `text` as the answer of the call shown; the last answer sends them all."""
        call = self.bar.call
        if call is None:
            return
        self._give(call, text, "typed")

    def _give(self, call: ToolCall, text: str, by: str) -> None:
        try:
            sent = self.controller.answer(call.id, text, by)
        except InvalidRequest as exc:
            self.notify(str(exc), title="Not sent", severity="warning")
            return
        self.composer.clear()
        if sent:
            self.finish()
        else:
            self._show_next()

    def finish(self) -> None:
        """Leave answering; the composer gets back what it held before."""
        if not self.active:
            return
        self.bar.hide()
        self.composer.placeholder = self._placeholder
        if not self.composer.text.strip():
            self.composer.text = self.bar.saved_draft
            self.composer.move_cursor(self.composer.document.end)
        self.bar.saved_draft = ""

    def leave(self) -> None:
        """Escape: stop answering; the calls stay pending."""
        pending = self.controller.conversation.pending_calls()
        self.finish()
        if pending:
            self.notify(
                f"{len(pending)} tool call(s) still wait: {call_label(pending[0], 40)}. "
                "Sending a message asks whether to answer or drop them."
            )

    def drop(self) -> int:
        """Drop the pending calls (left out of requests from now on); how many were dropped."""
        dropped = self.controller.conversation.drop_pending()
        if dropped:
            names = ", ".join(call_label(call, 30) for call in dropped)
            self.notify(
                f"Dropped {len(dropped)} tool call(s): {names}. They are left out of requests.",
                title="Tool calls dropped",
            )
        self.finish()
        return len(dropped)
