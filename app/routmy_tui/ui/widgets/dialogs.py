"""Small modals of the history features: a text or path prompt and a yes/no confirmation."""

from __future__ import annotations

from typing import Literal, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label

from routmy_tui.core.text import make_safe

_Answer = TypeVar("_Answer")

_DIALOG_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 76;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    padding: 1 2;
    border: thick $primary;
    background: $surface;
}}
{name} Label {{
    margin-bottom: 1;
    width: 100%;
}}
{name} Horizontal {{
    height: auto;
    align-horizontal: right;
}}
{name} Button {{
    margin-left: 2;
}}
{name}.-short > Vertical {{
    padding: 0 1;
}}
{name}.-short Label {{
    margin-bottom: 0;
}}
"""


class PathDialog(ModalScreen[str | None]):
    """Asks for one line of text (a file path, a title); returns it, or None when cancelled.

    Args:
        title: What is being done ("Export conversation").
        prompt: What to type.
        value: The text to start with.
    """

    DEFAULT_CSS = _DIALOG_CSS.format(name="PathDialog")

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel-dialog")]

    def __init__(self, title: str, prompt: str, value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(make_safe(self.title_text), markup=False, classes="dialog-title")
            yield Label(make_safe(self.prompt), markup=False)
            yield Input(self.value, id="dialog-input")
            yield Label("Enter accepts · Escape cancels", markup=False)

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        """Return what was typed."""
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)


class _YesNoDialog(ModalScreen[_Answer]):
    """A question with Cancel and a confirming button; y confirms, n or Escape cancels.
    Subclasses say what the answer is (`_answer`) and what else the box holds (`_more`)."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "Cancel", id="cancel-dialog"),
        Binding("y", "answer(True)", "Yes", id="confirm-dialog"),
    ]
    VARIANT: Literal["error", "warning"] = "error"
    """The confirming button's colour."""
    FOCUS = "#yes"
    """The button that has the focus at first."""

    def __init__(self, question: str, action: str = "OK") -> None:
        super().__init__()
        self.question = question
        self.action = action

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(make_safe(self.question), markup=False)
            yield from self._more()
            with Horizontal():
                yield Button("Cancel", id="no")
                yield Button(self.action, id="yes", variant=self.VARIANT)

    def _more(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.query_one(self.FOCUS, Button).focus()

    def _answer(self, yes: bool) -> _Answer:
        raise NotImplementedError

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        """A button answers."""
        self.dismiss(self._answer(event.button.id == "yes"))

    def action_answer(self, yes: bool) -> None:
        """Answer by key."""
        self.dismiss(self._answer(yes))


class ConfirmDialog(_YesNoDialog[bool]):
    """Asks a yes/no question; Enter or y confirms, Escape or n declines.

    Args:
        question: The question.
        action: The label of the confirming button ("Delete").
    """

    DEFAULT_CSS = _DIALOG_CSS.format(name="ConfirmDialog")

    def _answer(self, yes: bool) -> bool:
        return yes


class ChoiceDialog(ModalScreen[str | None]):
    """Asks a question with several answers, one button each; Escape answers None.

    Args:
        question: The question.
        choices: (id, label) of each answer, the first one focused.
    """

    DEFAULT_CSS = _DIALOG_CSS.format(name="ChoiceDialog")

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel-choice")]

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(make_safe(self.question), markup=False)
            with Horizontal():
                yield Button("Cancel", id="choice-cancel")
                for choice_id, label in self.choices:
                    yield Button(label, id=f"choice-{choice_id}", variant="primary")

    def on_mount(self) -> None:
        self.query_one(f"#choice-{self.choices[0][0]}", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        """A button answers."""
        choice = (event.button.id or "").removeprefix("choice-")
        self.dismiss(None if choice == "cancel" else choice)

    def action_cancel(self) -> None:
        """Escape: no answer."""
        self.dismiss(None)


class PaidConfirmDialog(_YesNoDialog[tuple[bool, bool]]):
    """Asks before a request that costs money; returns (go ahead, don't ask again).

    Args:
        question: What is about to happen.
        action: The label of the confirming button ("Regenerate").
    """

    DEFAULT_CSS = _DIALOG_CSS.format(name="PaidConfirmDialog")
    VARIANT = "warning"
    FOCUS = "#no"
    """Cancel has the focus: a space or Enter typed on from before never confirms."""

    def _more(self) -> ComposeResult:
        yield Checkbox("Don't ask again", id="never-again")
        yield Label("y confirms · n or Escape cancels", markup=False)

    def _answer(self, yes: bool) -> tuple[bool, bool]:
        return yes, self.query_one("#never-again", Checkbox).value
