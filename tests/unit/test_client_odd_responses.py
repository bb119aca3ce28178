"""Client responses no demo fault produces: odd content types, SSE for a plain request, retries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from routmy_tui.core import chat_run as run_module
from routmy_tui.core.client import ReplyFinished, RoutmyClient
from routmy_tui.core.types import Reply

CHUNK = {"choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}]}
FINISH = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}


def sse(*events: Any, done: bool = True, head: str = "") -> bytes:
    text = head + "".join(f"data: {json.dumps(e)}\n\n" for e in events)
    return (text + ("data: [DONE]\n\n" if done else "")).encode()


def make(handler: Callable[[httpx.Request], Any], retries: int = 0) -> RoutmyClient:
    return RoutmyClient(
        "http://test/v1", None, max_retries=retries, transport=httpx.MockTransport(handler)
    )


async def finish(client: RoutmyClient, stream: bool = True) -> tuple[Reply, Any]:
    run = client.chat({"model": "m", "messages": [], "stream": stream})
    events = [event async for event in run.events()]
    await client.aclose()
    assert isinstance(events[-1], ReplyFinished)
    return events[-1].reply, run.exchange


@pytest.mark.parametrize("head", ["", ": OPENROUTER PROCESSING\n\n", "\ufeff", "event: message\n"])
async def test_plain_request_answered_with_sse(head: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = sse(CHUNK, FINISH, head=head)
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    reply, exchange = await finish(make(handler), stream=False)
    assert reply.status == "complete" and reply.content == "Hi"
    assert exchange.stream_lines


async def test_content_type_in_capitals_is_still_a_stream() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=sse(CHUNK, FINISH), headers={"content-type": "Text/Event-Stream"}
        )

    reply, _ = await finish(make(handler))
    assert reply.status == "complete" and reply.content == "Hi"


async def test_json_error_body_sent_as_event_stream() -> None:
    error = {"error": {"message": "Quota exceeded", "code": 429}}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=json.dumps(error).encode(), headers={"content-type": "text/event-stream"}
        )

    reply, _ = await finish(make(handler))
    assert reply.status == "error"
    assert reply.error is not None and "Quota exceeded" in reply.error.message


async def test_a_retry_forgets_the_failed_try(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_module, "backoff_delay", lambda *a, **k: 0.0)
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(503, content=b"<html><title>Busy</title></html>")
        return httpx.Response(
            200, content=sse(CHUNK, FINISH), headers={"content-type": "text/event-stream"}
        )

    reply, exchange = await finish(make(handler, retries=1))
    assert reply.status == "complete"
    assert exchange.status == 200
    assert exchange.response_text is None and exchange.error is None
    assert len(exchange.attempts) == 1 and "503" in exchange.attempts[0].error


async def test_huge_error_body_is_capped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, content=b"x" * 3_000_000)

    reply, exchange = await finish(make(handler))
    assert reply.status == "error"
    assert len(exchange.response_text) == run_module.TEXT_CAP


async def test_in_band_error_then_a_held_connection_is_closed_after_grace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(run_module, "FINISH_GRACE", 0.2)
    error = {"error": {"code": 502, "message": "Provider disconnected"}}

    async def body() -> AsyncIterator[bytes]:
        yield sse(CHUNK, error, done=False)
        for _ in range(600):
            await asyncio.sleep(0.05)
            yield b": ping\n\n"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body(), headers={"content-type": "text/event-stream"})

    reply, _ = await asyncio.wait_for(finish(make(handler)), 5)
    assert reply.status == "error" and reply.content == "Hi"
    assert reply.error is not None and "Provider disconnected" in reply.error.message
