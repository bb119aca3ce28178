"""demo/tools over loopback: one call or two parallel calls, then a text quoting the results."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from routmy_tui.config.toolsets import load_tool_set
from routmy_tui.core.client import ReplyFinished, RoutmyClient
from routmy_tui.core.request import ChatParams, build_chat_body
from routmy_tui.core.toolsets import to_wire
from routmy_tui.core.types import ChatMessage, Reply
from routmy_tui.demo.server import DemoServer

TOOLS = to_wire(load_tool_set("examples"))


@pytest.fixture
async def client(demo_server: DemoServer) -> AsyncIterator[RoutmyClient]:
    client = RoutmyClient(demo_server.base_url, None)
    yield client
    await client.aclose()


async def ask(
    client: RoutmyClient, messages: list[ChatMessage], *, stream: bool = True, **params: object
) -> Reply:
    body = build_chat_body(
        "demo/tools",
        messages,
        ChatParams(tools=TOOLS, **params),
        stream=stream,  # type: ignore[arg-type]
    )
    events = [event async for event in client.chat(body).events()]
    assert isinstance(events[-1], ReplyFinished)
    return events[-1].reply


@pytest.mark.parametrize("stream", [True, False])
async def test_one_call_then_an_answer_quoting_the_result(
    client: RoutmyClient, stream: bool
) -> None:
    messages = [ChatMessage("user", "What is the status of order 123?")]
    first = await ask(client, messages, stream=stream)
    assert first.finish_reason == "tool_calls" and first.content == ""
    (call,) = first.tool_calls
    assert call.name == "get_order" and json.loads(call.arguments) == {"order_id": "123"}
    assert call.id.startswith("call_demo_")
    messages += [
        first.to_message(),
        ChatMessage("tool", '{"status": "shipped", "eta": "Friday"}', tool_call_id=call.id),
    ]
    second = await ask(client, messages, stream=stream)
    assert second.finish_reason == "stop" and not second.tool_calls
    assert "get_order" in second.content and '"eta": "Friday"' in second.content


@pytest.mark.parametrize("stream", [True, False])
async def test_two_parallel_calls_then_an_answer_quoting_both(
    client: RoutmyClient, stream: bool
) -> None:
    messages = [ChatMessage("user", "Where is order 77, and what is the weather in Paris?")]
    first = await ask(client, messages, stream=stream)
    assert [c.name for c in first.tool_calls] == ["get_order", "get_weather"]
    order, weather = first.tool_calls
    assert order.id != weather.id
    assert json.loads(order.arguments) == {"order_id": "77"}
    assert json.loads(weather.arguments)["city"] == "Paris"
    messages += [
        first.to_message(),
        ChatMessage("tool", "Order 77 left the warehouse", tool_call_id=order.id),
        ChatMessage("tool", '{"temp_c": 18}', tool_call_id=weather.id),
    ]
    second = await ask(client, messages, stream=stream)
    assert "2 tool result(s)" in second.content
    assert "> Order 77 left the warehouse" in second.content
    assert '"temp_c": 18' in second.content
    assert second.content.index("get_order") < second.content.index("get_weather")


async def test_a_named_tool_choice_calls_only_that_function(client: RoutmyClient) -> None:
    choice = {"type": "function", "function": {"name": "get_weather"}}
    reply = await ask(client, [ChatMessage("user", "order 5 please")], tool_choice=choice)
    assert [c.name for c in reply.tool_calls] == ["get_weather"]


async def test_tool_choice_none_answers_in_text(client: RoutmyClient) -> None:
    reply = await ask(client, [ChatMessage("user", "order 5 please")], tool_choice="none")
    assert not reply.tool_calls and reply.content
