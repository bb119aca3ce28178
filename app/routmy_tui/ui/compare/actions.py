"""Chat-screen actions for compare: pick the models, send to all, keep one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static

from routmy_tui.conversation import InvalidRequest
from routmy_tui.core.text import make_safe

if TYPE_CHECKING:
    from textual.app import App

    from routmy_tui.conversation import Conversation
    from routmy_tui.ui.chat.controller import ChatController
    from routmy_tui.ui.compare.compare_view import CompareView
    from routmy_tui.ui.host import AppHost


class CompareActions:
    """Mixed into `ChatScreen`: compare several models on the next message."""

    conversation: Conversation
    controller: ChatController | None

    if TYPE_CHECKING:

        @property
        def routmy(self) -> AppHost: ...

        app: App[Any]

        def notify(self, message: str, **kwargs: Any) -> None: ...
        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...
        def refresh_bindings(self) -> None: ...

    compare_models: tuple[str, ...] = ()
    """The models the next message goes to (empty: compare is off)."""

    def action_compare(self) -> None:
        """Pick 2 to 4 models; the next message goes to all of them (again: compare off)."""
        from routmy_tui.ui.models.compare_picker import ComparePicker
        from routmy_tui.ui.models.model_picker import PickerState

        if self.compare_models:
            self.arm_compare(())
            self.notify("Compare is off: your next message goes to one model.")
            return
        if self.conversation.compared:
            self.notify("Keep one of the compared replies first (Enter on its column).")
            return
        app = self.routmy
        app.start_catalog()  # it may still wait for the first reply to end
        settings = app.settings

        def picked(models: list[str] | None) -> None:
            if models:
                self.arm_compare(models)

        current = self.conversation.settings.model
        state = PickerState(
            current=current,
            favourites=list(settings.favourite_models),
            overrides=settings.model_overrides,
        )
        picker = ComparePicker(
            app.catalog,
            state,
            on_refresh=lambda: app.refresh_models(quiet=False),
            marked=[current] if current else [],
        )
        self.app.push_screen(picker, picked)

    def arm_compare(self, models: Sequence[str]) -> None:
        """Send the next message to `models` (none: compare off); a line above the composer
        says so."""
        self.compare_models = tuple(models)
        line = self._armed_line()
        if not models:
            line.display = False
            return
        text = Text("compare: ", style="bold")
        text.append(make_safe(", ".join(models)))
        text.append("  · your next message goes to all · F8 turns it off", style="dim")
        line.update(text)
        line.display = True

    def _armed_line(self) -> Static:
        found = self.query_one("#chat-column").query("#compare-armed")
        if found:
            line: Static = found.first()
            return line
        line = Static("", id="compare-armed", markup=False)
        self.query_one("#chat-column").mount(line, before="#composer")
        return line

    def start_compare(self, text: str, images: Sequence[str] = ()) -> bool:
        """Send `text` to every armed model at once; the replies stream side by side.

        Returns:
            Whether it was sent (the composer is cleared then); if not, it says why.
        """
        controller = self.controller
        if controller is None:
            return False
        conversation = self.conversation
        try:
            if controller.edit_index is not None:
                index, controller.edit_index = controller.edit_index, None
                conversation.edit(index, text, images)
            else:
                conversation.send(text, images)
            started = conversation.start_replies(self.compare_models)
        except InvalidRequest as exc:
            self.notify(str(exc), title="Not sent", severity="warning", timeout=10)
            return False
        self.arm_compare(())
        from routmy_tui.ui.compare.compare_view import CompareView  # loaded on first use

        view = CompareView(
            conversation, text, [turn for turn, _ in started], controller.view.palette, id="compare"
        )
        self.query_one("#chat-column").mount(view, before="#active-settings")
        controller.view.display = False
        self.query_one("#welcome").display = False
        for turn, body in started:
            controller.start_beside(turn, body, view.item_of(turn), view.item_changed)
        view.focus()
        return True

    def _close_compare(self) -> None:
        for view in self.query_one("#chat-column").query("CompareView"):
            view.remove()
        if self.controller is not None:
            self.controller.view.display = True
        self.query_one("#composer").focus()
        self.refresh_bindings()

    def on_compare_view_keep(self, event: CompareView.Keep) -> None:
        """Go on with that reply (and its model); the others stay as its siblings."""
        try:
            self.conversation.keep(event.turn)
        except InvalidRequest as exc:
            self.notify(str(exc), severity="warning")
            return
        self._close_compare()
        count = self.conversation.turns[-1].siblings[1]
        note = " The others are its siblings: [ and ] show them." if count > 1 else ""
        self.notify(f"Kept the reply of {make_safe(event.turn.model or '?')}.{note}")

    def on_compare_view_stop_one(self, event: CompareView.StopOne) -> None:
        """Stop one reply; the others go on."""
        if self.controller is not None and self.controller.stop_one(event.turn):
            self.notify(f"Stopped {make_safe(event.turn.model or '?')}. What arrived is kept.")

    def on_compare_view_closed(self, event: CompareView.Closed) -> None:
        """The comparison was left (another conversation, a new chat)."""
        self._close_compare()
