"""The model picker for compare: Space marks 2 to 4 models, Enter confirms them."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Input, Static

from routmy_tui.core.text import make_safe
from routmy_tui.core.types import ModelInfo
from routmy_tui.services.catalog_service import CatalogService
from routmy_tui.ui.models.model_list import ModelList
from routmy_tui.ui.models.model_picker import PickerBase, PickerState

FEWEST = 2
MOST = 4


class MarkingInput(Input):
    """The compare picker's query: Space is left to the picker's binding (it marks)."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Every printable key but Space is typed."""
        return key != "space" and super().check_consume_key(key, character)


class ComparePicker(PickerBase[list[str] | None]):
    """Mark the models to compare; dismisses with their ids in the order marked, or None.

    Space marks or unmarks the highlighted model; the filter stays where it is, so the next
    one can be found by typing. Enter confirms 2 to 4 marked models.
    """

    QUERY_INPUT = MarkingInput
    TITLE_TEXT = "Compare models: Space marks 2 to 4, Enter starts"
    HELP_TEXT = (
        "Space mark/unmark · Enter confirm · ↑↓ move · Ctrl+F favourite · Ctrl+R refresh"
        " · Esc close"
    )

    BINDINGS = [Binding("space", "mark", "Mark", id="picker-mark", priority=True)]

    def __init__(
        self,
        catalog: CatalogService,
        state: PickerState,
        *,
        on_favourite: Callable[[list[str]], None] | None = None,
        on_refresh: Callable[[], None] | None = None,
        marked: list[str] | None = None,
    ) -> None:
        super().__init__(catalog, state, on_favourite=on_favourite, on_refresh=on_refresh)
        self.marked: list[str] = list(marked or [])
        """Ids marked so far, in the order marked (the columns' order)."""

    def _prefix(self, model: ModelInfo) -> Text:
        if model.id in self.marked:
            return Text(f"[{self.marked.index(model.id) + 1}] ", style="bold")
        return Text("[ ] ", style="dim")

    def _show_marks(self, note: str = "") -> None:
        title = self.query_one("#picker-title", Static)
        if not self.marked:
            title.update(Text(note or self.TITLE_TEXT))
            return
        text = Text(f"Compare {len(self.marked)}: ")
        text.append(make_safe(", ".join(self.marked)), style="bold")
        if note:
            text.append("  " + note, style="italic")
        title.update(text)

    def action_mark(self) -> None:
        """Mark or unmark the highlighted model (at most four)."""
        model, typed = self._highlighted()
        model_id = model.id if model is not None else typed
        if not model_id:
            return
        if model_id in self.marked:
            self.marked.remove(model_id)
            self._show_marks()
        elif len(self.marked) >= MOST:
            self._show_marks(f"at most {MOST}: unmark one first")
            return
        else:
            self.marked.append(model_id)
            locked = model is not None and model.is_available is False
            self._show_marks("locked for this key: it will answer 403" if locked else "")
        self.query_one(ModelList).redraw()
        self.query_one("#model-query", Input).focus()

    def choose(self) -> None:
        """Confirm the marked models."""
        if len(self.marked) < FEWEST:
            self._show_marks(f"mark {FEWEST} to {MOST} models with Space, then Enter")
            return
        self.dismiss(list(self.marked))
