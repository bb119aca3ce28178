"""What the inspector's tabs show: request, response, timing and tools, the key redacted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.highlighter import JSONHighlighter
from rich.table import Table
from rich.text import Text

from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.text import make_safe
from routmy_tui.core.wire_text import (
    pretty_json,
    redact,
    response_object,
    shorten_strings,
    timing_rows,
)

if TYPE_CHECKING:
    from textual.screen import Screen

    from routmy_tui.core.exchange import Exchange
    from routmy_tui.ui.chat.assistant_item import AssistantItem

__all__ = ["TabContentMixin"]


def _parse(text: str) -> Any:
    """JSON when the text is JSON, else the text itself."""
    try:
        return loads_bounded(text)
    except (ValueError, RecursionError):
        return text


class TabContentMixin:
    """`Inspector`'s tab contents (its state is made by `Inspector.__init__`)."""

    item: AssistantItem | None
    _secret: str | None

    if TYPE_CHECKING:

        @property
        def screen(self) -> Screen[Any]: ...

        @property
        def exchange(self) -> Exchange | None: ...

    def _safe(self, text: str) -> str:
        return make_safe(redact(text, self._secret))

    def _json(self, value: Any) -> Text:
        # Rich's JSON highlighter on plain Text: no Pygments pass, indentation kept as is.
        text = Text(self._safe(pretty_json(shorten_strings(value))))
        JSONHighlighter().highlight(text)
        return text

    def _headers(self, headers: dict[str, str]) -> Text:
        text = Text()
        for name, value in headers.items():
            text.append(self._safe(name) + ": ", style="bold")
            text.append(self._safe(value) + "\n")
        return text

    def _error(self, exchange: Exchange) -> list[RenderableType]:
        error = exchange.error
        if error is None:
            return []
        return [Text(self._safe(error.summary()) + "\n", style="bold red")]

    def _body(self, value: Any) -> RenderableType:
        return Text(self._safe(value)) if isinstance(value, str) else self._json(value)

    def _following(self) -> tuple[dict[str, Any], list[Any]]:
        """The selected reply's stored details and the tool turns right after it (its answers)."""
        from routmy_tui.ui.chat.conversation_view import ConversationView

        views = self.screen.query(ConversationView)
        turns = getattr(getattr(self.screen, "conversation", None), "turns", None)
        if not views or self.item is None or turns is None:
            return {}, []
        view = views.first()
        index = view.index_of(self.item)
        if index is None or len(view.items) != len(turns):
            return {}, []
        # Its answers are the tool turns right after it: only those are read.
        following = []
        for after in range(index + 1, len(turns)):
            if turns.role_at(after) != "tool":
                break
            following.append(turns[after])
        return turns[index].meta, following

    def _tools_signature(self) -> tuple[Any, ...]:
        item = self.item
        if item is None:
            return (None,)
        reply = item.reply
        meta, following = self._following()
        return (
            id(item),
            reply.status,
            tuple((c.id, c.name, len(c.arguments)) for c in reply.tool_calls),
            tuple(meta.get("dropped_calls") or []),
            tuple((id(t), len(t.message.content or "")) for t in following[:64]),
        )

    def _tools(self) -> RenderableType:
        from routmy_tui.ui.inspector.tools_tab import call_records, tools_renderable

        item = self.item
        if item is None:
            return Text("No reply selected.", style="dim")
        meta, following = self._following()
        reply = item.reply
        records = call_records(reply.tool_calls, meta, following)
        return tools_renderable(records, reply.status == "streaming")

    def _renderable(self, tab: str) -> RenderableType:
        if tab == "tab-tools":
            return self._tools()
        exchange = self.exchange
        if exchange is None:
            return Text("No exchange recorded for this reply.", style="dim")
        if tab == "tab-request":
            head = Text()
            head.append(f"{exchange.method} ", style="bold")
            head.append(self._safe(exchange.url) + "\n")
            return Group(
                head, self._headers(exchange.request_headers), self._json(exchange.request_body)
            )
        if tab == "tab-response":
            return self._response(exchange)
        return self._timing(exchange)

    def _response(self, exchange: Exchange) -> RenderableType:
        parts: list[RenderableType] = []
        status = "no response" if exchange.status is None else f"HTTP {exchange.status}"
        parts.append(Text(status + "\n", style="bold"))
        if exchange.response_headers:
            parts.append(self._headers(exchange.response_headers))
        parts += self._error(exchange)
        raw = exchange.error.raw_body if exchange.error is not None else None
        raw_value = _parse(raw) if raw else None
        if raw:
            # The full body as received (an HTML page, plain text or a JSON error object).
            parts += [Text("raw body:", style="bold"), self._body(raw_value), Text("")]
        value = response_object(exchange)
        if value is None and self.item is not None and self.item.live is not None:
            parts.append(Text("assembled so far:", style="dim"))
            value = self.item.reply.to_response_json()
        if value is not None and not (raw and value == raw_value):
            parts.append(self._body(value))
        return Group(*parts)

    def _timing(self, exchange: Exchange) -> RenderableType:
        item = self.item
        usage = item.reply.usage if item is not None else None
        multiplier = item.multiplier if item is not None else None
        table = Table.grid(padding=(0, 2))
        # A narrow panel cuts the labels, never the figures.
        table.add_column(style="bold", no_wrap=True, overflow="ellipsis")
        table.add_column(min_width=12)
        for label, value in timing_rows(exchange, usage, multiplier):
            table.add_row(label, self._safe(value))
        return Group(*self._error(exchange), table)
