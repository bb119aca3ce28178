"""The client against the hostile raw-socket server: each case ends in a reply, never a crash."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from routmy_tui.core import chat_run as run_module
from routmy_tui.core.client import ReplyFinished, RoutmyClient
from routmy_tui.core.exchange import Exchange
from routmy_tui.core.redact import REDACTED
from routmy_tui.core.request import ChatParams, build_chat_body
from routmy_tui.core.secret import Secret
from routmy_tui.core.types import ChatMessage, Reply
from tests.conftest import FAKE_KEY
from tests.hostile_server import HostileServer


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture
async def client(hostile: HostileServer, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    monkeypatch.setattr(run_module, "backoff_delay", lambda attempt, after: 0.01)
    c = RoutmyClient(hostile.url, Secret(FAKE_KEY), max_retries=2, read_timeout=10)
    yield c
    await c.aclose()


async def ask(client: RoutmyClient, case: str, stream: bool = True) -> tuple[Reply, Exchange]:
    body = build_chat_body(
        f"hostile/{case}", [ChatMessage("user", "hi")], ChatParams(), stream=stream
    )
    run = client.chat(body)
    events = [event async for event in run.events()]
    assert isinstance(events[-1], ReplyFinished)
    return events[-1].reply, run.exchange


async def test_deeply_nested_tool_arguments_are_kept_as_text(client: RoutmyClient) -> None:
    reply, _ = await ask(client, "deep-args")
    assert reply.status == "complete"
    call = reply.tool_calls[0]
    assert call.arguments.startswith("[[[[") and len(call.arguments) == 2000
    value, problem = call.parsed_arguments()
    assert value is None
    assert problem is not None and "nested deeper than" in problem


async def test_a_deeply_nested_chunk_is_skipped_with_a_note(client: RoutmyClient) -> None:
    reply, _ = await ask(client, "deep-chunk")
    assert reply.status == "complete"
    assert reply.content == "before after"
    assert any("not JSON" in note for note in reply.notes)


async def test_a_deeply_nested_body_ends_the_reply_with_an_error(client: RoutmyClient) -> None:
    reply, exchange = await ask(client, "deep-body", stream=False)
    assert reply.status == "error"
    assert reply.error is not None and "nested deeper than" in reply.error.message
    assert exchange.response_text and exchange.response_text.startswith('{"choices": [[[')


async def test_a_deeply_nested_error_body_still_gives_an_error(client: RoutmyClient) -> None:
    reply, _ = await ask(client, "deep-error")
    assert reply.status == "error"
    assert reply.error is not None and reply.error.status == 400


async def test_a_deeply_nested_in_band_error_keeps_the_partial_reply(
    client: RoutmyClient,
) -> None:
    reply, _ = await ask(client, "deep-inband")
    assert reply.status == "error"
    assert reply.content == "partial "
    assert reply.error is not None


async def test_lone_surrogates_arrive_as_they_were_sent(client: RoutmyClient) -> None:
    reply, _ = await ask(client, "surrogate")
    assert reply.status == "complete"
    assert reply.content == "lone \ud800 here"
    assert reply.reasoning == "think \udfff"


async def test_a_key_echoed_in_a_401_is_redacted_everywhere(client: RoutmyClient) -> None:
    reply, exchange = await ask(client, "echo-key-401")
    assert reply.status == "error" and reply.error is not None
    assert REDACTED in reply.error.message
    recorded = json.dumps([exchange.to_dict(), reply.error.to_dict()])
    assert FAKE_KEY not in recorded
    assert exchange.response_headers["x-echo"] == f"Bearer {REDACTED}"


async def test_a_key_echoed_in_a_stream_is_redacted_even_when_cut(client: RoutmyClient) -> None:
    reply, exchange = await ask(client, "echo-key-stream")
    assert reply.status == "complete"
    assert reply.content == f"Your key is {REDACTED}, "
    assert reply.reasoning == f"reasoning {REDACTED}"
    assert FAKE_KEY not in json.dumps(exchange.to_dict())


async def test_an_empty_200_says_no_reply_came(client: RoutmyClient) -> None:
    reply, _ = await ask(client, "empty-200", stream=False)
    assert reply.status == "error" and reply.error is not None
    assert "empty body" in reply.error.message


async def test_an_empty_stream_says_so(client: RoutmyClient) -> None:
    reply, exchange = await ask(client, "empty-stream")
    assert reply.status == "error" and reply.error is not None
    assert "empty stream" in reply.error.message
    assert len(exchange.attempts) == 2  # retried like any failure before output


async def test_a_stream_cut_before_any_text_is_retried(
    client: RoutmyClient, hostile: HostileServer
) -> None:
    reply, exchange = await ask(client, "cut-once")
    assert reply.status == "complete"
    assert reply.content == "second try worked"
    assert [a.error for a in exchange.attempts] == [
        "network: The stream ended before any reply arrived"
    ]


async def test_models_from_the_hostile_server_list_every_case(client: RoutmyClient) -> None:
    models, _ = await client.list_models()
    assert "hostile/deep-args" in {m.id for m in models}


async def test_lone_surrogates_in_an_error_and_tool_calls_do_not_break_the_reply(
    client: RoutmyClient,
) -> None:
    reply, _ = await ask(client, "surrogate-error")
    assert reply.status == "error" and reply.content == "kept text "
    assert reply.error is not None and "\ud800" in reply.error.message
    reply, _ = await ask(client, "surrogate-args")
    assert reply.tool_calls[0].name == "look\ud800up"
    assert reply.tool_calls[0].parsed_arguments() == ({"q": "\ud800"}, None)
