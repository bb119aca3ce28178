"""The kept conversations as the chat uses them: resume, open, new, versions, delete, drafts."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from routmy_tui.conversation.branch import stored_branch
from routmy_tui.conversation.recorder import LAST_KEY, Recorder, load_turns, settings_of
from routmy_tui.store.db import StoreError

if TYPE_CHECKING:
    from routmy_tui.conversation.model import Conversation
    from routmy_tui.store import Store

__all__ = ["History"]


RESUME_LIMIT = 5_000
"""Longest branch reopened at start. Opening reads only the last messages, but lists the
whole branch (about 5 ms per 1,000 messages) and the view then measures every message in the
background, keeping each (a few MB per 1,000): a huge one waits until it is asked for."""


class History:
    """The history of one app: the conversation on screen, kept and loaded through the store.

    A store that cannot be opened leaves the history off (`problem` says why); the chat goes
    on without it. Failures are reported through `on_error`, never raised.

    Args:
        conversation: The conversation on screen.
        store: Gives the open store (opened on first use), or None when it is off.
        problem: Gives why the store is off (None while it works).
        resume_last: Start in the last conversation.
    """

    def __init__(
        self,
        conversation: Conversation,
        store: Callable[[], Store | None],
        problem: Callable[[], str | None] = lambda: None,
        *,
        resume_last: bool = True,
    ) -> None:
        self.conversation = conversation
        self._store = store
        self._problem = problem
        self.resume_last = resume_last
        self.on_error: Callable[[str], None] = lambda message: None
        """Called with a message when something could not be stored or loaded."""
        self.on_changed: Callable[[], None] = lambda: None
        """Called when something stored changed (titles, lists of conversations)."""
        self.recorder = Recorder(
            conversation, store, on_error=self._error, on_stored=lambda: self.on_changed()
        )
        self.deleted: str | None = None
        """The conversation deleted last (for undo)."""
        self._draft_saved = ""

    def _error(self, message: str) -> None:
        self.on_error(message)

    @property
    def store(self) -> Store | None:
        """The open store, or None when the history is off."""
        return self._store()

    @property
    def problem(self) -> str | None:
        """Why the history is off (None while it works)."""
        return self._problem()

    @property
    def conversation_id(self) -> str | None:
        """The stored conversation on screen (None for a new chat not yet sent)."""
        return self.conversation.id

    def title(self) -> str:
        """The title of the conversation on screen ("" for a new chat)."""
        store = self.store
        if store is None or self.conversation.id is None:
            return ""
        try:
            found = store.get_conversation(self.conversation.id)
        except StoreError:
            return ""
        return found.title if found else ""

    # --- drafts ------------------------------------------------------------------------

    def draft(self, conversation_id: str | None) -> str:
        """The unsent composer text kept for a conversation (or the new chat)."""
        store = self.store
        if store is None:
            return ""
        try:
            return store.get_draft(conversation_id)
        except StoreError:
            return ""

    def save_draft(self, text: str) -> None:
        """Keep the composer text of the conversation on screen (cheap when unchanged)."""
        store = self.store
        if store is None or text == self._draft_saved:
            return
        self._draft_saved = text
        try:
            store.set_draft(self.conversation.id, text)
        except StoreError as exc:
            self._error(str(exc))

    def _loaded_draft(self, text: str) -> str:
        self._draft_saved = text
        return text

    # --- which conversation ------------------------------------------------------------

    def resume(self) -> tuple[bool, str]:
        """At start: reopen the last conversation if asked to. Returns (resumed, its draft)."""
        store = self.store
        if store is None:
            return False, ""
        try:
            last = store.get_meta(LAST_KEY)
            if last is None:
                last = store.latest_conversation_id()
            exists = bool(last) and store.get_conversation(last or "") is not None
            huge = exists and store.path_length(str(last), RESUME_LIMIT + 1) > RESUME_LIMIT
        except StoreError as exc:
            self._error(str(exc))
            return False, ""
        if self.resume_last and huge:
            # Loading it takes seconds per 10,000 messages: the start stays quick instead.
            self._error(
                f"The last conversation has more than {RESUME_LIMIT:,} messages on its branch, "
                "so it was not reopened at start; open it from the conversations (Ctrl+O)."
            )
            return False, self._loaded_draft(self.draft(None))
        if self.resume_last and last and exists:
            try:
                draft = self.open(last)
            except Exception as exc:  # No stored input may lock the user out at every start.
                self._skip_broken(str(last), exc)
                draft = None
            if draft is not None:
                return True, draft
        return False, self._loaded_draft(self.draft(None))

    def _skip_broken(self, conversation_id: str, exc: Exception) -> None:
        """A conversation that failed to open: say so, start a new chat, do not resume it again."""
        self.conversation.reset()
        self._error(
            f"The last conversation ({conversation_id[:8]}) could not be opened "
            f"({type(exc).__name__}: {str(exc)[:200]}); a new chat was started instead. "
            "It is still listed (Ctrl+O)."
        )
        store = self.store
        if store is not None:
            with contextlib.suppress(StoreError):
                store.set_meta(LAST_KEY, "")

    def open(self, conversation_id: str, message_id: int | None = None) -> str | None:
        """Show a stored conversation (at `message_id`'s branch) with its own settings.

        Returns:
            Its draft, or None when it could not be opened (said through `on_error`).
        """
        store = self.store
        if store is None:
            self._error(self.problem or "History is off.")
            return None
        try:
            if message_id is not None:
                store.select_branch(message_id)
            stored = store.get_conversation(conversation_id)
            if stored is None:
                self._error("That conversation no longer exists.")
                return None
            # The last turns are read now; the rest when they are asked for (scrolling up,
            # the background pass of the view, a request carrying them).
            turns = stored_branch(store, conversation_id, load_turns, self._error)
            store.set_meta(LAST_KEY, conversation_id)
        except StoreError as exc:
            self._error(str(exc))
            return None
        settings = settings_of(
            stored.model, stored.system_prompt, stored.params, self.conversation.defaults
        )
        self.conversation.load(conversation_id, settings, turns)
        self.on_changed()
        return self._loaded_draft(stored.draft)

    def new_conversation(self) -> str:
        """A new, empty chat with the user's defaults (stored at its first message).

        Returns:
            The draft kept for the new chat.
        """
        self.conversation.reset()
        store = self.store
        if store is not None:
            try:
                store.set_meta(LAST_KEY, "")
            except StoreError as exc:
                self._error(str(exc))
        self.on_changed()
        return self._loaded_draft(self.draft(None))

    def delete(self, conversation_id: str) -> bool:
        """Delete softly (`undo_delete` brings it back).

        Returns:
            Whether it was the conversation on screen (the caller starts a new chat).
        """
        store = self.store
        if store is None:
            return False
        try:
            store.delete_conversation(conversation_id)
            if store.get_meta(LAST_KEY) == conversation_id:
                store.set_meta(LAST_KEY, None)
        except StoreError as exc:
            self._error(str(exc))
            return False
        self.deleted = conversation_id
        self.on_changed()
        return conversation_id == self.conversation.id

    def undo_delete(self) -> str | None:
        """Restore the conversation deleted last; returns its id (None if there was none)."""
        restored, self.deleted = self.deleted, None
        store = self.store
        if restored is None or store is None:
            return None
        try:
            store.restore_conversation(restored)
        except StoreError as exc:
            self._error(str(exc))
            return None
        self.on_changed()
        return restored
