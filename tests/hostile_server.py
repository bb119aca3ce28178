"""A raw-socket HTTP server that answers with hostile bytes, one case per model id (tests only)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEEP = "[" * 1000 + "]" * 1000
"""JSON nested 1,000 deep: Python's parser raises RecursionError on it."""

ESCAPES = (
    "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # OSC 52 clipboard write ended by BEL
    "\x1b]52;c;ZWNobyBwd25lZA==\x1b\\"  # ... and by ST
    "\x1b]0;pwned title\x07"  # OSC 0 window title
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\"  # OSC 8 hyperlink
    "\x1b[2J\x1b[31m"  # CSI clear screen, colour
    "\x1bP1$qm\x1b\\"  # DCS
    "\x9b2J\x9d0;c1\x9c"  # 8-bit CSI, OSC, ST
    "\x07\x08\x08"  # bell, backspaces
    "\u202eevil\u202c\u2066iso\u2069"  # bidi override and isolate
)
"""Terminal control that must never reach the terminal raw."""

RAW_CONTROLS = ("\x1b", "\x07", "\x08", "\x9b", "\x9d", "\x9c", "\u202e", "\u2066")
"""Characters of ESCAPES none of which may appear in anything drawn."""


@dataclass
class Request:
    """One request as received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON (None when it is not)."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


Answer = Callable[[Request, int], list[bytes]]
"""(request, how many times this case was asked before) -> the raw bytes to write, in pieces."""


def response(
    status: int, body: bytes | str, content_type: str = "application/json", **headers: str
) -> bytes:
    """A whole HTTP/1.1 response that closes the connection."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    lines = [f"HTTP/1.1 {status} X", f"Content-Type: {content_type}", "Connection: close"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data


def sse_head(**headers: str) -> bytes:
    """The head of a streamed 200 response (no length: it ends when the connection closes)."""
    lines = ["HTTP/1.1 200 OK", "Content-Type: text/event-stream", "Connection: close"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def event(data: Any) -> bytes:
    """One SSE event; `data` is sent as is when text, else as JSON (non-ASCII escaped)."""
    text = data if isinstance(data, str) else json.dumps(data)
    return f"data: {text}\n\n".encode()


def chunk(content: str = "", finish: str | None = None, **delta: Any) -> dict[str, Any]:
    """A chat completion chunk for choice 0."""
    if content:
        delta["content"] = content
    return {
        "id": "hostile",
        "object": "chat.completion.chunk",
        "model": "hostile",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def stream(*events: bytes, head: bytes | None = None) -> list[bytes]:
    """A streamed reply: its head, the events, then [DONE]."""
    return [head or sse_head(), *events, b"data: [DONE]\n\n"]


def _key(request: Request) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ").strip()


def _deep_args(request: Request, n: int) -> list[bytes]:
    call = {"index": 0, "id": "call_1", "type": "function"}
    call["function"] = {"name": "deep", "arguments": DEEP}
    return stream(event(chunk(tool_calls=[call])), event(chunk(finish="tool_calls")))


def _deep_chunk(request: Request, n: int) -> list[bytes]:
    return stream(
        event(chunk("before ")),
        event(DEEP),
        event('{"choices": ' + DEEP + "}"),
        event(chunk("after", finish="stop")),
    )


def _deep_body(request: Request, n: int) -> list[bytes]:
    return [response(200, '{"choices": ' + DEEP + "}")]


def _deep_error(request: Request, n: int) -> list[bytes]:
    return [response(400, '{"error": {"message": "bad", "detail": ' + DEEP + "}}")]


def _deep_inband(request: Request, n: int) -> list[bytes]:
    return stream(event(chunk("partial ")), b"event: error\ndata: " + DEEP.encode() + b"\n\n")


def _surrogate(request: Request, n: int) -> list[bytes]:
    return stream(
        event('{"choices":[{"index":0,"delta":{"content":"lone \\ud800 here"}}]}'),
        event('{"choices":[{"index":0,"delta":{"reasoning":"think \\udfff"}}]}'),
        event(chunk(finish="stop")),
    )


def _surrogate_error(request: Request, n: int) -> list[bytes]:
    return stream(
        event(chunk("kept text ")),
        event('{"error":{"message":"upstream \\ud800 failed","code":502},"choices":[]}'),
    )


def _surrogate_args(request: Request, n: int) -> list[bytes]:
    # JSON escapes decode to lone surrogates in the name and inside the arguments text.
    call = (
        r'{"index":0,"id":"c1","function":'
        r'{"name":"look\ud800up","arguments":"{\"q\": \"\ud800\"}"}}'
    )
    return stream(
        event('{"choices":[{"index":0,"delta":{"tool_calls":[' + call + "]}}]}"),
        event(chunk(finish="tool_calls")),
    )


def _echo_key_401(request: Request, n: int) -> list[bytes]:
    auth = request.headers.get("authorization", "")
    body = json.dumps({"error": {"message": f"Invalid key: {auth}", "code": "Unauthorized"}})
    return [response(401, body, X_Echo=auth)]


def _echo_key_stream(request: Request, n: int) -> list[bytes]:
    key = _key(request)
    half = len(key) // 2
    # The key cut across two writes, inside one event: the redaction must see it whole.
    text = json.dumps(chunk(f"Your key is {key}, "))
    cut = text.index(key) + half
    return [
        sse_head(X_Echo=f"Bearer {key}"),
        b"data: " + text[:cut].encode(),
        text[cut:].encode() + b"\n\n",
        event(chunk(reasoning=f"reasoning {key}")),
        event(chunk(finish="stop")),
        b"data: [DONE]\n\n",
    ]


def _empty_200(request: Request, n: int) -> list[bytes]:
    return [response(200, b"")]


def _empty_stream(request: Request, n: int) -> list[bytes]:
    return [sse_head()]


def _cut_once(request: Request, n: int) -> list[bytes]:
    if n == 0:
        return [sse_head(), b": processing\n\n"]  # headers, a comment, then the socket closes
    return stream(event(chunk("second try worked", finish="stop")))


def _escapes(request: Request, n: int) -> list[bytes]:
    call = {"index": 0, "id": "call_1", "type": "function"}
    call["function"] = {"name": f"tool{ESCAPES}", "arguments": json.dumps({"a": ESCAPES})}
    return stream(
        event(chunk(reasoning=f"thinking {ESCAPES}")),
        event(chunk(f"content {ESCAPES}")),
        event(chunk(tool_calls=[call])),
        event({"error": {"message": f"error {ESCAPES}", "code": 502}, "choices": []}),
    )


def _escapes_retry(request: Request, n: int) -> list[bytes]:
    if n == 0:
        return [response(503, json.dumps({"error": {"message": f"busy {ESCAPES}"}}))]
    return stream(event(chunk("recovered", finish="stop")))


CASES: dict[str, Answer] = {
    "hostile/deep-args": _deep_args,
    "hostile/deep-chunk": _deep_chunk,
    "hostile/deep-body": _deep_body,
    "hostile/deep-error": _deep_error,
    "hostile/deep-inband": _deep_inband,
    "hostile/surrogate": _surrogate,
    "hostile/surrogate-error": _surrogate_error,
    "hostile/surrogate-args": _surrogate_args,
    "hostile/echo-key-401": _echo_key_401,
    "hostile/echo-key-stream": _echo_key_stream,
    "hostile/empty-200": _empty_200,
    "hostile/empty-stream": _empty_stream,
    "hostile/cut-once": _cut_once,
    "hostile/escapes": _escapes,
    "hostile/escapes-retry": _escapes_retry,
}


@dataclass
class HostileServer:
    """Serves CASES on 127.0.0.1 (an ephemeral port) from a thread; a context manager.

    The request's `model` picks the case; `GET /models` lists them. It stops when the
    `with` block ends, or after `lifetime` seconds at the latest.
    """

    lifetime: float = 120.0
    requests: list[Request] = field(default_factory=list)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _stop: asyncio.Event | None = None
    _counts: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The base URL to give the client."""
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> HostileServer:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._main, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the hostile server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def _main(self, ready: threading.Event) -> None:
        asyncio.run(self._serve(ready))

    async def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        async with server:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.lifetime)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await self._read(reader)
            if request is not None:
                self.requests.append(request)
                for piece in self._answer(request):
                    writer.write(piece)
                    await writer.drain()
                    await asyncio.sleep(0.01)  # separate reads on the client side
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _read(self, reader: asyncio.StreamReader) -> Request | None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = ([*lines[0].split(" "), "", ""])[:3]
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        body = await reader.readexactly(length) if length else b""
        return Request(method, path, headers, body)

    def _answer(self, request: Request) -> list[bytes]:
        if request.method == "GET" and request.path.endswith("/models"):
            names = [*CASES, f"hostile/odd{ESCAPES}"]
            data = [{"id": name, "object": "model", "owned_by": f"o{ESCAPES}"} for name in names]
            return [response(200, json.dumps({"object": "list", "data": data}))]
        body = request.json()
        model = body.get("model") if isinstance(body, dict) else None
        case = CASES.get(str(model))
        if case is None:
            return [response(404, json.dumps({"error": {"message": f"no case {model!r}"}}))]
        count = self._counts.get(str(model), 0)
        self._counts[str(model)] = count + 1
        return case(request, count)
