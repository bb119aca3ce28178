"""Copy as curl against the demo server: the shell command sends the client's exact bytes."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pytest

from routmy_tui.core.client import ReplyFinished, RoutmyClient
from routmy_tui.core.curl import INLINE_LIMIT, to_curl
from routmy_tui.core.exchange import Exchange
from routmy_tui.core.request import build_chat_body
from routmy_tui.core.secret import Secret
from routmy_tui.core.types import ChatMessage
from routmy_tui.core.wire_text import export_text
from routmy_tui.demo.server import DemoServer, RecordedRequest
from tests.conftest import FAKE_KEY

NASTY = [
    "plain",
    "it's a 'quote' and \"double\" quotes",
    "line one\nline two\r\nthree",
    "ünïcødé, 日本語, emoji 😀, rtl שלום",
    "$HOME ${PATH} $(id) `id` $ROUTMY_API_KEY",
    "back\\slash \\n \\\\ \\'",
    "!event !! history ^ & | ; < > * ? [a] {b} ~",
]


async def _send(server: DemoServer, text: str, stream: bool = True) -> tuple[Exchange, bytes]:
    client = RoutmyClient(server.base_url, Secret(FAKE_KEY), max_retries=0)
    try:
        body = build_chat_body("demo/chat", [ChatMessage("user", text)], stream=stream)
        before = len(server.requests)
        run = client.chat(body)
        async for event in run.events():
            if isinstance(event, ReplyFinished):
                break
        sent = [r for r in server.requests[before:] if r.path.endswith("/chat/completions")]
        assert len(sent) == 1
        return run.exchange, sent[0].body
    finally:
        await client.aclose()


def _run_curl(server: DemoServer, command: str, shell: str = "sh") -> tuple[RecordedRequest, str]:
    before = len(server.requests)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "ROUTMY_API_KEY": FAKE_KEY}
    # Fed on stdin, as if pasted: a big command would not fit in one exec argument.
    done = subprocess.run(
        [shell], input=command.encode(), capture_output=True, env=env, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    received = server.requests[before:]
    assert len(received) == 1
    return received[0], done.stdout.decode("utf-8", "replace")


@pytest.mark.parametrize("shell", ["sh", "bash"])
@pytest.mark.parametrize("text", NASTY)
async def test_curl_reproduces_the_request_byte_for_byte(
    demo_server: DemoServer, text: str, shell: str
) -> None:
    exchange, client_bytes = await _send(demo_server, text)
    command = to_curl(exchange)
    assert FAKE_KEY not in command
    received, output = _run_curl(demo_server, command, shell)
    assert received.body == client_bytes
    assert received.headers["authorization"] == f"Bearer {FAKE_KEY}"
    assert received.headers["content-type"] == "application/json"
    # Streaming flags kept: the server answered with events, ending in [DONE].
    assert "data: [DONE]" in output


async def test_curl_of_a_non_streamed_request(demo_server: DemoServer) -> None:
    exchange, client_bytes = await _send(demo_server, "no stream 'here'", stream=False)
    command = to_curl(exchange)
    assert "-N" not in command
    received, output = _run_curl(demo_server, command)
    assert received.body == client_bytes
    assert '"object":"chat.completion"' in output.replace(" ", "")


async def test_curl_of_a_body_too_big_for_one_argument(demo_server: DemoServer) -> None:
    text = "quote ' dollar $ 😀 " * (INLINE_LIMIT // 10)
    exchange, client_bytes = await _send(demo_server, text)
    assert len(client_bytes) > 2 * INLINE_LIMIT
    command = to_curl(exchange)
    received, _ = _run_curl(demo_server, command)
    assert received.body == client_bytes


async def test_exports_never_hold_the_key(demo_server: DemoServer) -> None:
    exchange, _ = await _send(demo_server, "hello fault:malformed")
    texts: list[Any] = [export_text(kind, exchange) for kind in ("curl", "request", "response")]
    texts.append(export_text("stream", exchange))
    texts.append(repr(exchange.to_dict()))
    for text in texts:
        assert FAKE_KEY not in text
    # The stream log keeps comments and marks the malformed lines.
    log = export_text("stream", exchange)
    assert "[comment]" in log
    assert "data: ping" in log
    assert "data: [DONE]" in log
