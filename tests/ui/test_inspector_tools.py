"""The inspector's Tools tab: every call of the selected reply, its answer, who gave it, when."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from routmy_tui.config.toolsets import load_tool_set
from routmy_tui.conversation.settings import ChatSettings
from routmy_tui.conversation.turns import Turn
from routmy_tui.core.request import ChatParams
from routmy_tui.core.toolsets import to_params
from routmy_tui.core.types import ChatMessage, Reply, ToolCall
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.chat.answer_bar import AnswerBar
from routmy_tui.ui.chat.chat_screen import ChatScreen
from routmy_tui.ui.inspector.inspector import Inspector
from routmy_tui.ui.inspector.tools_tab import call_records
from tests.ui.helpers import make_app, send, view_of, wait_for
from tests.ui.inspector_helpers import open_inspector, show_tab

EXAMPLES = to_params(load_tool_set("examples"))


def tools_text(panel: Inspector) -> str:
    content = panel.query_one("#tools-view", Static).content
    console = Console(file=io.StringIO(), width=200, record=True, color_system=None)
    console.print(content)
    return console.export_text()


async def answer(pilot: Pilot[Any], text: str) -> None:
    bar = pilot.app.screen.query_one(AnswerBar)
    await wait_for(pilot, lambda: bar.active)
    composer = pilot.app.screen.query_one("#composer")
    composer.text = text  # type: ignore[attr-defined]
    await pilot.press("enter")


async def test_calls_and_the_answers_typed_for_them(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url, model="demo/tools", params={"tools": EXAMPLES})
    async with app.run_test(size=(140, 40)) as pilot:
        before = time.time()
        await send(pilot, "Where is order 42, and the weather in Paris?")
        await answer(pilot, '{"status": "delivered"}')
        await wait_for(pilot, lambda: "2 of 2" in str(app.screen.query_one(AnswerBar).render()))
        await answer(pilot, "sunny, 21 C")
        view = view_of(app)
        await wait_for(pilot, lambda: len(view.items) == 5)
        panel = await open_inspector(pilot)
        view.select(1)  # the reply that called the tools
        await show_tab(pilot, panel, "tab-tools")
        text = tools_text(panel)
        calls = view.items[1].reply.tool_calls  # type: ignore[attr-defined]
        assert f"1. get_order  id {calls[0].id}" in text
        assert f"2. get_weather  id {calls[1].id}" in text
        assert '"order_id": "42"' in text and '"city": "Paris"' in text
        assert text.count("answer · typed by you · ") == 2
        assert '"status": "delivered"' in text and "sunny, 21 C" in text
        day = time.strftime("%Y-%m-%d", time.localtime(before))
        assert day in text
        view.select(4)  # the final reply made no calls
        await show_tab(pilot, panel, "tab-tools")
        assert "This reply made no tool calls." in tools_text(panel)


async def test_unanswered_and_dropped_calls(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url, model="demo/tools", params={"tools": EXAMPLES})
    async with app.run_test(size=(140, 40)) as pilot:
        await send(pilot, "Where is order 7?")
        bar = app.screen.query_one(AnswerBar)
        await wait_for(pilot, lambda: bar.active)
        panel = await open_inspector(pilot)
        await show_tab(pilot, panel, "tab-tools")
        assert "not answered yet" in tools_text(panel)
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        screen.conversation.drop_pending()
        await wait_for(pilot, lambda: "dropped: left out of requests" in tools_text(panel))


def test_answers_are_matched_by_id_else_in_order() -> None:
    calls = [ToolCall("a", "f", "{}"), ToolCall("", "g", "{}"), ToolCall("c", "h", "{}")]
    following = [
        Turn(ChatMessage("tool", "for c", tool_call_id="c"), meta={"answered_by": "program"}),
        Turn(ChatMessage("tool", "for a", tool_call_id="a"), meta={"answered_at": 5}),
        Turn(ChatMessage("tool", "no id", tool_call_id="")),
        Turn(ChatMessage("user", "next question")),
        Turn(ChatMessage("tool", "too late", tool_call_id="c")),
    ]
    records = call_records(calls, {}, following)
    assert [(r.answer, r.by, r.at) for r in records] == [
        ("for a", "", 5.0),
        ("no id", "", None),
        ("for c", "program", None),
    ]


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _fixed_turns() -> list[Turn]:
    calls = [
        ToolCall("call_order_1", "get_order", '{"order_id": "123"}'),
        ToolCall("call_weather_2", "get_weather", '{"city": "Paris", "unit": "celsius"}'),
        ToolCall("call_order_3", "get_order", '{"order_id": '),
    ]
    reply = Reply(tool_calls=calls, finish_reason="tool_calls", status="complete")
    at = 1_764_400_000.0
    return [
        Turn(ChatMessage("user", "Order 123, the weather in Paris, and order 9?"), id=1),
        Turn(
            reply.to_message(),
            id=2,
            reply=reply,
            model="demo/tools",
            meta={"dropped_calls": ["call_order_3"]},
        ),
        Turn(
            ChatMessage(
                "tool", '{"status": "shipped", "eta": "Friday"}', tool_call_id="call_order_1"
            ),
            id=3,
            meta={"answered_by": "program", "answered_at": at},
        ),
        Turn(
            ChatMessage("tool", "sunny, 21 C", tool_call_id="call_weather_2"),
            id=4,
            meta={"answered_by": "typed", "answered_at": at + 42},
        ),
    ]


def test_tools_tab_snapshot(snap_compare: Any, demo_server: DemoServer, utc: None) -> None:
    app = make_app(demo_server.base_url, model="demo/tools")

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        await pilot.pause(0.2)  # the history has opened (an empty one)
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        settings = ChatSettings("demo/tools", params=ChatParams(tools=EXAMPLES))
        screen.conversation.load(None, settings, _fixed_turns())
        await wait_for(pilot, lambda: len(view_of(app).items) == 4)
        app.screen.query_one("#welcome").display = False
        panel = await open_inspector(pilot)
        view_of(app).select(1)
        await show_tab(pilot, panel, "tab-tools")
        app.set_focus(None)
        for selector in ("#header", "Footer", "#chat-column"):
            for widget in app.screen.query(selector):
                widget.display = False
        panel.styles.width = "1fr"
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(110, 40), run_before=run_before)
