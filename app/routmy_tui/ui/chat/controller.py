"""The chat controller: owns the reply worker, turns client events into view updates."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from textual.message import Message
from textual.worker import Worker

from routmy_tui.core.request import ChatParams, build_chat_body
from routmy_tui.core.types import ChatMessage, ModelInfo, Reply
from routmy_tui.ui.chat.items import AssistantItem, Item, UserItem

if TYPE_CHECKING:
    from routmy_tui.core.client import RoutmyClient
    from routmy_tui.ui.chat.conversation_view import ConversationView
    from routmy_tui.ui.history.persistence import Persistence


class ClientSource(Protocol):
    """Where the controller gets the current client (the app swaps it when a key is entered)."""

    @property
    def client(self) -> RoutmyClient: ...


YIELD_EVERY = 0.01
"""Seconds of stream processing after which the worker lets the UI run."""


class ReplyEnded(Message):
    """A reply finished, failed or was stopped."""

    def __init__(self, item: AssistantItem) -> None:
        super().__init__()
        self.item = item


@dataclass
class Conversation:
    """What is sent: the model, the parameters, the system prompt and the message path."""

    model: str = ""
    system_prompt: str = ""
    params: ChatParams = field(default_factory=ChatParams)
    messages: list[ChatMessage] = field(default_factory=list)
    stream: bool = True

    def request_messages(self) -> list[ChatMessage]:
        """The messages of the request, system prompt first."""
        head = [ChatMessage("system", self.system_prompt)] if self.system_prompt.strip() else []
        return head + self.messages

    def body(self) -> dict[str, Any]:
        """The JSON body the next request will carry."""
        return build_chat_body(self.model, self.request_messages(), self.params, stream=self.stream)


class ChatController:
    """Sends messages and streams replies into a `ConversationView`.

    One reply runs at a time in an exclusive worker; starting another cancels it, and
    events of a superseded run are never applied. Escape stops the reply and keeps
    what arrived.
    """

    def __init__(
        self, view: ConversationView, source: ClientSource, conversation: Conversation
    ) -> None:
        self.view = view
        self._source = source
        self.conversation = conversation
        self.models: dict[str, ModelInfo] = {}
        self.active: AssistantItem | None = None
        self._worker: Worker[None] | None = None
        self.persistence: Persistence | None = None
        """Saves messages and replies as they happen (None: nothing is kept)."""
        self.edit_index: int | None = None
        """The user message being edited: the next `send` branches off before it."""

    @property
    def client(self) -> RoutmyClient:
        """The API client in use now."""
        return self._source.client

    @property
    def busy(self) -> bool:
        """Whether a reply is on its way."""
        return self.active is not None

    def send(self, text: str) -> None:
        """Add a user message and ask for a reply (a new branch when `edit_index` is set)."""
        if self.edit_index is not None:
            self.truncate(self.edit_index)
            self.edit_index = None
        item = UserItem(text)
        if self.persistence is not None:
            # Stored before the request leaves: no typed message is ever lost.
            self.persistence.user_message(self.conversation, item, self._last_item())
        self.conversation.messages.append(ChatMessage("user", text))
        self.view.add_item(item)
        self._start()

    def _last_item(self) -> Item | None:
        return self.view.items[-1] if self.view.items else None

    def truncate(self, count: int) -> None:
        """Keep the first `count` messages on screen, and send only those from now on."""
        self.view.truncate(count)
        self.conversation.messages = messages_of(self.view.items)

    def regenerate(self, index: int) -> bool:
        """Ask again for the reply at `index`: the new reply replaces it on screen, as its
        sibling (the old one stays stored). False if busy or not a reply."""
        items = self.view.items
        if self.busy or not 0 <= index < len(items):
            return False
        if not isinstance(items[index], AssistantItem):
            return False
        self.truncate(index)
        self._start()
        return True

    def retry(self) -> bool:
        """Ask again for the last reply (after an error or a stop). False if nothing to retry."""
        if self.busy:
            return False
        items = self.view.items
        if not items:
            return False
        last = items[-1]
        if isinstance(last, AssistantItem):
            if last.reply.status == "complete":
                return False
            return self.regenerate(len(items) - 1)
        if not isinstance(last, UserItem):
            return False
        self._start()
        return True

    def stop(self) -> bool:
        """Stop the reply on its way; True if there was one."""
        if self._worker is not None and self.active is not None:
            self._worker.cancel()
            return True
        return False

    def send_body(self, body: dict[str, Any]) -> None:
        """Send a request body exactly as given (replay from the inspector).

        The reply is added, shown and recorded like any other, under the body's model.
        """
        self._start(body)

    def _start(self, body: dict[str, Any] | None = None) -> None:
        conversation = self.conversation
        model = conversation.model if body is None else str(body.get("model") or "")
        item = AssistantItem(model or "(no model)", code_theme=self.view.palette.code_theme)
        info = self.models.get(model)
        item.multiplier = info.token_multiplier if info else None
        if self.persistence is not None:
            self.persistence.reply_started(item, self._last_item())
        self.view.add_item(item)
        self.active = item
        body = conversation.body() if body is None else body
        self._worker = self.view.run_worker(
            self._run(body, item), exclusive=True, group="reply", exit_on_error=False
        )
        # Keys that depend on a reply running (Escape stops) appear in the footer now.
        self.view.refresh_bindings()

    async def _run(self, body: dict[str, Any], item: AssistantItem) -> None:
        from routmy_tui.core.client import (
            HeadersReceived,
            ReplyFinished,
            ReplyUpdated,
            RequestSent,
            Retrying,
        )

        run = self.client.chat(body)
        item.live = run
        item.exchange = run.exchange
        view = self.view
        yielded = time.monotonic()
        try:
            async for event in run.events():
                now = time.monotonic()
                if now - yielded > YIELD_EVERY:
                    # Buffered data can arrive without the loop ever suspending: give the
                    # UI its turn so keys and frames are never starved by a fast stream.
                    await asyncio.sleep(0)
                    yielded = time.monotonic()
                item.run.last_activity = run.last_activity
                if isinstance(event, ReplyUpdated):
                    delta = event.delta
                    if item.run.first_token is None and (
                        delta.content or delta.reasoning or delta.tool_calls_changed or delta.images
                    ):
                        item.run.first_token = time.monotonic()
                    if delta.content or delta.reasoning:
                        item.run.deltas += 1
                    view.item_changed(item)
                    if self.persistence is not None:
                        self.persistence.checkpoint(item)
                elif isinstance(event, RequestSent):
                    item.run.attempt = event.attempt
                    item.run.started = time.monotonic()
                    view.item_changed(item)
                elif isinstance(event, Retrying):
                    item.run.retry_note = (
                        f"{event.error.summary()} — retry {event.attempt} of "
                        f"{self.client.max_retries} in {event.wait:.1f}s"
                    )
                    view.item_changed(item)
                elif isinstance(event, HeadersReceived):
                    item.run.retry_note = ""
                elif isinstance(event, ReplyFinished):
                    break
        except asyncio.CancelledError:
            raise
        finally:
            self._finish(item, run.reply)

    def _finish(self, item: AssistantItem, reply: Reply) -> None:
        item.live = None
        item.reply = reply
        item.run.ended = time.monotonic()
        item.run.retry_note = ""
        self.view.item_changed(item)
        if self.persistence is not None:
            self.persistence.reply_ended(item)
        if reply.content or reply.tool_calls or reply.images:
            self.conversation.messages.append(reply.to_message())
        if self.active is item:
            self.active = None
            self._worker = None
            self.view.refresh_bindings()  # ...and leave it when nothing runs.
        self.view.post_message(ReplyEnded(item))

    def tick(self) -> None:
        """Animate the status line of the reply on its way (called a few times a second)."""
        item = self.active
        if item is not None:
            item.spinner += 1
            self.view.item_changed(item)
            if self.persistence is not None:
                # Also while the server is silent: what arrived is saved within a second.
                self.persistence.checkpoint(item)


def messages_of(items: list[Item]) -> list[ChatMessage]:
    """The messages a request carries for these items (replies without output are not sent)."""
    out: list[ChatMessage] = []
    for item in items:
        if isinstance(item, UserItem):
            out.append(ChatMessage("user", item.text, list(item.images)))
        elif isinstance(item, AssistantItem):
            reply = item.reply
            if reply.content or reply.tool_calls or reply.images:
                out.append(reply.to_message())
    return out
