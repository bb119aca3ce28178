"""Which conversation items hold their drawn lines: those near the viewport; the rest let go."""

from __future__ import annotations

from collections.abc import Callable

from routmy_tui.ui.chat.items import Item

KEEP_LINES = 200
"""Lines above and below the viewport whose items keep their drawn lines (scrolling a few
pages back draws nothing again)."""


class LineCache:
    """The items holding drawn lines; `trim` lets those far from the viewport go.

    Items keep their heights when they let go, so the view's offsets do not move; their
    lines are drawn again, the same, when they come near the viewport. A conversation of
    any length then holds the lines of about a few screens, not of every message measured.
    """

    def __init__(self) -> None:
        self._held: dict[int, Item] = {}

    def __len__(self) -> int:
        return len(self._held)

    def hold(self, item: Item) -> None:
        """Note that `item` was laid out (it holds lines)."""
        self._held[id(item)] = item

    def clear(self) -> None:
        """Forget every item (the view emptied)."""
        self._held.clear()

    def retain(self, ids: set[int] | dict[int, int]) -> None:
        """Forget the items whose id() is not in `ids` (they left the view)."""
        self._held = {key: item for key, item in self._held.items() if key in ids}

    def trim(
        self, near: Callable[[Item], bool], let_go: Callable[[Item], object] | None = None
    ) -> int:
        """Let go of the lines of every held item `near` refuses (`let_go` is told of each).

        An item that cannot let go now (it streams, shows pictures or waits for a layout)
        stays held and is tried again at the next trim.

        Returns:
            How many items let go.
        """
        released = 0
        for key, item in list(self._held.items()):
            if near(item):
                continue
            if item.release():
                released += 1
                del self._held[key]
                if let_go is not None:
                    let_go(item)
            elif item.released:
                del self._held[key]
        return released
