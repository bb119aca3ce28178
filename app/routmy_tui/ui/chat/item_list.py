"""The conversation view's items: a list whose items are made when first asked for."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableSequence
from typing import TYPE_CHECKING, Any, overload

from routmy_tui.ui.chat.items import Item

if TYPE_CHECKING:
    from routmy_tui.store.branches import Outline

__all__ = ["ItemList", "estimate_lines"]

CALLS_ESTIMATE = 4
"""Lines tool calls are guessed to take before they are drawn."""
MARKDOWN_LINE = 60
"""Characters of a reply per line break, on average, as a guess (lists, code, paragraphs)."""


def estimate_lines(outline: Outline, width: int) -> int:
    """A stored message's height guessed from its outline, without its text: its label and
    spacing, its text wrapped at `width`, and for a reply the line breaks of Markdown."""
    width = max(10, width)
    chars = outline.chars
    lines = chars // width + 1 if chars else 0
    if outline.role == "assistant":
        lines += chars // MARKDOWN_LINE
    return 3 + lines + (CALLS_ESTIMATE if outline.calls else 0)


class ItemList(MutableSequence[Item]):
    """Items in order; those of a long stored conversation are made on demand.

    `set_source(count, make)` stands for `count` items that `make(index)` makes the first
    time one is asked for (the conversation reads its turn then); `on_made` is told. Until
    then the view places the slot by an estimated height. Iterating makes every item, in
    order; `made_items` walks only those made. An item the source made can be let go
    again (`forget`: it is made anew when next asked for), its measured width noted.
    """

    def __init__(self) -> None:
        self._slots: list[Item | None] = []
        self._make: Callable[[int], Item] | None = None
        self.on_made: Callable[[int, Item], None] = lambda index, item: None
        self._unmade = 0
        self._measured: dict[int, tuple[int, object | None]] = {}
        """Width at which each forgotten item's height was measured, and its `memo` (by
        index)."""
        self._by_source: set[int] = set()
        """id() of the items `make` made (only those can be forgotten)."""

    def set_source(self, count: int, make: Callable[[int], Item]) -> None:
        """Stand for `count` items made by `make(index)` when asked for (replacing all)."""
        self._slots = [None] * count
        self._make = make
        self._unmade = count
        self._measured.clear()
        self._by_source.clear()

    def forget(self, index: int, width: int) -> bool:
        """Let the item at `index` go (it is made again when next asked for, and given its
        `memo`), its height noted as measured at `width`; only an item the source made can
        go.

        Returns:
            Whether it went.
        """
        item = self._slots[index]
        if item is None or id(item) not in self._by_source:
            return False
        self._by_source.discard(id(item))
        self._slots[index] = None
        self._unmade += 1
        self._measured[index] = (width, item.memo())
        return True

    def measured_width(self, index: int) -> int:
        """The width the forgotten item at `index` was measured at (-1: none, or made)."""
        known = self._measured.get(index)
        return -1 if known is None else known[0]

    def forget_widths(self) -> None:
        """Count the heights of forgotten items as guesses again (e.g. a new theme)."""
        self._measured.clear()

    @property
    def unmade(self) -> int:
        """How many items are not made yet."""
        return self._unmade

    def is_made(self, index: int) -> bool:
        """Whether the item at `index` exists (asking for it costs nothing)."""
        return self._slots[index] is not None

    def made_items(self) -> Iterator[tuple[int, Item]]:
        """(index, item) of each item made so far (makes nothing)."""
        for index, item in enumerate(self._slots):
            if item is not None:
                yield index, item

    def _item(self, index: int) -> Item:
        item = self._slots[index]
        if item is None:
            assert self._make is not None
            item = self._make(index)
            self._slots[index] = item
            self._unmade -= 1
            known = self._measured.pop(index, None)
            if known is not None and known[1] is not None:
                item.recall(known[1])
            self._by_source.add(id(item))
            self.on_made(index, item)
        return item

    def __len__(self) -> int:
        return len(self._slots)

    @overload
    def __getitem__(self, index: int) -> Item: ...
    @overload
    def __getitem__(self, index: slice) -> list[Item]: ...
    def __getitem__(self, index: int | slice) -> Item | list[Item]:
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self._slots)))]
        if index < 0:
            index += len(self._slots)
        if not 0 <= index < len(self._slots):
            raise IndexError("item index out of range")
        return self._item(index)

    @overload
    def __setitem__(self, index: int, value: Item) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[Item]) -> None: ...
    def __setitem__(self, index: int | slice, value: Any) -> None:
        if isinstance(index, slice):
            raise TypeError("items are replaced one at a time")
        old = self._slots[index]
        if old is None:
            self._unmade -= 1
            self._measured.pop(index, None)
        else:
            self._by_source.discard(id(old))
        self._slots[index] = value

    def __delitem__(self, index: int | slice) -> None:
        removed = self._slots[index] if isinstance(index, slice) else [self._slots[index]]
        self._unmade -= sum(1 for slot in removed if slot is None)
        self._by_source.difference_update(id(slot) for slot in removed if slot is not None)
        before = len(self._slots)
        del self._slots[index]
        kept = len(self._slots)
        tail = isinstance(index, slice) and index.indices(before)[1] >= before
        if tail or (isinstance(index, int) and index in (before - 1, -1)):
            # Cut off at the end: the widths noted before the cut still hold.
            self._measured = {i: w for i, w in self._measured.items() if i < kept}
        else:
            self._measured.clear()  # moved: their heights count as guesses again

    def insert(self, index: int, value: Item) -> None:
        """Put `value` before `index`."""
        if index < len(self._slots):
            self._measured.clear()  # moved: their heights count as guesses again
        self._slots.insert(index, value)

    def clear(self) -> None:
        """Remove every item (and the source of those not made)."""
        self._slots.clear()
        self._make = None
        self._unmade = 0
        self._measured.clear()
        self._by_source.clear()

    def __iter__(self) -> Iterator[Item]:
        for index in range(len(self._slots)):
            yield self._item(index)

    def __reversed__(self) -> Iterator[Item]:
        for index in range(len(self._slots) - 1, -1, -1):
            yield self._item(index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (ItemList, list)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ItemList({len(self._slots)} items, {self._unmade} not made)"
