"""Tool calls on screen: the name at once, arguments growing, then pretty JSON or the error."""

from __future__ import annotations

import io
import json

from rich.console import Console

from routmy_tui.config.toolsets import load_tool_set
from routmy_tui.core.toolsets import to_params
from routmy_tui.core.types import ToolCall
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.chat.items import Palette
from routmy_tui.ui.chat.tool_calls_view import tool_call_strips
from tests.ui.helpers import conversation_text, last_reply, make_app, send, wait_for


def shown(calls: list[ToolCall], streaming: bool = False, width: int = 80) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    strips = tool_call_strips(console, width, calls, streaming, Palette())
    return "\n".join(strip.text.rstrip() for strip in strips)


async def test_parallel_calls_form_then_show_pretty(demo_server: DemoServer) -> None:
    params = {"tools": to_params(load_tool_set("examples")), "extra": {"demo_tps": 4}}
    app = make_app(demo_server.base_url, model="demo/tools", params=params)
    async with app.run_test(size=(100, 40)) as pilot:
        await send(pilot, "Where is order 123, and the weather in Paris?")
        # The name shows while its arguments are still arriving.
        await wait_for(pilot, lambda: "⚙ 1/2 get_order" in conversation_text(app))
        assert last_reply(app).reply.status == "streaming"
        assert "forming…" in conversation_text(app)
        before = len(last_reply(app).reply.tool_calls[-1].arguments)
        await wait_for(pilot, lambda: len(last_reply(app).reply.tool_calls[-1].arguments) > before)
        await wait_for(pilot, lambda: last_reply(app).reply.status != "streaming", timeout=20)
        await wait_for(pilot, lambda: "forming…" not in conversation_text(app))
        text = conversation_text(app)
        calls = last_reply(app).reply.tool_calls
        assert f"⚙ 1/2 get_order  id {calls[0].id}" in text
        assert f"⚙ 2/2 get_weather  id {calls[1].id}" in text
        assert '"order_id": "123"' in text and '"city": "Paris"' in text
        assert text.index("get_order") < text.index("get_weather")


def test_forming_arguments_are_shown_raw_without_an_error() -> None:
    text = shown([ToolCall("call_1", "f", '{"city": "Par')], streaming=True)
    assert '{"city": "Par' in text and "invalid" not in text


def test_finished_invalid_arguments_are_flagged_with_the_raw_text() -> None:
    text = shown([ToolCall("call_1", "f", '{"city": "Par')])
    assert "✖ invalid JSON: Unterminated string" in text and '{"city": "Par' in text


def test_empty_arguments_missing_id_and_name() -> None:
    text = shown([ToolCall("", "", "")])
    assert "(no name yet)" in text and "id (none)" in text and "(no arguments)" in text


def test_hostile_arguments_never_crash() -> None:
    deep = "[" * 5000 + "]" * 5000
    assert "nested too deeply" in shown([ToolCall("c", "f", deep)])
    huge = json.dumps({"blob": "x" * 20_000_000})
    text = shown([ToolCall("c", "f", huge)])
    assert "too long to show here" in text and len(text) < 20_000
    live = shown([ToolCall("c", "f", huge[:5_000_000])], streaming=True)
    assert "characters before" in live and len(live) < 20_000
    escapes = shown([ToolCall("c", "f\x1b]52;c;aGk=\x07", '{"a": "\\u001b[2J"}')])
    assert "\x1b" not in escapes and "\x07" not in escapes


def test_long_arguments_show_their_first_lines_only() -> None:
    arguments = json.dumps({"items": list(range(2000))})
    text = shown([ToolCall("c", "f", arguments)])
    assert '"items": [' in text and "… 1,944 more lines (the inspector's Response tab" in text
    assert len(text.splitlines()) < 80
