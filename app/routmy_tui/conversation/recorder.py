"""The store listening to the conversation: every message kept as it happens."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from routmy_tui.conversation.branch import Branch, stored_branch
from routmy_tui.conversation.events import (
    CallsDropped,
    Event,
    RepliesStarted,
    ReplyEnded,
    ReplyKept,
    ReplyProgressed,
    SettingsChanged,
    TurnAdded,
)
from routmy_tui.conversation.settings import ChatSettings
from routmy_tui.conversation.turns import Turn
from routmy_tui.core.request import ChatParams, wants_json
from routmy_tui.store.db import StoreError

if TYPE_CHECKING:
    from routmy_tui.conversation.model import Conversation
    from routmy_tui.core.types import Reply
    from routmy_tui.store import Store, StoredMessage

__all__ = ["CHECKPOINT_INTERVAL", "LAST_KEY", "Recorder", "load_turns", "settings_of", "turn_of"]

log = logging.getLogger(__name__)

CHECKPOINT_INTERVAL = 1.0
"""Seconds between checkpoints of a streaming reply (it is also saved when it ends)."""
LAST_KEY = "last_conversation_id"
"""Meta key of the conversation to resume ("" means a new, empty chat)."""


def settings_of(
    stored_model: str | None, prompt: str | None, params: dict[str, Any], base: ChatSettings
) -> ChatSettings:
    """A stored conversation's settings (what it did not store comes from `base`)."""
    return base.replace(
        model=stored_model or base.model,
        system_prompt=prompt or "",
        params=ChatParams.from_dict(params),
    )


def turn_of(message: StoredMessage, positions: dict[int, tuple[int, int]]) -> Turn:
    """A stored message as a turn of the branch."""
    keys = ("dropped_calls", "answered_by", "answered_at", "json_output")
    meta: dict[str, Any] = {key: message.extra[key] for key in keys if key in message.extra}
    return Turn(
        message=message.to_chat_message(),
        id=message.id,
        reply=message.to_reply() if message.role == "assistant" else None,
        model=message.model,
        siblings=positions.get(message.id, (1, 1)),
        meta=meta,
    )


def load_turns(store: Store, path: list[StoredMessage]) -> list[Turn]:
    """The turns of a stored branch, each with its place among its siblings."""
    positions = store.sibling_positions(path)
    return [turn_of(message, positions) for message in path]


CHANGED_ELSEWHERE = (
    "This conversation was also changed elsewhere (another routmy-tui on the same history). "
    "Both versions are kept as branches: [ and ] on a message switch between them; the one "
    "written last opens next time."
)


class Recorder:
    """Stores a conversation by listening to it; loads branches back (its `Branches`).

    Every write happens in the event's own call (the user's message is stored before its
    request leaves), but one: an ended reply with its exchange (tens of thousands of stream
    lines, about 0.1 s) is stored on the store's own thread when an event loop runs (the
    UI's), so no key waits for it; the store keeps the order of calls, and waits for it
    before it closes (or the process exits). A failing write is reported once through
    `on_error` and never stops the chat; nothing that arrived is dropped from the screen.

    Args:
        conversation: The conversation to keep.
        store: Gives the open store, or None when the history is off (opened on first use).
        on_error: Called with a message when a write fails.
        on_stored: Called after a message was stored (lists of conversations refresh).
    """

    def __init__(
        self,
        conversation: Conversation,
        store: Callable[[], Store | None],
        on_error: Callable[[str], None] | None = None,
        on_stored: Callable[[], None] | None = None,
    ) -> None:
        self.conversation = conversation
        self._store = store
        self.on_error = on_error
        self.on_stored = on_stored
        self._last_checkpoint: dict[int, float] = {}
        self._failed = False
        self._warned: set[str] = set()
        conversation.subscribe(self.handle)
        conversation.branches = self

    @property
    def store(self) -> Store | None:
        """The open store, or None."""
        return self._store()

    def _fail(self, exc: Exception) -> None:
        log.warning("history write failed: %s", exc)
        if not self._failed and self.on_error is not None:
            self.on_error(f"Could not save to the history: {exc}")
        self._failed = True

    def handle(self, event: Event) -> None:
        """Store what the event changed."""
        store = self.store
        if store is None:
            return
        try:
            if isinstance(event, TurnAdded):
                self._added(store, event.turn)
            elif isinstance(event, ReplyProgressed):
                self.checkpoint(event.turn)
            elif isinstance(event, ReplyEnded):
                self._ended(store, event)
            elif isinstance(event, RepliesStarted):
                parent = event.parent.id if event.parent is not None else None
                for turn in event.turns:
                    self._added(store, turn, parent)
            elif isinstance(event, ReplyKept):
                self._kept(store, event.turn)
            elif isinstance(event, SettingsChanged):
                if self.conversation.id is not None and event.what != "loaded":
                    self._save_settings(store)
            elif isinstance(event, CallsDropped) and event.turn.id is not None:
                store.update_message_meta(
                    event.turn.id, {"dropped_calls": event.turn.meta["dropped_calls"]}
                )
        except (StoreError, ValueError, UnicodeError) as exc:
            self._fail(exc)
        self._check_elsewhere(store)

    def _check_elsewhere(self, store: Store) -> None:
        """Say once per conversation when another window wrote to it too."""
        conversation_id = self.conversation.id
        if conversation_id is None or conversation_id in self._warned:
            return
        if store.changed_elsewhere(conversation_id):
            self._warned.add(conversation_id)
            if self.on_error is not None:
                self.on_error(CHANGED_ELSEWHERE)

    def _save_settings(self, store: Store) -> None:
        settings = self.conversation.settings
        assert self.conversation.id is not None
        store.update_conversation_settings(
            self.conversation.id,
            model=settings.model or None,
            system_prompt=settings.system_prompt or None,
            params=settings.params.to_dict(),
        )

    def _ensure_conversation(self, store: Store) -> str:
        conversation = self.conversation
        if conversation.id is None:
            settings = conversation.settings
            conversation.id = store.create_conversation(
                settings.model or None, settings.system_prompt or None, settings.params.to_dict()
            )
            # The new chat's draft was just sent: it must not come back in the next one.
            store.set_draft(None, "")
        store.set_meta(LAST_KEY, conversation.id)
        return conversation.id

    def _added(self, store: Store, turn: Turn, parent: int | None = None) -> None:
        """Store a new turn: by default as the child of the turn before it on the branch."""
        conversation_id = self._ensure_conversation(store)
        if parent is None:
            turns = self.conversation.turns
            # From the end: a new turn is the last (a long branch's older turns are not read).
            index = next((i for i in range(len(turns) - 1, -1, -1) if turns[i] is turn), len(turns))
            parent = turns[index - 1].id if index > 0 else None
        streaming = turn.reply is not None and turn.reply.status == "streaming"
        turn.id = store.add_message(
            conversation_id,
            parent,
            turn.message,
            status="streaming" if streaming else "complete",
            model=turn.model if turn.role == "assistant" else None,
            meta=dict(turn.meta) or None,
        )
        turn.siblings = store.sibling_position(turn.id)
        if turn.role == "user":
            store.set_draft(conversation_id, "")
        if streaming:
            self._last_checkpoint[turn.id] = time.monotonic()
        if self.on_stored is not None:
            self.on_stored()

    def checkpoint(self, turn: Turn, reply: Reply | None = None, *, force: bool = False) -> bool:
        """Save a streaming reply as it stands, at most once per `CHECKPOINT_INTERVAL`.

        Args:
            turn: The reply's turn.
            reply: Its live value (default `turn.reply`).
            force: Write even if the last write was recent.

        Returns:
            Whether it was written.
        """
        store = self.store
        reply = reply if reply is not None else turn.current_reply()
        if store is None or turn.id is None or reply is None:
            return False
        now = time.monotonic()
        if not force and now - self._last_checkpoint.get(turn.id, 0.0) < CHECKPOINT_INTERVAL:
            return False
        self._last_checkpoint[turn.id] = now
        try:
            store.checkpoint_reply(turn.id, reply)
        except (StoreError, ValueError, UnicodeError) as exc:
            self._fail(exc)
            return False
        return True

    def _ended(self, store: Store, event: ReplyEnded) -> None:
        """Store the reply as it ended, with its exchange: on the store's thread when an
        event loop runs (listeners then hear of it on the loop), else now."""
        turn = event.turn
        if turn.id is None:
            return
        message_id, reply, exchange = turn.id, turn.reply, event.exchange
        self._last_checkpoint.pop(message_id, None)
        if exchange is not None:
            # Kept beside the message: a stored reply knows how to draw itself without
            # reading its exchange back (tens of ms and megabytes for a long one).
            turn.meta["json_output"] = wants_json(exchange.request_body)
        meta = {"json_output": turn.meta["json_output"]} if "json_output" in turn.meta else None

        def save() -> None:
            problem: Exception | None = None
            if reply is not None:
                try:
                    store.checkpoint_reply(message_id, reply)
                except (StoreError, ValueError, UnicodeError) as exc:
                    problem = exc  # the exchange is still worth keeping
            if exchange is not None:
                store.save_exchange(message_id, exchange)
            if meta is not None:
                store.update_message_meta(message_id, meta)
            if problem is not None:
                raise problem

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            save()  # no loop, no UI to keep responsive
            self._stored()
            return
        future = store.later(save)
        future.add_done_callback(lambda done: self._tell_loop(loop, done.exception()))

    def _tell_loop(self, loop: asyncio.AbstractEventLoop, problem: BaseException | None) -> None:
        """On the store's thread: report a stored reply on the loop (if it still runs)."""
        try:
            loop.call_soon_threadsafe(self._stored_later, problem)
        except RuntimeError:
            if problem is not None:  # the loop is gone (quitting): the log keeps it
                log.warning("history write failed: %s", problem)

    def _stored_later(self, problem: BaseException | None) -> None:
        if isinstance(problem, (StoreError, ValueError, UnicodeError)):
            self._fail(problem)
        elif problem is not None:
            log.error("storing an ended reply failed", exc_info=problem)
            self._fail(StoreError(str(problem)))
        store = self.store
        if store is not None:
            self._check_elsewhere(store)
        self._stored()

    def _stored(self) -> None:
        if self.on_stored is not None:
            self.on_stored()

    def _kept(self, store: Store, turn: Turn) -> None:
        """A compared reply was kept: its branch becomes the conversation's current one."""
        if turn.id is None or self.conversation.id is None:
            return
        store.set_current_leaf(self.conversation.id, turn.id)
        turn.siblings = store.sibling_position(turn.id)
        if self.on_stored is not None:
            self.on_stored()

    # --- Branches ---------------------------------------------------------------------------

    def switch(self, message_id: int, offset: int) -> Branch | None:
        """The branch through another version of a message (it becomes the current one)."""
        store = self.store
        if store is None or self.conversation.id is None:
            return None
        try:
            store.switch_sibling(message_id, offset)
            return stored_branch(store, self.conversation.id, load_turns, self.on_error)
        except StoreError as exc:
            self._fail(exc)
            return None
