"""The wire inspector: request, response, raw stream and timing of the selected reply."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Static, TabbedContent, TabPane, Tabs

from routmy_tui.core.exchange import Exchange
from routmy_tui.core.stream_lines import odd_count
from routmy_tui.core.text import make_safe
from routmy_tui.ui.commands import bindings_for
from routmy_tui.ui.inspector.stream_log import StreamLogView
from routmy_tui.ui.inspector.tab_content import TabContentMixin

if TYPE_CHECKING:
    from routmy_tui.ui.chat.assistant_item import AssistantItem

POLL = 0.25
"""Seconds between checks for a new target reply or new wire data (4 Hz, never per token)."""

TABS = ("tab-request", "tab-response", "tab-stream", "tab-timing", "tab-tools")

HINT = "c curl · q req · s resp · l log · w save · e replay · F2"
STREAM_HINT = "type to filter · Ctrl+P: Copy as curl, Copy stream log… · F2"
LETTER_ACTIONS = frozenset({"wire", "replay"})
"""Actions on letter keys: off on the Stream tab, where typing goes to the filter."""


class Inspector(TabContentMixin, Vertical):
    """A side panel showing what went over the wire for one reply.

    It follows the conversation's target reply (the selected one, else the newest) and
    re-renders only the active tab, and only when the exchange changed. While a reply
    streams it checks a few times a second, not per token.
    """

    DEFAULT_CSS = """
    Inspector {
        width: 45%;
        height: 1fr;
        display: none;
        border-left: vkey $primary 40%;
        padding: 0 0 0 1;
    }
    Inspector.-open {
        display: block;
    }
    .-narrow Inspector {
        width: 55%;
    }
    Inspector #inspector-title {
        height: 1;
        color: $text-muted;
    }
    Inspector #inspector-tabs {
        height: 1fr;
    }
    Inspector ContentSwitcher, Inspector TabPane {
        height: 1fr;
        padding: 0;
    }
    Inspector #stream-filter {
        height: 1;
        border: none;
        padding: 0 1;
        margin: 0;
    }
    Inspector #stream-count, Inspector #inspector-hint {
        height: 1;
        color: $text-muted;
    }
    """

    # The panel's own hint line lists these; the footer stays for the app's keys.
    BINDINGS = bindings_for("inspector")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.item: AssistantItem | None = None
        self._drawn: dict[str, tuple[Any, ...]] = {}
        self._secret: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("No reply yet", id="inspector-title", markup=False)
        with TabbedContent(id="inspector-tabs", initial="tab-request"):
            with TabPane("Request", id="tab-request"):
                with VerticalScroll():
                    yield Static(id="request-view", markup=False)
            with TabPane("Response", id="tab-response"):
                with VerticalScroll():
                    yield Static(id="response-view", markup=False)
            with TabPane("Stream", id="tab-stream"):
                yield Input(
                    placeholder="type to filter (text or note, e.g. comment, JSON)",
                    id="stream-filter",
                    select_on_focus=False,  # typed into from the tab strip: keep what is there
                )
                yield Static(id="stream-count", markup=False)
                yield StreamLogView(id="stream-log")
            with TabPane("Timing", id="tab-timing"):
                with VerticalScroll():
                    yield Static(id="timing-view", markup=False)
            with TabPane("Tools", id="tab-tools"):
                with VerticalScroll():
                    yield Static(id="tools-view", markup=False)
        yield Static(HINT, id="inspector-hint", markup=False)

    def on_mount(self) -> None:
        settings = getattr(self.app, "settings", None)
        self._secret = getattr(settings, "api_key", None)
        self.set_interval(POLL, self.poll)
        self.call_after_refresh(self.poll)
        self._tell_parent()
        if self.is_open:  # opened with F2: its tab strip takes the focus once it exists
            self.call_after_refresh(focus_tabs, self)

    # --- state ---------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """Whether the panel is shown."""
        return self.has_class("-open")

    def toggle(self) -> bool:
        """Show or hide the panel; returns whether it is now open."""
        self.toggle_class("-open")
        self._tell_parent()
        if self.is_open:
            self.poll()
        return self.is_open

    def _tell_parent(self) -> None:
        """`#main` knows whether the panel is open (a slim screen then shows only it)."""
        if self.parent is not None:
            self.parent.set_class(self.is_open, "-inspecting")

    def poll(self) -> None:
        """Follow the target reply and redraw the active tab if its data changed."""
        if not self.is_open:
            return
        from routmy_tui.ui.chat.conversation_view import ConversationView

        views = self.screen.query(ConversationView)
        target = views.first().target_reply() if views else None
        self.show(target)

    def show(self, item: AssistantItem | None) -> None:
        """Inspect this reply (None: nothing)."""
        if item is not self.item:
            self.item = item
            self._drawn.clear()
        self._draw_title()
        active = self.query_one(TabbedContent).active or TABS[0]
        self._draw(active)

    @property
    def exchange(self) -> Exchange | None:
        """The exchange shown."""
        return self.item.exchange if self.item is not None else None

    @on(TabbedContent.TabActivated)
    def tab_changed(self, event: TabbedContent.TabActivated) -> None:
        """Draw a tab when it is opened (tabs are drawn lazily)."""
        if event.pane.id:
            self._draw(event.pane.id)

    @on(Input.Changed, "#stream-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        """Filter the stream log as the user types."""
        self.query_one(StreamLogView).set_filter(event.value)
        self._draw_count()

    # --- drawing -------------------------------------------------------------------------

    def _signature(self) -> tuple[Any, ...]:
        exchange = self.exchange
        item = self.item
        if exchange is None or item is None:
            return (id(item), None)
        reply = item.reply
        return (
            id(exchange),
            exchange.status,
            id(exchange.stream_lines),
            len(exchange.stream_lines),
            exchange.t_done,
            exchange.response_json is None,
            id(exchange.error),
            len(exchange.attempts),
            reply.status,
            len(reply.content),
            len(reply.reasoning),
            len(reply.tool_calls),
        )

    def _draw(self, tab: str) -> None:
        signature = self._signature()
        if tab == "tab-tools":
            signature = self._tools_signature()
        if self._drawn.get(tab) == signature:
            return
        if tab == "tab-stream":
            # The log view takes in only the new lines; set_lines when the list changed.
            previous = self._drawn.get(tab)
            log = self.query_one(StreamLogView)
            lines = self.exchange.stream_lines if self.exchange is not None else []
            if previous is None or log.lines is not lines:
                log.set_lines(lines)
            else:
                log.sync()
            self._draw_count()
        else:
            view_id = {
                "tab-request": "#request-view",
                "tab-response": "#response-view",
                "tab-timing": "#timing-view",
                "tab-tools": "#tools-view",
            }[tab]
            self.query_one(view_id, Static).update(self._renderable(tab))
        self._drawn[tab] = signature

    def _draw_title(self) -> None:
        item = self.item
        title = self.query_one("#inspector-title", Static)
        if item is None:
            title.update("No reply yet")
            return
        from routmy_tui.ui.chat.conversation_view import ConversationView

        views = self.screen.query(ConversationView)
        turns = getattr(getattr(self.screen, "conversation", None), "turns", None)
        view = views.first() if views else None
        index = view.index_of(item) if view is not None else None
        number = "?"
        if view is not None and index is not None:
            if turns is not None and len(turns) == len(view.items):
                # Counted from the branch's roles: no message is read or drawn for it (a
                # long conversation has thousands), stored replies count as new ones do.
                number = str(turns.replies_before(index) + 1)
            else:  # items that are not the branch's (none are made for it)
                from routmy_tui.ui.chat.assistant_item import AssistantItem

                made = view.items.made_items()
                number = str(
                    1
                    + sum(1 for i, other in made if i < index and isinstance(other, AssistantItem))
                )
        title.update(make_safe(f"Reply {number} · {item.model} · {item.reply.status}"))

    def _draw_count(self) -> None:
        log = self.query_one(StreamLogView)
        odd = odd_count(log.lines)
        text = f"{log.shown_count:,} of {len(log.lines):,} lines"
        if odd:
            text += f" · {odd} odd"
        self.query_one("#stream-count", Static).update(text)

    # --- keys ----------------------------------------------------------------------------

    def _on_stream_tab(self) -> bool:
        return self.query_one(TabbedContent).active == "tab-stream"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Letter keys act on the tabs whose hint line shows them, never on the Stream tab."""
        return not (action in LETTER_ACTIONS and self._on_stream_tab())

    def on_key(self, event: events.Key) -> None:
        """On the Stream tab, typing anywhere in the panel goes to the filter."""
        if not self._on_stream_tab() or not event.is_printable or event.character is None:
            return
        box = self.query_one("#stream-filter", Input)
        if box.has_focus:
            return
        event.stop()
        event.prevent_default()
        box.focus()
        box.insert_text_at_cursor(event.character)

    @on(TabbedContent.TabActivated)
    def _hint_for_tab(self, event: TabbedContent.TabActivated) -> None:
        stream = event.pane.id == "tab-stream"
        self.query_one("#inspector-hint", Static).update(STREAM_HINT if stream else HINT)
        self.refresh_bindings()

    def action_wire(self, how: str, kind: str) -> None:
        """Copy or save one form of the exchange (the chat screen does it)."""
        self.call_later(self.screen.run_action, f"wire({how!r}, {kind!r})")

    def action_replay(self, external: bool = False) -> None:
        """Edit the request and send it again (the chat screen does it)."""
        self.call_later(self.screen.run_action, f"replay({external!r})")


def toggle_inspector(screen: Screen[Any]) -> None:
    """Show or hide the inspector panel; it is mounted into `#main` the first time."""
    panels = screen.query(Inspector)
    if panels:
        panel = panels.first()
        if panel.toggle():
            focus_tabs(panel)
        else:
            screen.query_one("#composer").focus()
        return
    panel = Inspector(id="inspector")
    panel.add_class("-open")
    # After #chat-column (a conversation list, if any, sits before it).
    screen.query_one("#main").mount(panel)


def focus_tabs(panel: Inspector) -> None:
    """Focus the tab strip: arrows switch tabs and the panel's keys (c, q, s...) work."""

    for tabs in panel.query(Tabs):
        tabs.focus()
        break
