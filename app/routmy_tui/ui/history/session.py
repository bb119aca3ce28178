"""The history session: one store for the app, loading conversations into the chat screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from routmy_tui.config.settings import Settings
from routmy_tui.core.request import ChatParams
from routmy_tui.core.types import Exchange
from routmy_tui.store.db import StoreError
from routmy_tui.ui.chat.items import AssistantItem, Item, UserItem
from routmy_tui.ui.history.persistence import Persistence

if TYPE_CHECKING:
    from routmy_tui.store import Store, StoredMessage
    from routmy_tui.ui.chat.chat_screen import ChatScreen

DB_NAME = "routmy.db"
PURGE_AFTER = 24 * 3600.0
"""Seconds a deleted conversation can still be restored (until the next start after that)."""
LAST_KEY = "last_conversation_id"
WARM_UP_AFTER_HISTORY = 0.1
"""Seconds between putting the history on screen and starting the warm-up."""
"""Meta key of the conversation to resume ("" means a new, empty chat)."""


class StoredReplyItem(AssistantItem):
    """A reply loaded from the store; its exchange (large) is read only when first asked for."""

    def __init__(self, message: StoredMessage, store: Store, code_theme: str) -> None:
        self._store: Store | None = store
        self._exchange: Exchange | None = None
        super().__init__(message.model or "", reply=message.to_reply(), code_theme=code_theme)
        self.message_id = message.id

    @property
    def exchange(self) -> Exchange | None:
        """The recorded exchange, read from the store on first use."""
        if self._store is not None and self.message_id is not None:
            store, self._store = self._store, None
            try:
                self._exchange = store.get_exchange(self.message_id)
            except StoreError:
                self._exchange = None
        return self._exchange

    @exchange.setter
    def exchange(self, value: Exchange | None) -> None:
        if value is not None:
            self._store = None
        self._exchange = value


def sendable(message: StoredMessage) -> bool:
    """Whether a stored message goes into requests (replies that produced nothing do not)."""
    if message.role != "assistant":
        return True
    return bool(message.content or message.tool_calls or message.images)


def items_for(
    path: list[StoredMessage], store: Store, code_theme: str, positions: dict[int, tuple[int, int]]
) -> list[Item]:
    """View items for a stored branch; cheap: nothing is rendered until it is on screen."""
    items: list[Item] = []
    for message in path:
        item: Item
        if message.role == "assistant":
            item = StoredReplyItem(message, store, code_theme)
        else:
            text = message.content or ""
            if message.role == "tool":
                text = f"[tool result {message.tool_call_id or ''}]\n{text}"
            item = UserItem(text, list(message.images))
            item.message_id = message.id
        item.siblings = positions.get(message.id, (1, 1))
        items.append(item)
    return items


class Session:
    """Owns the store for the app's lifetime and keeps the chat screen and the store in step.

    A store that cannot be opened (corrupt, from a newer version, unwritable) does not stop the
    app: `problem` says why, and the chat runs without history.

    Args:
        settings: Where the data lives (`data_dir`) and whether to resume (`resume_last`).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: Store | None = None
        self.problem: str | None = None
        self.persistence = Persistence(None, on_error=self._report, opener=self.open_store)
        self.persistence.on_stored = self.changed
        self.screen: ChatScreen | None = None
        self.deleted: str | None = None
        """The conversation deleted last (for undo)."""
        self._draft_saved = ""

    @property
    def store(self) -> Store | None:
        """The open history (opened on first use), or None when it could not be opened."""
        if self._store is None:
            self.open_store()
        return self._store

    def open_store(self) -> None:
        """Open the database: right after the first frame, or sooner if something needs it."""
        if self._store is not None or self.problem is not None:
            return
        from routmy_tui.store import Store

        try:
            store = Store.open(self.settings.data_dir / DB_NAME)
        except StoreError as exc:
            self.problem = f"History is off: nothing will be saved. {exc}"
            return
        try:
            store.recover_interrupted()
            store.purge_deleted(older_than=PURGE_AFTER)
        except StoreError as exc:
            store.close()
            self.problem = f"History is off: nothing will be saved. {exc}"
            return
        self._store = store
        self.persistence.store = store

    def likely_resumes(self) -> bool:
        """Whether start-up will probably reopen a conversation (a history file exists)."""
        return self.settings.resume_last and (self.settings.data_dir / DB_NAME).exists()

    @property
    def conversation_id(self) -> str | None:
        """The stored conversation on screen (None for a new chat not yet sent)."""
        return self.persistence.conversation_id

    def _report(self, message: str) -> None:
        if self.screen is not None:
            self.screen.notify(message, title="History", severity="error", timeout=12)

    # --- the chat screen ---------------------------------------------------------------

    def attach(self, screen: ChatScreen) -> None:
        """Connect a mounted chat screen; the history opens right after its first frame."""
        self.screen = screen
        assert screen.controller is not None
        screen.controller.persistence = self.persistence
        screen.call_after_refresh(self._start, screen)

    def _start(self, screen: ChatScreen) -> None:
        """Open the history, resume the last conversation, start saving drafts."""
        self.open_store()
        if self.problem:
            screen.notify(self.problem, title="History", severity="error", timeout=20)
        store = self.store
        resumed = False
        # The user may have typed or sent before this ran: never overwrite that.
        started = (
            self.conversation_id is not None
            or bool(screen.query_one("#conversation").items)
            or bool(screen.query_one("#composer").text)
        )
        if store is not None and not started:
            last = store.get_meta(LAST_KEY)
            if last is None:
                last = store.latest_conversation_id()
            if self.settings.resume_last and last and store.get_conversation(last) is not None:
                resumed = self.open(last)
            else:
                self._set_draft(self._draft(None))
        if not resumed and not started:
            screen.query_one("#welcome").display = True
        screen.set_interval(0.5, self.save_draft)
        screen.refresh_header()
        self.changed()
        # Heavy imports and the demo backend wait until the history is painted and written
        # out (Textual writes frames from a thread that the imports would slow down).
        screen.set_timer(WARM_UP_AFTER_HISTORY, screen.routmy.warm_up)

    def changed(self) -> None:
        """Something stored changed: refresh the header title and the sidebar."""
        screen = self.screen
        if screen is None or not screen.is_mounted:
            return
        from routmy_tui.ui.chat.header import AppHeader
        from routmy_tui.ui.history.sidebar import ConversationSidebar

        title = ""
        if self.store is not None and self.conversation_id is not None:
            try:
                found = self.store.get_conversation(self.conversation_id)
            except StoreError:
                found = None
            title = found.title if found else ""
        header = screen.query_one(AppHeader)
        header.conversation = title
        header.model = screen.conversation.model
        for sidebar in screen.query(ConversationSidebar):
            sidebar.reload()

    def _draft(self, conversation_id: str | None) -> str:
        if self.store is None:
            return ""
        try:
            return self.store.get_draft(conversation_id)
        except StoreError:
            return ""

    def _set_draft(self, text: str) -> None:
        from routmy_tui.ui.chat.composer import Composer

        assert self.screen is not None
        composer = self.screen.query_one(Composer)
        composer.text = text
        composer.move_cursor(composer.document.end)
        self._draft_saved = text

    def save_draft(self) -> None:
        """Keep the composer text of the conversation on screen (called twice a second)."""
        from routmy_tui.ui.chat.composer import Composer

        screen = self.screen
        if screen is None or not screen.is_mounted or self.store is None:
            return
        composers = screen.query(Composer)
        if not composers:
            return  # Closing: the widgets are gone.
        text = composers.first().text
        controller = screen.controller
        if controller is not None and controller.edit_index is not None and not text.strip():
            controller.edit_index = None  # Emptying the composer gives up the edit.
            screen.refresh_bindings()
        if text == self._draft_saved:
            return
        self._draft_saved = text
        try:
            self.store.set_draft(self.conversation_id, text)
        except StoreError as exc:
            self._report(str(exc))

    # --- switching conversations ----------------------------------------------------------

    def _busy(self) -> bool:
        screen = self.screen
        if screen is not None and screen.controller is not None and screen.controller.busy:
            screen.notify("A reply is on its way: Escape stops it first.", severity="warning")
            return True
        return False

    def open(self, conversation_id: str, message_id: int | None = None) -> bool:
        """Show a stored conversation (at `message_id`'s branch when given) with its settings."""
        screen, store = self.screen, self.store
        if screen is None or store is None or screen.controller is None or self._busy():
            return False
        self.save_draft()
        try:
            if message_id is not None:
                store.select_branch(message_id)
            stored = store.get_conversation(conversation_id)
            if stored is None:
                screen.notify("That conversation no longer exists.", severity="warning")
                return False
            store.set_meta(LAST_KEY, conversation_id)
        except StoreError as exc:
            self._report(str(exc))
            return False
        conversation = screen.conversation
        conversation.model = stored.model or conversation.model
        conversation.system_prompt = stored.system_prompt or ""
        conversation.params = ChatParams.from_dict(stored.params)
        self.persistence.conversation_id = conversation_id
        self.persistence.remember_settings(conversation)
        screen.controller.edit_index = None
        self.show_branch()
        self._set_draft(stored.draft)
        if message_id is not None:
            view = screen.controller.view
            for index, item in enumerate(view.items):
                if item.message_id == message_id:
                    view.select(index)
                    break
        self.changed()
        return True

    def show_branch(self) -> None:
        """Put the conversation's current branch on screen; requests carry exactly it."""
        screen, store = self.screen, self.store
        assert screen is not None and screen.controller is not None
        controller = screen.controller
        view = controller.view
        path: list[StoredMessage] = []
        positions: dict[int, tuple[int, int]] = {}
        if store is not None and self.conversation_id is not None:
            try:
                path = store.current_path(self.conversation_id)
                positions = store.sibling_positions(path)
            except StoreError as exc:
                self._report(str(exc))
        view.clear()
        items = items_for(path, store, view.palette.code_theme, positions) if store else []
        for item in items:
            if isinstance(item, AssistantItem):
                # Quota cost needs the model's multiplier, which the store does not keep.
                info = controller.models.get(item.model)
                item.multiplier = info.token_multiplier if info else None
        view.add_items(items)
        controller.conversation.messages = [m.to_chat_message() for m in path if sendable(m)]
        screen.query_one("#welcome").display = not items

    def new_conversation(self) -> None:
        """A new, empty chat (stored at its first message)."""
        if self.screen is None:
            return
        self.save_draft()
        self.persistence.conversation_id = None
        if self.screen.controller is not None:
            self.screen.controller.edit_index = None
        if self.store is not None:
            try:
                self.store.set_meta(LAST_KEY, "")
            except StoreError as exc:
                self._report(str(exc))
        self._set_draft(self._draft(None))
        self.changed()

    def switch_sibling(self, index: int, offset: int) -> None:
        """Show the previous (-1) or next (+1) version of the message at `index`."""
        screen, store = self.screen, self.store
        if screen is None or store is None or screen.controller is None or self._busy():
            return
        view = screen.controller.view
        if not 0 <= index < len(view.items):
            return
        item = view.items[index]
        if item.message_id is None or item.siblings[1] < 2:
            screen.notify("This message has no other versions.")
            return
        try:
            store.switch_sibling(item.message_id, offset)
        except StoreError as exc:
            self._report(str(exc))
            return
        self.show_branch()
        if index < len(view.items):
            view.select(index)

    def delete(self, conversation_id: str) -> None:
        """Delete softly (`undo_delete` brings it back); on screen, a new chat takes its place."""
        if self.store is None:
            return
        try:
            self.store.delete_conversation(conversation_id)
            if self.store.get_meta(LAST_KEY) == conversation_id:
                self.store.set_meta(LAST_KEY, None)
        except StoreError as exc:
            self._report(str(exc))
            return
        self.deleted = conversation_id
        if conversation_id == self.conversation_id and self.screen is not None:
            if self.screen.controller is not None:
                self.screen.controller.stop()
            self.screen.action_new_chat()
        self.changed()

    def undo_delete(self) -> str | None:
        """Restore the conversation deleted last; returns its id (None if there was none)."""
        restored, self.deleted = self.deleted, None
        if restored is None or self.store is None:
            return None
        try:
            self.store.restore_conversation(restored)
        except StoreError as exc:
            self._report(str(exc))
            return None
        self.changed()
        return restored

    def close(self) -> None:
        """Save the draft and close the store (if it was ever opened)."""
        if self._store is not None:
            self.save_draft()
            self._store.close()
            self._store = None
            self.persistence.store = None
