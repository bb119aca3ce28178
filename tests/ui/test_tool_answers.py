"""Answering a model's tool calls from the composer, against the demo backend."""

from __future__ import annotations

import json
from typing import Any

from routmy_tui.config.toolsets import load_tools_arg
from routmy_tui.core.toolsets import to_params
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.chat.answer_bar import AnswerBar
from routmy_tui.ui.chat.items import ToolResultItem
from routmy_tui.ui.widgets.dialogs import ChoiceDialog
from tests.ui.helpers import conversation_text, last_reply, make_app, send, view_of, wait_for


def _examples() -> list[dict[str, Any]]:
    tools, _ = load_tools_arg("examples")
    return to_params(tools)


def _chat_bodies(server: DemoServer) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in server.requests if r.path.endswith("/chat/completions")]


def _bar(app: Any) -> AnswerBar:
    bar: AnswerBar = app.screen.query_one(AnswerBar)
    return bar


async def _type(pilot: Any, text: str) -> None:
    composer = pilot.app.screen.query_one("#composer")
    composer.text = text
    await pilot.press("enter")


async def test_one_call_answered_by_hand_then_the_model_goes_on(demo_server: DemoServer) -> None:
    demo_server.requests.clear()
    app = make_app(demo_server.base_url, model="demo/tools", params={"tools": _examples()})
    async with app.run_test(size=(110, 36)) as pilot:
        await send(pilot, "Where is order 123?")
        await wait_for(pilot, lambda: _bar(app).active)
        call = _bar(app).call
        assert call is not None and call.name == "get_order"
        shown = str(_bar(app).render())
        assert 'Result for get_order(order_id="123") · 1 of 1' in shown
        await _type(pilot, '{"status": "shipped", "eta": "tomorrow"}')
        await wait_for(
            pilot,
            lambda: last_reply(app).reply.status == "complete" and len(view_of(app).items) == 4,
        )
        assert not _bar(app).active
        body = _chat_bodies(demo_server)[-1]
        assert [m["role"] for m in body["messages"]] == ["user", "assistant", "tool"]
        assistant, tool = body["messages"][1], body["messages"][2]
        assert assistant["content"] is None
        assert assistant["tool_calls"][0]["id"] == call.id
        assert tool == {
            "role": "tool",
            "content": '{"status": "shipped", "eta": "tomorrow"}',
            "tool_call_id": call.id,
        }
        # Tools go out again, without the local-only keys.
        assert [t["function"]["name"] for t in body["tools"]] == ["get_order", "get_weather"]
        assert all(set(t) == {"type", "function"} for t in body["tools"])
        assert isinstance(view_of(app).items[2], ToolResultItem)
        text = conversation_text(app)
        assert "tool result" in text and "shipped" in last_reply(app).reply.content


async def test_two_parallel_calls_are_answered_in_order(demo_server: DemoServer) -> None:
    demo_server.requests.clear()
    app = make_app(demo_server.base_url, model="demo/tools", params={"tools": _examples()})
    async with app.run_test(size=(110, 36)) as pilot:
        await send(pilot, "What is order 42, and the weather in Paris?")
        await wait_for(pilot, lambda: _bar(app).active)
        assert "1 of 2" in str(_bar(app).render())
        first = _bar(app).call
        await _type(pilot, "delivered")
        await wait_for(pilot, lambda: "2 of 2" in str(_bar(app).render()))
        second = _bar(app).call
        assert first is not None and second is not None and first.id != second.id
        assert len(_chat_bodies(demo_server)) == 1  # nothing goes out before the last answer
        await _type(pilot, "sunny, 21 C")
        await wait_for(pilot, lambda: len(_chat_bodies(demo_server)) == 2)
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        messages = _chat_bodies(demo_server)[-1]["messages"]
        assert [(m["role"], m.get("tool_call_id")) for m in messages[2:]] == [
            ("tool", first.id),
            ("tool", second.id),
        ]
        assert "delivered" in last_reply(app).reply.content


async def test_a_message_while_calls_wait_can_drop_them(demo_server: DemoServer) -> None:
    demo_server.requests.clear()
    app = make_app(demo_server.base_url, model="demo/tools", params={"tools": _examples()})
    async with app.run_test(size=(110, 36)) as pilot:
        await send(pilot, "Where is order 5?")
        await wait_for(pilot, lambda: _bar(app).active)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not _bar(app).active)
        await send(pilot, "Never mind, tell me a joke")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert len(_chat_bodies(demo_server)) == 1  # the invalid request was never sent
        await pilot.click("#choice-drop")
        await wait_for(pilot, lambda: len(_chat_bodies(demo_server)) == 2)
        body = _chat_bodies(demo_server)[-1]
        roles = [m["role"] for m in body["messages"]]
        assert roles == ["user", "user"]  # the reply had only the dropped call: not sent
        assert any("Dropped 1 tool call" in n.message for n in app._notifications)


def _program_tools() -> list[dict[str, Any]]:
    """The examples, with get_order answered by a local program."""
    import sys

    tools = _examples()
    program = "import json, sys; a = json.load(sys.stdin); print('order', a['order_id'], 'is late')"
    tools[0] = {**tools[0], "command": [sys.executable, "-c", program]}
    return tools


async def test_a_program_answers_a_call_once_approved(demo_server: DemoServer) -> None:
    from routmy_tui.ui.tools.approval import ToolApproval

    demo_server.requests.clear()
    app = make_app(demo_server.base_url, model="demo/tools", params={"tools": _program_tools()})
    async with app.run_test(size=(110, 36)) as pilot:
        await send(pilot, "Where is order 77?")
        await wait_for(pilot, lambda: isinstance(app.screen, ToolApproval))
        assert len(_chat_bodies(demo_server)) == 1  # nothing runs or goes out before approval
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(_chat_bodies(demo_server)) == 2, timeout=20)
        tool = _chat_bodies(demo_server)[-1]["messages"][-1]
        assert tool["role"] == "tool" and tool["content"] == "order 77 is late\n"
        assert "command" not in json.dumps(_chat_bodies(demo_server)[-1]["tools"])
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        store = app.session.store
        assert store is not None and app.conversation.id is not None
        answered = store.current_path(app.conversation.id)[2]
        assert answered.extra["answered_by"] == "program"


async def test_a_declined_program_leaves_the_answer_to_the_user(demo_server: DemoServer) -> None:
    from routmy_tui.ui.tools.approval import ToolApproval

    demo_server.requests.clear()
    app = make_app(demo_server.base_url, model="demo/tools", params={"tools": _program_tools()})
    async with app.run_test(size=(110, 36)) as pilot:
        await send(pilot, "Where is order 78?")
        await wait_for(pilot, lambda: isinstance(app.screen, ToolApproval))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ToolApproval))
        assert _bar(app).active and len(_chat_bodies(demo_server)) == 1
        await _type(pilot, "typed by me")
        await wait_for(pilot, lambda: len(_chat_bodies(demo_server)) == 2)
        assert _chat_bodies(demo_server)[-1]["messages"][-1]["content"] == "typed by me"
