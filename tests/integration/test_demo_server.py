"""The demo backend over real loopback: models, chat (streamed and not), tools, images, JSON."""

from __future__ import annotations

import base64
import io
import json
import signal
from typing import Any

import httpx
import pytest
from PIL import Image

from routmy_tui.demo.server import DemoServer

USER = "user"


def body(prompt: str, model: str = "demo/chat", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": USER, "content": prompt}], **extra}


@pytest.fixture
def client(demo_base_url: str) -> httpx.Client:
    with httpx.Client(base_url=demo_base_url, timeout=httpx.Timeout(10.0)) as c:
        yield c


def stream_raw(client: httpx.Client, payload: dict[str, Any]) -> tuple[httpx.Response, bytes]:
    with client.stream("POST", "/chat/completions", json={**payload, "stream": True}) as r:
        return r, r.read()


def test_models_list_has_small_and_rich_items(client: httpx.Client) -> None:
    r = client.get("/models")
    assert r.status_code == 200
    listing = r.json()
    assert listing["object"] == "list"
    items = {m["id"]: m for m in listing["data"]}
    assert set(items) >= {
        "demo/chat",
        "demo/reasoning",
        "demo/vision",
        "demo/tools",
        "demo/image",
        "demo/slow",
        "demo/locked",
    }
    for item in items.values():
        assert item["object"] == "model"
        assert isinstance(item["created"], int) and isinstance(item["owned_by"], str)
        assert isinstance(item["token_multiplier"], float)
    assert items["demo/locked"]["is_available"] is False
    assert items["demo/reasoning"]["token_multiplier"] == 2.0
    assert "pricing" not in items["demo/tools"]
    vision = items["demo/vision"]
    assert "image" in vision["architecture"]["input_modalities"]
    assert float(vision["pricing"]["prompt"]) > 0
    assert "image" in items["demo/image"]["architecture"]["output_modalities"]
    assert items["demo/image"]["context_length"] is None


def test_streamed_reply_is_markdown_quoting_the_prompt(client: httpx.Client, sse: Any) -> None:
    r, raw = stream_raw(client, body("Explain streaming parsers"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert raw.startswith(b": OPENROUTER PROCESSING\n\n")
    events = sse.events(raw)
    assert events[-1] == "[DONE]"
    chunks = sse.chunks(raw)
    assert all(c["object"] == "chat.completion.chunk" and c["model"] == "demo/chat" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    reply = sse.assemble(raw)
    text = reply["content"]
    assert text.splitlines()[0] == "You asked: *Explain streaming parsers*"
    for marker in ("\n## ", "\n- ", "\n1. ", "\n|---", "```python\n"):
        assert marker in text
    assert 150 <= reply["content_deltas"] <= 300
    assert reply["finish"] == "stop"


def test_non_streamed_reply_matches_the_streamed_one(client: httpx.Client, sse: Any) -> None:
    r = client.post("/chat/completions", json=body("Determinism check"))
    assert r.status_code == 200
    data = r.json()
    assert data["object"] == "chat.completion"
    choice = data["choices"][0]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    usage = data["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert isinstance(usage["cost"], float)
    _, raw = stream_raw(client, body("Determinism check"))
    assert sse.assemble(raw)["content"] == choice["message"]["content"]


def test_usage_on_finish_chunk_without_include_usage(client: httpx.Client, sse: Any) -> None:
    _, raw = stream_raw(client, body("usage placement one"))
    chunks = sse.chunks(raw)
    last = chunks[-1]
    assert last["choices"][0]["finish_reason"] == "stop"
    reply = sse.assemble(raw)
    assert last["usage"]["completion_tokens"] == reply["content_deltas"]
    assert not any(c["choices"] == [] for c in chunks)


def test_usage_on_empty_choices_chunk_with_include_usage(client: httpx.Client, sse: Any) -> None:
    payload = body("usage placement two", stream_options={"include_usage": True})
    _, raw = stream_raw(client, payload)
    chunks = sse.chunks(raw)
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] == sse.assemble(raw)["content_deltas"]
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert "usage" not in chunks[-2]


def test_reasoning_streams_before_content_and_can_be_excluded(
    client: httpx.Client, sse: Any
) -> None:
    _, raw = stream_raw(client, body("think first", "demo/reasoning"))
    chunks = sse.chunks(raw)
    kinds = [next(iter(set(c["choices"][0]["delta"]) - {"role"}), None) for c in chunks[:-1]]
    first_content = kinds.index("content")
    assert 40 <= first_content <= 80 and set(kinds[:first_content]) == {"reasoning"}
    reply = sse.assemble(raw)
    assert reply["usage"]["completion_tokens"] == first_content + reply["content_deltas"]
    whole = client.post("/chat/completions", json=body("think first", "demo/reasoning")).json()
    assert whole["choices"][0]["message"]["reasoning"] == reply["reasoning"]
    _, raw = stream_raw(client, body("think first", "demo/reasoning", reasoning={"exclude": True}))
    assert sse.assemble(raw)["reasoning"] == ""


def test_demo_tokens_streams_exactly_that_many_deltas(client: httpx.Client, sse: Any) -> None:
    _, raw = stream_raw(client, body("benchmark", demo_tokens=20000, demo_tps=0))
    reply = sse.assemble(raw)
    assert reply["content_deltas"] == 20000
    assert reply["usage"]["completion_tokens"] == 20000
    assert sse.events(raw)[-1] == "[DONE]"


def test_max_tokens_and_stop_cut_the_reply(client: httpx.Client) -> None:
    data = client.post("/chat/completions", json=body("limits", max_tokens=10)).json()
    assert data["choices"][0]["finish_reason"] == "length"
    assert data["usage"]["completion_tokens"] == 10
    data = client.post("/chat/completions", json=body("limits", stop=["##"])).json()
    content = data["choices"][0]["message"]["content"]
    assert "##" not in content and content.startswith("You asked:")


TOOL = {
    "type": "function",
    "function": {
        "name": "get_order",
        "description": "Look up an order by ID.",
        "parameters": {
            "type": "object",
            "properties": {
                "order_id": {"type": "string"},
                "include_items": {"type": "boolean"},
                "limit": {"type": "integer"},
                "currency": {"type": "string", "enum": ["EUR", "USD"]},
            },
            "required": ["order_id"],
        },
    },
}


def test_tools_round_trip(client: httpx.Client, sse: Any) -> None:
    first = body("What is the status of order 123?", "demo/tools", tools=[TOOL])
    _, raw = stream_raw(client, first)
    reply = sse.assemble(raw)
    assert reply["finish"] == "tool_calls"
    head, *rest = reply["calls"]
    assert head["id"].startswith("call_") and head["function"]["name"] == "get_order"
    assert len(rest) >= 2 and all("id" not in f and "name" not in f["function"] for f in rest)
    arguments = "".join(f["function"]["arguments"] for f in reply["calls"])
    assert json.loads(arguments) == {
        "order_id": "123",
        "include_items": True,
        "limit": 3,
        "currency": "EUR",
    }
    follow = {
        **first,
        "messages": [
            *first["messages"],
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": head["id"],
                        "type": "function",
                        "function": {"name": "get_order", "arguments": arguments},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": head["id"], "content": '{"status": "shipped"}'},
        ],
    }
    _, raw = stream_raw(client, follow)
    answer = sse.assemble(raw)
    assert answer["finish"] == "stop" and answer["calls"] == []
    assert "`get_order`" in answer["content"] and '"status": "shipped"' in answer["content"]
    whole = client.post("/chat/completions", json=first).json()["choices"][0]
    assert whole["message"]["content"] is None
    assert whole["message"]["tool_calls"][0]["function"]["arguments"] == arguments


def test_tool_choice_none_and_forced(client: httpx.Client, sse: Any) -> None:
    other = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
    _, raw = stream_raw(client, body("hi", "demo/tools", tools=[TOOL], tool_choice="none"))
    assert sse.assemble(raw)["calls"] == []
    forced = {"type": "function", "function": {"name": "get_weather"}}
    _, raw = stream_raw(client, body("hi", "demo/chat", tools=[TOOL, other], tool_choice=forced))
    reply = sse.assemble(raw)
    assert reply["calls"][0]["function"]["name"] == "get_weather"
    args = "".join(f["function"]["arguments"] for f in reply["calls"])
    assert json.loads(args) == {"city": "Paris"}
    _, raw = stream_raw(client, body("please use tool now", "demo/chat", tools=[TOOL]))
    assert sse.assemble(raw)["finish"] == "tool_calls"
    _, raw = stream_raw(client, body("no tools wanted", "demo/chat", tools=[TOOL]))
    assert sse.assemble(raw)["finish"] == "stop"


def _png(url: str) -> Image.Image:
    head, _, payload = url.partition(",")
    assert head == "data:image/png;base64"
    image = Image.open(io.BytesIO(base64.b64decode(payload)))
    assert image.format == "PNG"
    return image


@pytest.mark.parametrize(
    ("ratio", "size", "expected"),
    [
        ("16:9", "1K", (1024, 576)),
        ("9:16", "4K", (576, 1024)),
        ("1:1", "2K", (1024, 1024)),
    ],
)
def test_image_output_is_a_png_of_the_asked_aspect(
    client: httpx.Client, sse: Any, ratio: str, size: str, expected: tuple[int, int]
) -> None:
    config = {"aspect_ratio": ratio, "image_size": size}
    _, raw = stream_raw(client, body("a blue glass cube", "demo/image", image_config=config))
    reply = sse.assemble(raw)
    assert len(reply["images"]) == 1
    assert _png(reply["images"][0]["image_url"]["url"]).size == expected
    assert ratio in reply["content"] and reply["finish"] == "stop"


def test_image_output_on_other_models_with_modalities(client: httpx.Client) -> None:
    payload = body("a cat", "demo/chat", modalities=["image", "text"])
    message = client.post("/chat/completions", json=payload).json()["choices"][0]["message"]
    assert _png(message["images"][0]["image_url"]["url"]).size == (1024, 1024)


def test_images_generations_endpoint(client: httpx.Client) -> None:
    r = client.post(
        "/images/generations",
        json={"model": "demo/image", "prompt": "a tree", "size": "512x256", "n": 2},
    )
    data = r.json()["data"]
    assert len(data) == 2
    image = Image.open(io.BytesIO(base64.b64decode(data[0]["b64_json"])))
    assert image.size == (512, 256)
    r = client.post(
        "/images/generations",
        json={"model": "demo/image", "prompt": "a tree", "response_format": "url"},
    )
    assert _png(r.json()["data"][0]["url"]).size == (1024, 1024)
    r = client.post("/images/generations", json={"model": "demo/chat", "prompt": "a tree"})
    assert r.status_code == 400


def test_vision_describes_attached_images(client: httpx.Client) -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), "red").save(out, "PNG")
    url = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
    parts = [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": url}},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,!!!bad"}},
    ]
    payload = {"model": "demo/vision", "messages": [{"role": "user", "content": parts}]}
    content = client.post("/chat/completions", json=payload).json()["choices"][0]["message"]
    text = content["content"]
    assert "I see 2 image(s)" in text and "a PNG image, 8x6 pixels" in text
    assert "could not be decoded" in text


def test_json_modes_give_valid_json(client: httpx.Client) -> None:
    payload = body("give me JSON", response_format={"type": "json_object"}, stream=False)
    content = client.post("/chat/completions", json=payload).json()["choices"][0]["message"]
    assert isinstance(json.loads(content["content"]), dict)
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "population": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "coords": {"type": "object", "properties": {"lat": {"type": "number"}}},
        },
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "c", "strict": True, "schema": schema}}
    message = client.post("/chat/completions", json=body("a city", response_format=fmt)).json()
    value = json.loads(message["choices"][0]["message"]["content"])
    assert set(value) == {"city", "population", "tags", "coords"}
    assert isinstance(value["population"], int) and isinstance(value["coords"]["lat"], float)
    assert all(isinstance(t, str) for t in value["tags"])


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"messages": [{"role": "user", "content": "x"}]}, 400, "Model is required"),
        ({"model": "nope/nothing", "messages": [{"role": "user", "content": "x"}]}, 404, None),
        ({"model": "demo/chat", "messages": []}, 400, None),
        ({"model": "demo/chat"}, 400, None),
        ({"model": "demo/locked", "messages": [{"role": "user", "content": "x"}]}, 403, None),
    ],
)
def test_invalid_requests_get_routmy_error_bodies(
    client: httpx.Client, payload: dict[str, Any], status: int, message: str | None
) -> None:
    r = client.post("/chat/completions", json=payload)
    assert r.status_code == status
    error = r.json()["error"]
    assert error["code"] == httpx.codes.get_reason_phrase(status)
    assert error["error_id"].startswith("err_demo_") and error["type"]
    if message:
        assert error["message"] == message


def test_bad_json_and_unknown_path(client: httpx.Client) -> None:
    r = client.post(
        "/chat/completions", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "Bad Request"
    r = client.get("/nothing/here")
    assert r.status_code == 404 and "error_id" in r.json()["error"]


def test_server_binds_loopback_and_stop_frees_the_port() -> None:
    server = DemoServer(tps=0, ttft=0).start()
    port = server.port
    assert server.base_url == f"http://127.0.0.1:{port}/v1"
    assert httpx.get(server.base_url + "/models", timeout=10).status_code == 200
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=5)
    with DemoServer(port=port, tps=0) as again:
        assert httpx.get(again.base_url + "/models", timeout=10).status_code == 200


def test_serving_thread_leaves_signal_handlers_alone() -> None:
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    with DemoServer(tps=0) as server:
        assert httpx.get(server.base_url + "/models", timeout=10).status_code == 200
        assert {sig: signal.getsignal(sig) for sig in before} == before
    assert {sig: signal.getsignal(sig) for sig in before} == before
