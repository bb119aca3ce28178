"""Approving one run of a command-backed tool: Enter runs, e runs then edits, Escape declines."""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Group
from rich.highlighter import JSONHighlighter
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea
from textual.worker import Worker, WorkerState

from routmy_tui.core.text import make_safe
from routmy_tui.core.toolrun import DEFAULT_CAP, DEFAULT_TIMEOUT, ToolRun, run_command
from routmy_tui.core.toolsets import FunctionTool
from routmy_tui.core.types import ToolCall


@dataclass
class ProgramAnswer:
    """The answer a program gave (perhaps edited by the user).

    Attributes:
        content: The text to send as the tool result.
        by: "program" when sent as the program gave it, "typed" when the user changed it.
        run: How the run went.
    """

    content: str
    by: str
    run: ToolRun


def describe_command(tool: FunctionTool) -> str:
    """The command as a shell would quote it (shown only: it is never run through a shell)."""
    return shlex.join(tool.command)


def _arguments_view(call: ToolCall) -> Any:
    try:
        value = json.loads(call.arguments) if call.arguments.strip() else {}
    except (ValueError, RecursionError):
        return Text(make_safe(call.arguments[:4000]))
    pretty = Text(make_safe(json.dumps(value, indent=2, ensure_ascii=False)[:20000]))
    JSONHighlighter().highlight(pretty)
    return pretty


class ToolApproval(ModalScreen[ProgramAnswer | None]):
    """Ask before running a tool's program for one call; dismisses with the answer or None.

    Args:
        call: The model's call (its arguments go to the program's stdin).
        tool: The tool, with its `command`.
        timeout: Seconds the program may take.
        cap: Bytes of stdout kept.
    """

    DEFAULT_CSS = """
    ToolApproval { align: center middle; }
    ToolApproval > #approval {
        width: 90%; max-width: 100; height: auto; max-height: 90%;
        border: round $warning; background: $surface; padding: 0 1;
    }
    ToolApproval #approval-title { text-style: bold; }
    ToolApproval #approval-args { height: auto; max-height: 16; }
    ToolApproval #approval-status { height: auto; margin-top: 1; display: none; }
    ToolApproval #approval-status.-shown { display: block; }
    ToolApproval #approval-status.-bad { color: $error; }
    ToolApproval #approval-answer { height: 12; display: none; }
    ToolApproval.-editing #approval-answer { display: block; }
    ToolApproval #approval-help { color: $text-muted; margin-top: 1; }
    """

    BINDINGS = [
        Binding("enter", "run", "Run", id="approval-run", priority=True),
        Binding("e", "run(True)", "Run, then edit", id="approval-edit"),
        Binding("ctrl+s", "give", "Give answer", id="approval-give"),
        Binding("escape", "decline", "Decline", id="approval-decline", priority=True),
    ]

    def __init__(
        self,
        call: ToolCall,
        tool: FunctionTool,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        cap: int = DEFAULT_CAP,
    ) -> None:
        super().__init__()
        self.call = call
        self.tool = tool
        self.timeout = timeout
        self.cap = cap
        self.run: ToolRun | None = None
        self._worker: Worker[ToolRun] | None = None
        self._editing = False
        self._started = 0.0

    def compose(self) -> ComposeResult:
        with Vertical(id="approval"):
            title = Text()
            title.append("Run a program to answer ", style="bold")
            title.append(make_safe(self.call.name or "(no name)"), style="bold")
            title.append(f"  id {make_safe(self.call.id) or '(none)'}", style="dim")
            yield Static(title, id="approval-title")
            command = Text()
            command.append("command: ", style="bold")
            command.append(make_safe(describe_command(self.tool)))
            yield Static(command, id="approval-command")
            yield Static(Text("arguments (sent on stdin):", style="bold"))
            with VerticalScroll(id="approval-args"):
                yield Static(Group(_arguments_view(self.call)), id="approval-args-view")
            yield Static("", id="approval-status", markup=False)
            yield TextArea("", id="approval-answer", soft_wrap=True)
            yield Static(self._help(), id="approval-help", markup=False)

    def _help(self) -> str:
        if self._editing:
            return "Ctrl+S give this answer · Esc decline"
        if self._worker is not None:
            return "Esc stops the program"
        return "Enter run it · e run it, then edit the answer · Esc decline (answer by hand)"

    def _status(self, text: str, bad: bool = False) -> None:
        status = self.query_one("#approval-status", Static)
        status.update(make_safe(text))
        status.set_class(bad, "-bad")
        status.set_class(bool(text), "-shown")
        self.query_one("#approval-help", Static).update(self._help())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Run keys only before a run; giving only while editing."""
        if action == "run":
            return not self._editing and self._worker is None
        if action == "give":
            return self._editing
        return True

    def action_run(self, edit: bool = False) -> None:
        """Run the program now; with `edit`, show its answer for editing first."""
        self._started = time.monotonic()
        self._worker = self._run(edit)
        self._status(f"running {describe_command(self.tool)}…")
        self.set_interval(0.5, self._tick)

    def _tick(self) -> None:
        if self._worker is not None:
            self._status(f"running… {time.monotonic() - self._started:.0f}s")

    @work(exclusive=True, exit_on_error=False, group="tool-run")
    async def _run(self, edit: bool) -> ToolRun:
        run = await run_command(
            self.tool.command, self.call.arguments, timeout=self.timeout, cap=self.cap
        )
        self.run = run
        self._worker = None
        if run.ok and not edit:
            self.dismiss(ProgramAnswer(run.answer(), "program", run))
        else:
            self._edit(run)
        return run

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A stopped run goes back to the question."""
        if event.worker.group == "tool-run" and event.state is WorkerState.CANCELLED:
            self._worker = None
            self._status("stopped: the program was killed", bad=True)

    def _edit(self, run: ToolRun) -> None:
        self._editing = True
        self.add_class("-editing")
        area = self.query_one("#approval-answer", TextArea)
        area.text = run.answer()
        area.focus()
        self._status(f"{'done' if run.ok else 'failed'}: {run.summary()}", bad=not run.ok)
        self.refresh_bindings()

    def action_give(self) -> None:
        """Send the (edited) answer."""
        if self.run is None:
            return
        text = self.query_one("#approval-answer", TextArea).text
        by = "program" if text == self.run.answer() else "typed"
        self.dismiss(ProgramAnswer(text, by, self.run))

    def action_decline(self) -> None:
        """Escape: stop a running program, else close without running anything."""
        if self._worker is not None:
            self._worker.cancel()
            return
        self.dismiss(None)


def answer_with_program(
    app: App[Any],
    call: ToolCall,
    tool: FunctionTool,
    done: Callable[[ProgramAnswer | None], None],
) -> None:
    """Answer `call` with `tool`'s program: after approval, or at once when the tool is
    auto-approved (`auto_approve = true` in one of the user's own saved sets).

    Args:
        app: The app (shows the dialog, or runs the program in a worker).
        call: The model's call.
        tool: A tool with a `command`.
        done: Called with the answer, or None when the user declined.
    """
    if not tool.auto_approve:
        app.push_screen(ToolApproval(call, tool), done)
        return

    async def run() -> None:
        app.notify(make_safe(f"Running {describe_command(tool)} (auto-approved)…"))
        result = await run_command(tool.command, call.arguments)
        done(ProgramAnswer(result.answer(), "program", result))

    app.run_worker(run(), group="tool-run", exit_on_error=False)
