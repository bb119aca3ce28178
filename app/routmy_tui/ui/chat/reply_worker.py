"""The chat controller's reply workers: one reply streamed at a time, compared ones beside
it, each event's bookkeeping on the reply's item, and how a reply ends."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from textual.message import Message

from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.live_stream import InputGate
from routmy_tui.ui.chat.render import load_markdown_in_background
from routmy_tui.ui.request_first import hold_frames

if TYPE_CHECKING:
    from weakref import WeakValueDictionary

    from textual.worker import Worker

    from routmy_tui.conversation import Conversation, Turn
    from routmy_tui.core.client import RoutmyClient
    from routmy_tui.core.types import ModelInfo, Reply
    from routmy_tui.ui.chat.conversation_view import ConversationView
    from routmy_tui.ui.chat.gc_pacer import GcPacer
    from routmy_tui.ui.chat.items import Item
    from routmy_tui.ui.chat.live_stream import ProgressPump

__all__ = ["YIELD_EVERY", "ReplyEnded", "ReplyWorkerMixin"]

YIELD_EVERY = 0.01
"""Seconds of stream processing after which the worker lets the UI run."""


class ReplyEnded(Message):
    """A reply finished, failed or was stopped."""

    def __init__(self, item: AssistantItem) -> None:
        super().__init__()
        self.item = item


class ReplyWorkerMixin:
    """`ChatController`'s reply workers (its state is made by the controller)."""

    view: ConversationView
    conversation: Conversation
    models: dict[str, ModelInfo]
    active: AssistantItem | None
    _worker: Worker[None] | None
    _items: WeakValueDictionary[int, Item]
    _beside: dict[int, tuple[Worker[None], AssistantItem]]
    _compared: dict[int, AssistantItem]
    _pump: ProgressPump
    _gc: GcPacer

    if TYPE_CHECKING:

        @property
        def client(self) -> RoutmyClient: ...

    def stop(self) -> bool:
        """Stop every reply on its way (compared ones too); True if there was one."""
        stopped = False
        if self._worker is not None and self.active is not None:
            self._worker.cancel()
            stopped = True
        for worker, _ in list(self._beside.values()):
            worker.cancel()
            stopped = True
        return stopped

    def stop_one(self, turn: Turn) -> bool:
        """Stop one compared reply and keep what arrived; True if it was on its way."""
        running = self._beside.get(id(turn))
        if running is None:
            return False
        running[0].cancel()
        return True

    def start_beside(
        self,
        turn: Turn,
        body: dict[str, Any],
        item: AssistantItem,
        changed: Callable[[AssistantItem], None],
    ) -> None:
        """Stream a compared reply into `item`, concurrently with the others.

        Args:
            turn: The reply's turn (from `Conversation.start_replies`).
            body: Its request.
            item: Where it is shown (not in the conversation view).
            changed: Told when the item's status changed outside the stream (sent, retry).
        """
        info = self.models.get(turn.model or "")
        item.multiplier = info.token_multiplier if info else None
        self._compared[id(turn)] = item
        release = hold_frames(self.view.app)
        worker = self.view.run_worker(
            self._run(body, turn, item, release, changed), group="compare", exit_on_error=False
        )
        self._beside[id(turn)] = (worker, item)
        self.view.refresh_bindings()

    # --- the reply worker ----------------------------------------------------------------

    def _start(self, turn: Turn, body: dict[str, Any]) -> None:
        item = self._items.get(id(turn))
        assert isinstance(item, AssistantItem)
        self.active = item
        # The request goes out before the new messages are drawn (see `hold_frames`).
        release = hold_frames(self.view.app)
        self._worker = self.view.run_worker(
            self._run(body, turn, item, release),
            exclusive=True,
            group="reply",
            exit_on_error=False,
        )
        # Keys that depend on a reply running (Escape stops) appear in the footer now.
        self.view.refresh_bindings()

    async def _run(
        self,
        body: dict[str, Any],
        turn: Turn,
        item: AssistantItem,
        release: Callable[[], None],
        changed: Callable[[AssistantItem], None] | None = None,
    ) -> None:
        """Stream one reply into `item`; `release` ends the frame hold (`hold_frames`) once
        the request is written, the try answers, or the reply ends (else at its limit)."""
        from routmy_tui.core.client import (
            HeadersReceived,
            ReplyFinished,
            ReplyUpdated,
            RequestSent,
            Retrying,
        )

        item_changed = changed or self.view.item_changed
        run = self.client.chat(body)
        self._gc.started()
        run.on_written = release
        item.live = run
        item.exchange = run.exchange
        turn.live = lambda: run.reply
        mark = self._pump.mark
        gate: InputGate | None = getattr(self.view.app, "input_gate", None)
        if gate is not None:
            run.wait_turn = gate.wait  # input first: its frame goes out before more text
        yielded = time.monotonic()
        try:
            # Closed before `_finish` reads the reply: a stop that lands while this loop
            # yields (not inside the client) still ends the reply "stopped".
            async with aclosing(run.events()) as events:
                async for event in events:
                    now = time.monotonic()
                    # Several replies at once share the time a single one would take.
                    if now - yielded > YIELD_EVERY / max(1, len(self._beside)):
                        # Buffered data can arrive without the loop ever suspending: give the
                        # UI its turn so keys and frames are never starved by a fast stream.
                        await asyncio.sleep(0)
                        yielded = time.monotonic()
                    item.run.last_activity = run.last_activity
                    if isinstance(event, ReplyUpdated):
                        delta = event.delta
                        if item.run.first_token is None and (
                            delta.content
                            or delta.reasoning
                            or delta.tool_calls_changed
                            or delta.images
                        ):
                            item.run.first_token = time.monotonic()
                        if delta.content or delta.reasoning:
                            item.run.deltas += 1
                        mark(turn)
                    elif isinstance(event, RequestSent):
                        item.run.attempt = event.attempt
                        item.run.started = time.monotonic()
                        item_changed(item)
                    elif isinstance(event, Retrying):
                        release()  # the try ended before its request was written
                        item.run.retry_note = (
                            f"{event.error.summary()} — retry {event.attempt} of "
                            f"{self.client.max_retries} in {event.wait:.1f}s"
                        )
                        item_changed(item)
                    elif isinstance(event, HeadersReceived):
                        release()  # the try answered: nothing more to wait for
                        item.run.retry_note = ""
                        load_markdown_in_background()  # while the server thinks
                    elif isinstance(event, ReplyFinished):
                        break
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # A reply never dies silently: it ends saying why.
            run.fail(exc)
        finally:
            release()
            self._finish(turn, item, run.reply, run.exchange)

    def _finish(self, turn: Turn, item: AssistantItem, reply: Reply, exchange: Any) -> None:
        self._pump.drop(turn)
        self._gc.ended()
        item.live = None
        item.reply = reply
        item.run.ended = time.monotonic()
        item.run.retry_note = ""
        self.conversation.end_reply(turn, reply, exchange)
        if self._beside.pop(id(turn), None) is not None:
            # A compared reply: its column shows how it ended; the others go on.
            self.view.refresh_bindings()
            return
        if self.active is item:
            self.active = None
            self._worker = None
            self.view.refresh_bindings()  # ...and leave it when nothing runs.
        self.view.post_message(ReplyEnded(item))

    def tick(self) -> None:
        """Animate the status line of the reply on its way (called a few times a second)."""
        for _, beside in self._beside.values():
            beside.spinner += 1
        for turn in self.conversation.compared:
            if turn.live is not None:
                # The compare view redraws the column; the store checkpoints it.
                self.conversation.reply_progress(turn)
        item = self.active
        if item is not None:
            item.spinner += 1
            self.view.item_streamed(item)
            for turn in reversed(self.conversation.turns):
                if turn.live is not None:
                    # Also while the server is silent: what arrived is saved within a second.
                    self.conversation.reply_progress(turn)
                    break
