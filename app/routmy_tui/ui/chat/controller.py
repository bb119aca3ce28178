"""The chat controller: runs the reply worker and keeps the view a projection of the conversation.

The conversation (`routmy_tui.conversation`) owns the branch and builds every request; this
controller asks it for operations, streams the reply it starts, and turns its events into
view items.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from weakref import WeakValueDictionary

from textual.worker import Worker

from routmy_tui.conversation import Conversation, Turn
from routmy_tui.conversation.branch import Branch
from routmy_tui.conversation.events import (
    BranchReplaced,
    Event,
    ReplyKept,
    ReplyProgressed,
    TurnAdded,
    TurnsTruncated,
)
from routmy_tui.conversation.events import (
    ReplyEnded as ConversationReplyEnded,
)
from routmy_tui.core.types import ModelInfo
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.gc_pacer import GcPacer
from routmy_tui.ui.chat.item_list import estimate_lines
from routmy_tui.ui.chat.items import Item, ToolResultItem, UserItem
from routmy_tui.ui.chat.live_stream import ProgressPump
from routmy_tui.ui.chat.reply_worker import ReplyWorkerMixin
from routmy_tui.ui.chat.stored_item import StoredReplyItem

if TYPE_CHECKING:
    from routmy_tui.core.client import RoutmyClient
    from routmy_tui.store import Store
    from routmy_tui.ui.chat.conversation_view import ConversationView

READ_STEP = 25
"""Turns of a stored branch read per step in the background (about 3 ms)."""
READ_PAUSE = 0.02
"""Seconds between two such steps (the UI runs in between)."""
SETTLE_STEPS = 80
"""Steps (2,000 turns) after which what was read is frozen out of full collections."""


class ChatController(ReplyWorkerMixin):
    """Streams replies of a `Conversation` into a `ConversationView`.

    One reply runs at a time in an exclusive worker; starting another cancels it, and events
    of a superseded run are never applied. Escape stops the reply and keeps what arrived.

    Args:
        view: Where the branch is shown.
        client: Gives the API client in use now (a new key makes a new one).
        conversation: The conversation on screen.
        store: Gives the history store (for replies' recorded exchanges), or None.
    """

    def __init__(
        self,
        view: ConversationView,
        client: Callable[[], RoutmyClient],
        conversation: Conversation,
        store: Callable[[], Store | None] | None = None,
    ) -> None:
        self.view = view
        self._client = client
        self._store = store or (lambda: None)
        self.conversation = conversation
        self.models: dict[str, ModelInfo] = {}
        self.active: AssistantItem | None = None
        self._worker: Worker[None] | None = None
        self.edit_index: int | None = None
        """The user message being edited: the next `send` branches off before it."""
        self._items: WeakValueDictionary[int, Item] = WeakValueDictionary()
        """View item of each turn (by the turn's id()); held by the view, which lets those far
        off screen go (they are made again from their turn)."""
        self._beside: dict[int, tuple[Worker[None], AssistantItem]] = {}
        """Compared replies on their way (by the turn's id()), each in its own worker."""
        self._compared: dict[int, AssistantItem] = {}
        """Items of the open comparison's replies (the kept one takes its timings)."""
        self._pump = ProgressPump(view, conversation.reply_progress)
        """Publishes streaming replies' progress once per frame (not per chunk)."""
        self._gc = GcPacer(view)
        conversation.subscribe(self._project)
        self._rebuild()

    @property
    def client(self) -> RoutmyClient:
        """The API client in use now."""
        return self._client()

    @property
    def busy(self) -> bool:
        """Whether a reply is on its way."""
        return self.active is not None or bool(self._beside)

    # --- the projection ------------------------------------------------------------------

    def item_for(self, turn: Turn) -> Item:
        """A new view item showing `turn`."""
        item: Item
        palette = self.view.palette
        if turn.role == "assistant":
            if turn.live is None and turn.id is not None:
                item = StoredReplyItem(turn, self._store(), palette.code_theme)
            else:
                item = AssistantItem(
                    turn.model or "(no model)",
                    reply=turn.reply if turn.live is None else None,
                    code_theme=palette.code_theme,
                )
            info = self.models.get(turn.model or "")
            item.multiplier = info.token_multiplier if info else None
        elif turn.role == "tool":
            item = ToolResultItem(
                turn.message.content or "",
                turn.message.tool_call_id or "",
                str(turn.meta.get("answered_by") or ""),
            )
        else:
            item = UserItem(turn.message.content or "", list(turn.message.images))
        item.message_id = turn.id
        item.siblings = turn.siblings
        return item

    def _rebuild(self) -> None:
        """Show the branch: items are made (and older turns read) when the view needs them."""
        dropped = bool(self._items)
        self._items.clear()
        self.view.show_source(len(self.conversation.turns), self._make, self._estimates)
        if (dropped or self._gc.settled) and not self.busy:
            # What the view drew of the branch it let go of is garbage in reference cycles
            # (Textual's Strip keeps itself in its own caches) that only a full collection
            # frees, and those wait while a branch is read: switching again before the
            # reading ended grew the heap by every switch. Once the new branch is drawn
            # (a branch frozen once read is unfrozen then: it may be garbage now).
            self.view.call_after_refresh(self._collect_dropped)
        if self.conversation.turns.unread:
            # Full collections go on meanwhile: deferred, the cyclic garbage of every frame
            # (Textual's painted strips) piled up to 400,000 objects, 0.65 s to collect;
            # the view keeps only the items near the viewport, so the heap grows by the
            # turns read alone.
            self._read_on(self.conversation.turns)

    def _collect_dropped(self) -> None:
        if not self.busy:  # a reply's frames come first: its own collection follows it
            self._gc.collect()

    def _read_on(self, turns: Branch) -> None:
        """Read the branch's older turns a few at a time while it is on screen (a request,
        a copy or a jump to the top then waits for nothing)."""
        if turns is not self.conversation.turns:
            return
        more = turns.read_some(READ_STEP)
        if not more or turns.unread // READ_STEP % SETTLE_STEPS == 0:
            self._gc.settle()  # read once, kept while open: not walked by each collection
        if more:
            self.view.set_timer(READ_PAUSE, lambda: self._read_on(turns))

    def _make(self, index: int) -> Item:
        turn = self.conversation.turns[index]
        item = self.item_for(turn)
        self._items[id(turn)] = item
        return item

    def _estimates(self, width: int) -> list[int]:
        """Every turn's height guessed: a stored one's from its outline (no text read), any
        other's by its item."""
        items = self.view.items
        return [
            estimate_lines(outline, width)
            if outline is not None
            else items[index].estimate_height(width)
            for index, outline in enumerate(self.conversation.turns.outlines())
        ]

    def _project(self, event: Event) -> None:
        if isinstance(event, ReplyProgressed):
            item = self._items.get(id(event.turn))
            if isinstance(item, AssistantItem):
                self.view.item_streamed(item)
        elif isinstance(event, TurnAdded):
            item = self.item_for(event.turn)
            self._items[id(event.turn)] = item
            self.view.add_item(item)
        elif isinstance(event, TurnsTruncated):
            self.view.truncate(event.count)
            kept = {id(turn) for _, turn in self.conversation.turns.read_turns()}
            self._items = WeakValueDictionary(
                (key, item) for key, item in self._items.items() if key in kept
            )
        elif isinstance(event, BranchReplaced):
            self.edit_index = None
            self._compared.clear()
            self._rebuild()
        elif isinstance(event, ReplyKept):
            item = self.item_for(event.turn)
            column = self._compared.pop(id(event.turn), None)
            if isinstance(item, AssistantItem) and column is not None:
                item.run, item.exchange = column.run, column.exchange
            self._compared.clear()
            self._items[id(event.turn)] = item
            self.view.add_item(item)
        elif isinstance(event, ConversationReplyEnded):
            item = self._items.get(id(event.turn))
            if item is not None:
                item.message_id = event.turn.id
                item.siblings = event.turn.siblings
                self.view.item_changed(item)

    # --- operations ----------------------------------------------------------------------

    def send(self, text: str, images: Sequence[str] = ()) -> None:
        """Add a user message and ask for a reply (a new branch when `edit_index` is set).

        Raises:
            InvalidRequest: Nothing was sent (e.g. tool calls wait for answers); the
                conversation is unchanged.
        """
        if self.edit_index is not None:
            index, self.edit_index = self.edit_index, None
            self.conversation.edit(index, text, images)
        else:
            self.conversation.send(text, images)
        self._start(*self.conversation.start_reply())

    def regenerate(self, index: int) -> bool:
        """Ask again for the reply at `index`; the new one is its sibling. False if busy or
        not a reply."""
        turns = self.conversation.turns
        if self.busy or not 0 <= index < len(turns) or turns[index].role != "assistant":
            return False
        if self.conversation.compared:
            return False  # one of the compared replies is kept first
        self._start(*self.conversation.regenerate(index))
        return True

    def retry(self) -> bool:
        """Ask again for the last reply (after an error or a stop). False if nothing to retry."""
        if self.busy or self.conversation.compared:
            return False
        started = self.conversation.retry()
        if started is None:
            return False
        self._start(*started)
        return True

    def answer(self, call_id: str, content: str, by: str = "typed") -> bool:
        """Answer a pending tool call; after the last one the results go out at once.

        Returns:
            True when that was the last answer and the next reply started.
        """
        self.conversation.answer(call_id, content, by)
        if self.conversation.pending_calls() or self.busy:
            return False
        self._start(*self.conversation.start_reply())
        return True

    def send_body(self, body: dict[str, Any], index: int | None = None) -> None:
        """Send a request body exactly as given (replay from the inspector).

        Args:
            body: The edited request.
            index: The replayed reply: the new reply becomes its sibling.
        """
        if self.conversation.compared:
            self.view.notify("Keep one of the compared replies first.", severity="warning")
            return
        self._start(*self.conversation.replay(index, body))
