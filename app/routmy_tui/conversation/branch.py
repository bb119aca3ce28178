"""The turns of the branch on screen; a stored branch is read a chunk at a time, when asked for."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableSequence, Sequence
from typing import TYPE_CHECKING, Any, overload

from routmy_tui.conversation.turns import Turn
from routmy_tui.core.types import ChatMessage, Reply

if TYPE_CHECKING:
    from routmy_tui.store import Store, StoredMessage
    from routmy_tui.store.branches import Outline

__all__ = ["CHUNK", "TAIL", "Branch", "stored_branch"]

CHUNK = 100
"""Turns read from the store at once when one that is not read yet is asked for."""
TAIL = 40
"""Turns read when a stored conversation opens (more than a screenful of the last ones)."""


class Branch(MutableSequence[Turn]):
    """The turns of a branch, first to last: a list whose stored turns are read on demand.

    A stored branch starts as outlines (ids, roles, sizes: `Store.branch_outline`); a turn is
    read, with the turns around it, the first time it is asked for, and kept from then on
    (the same `Turn` object each time). Iterating reads everything, in order. Turns added
    later (new messages) are plain entries. A chunk that cannot be read stands as turns
    saying so (`unreadable`), reported once through `on_error`; a request is then refused.

    Args:
        turns: Turns already made.
        outline: The outlines of a stored branch (then `read` makes their turns).
        read: Makes the turns of these message ids, in that order.
        on_error: Told when a chunk could not be read.
    """

    def __init__(
        self,
        turns: Iterable[Turn] = (),
        *,
        outline: Sequence[Outline] = (),
        read: Callable[[list[int]], list[Turn]] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self._slots: list[Turn | None] = list(turns)
        self._outline: list[Outline | None] = [None] * len(self._slots)
        if outline:
            self._slots += [None] * len(outline)
            self._outline += list(outline)
        self._read = read
        self.on_error = on_error
        self.unreadable = 0
        """Turns that could not be read (they stand as a note saying so)."""
        self._unread = sum(1 for slot in self._slots if slot is None)
        self._scan = len(self._slots) - 1
        """Where `read_some` looks for the next turn not read (counting down)."""

    # --- what is read ----------------------------------------------------------------

    @property
    def unread(self) -> int:
        """How many turns are not read from the store yet."""
        return self._unread

    def is_read(self, index: int) -> bool:
        """Whether the turn at `index` is read (asking for it costs nothing)."""
        return self._slots[index] is not None

    def outline(self, index: int) -> Outline | None:
        """The stored outline of the turn at `index` (None for a turn added since)."""
        return self._outline[index]

    def outlines(self) -> Sequence[Outline | None]:
        """The stored outline of every turn, in order (None for turns added since)."""
        return self._outline

    def role_at(self, index: int) -> str:
        """The role of the turn at `index` (reads nothing)."""
        turn = self._slots[index]
        if turn is not None:
            return turn.role
        outline = self._outline[index]
        return outline.role if outline is not None else ""

    def replies_before(self, index: int) -> int:
        """How many assistant turns come before `index` (reads nothing)."""
        return sum(1 for i in range(index) if self.role_at(i) == "assistant")

    def read_turns(self) -> Iterator[tuple[int, Turn]]:
        """(index, turn) of every turn read so far (reads nothing)."""
        for index, turn in enumerate(self._slots):
            if turn is not None:
                yield index, turn

    def index_of(self, message_id: int) -> int | None:
        """Where the stored message `message_id` is on the branch (reads nothing)."""
        for index, (turn, outline) in enumerate(zip(self._slots, self._outline, strict=True)):
            found = turn.id if turn is not None else outline.id if outline is not None else None
            if found == message_id:
                return index
        return None

    def read(self, start: int, stop: int, *, strict: bool = False) -> None:
        """Read the turns in [start, stop) that are not read yet.

        Args:
            start: First index.
            stop: One past the last.
            strict: Raise what reading raised (else the turns say they could not be read).
        """
        start, stop = max(0, start), min(len(self._slots), stop)
        missing = [i for i in range(start, stop) if self._slots[i] is None]
        if not missing:
            return
        outlines = [self._outline[i] for i in missing]
        ids = [outline.id for outline in outlines if outline is not None]
        try:
            if self._read is None or len(ids) != len(missing):
                raise LookupError("the branch has turns that were never stored")
            turns = {turn.id: turn for turn in self._read(ids)}
        except Exception as exc:  # A damaged or unreachable store must not end the app.
            if strict:
                raise
            self._fail(missing, exc)
            return
        for index, outline in zip(missing, outlines, strict=True):
            assert outline is not None
            turn = turns.get(outline.id)
            self._slots[index] = turn if turn is not None else _unreadable(outline, "gone")
            self._unread -= 1

    def read_some(self, count: int) -> bool:
        """Read up to `count` more turns, the newest not read yet first (a little at a time
        in the background: a request carrying the branch then reads nothing).

        Returns:
            Whether turns are left to read.
        """
        stop = min(self._scan, len(self._slots) - 1)
        while stop >= 0 and self._slots[stop] is not None:
            stop -= 1
        start = max(0, stop - count + 1)
        if stop >= 0:
            self.read(start, stop + 1)
        self._scan = start - 1
        return self._unread > 0

    def _fail(self, missing: list[int], exc: Exception) -> None:
        reason = f"{type(exc).__name__}: {str(exc)[:200]}"
        for index in missing:
            outline = self._outline[index]
            assert outline is not None
            self._slots[index] = _unreadable(outline, reason)
            self._unread -= 1
            self.unreadable += 1
        if self.on_error is not None:
            self.on_error(f"{len(missing)} older message(s) could not be read ({reason}).")

    def _turn(self, index: int) -> Turn:
        turn = self._slots[index]
        if turn is None:
            start = index - index % CHUNK
            self.read(start, start + CHUNK)
            turn = self._slots[index]
            assert turn is not None
        return turn

    # --- the list --------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slots)

    @overload
    def __getitem__(self, index: int) -> Turn: ...
    @overload
    def __getitem__(self, index: slice) -> list[Turn]: ...
    def __getitem__(self, index: int | slice) -> Turn | list[Turn]:
        if isinstance(index, slice):
            return [self._turn(i) for i in range(*index.indices(len(self._slots)))]
        if index < 0:
            index += len(self._slots)
        if not 0 <= index < len(self._slots):
            raise IndexError("branch index out of range")
        return self._turn(index)

    @overload
    def __setitem__(self, index: int, value: Turn) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[Turn]) -> None: ...
    def __setitem__(self, index: int | slice, value: Any) -> None:
        if isinstance(index, slice):
            raise TypeError("a branch's turns are replaced one at a time")
        if self._slots[index] is None:
            self._unread -= 1
        self._slots[index] = value
        self._outline[index] = None

    def __delitem__(self, index: int | slice) -> None:
        removed = self._slots[index] if isinstance(index, slice) else [self._slots[index]]
        self._unread -= sum(1 for slot in removed if slot is None)
        del self._slots[index]
        del self._outline[index]

    def insert(self, index: int, value: Turn) -> None:
        """Put `value` before `index`."""
        self._slots.insert(index, value)
        self._outline.insert(index, None)

    def __iter__(self) -> Iterator[Turn]:
        for index in range(len(self._slots)):
            yield self._turn(index)

    def __reversed__(self) -> Iterator[Turn]:
        for index in range(len(self._slots) - 1, -1, -1):
            yield self._turn(index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Branch, list)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Branch({len(self._slots)} turns, {self._unread} not read)"


def _unreadable(outline: Outline, reason: str) -> Turn:
    """A turn standing for a stored message that could not be read."""
    text = f"(This message could not be read from the history: {reason}.)"
    reply = Reply(content=text, status="error") if outline.role == "assistant" else None
    return Turn(ChatMessage(outline.role, text), id=outline.id, reply=reply, meta={"unread": True})


def stored_branch(
    store: Store,
    conversation_id: str,
    load: Callable[[Store, list[StoredMessage]], list[Turn]],
    on_error: Callable[[str], None] | None = None,
) -> Branch:
    """The branch on screen of a stored conversation, its last `TAIL` turns read.

    Args:
        store: The store.
        conversation_id: The conversation.
        load: Makes turns of stored messages (with their places among their siblings).
        on_error: Told when older turns could not be read later on.

    Raises:
        Whatever reading the last turns raised (the conversation cannot be shown).
    """
    branch = Branch(
        outline=store.branch_outline(conversation_id),
        read=lambda ids: load(store, store.get_messages(ids)),
        on_error=on_error,
    )
    branch.read(len(branch) - TAIL, len(branch), strict=True)
    return branch
