"""The core client against the demo server over real loopback sockets, faults included."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from routmy_tui.core import chat_run as run_module
from routmy_tui.core.client import (
    ChatRun,
    ReplyFinished,
    ReplyUpdated,
    Retrying,
    RoutmyClient,
)
from routmy_tui.core.request import ChatParams, build_chat_body
from routmy_tui.core.secret import Secret
from routmy_tui.core.types import ChatMessage, Reply, StreamLines
from routmy_tui.demo.server import DemoServer
from tests.conftest import FAKE_KEY


def body(
    prompt: str, model: str = "demo/chat", stream: bool = True, **params: Any
) -> dict[str, Any]:
    return build_chat_body(
        model, [ChatMessage("user", prompt)], ChatParams.from_dict(params), stream=stream
    )


async def run_to_end(run: ChatRun) -> tuple[Reply, list[Any]]:
    events = [event async for event in run.events()]
    assert isinstance(events[-1], ReplyFinished)
    return events[-1].reply, events


@pytest.fixture
async def client(demo_server: DemoServer) -> Any:
    c = RoutmyClient(demo_server.base_url, Secret(FAKE_KEY), max_retries=0, read_timeout=30)
    yield c
    await c.aclose()


async def test_list_models(client: RoutmyClient) -> None:
    models, raw = await client.list_models()
    ids = {m.id for m in models}
    assert {"demo/chat", "demo/locked"} <= ids
    locked = next(m for m in models if m.id == "demo/locked")
    assert locked.is_available is False
    assert isinstance(raw, dict)


async def test_streamed_reply_is_assembled_and_recorded(client: RoutmyClient) -> None:
    run = client.chat(body("hello there"))
    reply, events = await run_to_end(run)
    assert reply.status == "complete"
    assert reply.finish_reason == "stop"
    assert reply.content and reply.usage is not None and reply.usage.total_tokens
    assert sum(isinstance(e, ReplyUpdated) for e in events) > 10
    exchange = run.exchange
    assert exchange.status == 200
    assert exchange.request_body["stream"] is True
    assert exchange.request_body["stream_options"] == {"include_usage": True}
    texts = [line.text for line in exchange.stream_lines]
    assert texts[-1].replace(" ", "") == "data:[DONE]"
    assert any(line.note == "comment" for line in exchange.stream_lines)
    times = [line.t for line in exchange.stream_lines]
    assert times == sorted(times)
    # The ended stream's log is packed into one buffer, and reads back whole.
    assert exchange.stream_lines.packed_bytes > 0
    streamed = ""
    for text in texts:
        if text.startswith("data:") and "[DONE]" not in text:
            for choice in json.loads(text[5:]).get("choices") or []:
                streamed += (choice.get("delta") or {}).get("content") or ""
    assert streamed == reply.content
    assert exchange.t_headers is not None and exchange.t_first_token is not None
    assert exchange.response_json is not None
    assert exchange.response_json["choices"][0]["message"]["content"] == reply.content


async def test_a_long_streams_log_is_packed_off_the_event_loop(
    client: RoutmyClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long reply's stream log (20,000 lines: 10-15 ms to pack) is packed in a thread when
    the stream ends, not in one step of the event loop in front of keys and frames; a short
    one at once. Either reads back whole."""
    packed_on: list[int] = []
    pack = StreamLines.pack

    def recorded(self: StreamLines) -> Any:
        packed_on.append(threading.get_ident())
        return pack(self)

    monkeypatch.setattr(StreamLines, "pack", recorded)
    long = client.chat(body("long", demo_tokens=run_module.PACK_IN_A_THREAD + 200))
    reply, _ = await run_to_end(long)
    assert reply.status == "complete"
    lines = long.exchange.stream_lines
    assert len(lines) > run_module.PACK_IN_A_THREAD
    assert packed_on and threading.get_ident() not in packed_on
    assert lines.packed_bytes > 0
    assert lines[-1].text.replace(" ", "") == "data:[DONE]"
    assert "".join(json.loads(line.text[5:])["choices"][0]["delta"].get("content", "")
                   for line in lines
                   if line.text.startswith("data:") and '"choices":[{' in line.text.replace(" ", "")
                   ) == reply.content  # fmt: skip
    packed_on.clear()
    short = client.chat(body("short"))
    await run_to_end(short)
    assert packed_on == [] and short.exchange.stream_lines.packed_bytes > 0


async def test_the_key_never_lands_in_the_exchange(client: RoutmyClient) -> None:
    run = client.chat(body("secret test"))
    await run_to_end(run)
    dumped = json.dumps(run.exchange.to_dict())
    assert FAKE_KEY not in dumped
    assert run.exchange.request_headers["authorization"] == "Bearer ********"
    assert FAKE_KEY not in repr(client.http.headers)


async def test_non_streamed_reply(client: RoutmyClient) -> None:
    run = client.chat(body("hello", stream=False))
    reply, _ = await run_to_end(run)
    assert reply.status == "complete" and reply.content
    assert run.exchange.stream_lines == []
    assert run.exchange.response_text


async def test_reasoning_model(client: RoutmyClient) -> None:
    reply, _ = await run_to_end(client.chat(body("think", model="demo/reasoning")))
    assert reply.reasoning and reply.content


async def test_tool_call_round_trip(client: RoutmyClient) -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_order",
                "description": "Look up an order",
                "parameters": {
                    "type": "object",
                    "properties": {"order_id": {"type": "string"}},
                    "required": ["order_id"],
                },
            },
        }
    ]
    messages = [ChatMessage("user", "status of order 123?")]
    first, _ = await run_to_end(
        client.chat(build_chat_body("demo/tools", messages, ChatParams(tools=tools)))
    )
    assert first.tool_calls and first.tool_calls[0].name == "get_order"
    args, problem = first.tool_calls[0].parsed_arguments()
    assert problem is None and "order_id" in args
    messages += [
        first.to_message(),
        ChatMessage("tool", '{"status": "shipped"}', tool_call_id=first.tool_calls[0].id),
    ]
    second, _ = await run_to_end(
        client.chat(build_chat_body("demo/tools", messages, ChatParams(tools=tools)))
    )
    assert second.status == "complete" and "shipped" in second.content


async def test_image_output(client: RoutmyClient) -> None:
    reply, _ = await run_to_end(client.chat(body("a cube", model="demo/image")))
    assert reply.images and reply.images[0].startswith("data:image/png;base64,")


async def test_http_error_with_error_id(client: RoutmyClient) -> None:
    run = client.chat(body("fault:status=400"))
    reply, _ = await run_to_end(run)
    assert reply.status == "error"
    error = reply.error
    assert error is not None and error.status == 400 and error.error_id
    assert not error.retryable
    assert run.exchange.response_text and "error" in run.exchange.response_text


async def test_locked_model_is_403(client: RoutmyClient) -> None:
    reply, _ = await run_to_end(client.chat(body("hi", model="demo/locked")))
    assert reply.error is not None and reply.error.status == 403


@pytest.mark.parametrize("fault", ["html=502", "text=500", "empty=503"])
async def test_odd_error_bodies(client: RoutmyClient, fault: str) -> None:
    reply, _ = await run_to_end(client.chat(body(f"fault:{fault}")))
    error = reply.error
    assert error is not None and error.status == int(fault.split("=")[1])
    assert error.message and error.retryable


async def test_429_retries_honouring_retry_after(
    demo_server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = RoutmyClient(demo_server.base_url, None, max_retries=1)
    waits: list[float] = []
    real = run_module.backoff_delay

    def fast(attempt: int, retry_after: float | None, **kw: Any) -> float:
        waits.append(real(attempt, retry_after))
        return 0.01

    monkeypatch.setattr(run_module, "backoff_delay", fast)
    run = client.chat(body("fault:429"))
    reply, events = await run_to_end(run)
    await client.aclose()
    retries = [e for e in events if isinstance(e, Retrying)]
    assert len(retries) == 1 and retries[0].error.status == 429
    assert waits[0] == pytest.approx(1.0, abs=0.01)
    assert reply.status == "error" and len(run.exchange.attempts) == 1


async def test_flaky_server_succeeds_after_retries(
    demo_server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_module, "backoff_delay", lambda *a, **k: 0.01)
    client = RoutmyClient(demo_server.base_url, None, max_retries=3)
    run = client.chat(body("flaky fault:flaky=2 unique-a"))
    reply, events = await run_to_end(run)
    await client.aclose()
    assert reply.status == "complete"
    assert sum(isinstance(e, Retrying) for e in events) == 2


async def test_disconnect_mid_stream_keeps_partial(client: RoutmyClient) -> None:
    reply, _ = await run_to_end(client.chat(body("fault:disconnect")))
    assert reply.status == "interrupted"
    assert reply.content
    assert reply.error is not None


async def test_malformed_chunk_is_skipped_and_noted(client: RoutmyClient) -> None:
    run = client.chat(body("fault:malformed"))
    reply, _ = await run_to_end(run)
    assert reply.status == "complete" and reply.content
    noted = [line for line in run.exchange.stream_lines if line.note and line.note != "comment"]
    assert noted


async def test_stall_hits_the_read_timeout_and_keeps_partial(demo_server: DemoServer) -> None:
    client = RoutmyClient(demo_server.base_url, None, max_retries=0, read_timeout=0.5)
    reply, _ = await run_to_end(client.chat(body("fault:stall=5")))
    await client.aclose()
    assert reply.status == "interrupted"
    assert reply.error is not None and reply.error.kind == "timeout"
    assert reply.content


async def test_missing_done_is_a_success(client: RoutmyClient) -> None:
    reply, _ = await run_to_end(client.chat(body("fault:nodone")))
    assert reply.status == "complete" and reply.finish_reason == "stop"


async def test_held_open_stream_is_closed_after_grace(client: RoutmyClient) -> None:
    reply, _ = await asyncio.wait_for(run_to_end(client.chat(body("fault:hold"))), 10)
    assert reply.status == "complete"


async def test_in_band_error_keeps_partial(client: RoutmyClient) -> None:
    reply, _ = await run_to_end(client.chat(body("fault:inband")))
    assert reply.status == "error"
    assert reply.content
    assert reply.error is not None and "Provider disconnected" in reply.error.message


async def test_odd_framing(client: RoutmyClient) -> None:
    reply, _ = await run_to_end(client.chat(body("fault:odd")))
    assert reply.status == "complete" and reply.content


async def test_stream_answered_with_json(client: RoutmyClient) -> None:
    reply, _ = await run_to_end(client.chat(body("fault:json")))
    assert reply.status == "complete" and reply.content


async def test_cancel_closes_and_marks_stopped(demo_server: DemoServer) -> None:
    client = RoutmyClient(demo_server.base_url, None)
    run = client.chat(body("long please", model="demo/slow"))
    seen = asyncio.Event()

    async def consume() -> None:
        async for event in run.events():
            if isinstance(event, ReplyUpdated) and run.reply.content:
                seen.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(seen.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await client.aclose()
    assert run.reply.status == "stopped"
    assert run.reply.content
    assert run.exchange.t_done is not None


async def test_connection_refused_is_a_clear_network_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    client = RoutmyClient(f"http://127.0.0.1:{port}/v1", None, max_retries=0)
    reply, _ = await run_to_end(client.chat(body("hi")))
    await client.aclose()
    assert reply.status == "error"
    assert reply.error is not None and reply.error.kind == "network"
    assert reply.error.retryable


async def test_non_streamed_200_with_error_body(client: RoutmyClient) -> None:
    run = client.chat(body("fault:inband", stream=False))
    reply, _ = await run_to_end(run)
    assert reply.status == "error"
    assert reply.error is not None and reply.error.kind == "in_band"
    assert "Provider disconnected" in reply.error.message
    assert run.exchange.status == 200 and run.exchange.response_text


async def test_on_written_is_told_once_the_request_is_out_before_any_answer(
    client: RoutmyClient,
) -> None:
    """A UI holds its next frame until the request is written (`on_written`): it must hear
    it once, after the try began and before anything came back."""
    run = client.chat(body("hello there"))
    order: list[str] = []
    run.on_written = lambda: order.append("written")
    async for event in run.events():
        order.append(type(event).__name__)
    assert order[:3] == ["RequestSent", "written", "HeadersReceived"]
    assert order.count("written") == 1
    assert order[-1] == "ReplyFinished"


async def test_on_written_is_not_told_when_the_request_never_leaves() -> None:
    """Nothing listens: the try fails before writing, and ends saying why."""
    dead = RoutmyClient("http://127.0.0.1:9/v1", Secret(FAKE_KEY), max_retries=0)
    try:
        run = dead.chat(body("hello there"))
        written: list[str] = []
        run.on_written = lambda: written.append("written")
        reply, _ = await run_to_end(run)
    finally:
        await dead.aclose()
    assert written == []
    assert reply.status == "error"
    assert reply.error is not None and reply.error.kind == "network"


CATALOG_ON_FIRST_USE = """
import asyncio, json, sys
from routmy_tui.core.client import RoutmyClient

async def main() -> None:
    client = RoutmyClient(sys.argv[1])
    body = {"model": "demo/chat", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    run = client.chat(body)
    async for _ in run.events():
        pass
    loaded = "routmy_tui.core.catalog" in sys.modules
    models, _ = await client.list_models()
    print(json.dumps([loaded, run.reply.status, len(models)]))
    await client.aclose()

asyncio.run(main())
"""


def test_a_chat_needs_none_of_the_catalogs_code(demo_server: DemoServer) -> None:
    """A fresh interpreter makes a client and gets a reply without loading the catalog's
    parsers (imports a start waits for); the model list then loads them and works."""
    result = subprocess.run(
        [sys.executable, "-c", CATALOG_ON_FIRST_USE, demo_server.base_url],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded, status, models = json.loads(result.stdout.strip().splitlines()[-1])
    assert (loaded, status) == (False, "complete")
    assert models > 3
