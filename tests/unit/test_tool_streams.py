"""Every tool-call stream shape of API.md, end to end: bytes cut anywhere -> client -> calls."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from routmy_tui.core.client import ReplyFinished, RoutmyClient
from routmy_tui.core.types import Reply


def frag(index: Any = None, id: Any = None, name: Any = None, args: Any = None) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if index is not None:
        item["index"] = index
    if id is not None:
        item["id"] = id
        item["type"] = "function"
    function = {}
    if name is not None:
        function["name"] = name
    if args is not None:
        function["arguments"] = args
    if function:
        item["function"] = function
    return item


def event(*frags: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    delta: dict[str, Any] = {"tool_calls": list(frags)} if frags else {}
    return {"id": "gen-1", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


ESCAPED = {"q": 'say "hi" \\ to café 日本 \u2028 now', "n": [1, 2]}
ESCAPED_TEXT = json.dumps(ESCAPED)  # ensure_ascii: é is \u00e9, quotes are \"
# Cut the arguments inside `\"`, inside `\u00e9` and inside `\\`.
_cuts = [ESCAPED_TEXT.index('\\"') + 1, ESCAPED_TEXT.index("\\u00e9") + 3]
_cuts.append(ESCAPED_TEXT.index("\\\\") + 1)
_cuts.sort()
ESCAPED_PIECES = [
    ESCAPED_TEXT[a:b] for a, b in zip([0, *_cuts], [*_cuts, len(ESCAPED_TEXT)], strict=True)
]

Expected = list[tuple[str, str, Any]]
"""(id, name, parsed arguments) per call, in order."""

SHAPES: dict[str, tuple[list[dict[str, Any]], Expected]] = {
    "fragments across chunks": (
        [
            event(frag(0, "call_a", "get_order", "")),
            event(frag(0, args='{"order')),
            event(frag(0, args='_id": "12')),
            event(frag(0, args='3"}')),
            event(finish="tool_calls"),
        ],
        [("call_a", "get_order", {"order_id": "123"})],
    ),
    "parallel calls interleaved": (
        [
            event(frag(0, "call_a", "get_order", "")),
            event(frag(1, "call_b", "get_weather", "")),
            event(frag(0, args='{"order_id":')),
            event(frag(1, args='{"city":')),
            event(frag(1, args=' "Paris"}')),
            event(frag(0, args=' "7"}')),
            event(finish="tool_calls"),
        ],
        [("call_a", "get_order", {"order_id": "7"}), ("call_b", "get_weather", {"city": "Paris"})],
    ),
    "arguments split inside escapes": (
        [event(frag(0, "call_a", "search", ""))]
        + [event(frag(0, args=piece)) for piece in ESCAPED_PIECES]
        + [event(finish="tool_calls")],
        [("call_a", "search", ESCAPED)],
    ),
    "missing ids and missing index": (
        [
            event(frag(name="get_order", args='{"order_id"')),
            event(frag(args=': "1"}')),
            event(finish="tool_calls"),
        ],
        [("", "get_order", {"order_id": "1"})],
    ),
    "a call with empty arguments": (
        [event(frag(0, "call_a", "list_orders", "")), event(finish="tool_calls")],
        [("call_a", "list_orders", {})],
    ),
    "a call with no arguments key at all, then a second one": (
        [
            event(frag(0, "call_a", "now")),
            event(frag(1, "call_b", "get_order", '{"order_id": "2"}')),
            event(finish="tool_calls"),
        ],
        [("call_a", "now", {}), ("call_b", "get_order", {"order_id": "2"})],
    ),
    "several calls all at index 0 with different ids": (
        [
            event(frag(0, "call_a", "f", '{"x": 1}')),
            event(frag(0, "call_b", "g", '{"y": 2}')),
            event(finish="tool_calls"),
        ],
        [("call_a", "f", {"x": 1}), ("call_b", "g", {"y": 2})],
    ),
    "a new id on every fragment with an empty name": (
        [
            event(frag(0, "c1", "search", "")),
            event(frag(0, "c2", "", '{"q":')),
            event(frag(0, "c3", "", ' "cats"}')),
            event(finish="tool_calls"),
        ],
        [("c1", "search", {"q": "cats"})],
    ),
    "the name arriving after the arguments": (
        [
            event(frag(0, "call_a", None, '{"a": 1}')),
            event(frag(0, name="late")),
            event(finish="tool_calls"),
        ],
        [("call_a", "late", {"a": 1})],
    ),
    "empty and duplicate ids": (
        [
            event(frag(0, "", "f", "{}")),
            event(frag(1, "dup", "g", "{}")),
            event(frag(2, "dup", "h", "{}")),
            event(finish="tool_calls"),
        ],
        [("", "f", {}), ("dup", "g", {}), ("dup", "h", {})],
    ),
    "tool calls with finish_reason stop": (
        [event(frag(0, "call_a", "f", '{"x": true}')), event(finish="stop")],
        [("call_a", "f", {"x": True})],
    ),
}


def body_of(events: list[dict[str, Any]]) -> bytes:
    text = "".join(f"data: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events)
    return (text + "data: [DONE]\n\n").encode()


class Cut(httpx.AsyncByteStream):
    """A body delivered a few bytes at a time (cuts inside UTF-8 characters and escapes)."""

    def __init__(self, data: bytes, size: int) -> None:
        self.data = data
        self.size = size

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), self.size):
            yield self.data[start : start + self.size]


async def assemble(data: bytes, size: int) -> Reply:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, stream=Cut(data, size), headers={"content-type": "text/event-stream"}
        )

    client = RoutmyClient("http://test/v1", None, transport=httpx.MockTransport(handler))
    try:
        run = client.chat({"model": "m", "messages": [], "stream": True})
        events = [e async for e in run.events()]
    finally:
        await client.aclose()
    assert isinstance(events[-1], ReplyFinished)
    return events[-1].reply


@pytest.mark.parametrize("size", [1, 7, 4096])
@pytest.mark.parametrize("shape", list(SHAPES))
async def test_tool_call_stream_shape_end_to_end(shape: str, size: int) -> None:
    events, expected = SHAPES[shape]
    reply = await assemble(body_of(events), size)
    assert reply.status == "complete"
    got = [(c.id, c.name, c.parsed_arguments()) for c in reply.tool_calls]
    assert got == [(i, n, (args, None)) for i, n, args in expected]
    # What goes back on the next request is each call as assembled.
    message = reply.to_message().to_wire()
    assert message["content"] is None
    assert [c["function"]["name"] for c in message["tool_calls"]] == [n for _, n, _ in expected]


async def test_invalid_final_arguments_are_kept_and_marked() -> None:
    events = [event(frag(0, "call_a", "f", '{"x": ')), event(finish="tool_calls")]
    reply = await assemble(body_of(events), 5)
    (call,) = reply.tool_calls
    value, problem = call.parsed_arguments()
    assert value is None and problem is not None and problem.startswith("invalid JSON")
    assert call.arguments == '{"x": '
