"""The conversation on screen: its branch, its settings, and every operation on them.

Nothing else builds a request. The view is a projection of `turns`; the history stores by
listening to the events; both are told in the order they subscribed (the history first, so a
new turn has its stored id before the view shows it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from routmy_tui.conversation.branch import Branch
from routmy_tui.conversation.events import (
    BranchReplaced,
    CallsDropped,
    Event,
    RepliesStarted,
    ReplyEnded,
    ReplyKept,
    ReplyProgressed,
    SettingsChanged,
    TurnAdded,
    TurnsTruncated,
)
from routmy_tui.conversation.settings import ChatSettings
from routmy_tui.conversation.turns import Turn
from routmy_tui.conversation.validity import request_problems
from routmy_tui.core.exchange import Exchange
from routmy_tui.core.request import build_chat_body
from routmy_tui.core.types import ChatMessage, Reply, ToolCall

__all__ = ["Branches", "Conversation", "InvalidRequest", "UnansweredCalls"]


class InvalidRequest(Exception):
    """The request would be refused by the server; nothing was sent. The message says why."""


class UnansweredCalls(InvalidRequest):
    """A user message while the last reply's tool calls wait for answers."""

    def __init__(self, calls: list[ToolCall]) -> None:
        names = ", ".join(call.name or "(no name)" for call in calls)
        super().__init__(f"{len(calls)} tool call(s) wait for an answer: {names}")
        self.calls = calls


class Branches(Protocol):
    """Where other versions of a message come from (the history)."""

    def switch(self, message_id: int, offset: int) -> Sequence[Turn] | None:
        """The branch through the previous (-1) or next (+1) version of a message."""


class Conversation:
    """Owns the branch on screen (exact wire messages) and the conversation's settings.

    Args:
        settings: The settings to start with (the user's defaults for a new chat).
        defaults: The user's defaults (the active-settings line names what differs).
    """

    def __init__(self, settings: ChatSettings, defaults: ChatSettings | None = None) -> None:
        self.settings = settings
        self.defaults = defaults or settings
        self.id: str | None = None
        """The stored conversation (None until its first message is stored)."""
        self.turns: Branch = Branch()
        """The branch on screen; a stored one reads its older turns when they are asked for."""
        self.branches: Branches | None = None
        self.compared: list[Turn] = []
        """Replies of a comparison still open (beside the branch until one is kept)."""
        self._listeners: list[Callable[[Event], None]] = []
        self.makes_pictures: Callable[[str], bool] = lambda model: False
        """Whether a model makes pictures (set by the app from the catalog and the user's
        overrides): its requests then ask for image output unless the parameters say."""

    # --- listening --------------------------------------------------------------------

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        """Call `listener` with every event from now on, after those subscribed before."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[Event], None]) -> None:
        """Stop telling `listener`."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener(event)

    # --- what a request carries ----------------------------------------------------------

    def messages(self, upto: int | None = None) -> list[ChatMessage]:
        """The messages a request carries for the first `upto` turns, system prompt first."""
        turns = self.turns if upto is None else self.turns[:upto]
        head = []
        if self.settings.system_prompt.strip():
            head.append(ChatMessage("system", self.settings.system_prompt))
        return head + [m for m in (turn.wire() for turn in turns) if m is not None]

    def body(self, messages: list[ChatMessage] | None = None) -> dict[str, Any]:
        """The JSON body for `messages` (default: the whole branch) with these settings."""
        settings = self.settings
        return build_chat_body(
            settings.model,
            self.messages() if messages is None else messages,
            settings.params,
            stream=settings.stream,
            image_out=self.makes_pictures(settings.model),
        )

    def preview(self, draft: str = "") -> dict[str, Any]:
        """The body the next send would carry, the draft included as the user's message."""
        messages = self.messages()
        if draft.strip():
            messages.append(ChatMessage("user", draft))
        return self.body(messages)

    def _problems(self, messages: list[ChatMessage]) -> list[str]:
        """Why a request carrying `messages` would be refused (or is not sent)."""
        problems = request_problems(messages)
        if self.turns.unreadable:
            problems.append(
                f"{self.turns.unreadable} message(s) of this branch could not be read from the "
                "history (a request would leave them out)"
            )
        return problems

    def pending_calls(self) -> list[ToolCall]:
        """Tool calls of the last reply that have no answer yet (in the order they came)."""
        answered: set[str] = set()
        for turn in reversed(self.turns):
            if turn.role == "tool":
                answered.add(turn.message.tool_call_id or "")
                continue
            if turn.role == "assistant" and turn.reply is not None:
                if turn.reply.status == "streaming":  # its calls are still forming
                    return []
                return [call for call in turn.calls() if call.id not in answered]
            if turn.role == "assistant":
                return [call for call in turn.calls() if call.id not in answered]
            return []
        return []

    def pending_reply(self) -> Turn | None:
        """The reply whose tool calls are pending, if any."""
        if not self.pending_calls():
            return None
        return next(t for t in reversed(self.turns) if t.role == "assistant")

    # --- settings ----------------------------------------------------------------------

    def change_settings(self, what: str = "settings", **changes: Any) -> None:
        """Change model, params, system_prompt or stream; stored and shown through the event."""
        new = self.settings.replace(**changes)
        if new == self.settings:
            return
        self.settings = new
        self._emit(SettingsChanged(new, what))

    # --- the branch ----------------------------------------------------------------------

    def _check_not_comparing(self) -> None:
        if self.compared:
            raise InvalidRequest("Keep one of the compared replies first.")

    def _add(self, turn: Turn) -> Turn:
        self._check_not_comparing()
        self.turns.append(turn)
        self._emit(TurnAdded(turn))
        return turn

    def truncate(self, count: int) -> None:
        """Keep the first `count` turns; what is added next is a sibling of the one cut."""
        if count < len(self.turns):
            self._check_not_comparing()
            del self.turns[count:]
            self._emit(TurnsTruncated(count))

    def send(self, text: str, images: Sequence[str] = ()) -> Turn:
        """Add the user's message at the end of the branch (then `start_reply`).

        Raises:
            UnansweredCalls: The last reply's tool calls wait for answers: answer them or
                `drop_pending` first (the request would be refused).
        """
        pending = self.pending_calls()
        if pending:
            raise UnansweredCalls(pending)
        return self._add(Turn(ChatMessage("user", text, list(images))))

    def edit(self, index: int, text: str, images: Sequence[str] = ()) -> Turn:
        """Send `text` in place of the user message at `index`, as its new sibling."""
        if not 0 <= index < len(self.turns) or self.turns[index].role != "user":
            raise InvalidRequest("only a message of yours can be edited")
        self.truncate(index)
        return self.send(text, images)

    def start_reply(self, body: dict[str, Any] | None = None) -> tuple[Turn, dict[str, Any]]:
        """Add the reply about to arrive ("streaming") and give the body to send for it.

        Args:
            body: A body to send exactly (a replayed request); by default it is built from
                the branch and the settings, and checked first.

        Raises:
            InvalidRequest: The branch cannot make a valid request; nothing was added.
        """
        if body is None:
            problems = self._problems(self.messages())
            if problems:
                raise InvalidRequest("Not sent: " + "; ".join(problems))
            body = self.body()
        model = str(body.get("model") or self.settings.model or "")
        reply = Reply()
        turn = Turn(ChatMessage("assistant", ""), reply=reply, model=model)
        turn.live = lambda: reply  # on its way: the chat controller points this at its run
        self._add(turn)
        return turn, body

    def start_replies(self, models: Sequence[str]) -> list[tuple[Turn, dict[str, Any]]]:
        """Ask several models at once for the reply to the end of the branch (compare).

        Each body is built from the same history, system prompt and parameters, with its own
        model. The replies are children of the last turn but stay off the branch (in
        `compared`) until `keep` puts one there; the others stay as its siblings.

        Raises:
            InvalidRequest: Fewer than two models, a comparison already open, or a branch
                that cannot make a valid request; nothing was added.
        """
        self._check_not_comparing()
        if len(models) < 2 or len(set(models)) != len(models):
            raise InvalidRequest("Compare needs two or more different models.")
        if self.turns and self.turns[-1].role == "assistant":
            raise InvalidRequest("Compare answers your message: send one first.")
        messages = self.messages()
        problems = self._problems(messages)
        if problems:
            raise InvalidRequest("Not sent: " + "; ".join(problems))
        settings = self.settings
        started: list[tuple[Turn, dict[str, Any]]] = []
        for model in models:
            reply = Reply()
            turn = Turn(
                ChatMessage("assistant", ""), reply=reply, model=model, meta={"compared": True}
            )
            turn.live = lambda reply=reply: reply  # the controller points this at its run
            body = build_chat_body(
                model,
                messages,
                settings.params,
                stream=settings.stream,
                image_out=self.makes_pictures(model),
            )
            started.append((turn, body))
        self.compared = [turn for turn, _ in started]
        self._emit(RepliesStarted(self.turns[-1] if self.turns else None, list(self.compared)))
        return started

    def keep(self, turn: Turn) -> None:
        """Continue the conversation with a compared reply (and its model).

        The reply ends the branch; the other compared replies stay as its siblings.

        Raises:
            InvalidRequest: `turn` is not a compared reply, or it is still on its way.
        """
        if not any(other is turn for other in self.compared):
            raise InvalidRequest("That reply is not part of the comparison.")
        if turn.live is not None:
            raise InvalidRequest("That reply is still on its way: wait or stop it first.")
        self.compared = []
        self.turns.append(turn)
        self._emit(ReplyKept(turn))
        if turn.model:
            self.change_settings("model", model=turn.model)

    def regenerate(self, index: int) -> tuple[Turn, dict[str, Any]]:
        """Ask again for the reply at `index`; the new one is its sibling (the old is kept)."""
        if not 0 <= index < len(self.turns) or self.turns[index].role != "assistant":
            raise InvalidRequest("only a reply can be regenerated")
        problems = self._problems(self.messages(upto=index))
        if problems:
            raise InvalidRequest("Not sent: " + "; ".join(problems))
        self.truncate(index)
        return self.start_reply()

    def retry(self) -> tuple[Turn, dict[str, Any]] | None:
        """Ask again for the last reply (after an error or a stop); None if there is none."""
        if not self.turns:
            return None
        last = self.turns[-1]
        if last.role == "assistant":
            if last.reply is not None and last.reply.status == "complete":
                return None
            return self.regenerate(len(self.turns) - 1)
        return self.start_reply()

    def replay(self, index: int | None, body: dict[str, Any]) -> tuple[Turn, dict[str, Any]]:
        """Send an edited request body for the reply at `index`; the reply to it becomes a
        sibling of that reply (same parent). `index` None: the body answers the last turn."""
        if (
            index is not None
            and 0 <= index < len(self.turns)
            and self.turns[index].role == "assistant"
        ):
            self.truncate(index)
        return self.start_reply(body)

    def reply_progress(self, turn: Turn) -> None:
        """The reply on its way changed (its live value is read by the listeners)."""
        self._emit(ReplyProgressed(turn))

    def end_reply(self, turn: Turn, reply: Reply, exchange: Exchange | None = None) -> None:
        """The reply ended (finished, failed, stopped, cut off): keep it as it is now."""
        turn.reply = reply
        turn.live = None
        turn.model = reply.model if turn.model is None else turn.model
        turn.message = reply.to_message()
        self._emit(ReplyEnded(turn, exchange))

    # --- tool calls ------------------------------------------------------------------------

    def answer(self, call_id: str, content: str, by: str = "typed") -> Turn:
        """Answer one pending tool call with `content` (a `tool` message quoting its id).

        Raises:
            InvalidRequest: No pending call has that id.
        """
        if call_id not in {call.id for call in self.pending_calls()}:
            raise InvalidRequest(f"no tool call {call_id!r} waits for an answer")
        message = ChatMessage("tool", content, tool_call_id=call_id)
        meta = {"answered_by": by, "answered_at": time.time()}
        return self._add(Turn(message, meta=meta))

    def drop_pending(self) -> list[ToolCall]:
        """Drop the calls still waiting: they are left out of requests from now on."""
        calls = self.pending_calls()
        turn = self.pending_reply()
        if not calls or turn is None:
            return []
        ids = sorted(turn.dropped | {call.id for call in calls})
        turn.meta["dropped_calls"] = ids
        self._emit(CallsDropped(turn, calls))
        return calls

    # --- whole branches ---------------------------------------------------------------------

    def load(
        self, conversation_id: str | None, settings: ChatSettings, turns: Sequence[Turn]
    ) -> None:
        """Show another conversation (or, with None and no turns, a new chat)."""
        self.id = conversation_id
        self.settings = settings
        self.turns = turns if isinstance(turns, Branch) else Branch(turns)
        self.compared = []
        self._emit(BranchReplaced())
        self._emit(SettingsChanged(settings, "loaded"))

    def reset(self) -> None:
        """A new, empty chat with the user's defaults."""
        self.load(None, self.defaults, [])

    def switch_branch(self, index: int, offset: int) -> bool:
        """Show the previous (-1) or next (+1) version of the turn at `index`.

        Returns:
            False when the turn has no other version (or the history is off).
        """
        if not 0 <= index < len(self.turns) or self.compared:
            return False
        turn = self.turns[index]
        if turn.id is None or turn.siblings[1] < 2 or self.branches is None:
            return False
        turns = self.branches.switch(turn.id, offset)
        if turns is None:
            return False
        self.turns = turns if isinstance(turns, Branch) else Branch(turns)
        self._emit(BranchReplaced())
        return True
