"""The model picker: type to filter the catalog, see capabilities and their sources, pick one."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from routmy_tui.core.catalog import Match
from routmy_tui.core.text import make_safe, truncate_middle
from routmy_tui.core.types import ModelInfo
from routmy_tui.services.catalog_service import CatalogService
from routmy_tui.ui.commands import bindings_for
from routmy_tui.ui.models.model_list import ModelList

ID_WIDTH = 42
OWNER_WIDTH = 12
MIN_ID_WIDTH = 16
ROW_REST = 2 + 6 + 9
"""Columns of a row besides the id and the owner: the mark, the quota, the availability."""
NARROW_LIST = 90
"""A list narrower than this shows no owner column."""

BADGE_LABELS = {"vision": "vision", "image_out": "img-out", "tools": "tools", "reasoning": "think"}
SOURCE_MARKS = {"catalog": "c", "id": "i", "seen": "s", "user": "u"}
LEGEND = "[c] catalog field · [i] id heuristic · [s] seen in a reply · [u] set by you"

_HIT = Style(bold=True, underline=True)

PickedT = TypeVar("PickedT")


def _price(value: float | None) -> str:
    return "?" if value is None else f"${value * 1_000_000:g}/M"


def describe_model(model: ModelInfo, badges: dict[str, object]) -> Text:
    """The detail lines under the list for the highlighted model."""
    text = Text()
    text.append(make_safe(model.id), style="bold")
    if model.name:
        text.append(f"  {make_safe(model.name)}")
    facts: list[str] = []
    if model.owned_by:
        facts.append(f"owner {make_safe(model.owned_by)}")
    if model.token_multiplier is not None:
        facts.append(f"quota ×{model.token_multiplier:g}")
    if model.context_length:
        facts.append(f"context {model.context_length:,}")
    if model.max_completion_tokens:
        facts.append(f"max output {model.max_completion_tokens:,}")
    if model.prompt_price is not None or model.completion_price is not None:
        facts.append(
            f"price in {_price(model.prompt_price)} · out {_price(model.completion_price)}"
        )
    if model.input_modalities is not None or model.output_modalities is not None:
        ins = "+".join(model.input_modalities or ["?"])
        outs = "+".join(model.output_modalities or ["?"])
        facts.append(f"{make_safe(ins)} → {make_safe(outs)}")
    if facts:
        text.append("\n" + " · ".join(facts), style="dim")
    if model.supported_parameters:
        params = ", ".join(model.supported_parameters)
        text.append("\nparameters: " + make_safe(truncate_middle(params, 200)), style="dim")
    if model.is_available is False:
        text.append(
            "\nLocked for this key (is_available: false): requests will fail with 403.",
            style="bold red",
        )
    return text


@dataclass
class PickerState:
    """What the picker needs besides the catalog."""

    current: str
    favourites: list[str]
    overrides: dict[str, dict[str, bool]]


class PickerBase(ModalScreen[PickedT]):
    """The catalog filtered on every keystroke, favourites first, locked ones marked.

    Subclasses say what Enter does (`choose`) and what the picker dismisses with.
    """

    QUERY_INPUT: type[Input] = Input
    """The query field's class."""
    TITLE_TEXT = "Select model"
    HELP_TEXT = "Enter pick · ↑↓ move · Ctrl+F favourite · Ctrl+R refresh · Esc close"

    DEFAULT_CSS = """
    PickerBase {
        align: center middle;
    }
    PickerBase > #picker {
        width: 90%;
        max-width: 130;
        height: 90%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    PickerBase #picker-title { height: 1; text-style: bold; }
    PickerBase #picker-status { height: 1; color: $text-muted; }
    PickerBase #model-query { margin: 0 0 0 0; }
    PickerBase #model-list { height: 1fr; }
    PickerBase #model-detail { height: 5; border-top: solid $primary 40%; }
    PickerBase #picker-help { height: 2; color: $text-muted; }
    PickerBase.-narrow > #picker { width: 100%; }
    PickerBase.-low > #picker, PickerBase.-short > #picker { height: 100%; }
    PickerBase.-low #model-detail { height: 4; }
    PickerBase.-short #model-detail { height: 3; }
    PickerBase.-short #picker-help { display: none; }
    """

    BINDINGS = bindings_for("picker")

    def __init__(
        self,
        catalog: CatalogService,
        state: PickerState,
        *,
        on_favourite: Callable[[list[str]], None] | None = None,
        on_refresh: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.catalog = catalog
        self.state = state
        self.on_favourite = on_favourite
        self.on_refresh = on_refresh
        self.matches: list[Match] = []
        self.typed: str | None = None
        """A typed id offered as the last row (when it is not in the catalog)."""
        self.shown_query = ""
        self.updated_at = 0.0
        """The query the list currently reflects (tests and the benchmark wait on it)."""
        self._armed_locked: str | None = None
        self._longest_id = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(self.TITLE_TEXT, id="picker-title", markup=False)
            yield Static(self.catalog.status, id="picker-status", markup=False)
            yield self.QUERY_INPUT(
                placeholder="type to filter by id, owner or name", id="model-query"
            )
            yield ModelList(id="model-list")
            yield Static("", id="model-detail", markup=False)
            yield Static(
                self.HELP_TEXT + "\nbadge sources: " + LEGEND,
                id="picker-help",
                markup=False,
            )

    def on_mount(self) -> None:
        if self._catalog_changed not in self.catalog.listeners:
            self.catalog.listeners.append(self._catalog_changed)
        if not self.query(ModelList):
            # Pushed while the app was still starting: the children mount a moment later.
            self.call_after_refresh(self.on_mount)
            return
        self.update_list(self.query_one("#model-query", Input).value)
        self.query_one("#model-query", Input).focus()

    def on_unmount(self) -> None:
        if self._catalog_changed in self.catalog.listeners:
            self.catalog.listeners.remove(self._catalog_changed)

    def _catalog_changed(self, catalog: CatalogService) -> None:
        if not self.is_mounted:
            return
        self.query_one("#picker-status", Static).update(catalog.status)
        self.update_list(self.query_one("#model-query", Input).value)

    # --- the list ---------------------------------------------------------------------

    @on(Input.Changed, "#model-query")
    def query_changed(self, event: Input.Changed) -> None:
        """Filter on every keystroke."""
        self.update_list(event.value)

    def update_list(self, query: str) -> None:
        """Show every match of `query`, best first (only the visible rows are drawn)."""
        self._armed_locked = None
        self.matches = self.catalog.index.filter(
            query, favourites=self.state.favourites, recent=self.catalog.recent
        )
        typed = query.strip()
        # A full id looks like owner/model; a bare word that matches nothing is offered too.
        offer = (
            typed
            and typed not in self.catalog.by_id
            and " " not in typed
            and ("/" in typed or not self.matches)
        )
        self.typed = typed if offer else None
        self._longest_id = max((len(m.model.id) for m in self.matches[:1000]), default=0)
        count = len(self.matches) + (1 if self.typed else 0)
        self.query_one(ModelList).set_rows(count, self._row_text)
        self.shown_query = query
        self.updated_at = time.perf_counter()
        self._show_detail()

    def _row_text(self, index: int) -> Text:
        if index < len(self.matches):
            return self._row(self.matches[index])
        typed = make_safe(self.typed or "")
        return Text(f"  use “{typed}” as typed (not in the catalog)", style="italic")

    def _highlighted(self) -> tuple[ModelInfo | None, str | None]:
        """The highlighted model, or the typed id row (None, id), or (None, None)."""
        index = self.query_one(ModelList).highlighted
        if index < len(self.matches):
            return self.matches[index].model, None
        return None, self.typed

    def _row(self, match: Match) -> Text:
        model = match.model
        favourite = model.id in self.state.favourites
        locked = model.is_available is False
        row = Text(no_wrap=True, overflow="ellipsis")
        row.append_text(self._prefix(model))
        row.append("★ " if favourite else ("● " if model.id == self.state.current else "  "))
        # A narrow list gives the id the room and drops the owner (the detail shows it).
        width = self.query_one(ModelList).scrollable_content_region.width
        with_owner = width >= NARROW_LIST
        room = width - ROW_REST - (OWNER_WIDTH + 1 if with_owner else 0)
        if not with_owner:  # no wider than the longest id listed: the badges get the rest
            room = min(room, self._longest_id + 1)
        id_width = max(MIN_ID_WIDTH, min(ID_WIDTH, room))
        shown = model.id if len(model.id) <= id_width else model.id[: id_width - 1] + "…"
        id_text = Text(make_safe(shown).ljust(id_width), style="dim" if locked else "")
        for pos in match.positions:
            if pos < len(shown):
                id_text.stylize(_HIT, pos, pos + 1)
        row.append_text(id_text)
        if with_owner:
            owner = make_safe(model.owned_by or "")[:OWNER_WIDTH]
            row.append(" " + owner.ljust(OWNER_WIDTH), style="dim")
        mult = "" if model.token_multiplier is None else f"×{model.token_multiplier:g}"
        row.append(" " + mult.rjust(5))
        if locked:
            row.append("  locked ", style="bold red")
        elif model.is_available is True:
            row.append("  ok     ", style="green")
        else:
            row.append("  ?      ", style="dim")
        for name, badge in self.catalog.badges(model, self.state.overrides).items():
            if badge.value:
                row.append(f" {BADGE_LABELS[name]}", style="cyan")
                row.append(f"[{SOURCE_MARKS[badge.source]}]", style="dim")
        return row

    def _prefix(self, model: ModelInfo) -> Text:
        """What comes before a row's favourite mark (the compare picker's check box)."""
        return Text()

    # --- detail and choice ------------------------------------------------------------

    @on(ModelList.Highlighted, "#model-list")
    def _highlight_changed(self) -> None:
        self._armed_locked = None
        self._show_detail()

    def _show_detail(self, extra: Text | None = None) -> None:
        detail = self.query_one("#model-detail", Static)
        model, typed = self._highlighted()
        if model is None and typed is None:
            detail.update(Text("No model matches. Type a full id to use it as is.", style="dim"))
            return
        if model is None:
            detail.update(
                Text(
                    "Not in the catalog: it will be sent as typed; the server decides "
                    "(404 if it does not know it).",
                    style="dim",
                )
            )
            return
        text = describe_model(model, dict(self.catalog.badges(model, self.state.overrides)))
        if extra is not None:
            text.append("\n")
            text.append_text(extra)
        detail.update(text)

    @on(Input.Submitted, "#model-query")
    @on(ModelList.Selected, "#model-list")
    def _enter(self) -> None:
        self.choose()

    def choose(self) -> None:
        """What Enter does."""
        raise NotImplementedError

    def action_move(self, delta: int) -> None:
        """Move the highlight while the cursor stays in the query."""
        self.query_one(ModelList).action_move(delta)

    def action_favourite(self) -> None:
        """Pin or unpin the highlighted model."""
        model, _ = self._highlighted()
        if model is None:
            return
        favourites = list(self.state.favourites)
        if model.id in favourites:
            favourites.remove(model.id)
        else:
            favourites.append(model.id)
        self.state.favourites = favourites
        if self.on_favourite is not None:
            self.on_favourite(favourites)
        model_list = self.query_one(ModelList)
        keep = model_list.highlighted
        self.update_list(self.query_one("#model-query", Input).value)
        model_list.move_to(keep)

    def action_refresh(self) -> None:
        """Fetch the catalog again."""
        if self.on_refresh is not None:
            self.on_refresh()

    def action_close(self) -> None:
        """Close without picking."""
        self.dismiss(None)


class ModelPicker(PickerBase[str | None]):
    """Pick a model: fuzzy filter on every keystroke, favourites first, locked ones marked.

    Dismisses with the chosen id (a typed id not in the catalog counts) or None.
    """

    def choose(self) -> None:
        """Pick the highlighted row; a locked model needs a second Enter after the warning."""
        model, typed = self._highlighted()
        if model is None:
            if typed:
                self.dismiss(typed)
            return
        if model.is_available is False and self._armed_locked != model.id:
            self._armed_locked = model.id
            self._show_detail(Text("Press Enter again to pick it anyway.", style="bold"))
            return
        self.dismiss(model.id)
