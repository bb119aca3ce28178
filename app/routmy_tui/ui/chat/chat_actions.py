"""Chat screen actions for history: browser, sidebar, branches, export and import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from routmy_tui.store.db import StoreError
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.items import UserItem

if TYPE_CHECKING:
    from textual.app import App

    from routmy_tui.ui.chat.conversation_view import ConversationView
    from routmy_tui.ui.history.session import Session
    from routmy_tui.ui.host import AppHost


class ConversationActions:
    """Mixed into `ChatScreen`: the actions behind the history keys and palette commands."""

    if TYPE_CHECKING:

        @property
        def routmy(self) -> AppHost: ...

        app: App[Any]

        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...
        def notify(self, message: str, **kwargs: Any) -> None: ...
        def refresh_bindings(self) -> None: ...

    _draft_before_edit = ""
    """What the composer held when an edit began (Escape gives it back)."""

    @property
    def session(self) -> Session:
        """The app's history session."""
        return self.routmy.session

    def _view(self) -> ConversationView:
        from routmy_tui.ui.chat.conversation_view import ConversationView

        view: ConversationView = self.query_one(ConversationView)
        return view

    def action_conversations(self) -> None:
        """Open the full-screen conversation browser."""
        from routmy_tui.ui.history.browser import ConversationsScreen

        if self.session.store is None:
            self.notify(self.session.problem or "History is off.", severity="error")
            return

        def chosen(result: tuple[str, int | None] | None) -> None:
            if result is not None:
                self.open_conversation(*result)

        self.app.push_screen(ConversationsScreen(self.session), chosen)

    def open_conversation(self, conversation_id: str, message_id: int | None = None) -> None:
        """Show a stored conversation (at a message's branch), its draft in the composer."""
        from routmy_tui.ui.chat.composer import Composer

        controller = self.routmy_controller()
        if controller is not None and controller.busy:
            self.notify("A reply is on its way: Escape stops it first.", severity="warning")
            return
        save_draft = getattr(self, "save_draft", None)
        if save_draft is not None:
            save_draft()
        draft = self.session.open(conversation_id, message_id)
        if draft is None:
            return
        composer = self.query_one(Composer)
        composer.text = draft
        composer.move_cursor(composer.document.end)
        if message_id is not None and controller is not None:
            # Found by its id on the branch: older messages are not read to find it.
            index = controller.conversation.turns.index_of(message_id)
            if index is not None:
                self._view().select(index)

    def action_toggle_sidebar(self) -> None:
        """Show or hide the conversation list at the left."""
        from routmy_tui.ui.history.sidebar import ConversationSidebar

        found = list(self.query_one("#main").query(ConversationSidebar))
        if found:
            for sidebar in found:
                sidebar.remove()
            return
        main = self.query_one("#main")
        main.mount(ConversationSidebar(self.session), before="#chat-column")

    def action_edit_message(self) -> None:
        """Put the selected (or last) message of yours in the composer; Enter sends it as a
        new branch from that point, keeping the old one."""
        view = self._view()
        index = view.selected
        if index is None or not isinstance(view.items[index], UserItem):
            index = next(
                (
                    i
                    for i in range(len(view.items) - 1, -1, -1)
                    if isinstance(view.items[i], UserItem)
                ),
                None,
            )
        controller = self.routmy_controller()
        if index is None or controller is None:
            self.notify("No message of yours to edit.")
            return
        if controller.busy:
            self.notify("A reply is on its way: Escape stops it first.", severity="warning")
            return
        item = view.items[index]
        assert isinstance(item, UserItem)
        from routmy_tui.ui.chat.composer import Composer

        composer = self.query_one(Composer)
        if controller.edit_index is None:
            self._draft_before_edit = composer.text
        controller.edit_index = index
        composer.text = item.text
        composer.move_cursor(composer.document.end)
        composer.focus()
        self.refresh_bindings()
        self.notify(
            "Editing: Enter sends it as a new branch (the old one is kept); Escape cancels."
        )

    def action_cancel_edit(self) -> None:
        """Give up an edit: the composer gets back the draft it held before."""
        from routmy_tui.ui.chat.composer import Composer

        controller = self.routmy_controller()
        if controller is None or controller.edit_index is None:
            return
        controller.edit_index = None
        composer = self.query_one(Composer)
        composer.text = self._draft_before_edit
        composer.move_cursor(composer.document.end)
        self._draft_before_edit = ""
        self.refresh_bindings()
        self.notify("Edit cancelled.")

    def action_regenerate(self) -> None:
        """Ask again for the selected (or last) reply; the old reply stays as a sibling."""
        view = self._view()
        index = view.selected
        if index is None or not isinstance(view.items[index], AssistantItem):
            index = next(
                (
                    i
                    for i in range(len(view.items) - 1, -1, -1)
                    if isinstance(view.items[i], AssistantItem)
                ),
                None,
            )
        controller = self.routmy_controller()
        if index is None or controller is None:
            self.notify("No reply to regenerate.")
            return
        if controller.busy:
            self.notify("A reply is on its way: Escape stops it first.", severity="warning")
            return
        from routmy_tui.ui.chat.paid import confirm_paid

        def regenerate() -> None:
            if not controller.regenerate(index):
                self.notify("A reply is on its way: Escape stops it first.", severity="warning")

        confirm_paid(
            self.app,
            self.routmy.services.settings,
            "confirm_regenerate",
            "Regenerate this reply? It sends a new request (the old reply is kept).",
            "Regenerate",
            regenerate,
        )

    def action_sibling(self, offset: int) -> None:
        """Show the previous (-1) or next (+1) version of the selected (or last) message."""
        view = self._view()
        index = view.selected if view.selected is not None else len(view.items) - 1
        if index >= 0:
            self._switch_sibling(index, offset)

    def on_conversation_view_sibling_clicked(self, event: Any) -> None:
        """A click on "‹ 2/3 ›"."""
        self._switch_sibling(event.index, event.offset)

    def _switch_sibling(self, index: int, offset: int) -> None:
        controller = self.routmy_controller()
        if controller is None:
            return
        if controller.busy:
            self.notify("A reply is on its way: Escape stops it first.", severity="warning")
            return
        if not controller.conversation.switch_branch(index, offset):
            self.notify("This message has no other versions.")
            return
        view = self._view()
        if index < len(view.items):
            view.select(index)

    def routmy_controller(self) -> Any:
        """The chat controller (None before mount)."""
        return getattr(self, "controller", None)

    def action_export(self) -> None:
        """Ask where to write the conversation on screen (.md or .json) and write it."""
        from routmy_tui.store.export_files import write_export
        from routmy_tui.ui.widgets.dialogs import PathDialog

        session = self.session
        conversation_id = session.conversation_id
        if session.store is None or conversation_id is None:
            self.notify("Nothing to export yet: send a message first.")
            return
        default = Path.home() / f"routmy-{conversation_id[:8]}.md"

        def chosen(path: str | None) -> None:
            if not path or session.store is None:
                return
            target = Path(path).expanduser()
            try:
                fmt = "json" if target.suffix.lower() == ".json" else "md"
                # 0600, whole or not at all; Markdown's pictures go to a folder beside it.
                done = write_export(session.store, conversation_id, target, fmt)
            except (OSError, StoreError) as exc:
                self.notify(f"Export failed: {exc}", severity="error")
                return
            self.notify(done)

        self.app.push_screen(
            PathDialog(
                "Export conversation",
                "File to write (.md for Markdown, .json for OpenAI messages JSON):",
                str(default),
            ),
            chosen,
        )

    def action_import(self) -> None:
        """Ask for a JSON or Markdown export and import it as a new conversation."""
        from routmy_tui.store.import_json import import_text
        from routmy_tui.ui.widgets.dialogs import PathDialog

        session = self.session
        if session.store is None:
            self.notify(session.problem or "History is off.", severity="error")
            return

        def chosen(path: str | None) -> None:
            if not path or session.store is None:
                return
            source = Path(path).expanduser()
            try:
                text = source.read_text(encoding="utf-8")
                conversation_id, skipped = import_text(session.store, text, source.parent)
            except (OSError, ValueError, StoreError) as exc:
                self.notify(f"Import failed: {exc}", severity="error")
                return
            self.open_conversation(conversation_id)
            if skipped:
                self.notify(
                    "Imported as a new conversation. Skipped: " + "; ".join(skipped),
                    severity="warning",
                    timeout=12,
                )
            else:
                self.notify("Imported as a new conversation.")

        self.app.push_screen(
            PathDialog("Import conversation", "JSON or Markdown export to import:", ""), chosen
        )
