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
from routmy_tui.ui.items import AssistantItem, UserItem

if TYPE_CHECKING:
    from routmy_tui.core.client import RoutmyClient
    from routmy_tui.ui.conversation_view import ConversationView


class ClientSource(Protocol):
    """Where the controller gets the current client (the app swaps it when a key is entered)."""

    @property
    def client(self) -> RoutmyClient: ...


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
        self._reply_items: dict[int, AssistantItem] = {}

    @property
    def client(self) -> RoutmyClient:
        """The API client in use now."""
        return self._source.client

    @property
    def busy(self) -> bool:
        """Whether a reply is on its way."""
        return self.active is not None

    def send(self, text: str) -> None:
        """Add a user message and ask for a reply."""
        self.conversation.messages.append(ChatMessage("user", text))
        self.view.add_item(UserItem(text))
        self._start()

    def retry(self) -> bool:
        """Ask again for the last reply (after an error or a stop). False if nothing to retry."""
        if self.busy:
            return False
        items = self.view.items
        if not items:
            return False
        last = items[-1]
        if isinstance(last, AssistantItem):
            messages = self.conversation.messages
            if messages and messages[-1].role == "assistant" and last.reply.status != "complete":
                messages.pop()
            elif last.reply.status == "complete":
                return False
        elif not isinstance(last, UserItem):
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
        self.view.add_item(item)
        self.active = item
        body = conversation.body() if body is None else body
        self._worker = self.view.run_worker(
            self._run(body, item), exclusive=True, group="reply", exit_on_error=False
        )

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
        try:
            async for event in run.events():
                item.run.last_activity = run.last_activity
                if isinstance(event, ReplyUpdated):
                    delta = event.delta
                    if item.run.first_token is None and (
                        delta.content or delta.reasoning or delta.tool_calls_changed or delta.images
                    ):
                        item.run.first_token = time.monotonic()
                    if delta.content or delta.reasoning:
                        item.run.deltas += 1
                    item.sync()
                    view.item_changed(item)
                elif isinstance(event, RequestSent):
                    item.run.attempt = event.attempt
                    item.run.started = time.monotonic()
                    item.sync()
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
        item.sync()
        self.view.item_changed(item)
        if reply.content or reply.tool_calls or reply.images:
            self.conversation.messages.append(reply.to_message())
        if self.active is item:
            self.active = None
            self._worker = None
        self.view.post_message(ReplyEnded(item))

    def tick(self) -> None:
        """Animate the status line of the reply on its way (called a few times a second)."""
        item = self.active
        if item is not None:
            item.spinner += 1
            self.view.item_changed(item)
