"""Server-sent events for a plan: the chunk sequence, faults in it, and its pacing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from routmy_tui.demo.faults import DISCONNECT_AFTER
from routmy_tui.demo.plan import Plan

ABORT = object()
"""Yielded by `pace` to ask the response to drop the connection."""

PROCESSING = b": OPENROUTER PROCESSING\n\n"
INBAND_ERROR = {"error": {"code": 502, "message": "Provider disconnected"}}
HOLD_SECONDS = 60.0
_BATCH_EVENTS = 512
_MIN_SLEEP = 0.004  # below this, keep batching instead of sleeping

# Item kinds: paced token events, unpaced raw bytes, and control items.
TOK, RAW, STALL, STOP, HOLD = "tok", "raw", "stall", "abort", "hold"
Item = tuple[str, Any]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Chunks:
    """Serialises chunks; the content path uses a precomputed template (20k tokens fast)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        head = _dumps(
            {
                "id": plan.id,
                "object": "chat.completion.chunk",
                "created": plan.created,
                "model": plan.model.id,
            }
        )[:-1]
        self.head = head
        self.content_head = (
            "data: " + head + ',"choices":[{"index":0,"delta":{"content":'
        ).encode()
        self.content_tail = b'},"finish_reason":null}]}\n\n'
        self.role_sent = False

    def event(self, choices: list[Any], **extra: Any) -> bytes:
        body = self.head + ',"choices":' + _dumps(choices)
        for key, value in extra.items():
            body += f",{_dumps(key)}:{_dumps(value)}"
        return b"data: " + body.encode() + b"}\n\n"

    def delta(self, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        if not self.role_sent:
            delta = {"role": "assistant", **delta}
            self.role_sent = True
        return self.event([{"index": 0, "delta": delta, "finish_reason": finish}], **extra)

    def content(self, token: str) -> bytes:
        if not self.role_sent:
            return self.delta({"content": token})
        return self.content_head + _dumps(token).encode() + self.content_tail


def build_items(plan: Plan) -> list[Item]:
    """The events of a streamed reply, with the plan's faults placed in them."""
    chunks = _Chunks(plan)
    faults = plan.faults
    items: list[Item] = [(TOK, chunks.delta({"reasoning": t})) for t in plan.reasoning]
    stall_at = min(5, len(plan.content)) if faults.stall is not None else -1
    bad_at = len(plan.content) // 2 if faults.malformed else -1
    cut_at = DISCONNECT_AFTER if faults.disconnect or faults.inband else -1
    for index, token in enumerate(plan.content):
        if index == cut_at:
            break
        if index == stall_at:
            items.append((STALL, faults.stall))
        if index == bad_at:
            items += [(RAW, b'data: {"choices": [\n\n'), (RAW, b"data: ping\n\n")]
        items.append((TOK, chunks.content(token)))
    if stall_at == 0 and not plan.content:
        items.append((STALL, faults.stall))
    if faults.disconnect:
        return [*items, (STOP, None)]
    if faults.inband:
        error = chunks.event([{"index": 0, "delta": {}, "finish_reason": "error"}], **INBAND_ERROR)
        return [*items, (RAW, error)]
    for index, call in enumerate(plan.tool_calls):
        # As OpenAI streams parallel calls: each call's head, then its argument fragments.
        first = {
            "index": index,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        delta: dict[str, Any] = {"tool_calls": [first]}
        if index == 0:
            delta = {"content": None, **delta}
        items.append((RAW, chunks.delta(delta)))
        for fragment in call.fragments:
            frag = {"index": index, "function": {"arguments": fragment}}
            items.append((TOK, chunks.delta({"tool_calls": [frag]})))
    if plan.images:
        parts = [{"type": "image_url", "image_url": {"url": url}} for url in plan.images]
        items.append((TOK, chunks.delta({"images": parts})))
    usage = plan.usage()
    if plan.include_usage:
        items.append((RAW, chunks.delta({}, plan.finish_reason)))
        items.append((RAW, chunks.event([], usage=usage)))
    else:
        items.append((RAW, chunks.delta({}, plan.finish_reason, usage=usage)))
    if faults.hold:
        items.append((HOLD, None))
    elif not faults.nodone:
        items.append((RAW, b"data: [DONE]\n\n"))
    return _oddify(items, chunks) if faults.odd else items


def _oddify(items: list[Item], chunks: _Chunks) -> list[Item]:
    """Rewrite events with odd but valid SSE framing (CRLF, `data:` without space, ...)."""
    extras = [
        b": a comment between events\n\n",
        b"event: ping\ndata: ping\n\n",
        b"retry: 3000\nid: 7\n" + chunks.event([]),
        b"data:\n\n",
        chunks.event([{"index": 0, "delta": {"content": None}, "finish_reason": None}]),
        b"event: ping\n\n",
    ]
    out: list[Item] = []
    for index, (kind, data) in enumerate(items):
        if isinstance(data, bytes):
            if index % 2 and data.startswith(b"data: "):
                data = b"data:" + data[6:]
            data = data.replace(b"\n", b"\r\n")
        out.append((kind, data))
        if index < len(extras):
            out.append((RAW, extras[index].replace(b"\n", b"\r\n")))
    return out


def _odd_pieces(data: bytes) -> list[bytes]:
    """Cut a write inside a multi-byte character or between CR and LF."""
    for position, byte in enumerate(data):
        if byte >= 0xC0:  # a UTF-8 lead byte: cut right after it
            return [data[: position + 1], data[position + 1 :]]
    position = data.find(b"\r\n")
    return [data[: position + 1], data[position + 1 :]] if position >= 0 else [data]


async def pace(plan: Plan, items: list[Item]) -> AsyncIterator[Any]:
    """Yield the stream's bytes on schedule: `plan.tps` tokens/s after `plan.ttft` seconds.

    Events due at the same time are joined into one write, so an unlimited-speed stream of
    20,000 tokens takes a few dozen writes. Yields ABORT to ask for a dropped connection.
    """
    loop = asyncio.get_running_loop()
    odd = plan.faults.odd
    # fault:odd ends these comment lines with a bare CR, which SSE also allows.
    processing = PROCESSING.replace(b"\n", b"\r") if odd else PROCESSING
    yield processing
    if plan.ttft > 0:
        await asyncio.sleep(plan.ttft / 2)
        yield processing
        await asyncio.sleep(plan.ttft / 2)
    else:
        yield processing
    start, sent = loop.time(), 0
    buffer: list[bytes] = []
    for kind, data in items:
        if kind == TOK and plan.tps > 0:
            wait = start + sent / plan.tps - loop.time()
            if wait > _MIN_SLEEP:
                if buffer:
                    yield b"".join(buffer)
                    buffer = []
                await asyncio.sleep(wait)
        if kind in (TOK, RAW):
            sent += kind == TOK
            if odd:
                for piece in _odd_pieces(data):
                    yield piece
                    await asyncio.sleep(0.001)
                continue
            buffer.append(data)
            if len(buffer) >= _BATCH_EVENTS:
                yield b"".join(buffer)
                buffer = []
            continue
        if buffer:
            yield b"".join(buffer)
            buffer = []
        if kind == STALL:
            await asyncio.sleep(data)
            start += data
        elif kind == STOP:
            yield ABORT
            return
        elif kind == HOLD:
            deadline = loop.time() + HOLD_SECONDS
            while loop.time() < deadline:
                await asyncio.sleep(0.5)
                yield b": keep-alive\n\n"
    if buffer:
        yield b"".join(buffer)
