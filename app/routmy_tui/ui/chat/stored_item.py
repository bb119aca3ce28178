"""A reply loaded from the store, its large exchange read only when first asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from routmy_tui.conversation import Turn
from routmy_tui.core.exchange import Exchange
from routmy_tui.ui.chat.assistant_item import AssistantItem

if TYPE_CHECKING:
    from routmy_tui.store import Store

__all__ = ["StoredReplyItem"]


class StoredReplyItem(AssistantItem):
    """A reply loaded from the store; its exchange (large) is read only when first asked for
    (the inspector), not to draw the reply: whether it asked for JSON is stored beside it."""

    def __init__(self, turn: Turn, store: Store | None, code_theme: str) -> None:
        self._store = store
        self._exchange: Exchange | None = None
        known = turn.meta.get("json_output")
        self._json_output = known if isinstance(known, bool) else None
        super().__init__(turn.model or "", reply=turn.reply, code_theme=code_theme)
        self.message_id = turn.id

    @property
    def forgettable(self) -> bool:
        return (
            self.released
            and not self.selected
            and not self.reasoning_open
            and not self.markdown.expanded
            and self.live is None
            and self.run.first_token is None
        )

    @property
    def json_mode(self) -> bool:
        """Whether the request asked for JSON output (stored replies of older versions: read
        from the exchange)."""
        if self._json_output is not None:
            return self._json_output
        return super().json_mode

    def memo(self) -> object | None:
        # Read from the exchange already (or never to be): a copy made again does not read
        # the exchange again for it (a query per message paged past, in older stores).
        known = self._json_output
        if known is None and self._store is None:
            known = super().json_mode
        return (known, super().memo())

    def recall(self, memo: object) -> None:
        if isinstance(memo, tuple) and len(memo) == 2:
            known, heights = memo
            if isinstance(known, bool) and self._json_output is None:
                self._json_output = known
            if heights is not None:
                super().recall(heights)

    @property
    def exchange(self) -> Exchange | None:
        """The recorded exchange, read from the store on first use."""
        from routmy_tui.store.db import StoreError

        if self._store is not None and self.message_id is not None:
            store, self._store = self._store, None
            try:
                self._exchange = store.get_exchange(self.message_id)
            except StoreError:
                self._exchange = None
        return self._exchange

    @exchange.setter
    def exchange(self, value: Exchange | None) -> None:
        if value is not None:
            self._store = None
        self._exchange = value
