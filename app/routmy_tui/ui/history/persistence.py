"""Persistence on the reply path: the user's message before the request, checkpoints, the end."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from routmy_tui.core.types import ChatMessage
from routmy_tui.store.db import StoreError
from routmy_tui.ui.chat.items import AssistantItem, Item, UserItem

if TYPE_CHECKING:
    from routmy_tui.store import Store
    from routmy_tui.ui.chat.controller import Conversation

CHECKPOINT_INTERVAL = 1.0
"""Seconds between checkpoints of a streaming reply (it is also saved on every end)."""


class Persistence:
    """Writes what the controller does into the store, for one conversation at a time.

    Every method is a no-op without a store, and a storage failure is reported through
    `on_error` once instead of breaking the chat.

    Args:
        store: The open store, or None when running without history.
        on_error: Called with a message when a write fails.
        opener: Opens the store when it is first needed (the session's `open_store`).
    """

    def __init__(
        self,
        store: Store | None,
        on_error: Callable[[str], None] | None = None,
        opener: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._opener = opener
        self.on_error = on_error
        self.conversation_id: str | None = None
        """The stored conversation on screen (None until its first message)."""
        self.on_stored: Callable[[], None] | None = None
        """Called after a new message was stored (lists of conversations refresh)."""
        self._last_checkpoint: dict[int, float] = {}
        self._saved_settings: tuple[str, str, str] | None = None
        self._failed = False

    @property
    def store(self) -> Store | None:
        """The store, opened through `opener` on first use (it opens after the first frame)."""
        if self._store is None and self._opener is not None:
            self._opener()
        return self._store

    @store.setter
    def store(self, store: Store | None) -> None:
        self._store = store

    def _fail(self, exc: StoreError) -> None:
        if not self._failed and self.on_error is not None:
            self.on_error(f"Could not save to the history: {exc}")
        self._failed = True

    def ensure_conversation(self, conversation: Conversation) -> str | None:
        """The stored conversation, created on the first message; its settings kept current."""
        store = self.store
        if store is None:
            return None
        params = conversation.params.to_dict()
        settings = (conversation.model, conversation.system_prompt, repr(sorted(params.items())))
        try:
            if self.conversation_id is None:
                self.conversation_id = store.create_conversation(
                    conversation.model or None, conversation.system_prompt or None, params
                )
                # The new chat's draft was just sent: it must not come back in the next one.
                store.set_draft(None, "")
            elif settings != self._saved_settings:
                store.update_conversation_settings(
                    self.conversation_id,
                    model=conversation.model or None,
                    system_prompt=conversation.system_prompt or None,
                    params=params,
                )
            self._saved_settings = settings
            store.set_meta("last_conversation_id", self.conversation_id)
        except StoreError as exc:
            self._fail(exc)
            return None
        return self.conversation_id

    def remember_settings(self, conversation: Conversation) -> None:
        """The settings just loaded from the store (so they are not written back needlessly)."""
        params = conversation.params.to_dict()
        self._saved_settings = (
            conversation.model,
            conversation.system_prompt,
            repr(sorted(params.items())),
        )

    def user_message(self, conversation: Conversation, item: UserItem, parent: Item | None) -> None:
        """Store the user's message (before the request leaves) as a child of `parent`."""
        conversation_id = self.ensure_conversation(conversation)
        if conversation_id is None or self.store is None:
            return
        parent_id = parent.message_id if parent is not None else None
        try:
            item.message_id = self.store.add_message(
                conversation_id, parent_id, ChatMessage("user", item.text, list(item.images))
            )
            item.siblings = self.store.sibling_position(item.message_id)
            self.store.set_draft(conversation_id, "")
        except StoreError as exc:
            self._fail(exc)
            return
        if self.on_stored is not None:
            self.on_stored()

    def reply_started(self, item: AssistantItem, parent: Item | None) -> None:
        """Store the reply about to arrive, marked "streaming"."""
        if self.store is None or self.conversation_id is None:
            return
        parent_id = parent.message_id if parent is not None else None
        try:
            item.message_id = self.store.add_message(
                self.conversation_id,
                parent_id,
                ChatMessage("assistant", ""),
                status="streaming",
                model=item.model,
            )
            item.siblings = self.store.sibling_position(item.message_id)
        except StoreError as exc:
            self._fail(exc)
            return
        self._last_checkpoint[item.message_id] = time.monotonic()

    def checkpoint(self, item: AssistantItem, *, force: bool = False) -> bool:
        """Save the reply as it stands, at most once per `CHECKPOINT_INTERVAL` unless forced.

        Returns:
            Whether it was written.
        """
        if self.store is None or item.message_id is None:
            return False
        now = time.monotonic()
        last = self._last_checkpoint.get(item.message_id, 0.0)
        if not force and now - last < CHECKPOINT_INTERVAL:
            return False
        self._last_checkpoint[item.message_id] = now
        try:
            self.store.checkpoint_reply(item.message_id, item.reply)
        except StoreError as exc:
            self._fail(exc)
            return False
        return True

    def reply_ended(self, item: AssistantItem) -> None:
        """Save the final reply, its status and the exchange."""
        if self.store is None or item.message_id is None:
            return
        self.checkpoint(item, force=True)
        self._last_checkpoint.pop(item.message_id, None)
        if item.exchange is not None:
            try:
                self.store.save_exchange(item.message_id, item.exchange)
            except StoreError as exc:
                self._fail(exc)
        if self.on_stored is not None:
            self.on_stored()
