"""Exchanges, secrets, and export/import of conversations."""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from routmy_tui.core.exchange import Attempt, Exchange
from routmy_tui.core.types import ApiError, ChatMessage, Reply, StreamLine, ToolCall, Usage
from routmy_tui.store import Store, StoreError, mask_headers
from routmy_tui.store.export import EXPORT_FORMAT, export_json, export_markdown
from routmy_tui.store.import_json import import_json

FAKE_KEY = "sk_test_fake_123"
PNG = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "db.sqlite") as opened:
        yield opened


def make_exchange(auth: str) -> Exchange:
    return Exchange(
        url="https://api.rout.my/v1/chat/completions",
        request_headers={"Authorization": auth, "Content-Type": "application/json"},
        request_body={
            "model": "m",
            "messages": [{"role": "user", "content": "hi"}],
            "stream": True,
        },
        started_at=1700000000.5,
        status=200,
        response_headers={"content-type": "text/event-stream", "set-cookie": "session=abc"},
        stream_lines=[
            StreamLine(0.1, ": OPENROUTER PROCESSING", "comment"),
            StreamLine(0.2, "data: {}"),
        ],
        response_json={"id": "c1", "choices": []},
        t_headers=0.05,
        t_first_token=0.2,
        t_done=0.3,
        attempts=[Attempt("HTTP 429: slow down", 1.5)],
        error=ApiError("cut", kind="network", retryable=True),
    )


def build_chat(store: Store) -> tuple[str, list[int]]:
    cid = store.create_conversation("demo/chat", "You are terse.", {"temperature": 0.3})
    u1 = store.add_message(cid, None, ChatMessage("user", "Draw a cat", images=[PNG]))
    a1 = store.add_message(
        cid, u1, ChatMessage("assistant", ""), status="streaming", model="demo/chat"
    )
    store.checkpoint_reply(
        a1,
        Reply(
            content="",
            reasoning="Need the weather tool.",
            tool_calls=[ToolCall("call_1", "get_weather", '{"city":"Oslo"}')],
            usage=Usage.from_wire({"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}),
            finish_reason="tool_calls",
            status="complete",
        ),
    )
    t1 = store.add_message(cid, a1, ChatMessage("tool", '{"temp": 3}', tool_call_id="call_1"))
    a2 = store.add_message(
        cid, t1, ChatMessage("assistant", ""), status="streaming", model="demo/chat"
    )
    store.checkpoint_reply(
        a2, Reply(content="It is 3 °C. ```code```", images=[PNG], status="stopped")
    )
    # An abandoned branch that must not be exported.
    store.add_message(cid, None, ChatMessage("user", "other branch"))
    store.set_current_leaf(cid, a2)
    store.save_exchange(a2, make_exchange(f"Bearer {FAKE_KEY}"))
    return cid, [u1, a1, t1, a2]


def test_exchange_round_trip_with_headers_masked(store: Store) -> None:
    cid = store.create_conversation("m")
    mid = store.add_message(cid, None, ChatMessage("user", "hi"))
    assert store.get_exchange(mid) is None
    original = make_exchange("Bearer ***")
    store.save_exchange(mid, original)
    back = store.get_exchange(mid)
    assert back is not None
    assert back.to_dict() == {
        **original.to_dict(),
        "response_headers": {"content-type": "text/event-stream", "set-cookie": "***"},
    }


def test_key_never_reaches_the_database_file(store: Store, tmp_path: Path) -> None:
    _, ids = build_chat(store)
    back = store.get_exchange(ids[-1])
    assert back is not None
    assert back.request_headers["Authorization"] == "Bearer ***"
    assert FAKE_KEY not in json.dumps(back.to_dict())
    store.close()
    for file in tmp_path.glob("db.sqlite*"):
        assert FAKE_KEY.encode() not in file.read_bytes(), file


def test_mask_headers() -> None:
    masked = mask_headers(
        {"authorization": f"Bearer {FAKE_KEY}", "X-Api-Key": FAKE_KEY, "Accept": "*/*"}
    )
    assert masked == {"authorization": "Bearer ***", "X-Api-Key": "***", "Accept": "*/*"}


def test_export_json_is_openai_messages_of_current_branch(store: Store) -> None:
    cid, _ = build_chat(store)
    data = export_json(store, cid)
    assert data["format"] == EXPORT_FORMAT
    assert (data["model"], data["params"], data["title"]) == (
        "demo/chat",
        {"temperature": 0.3},
        "Draw a cat",
    )
    messages = data["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "tool", "assistant"]
    assert messages[0] == {"role": "system", "content": "You are terse."}
    assert messages[1]["content"] == [
        {"type": "text", "text": "Draw a cat"},
        {"type": "image_url", "image_url": {"url": PNG}},
    ]
    assert messages[2]["content"] is None
    assert messages[2]["tool_calls"][0]["function"]["name"] == "get_weather"
    assert messages[3] == {"role": "tool", "content": '{"temp": 3}', "tool_call_id": "call_1"}
    assert messages[4]["images"] == [{"type": "image_url", "image_url": {"url": PNG}}]
    meta = data["metadata"]
    assert len(meta) == len(messages)
    assert (
        meta[2]["usage"]["total_tokens"] == 12 and meta[2]["reasoning"] == "Need the weather tool."
    )
    assert meta[4]["status"] == "stopped"
    text = json.dumps(data)
    assert "other branch" not in text and FAKE_KEY not in text and "Authorization" not in text


def test_export_markdown(store: Store) -> None:
    cid, _ = build_chat(store)
    md = export_markdown(store, cid)
    assert md.startswith("# Draw a cat\n")
    assert "## System\n\nYou are terse." in md
    assert "## User\n\nDraw a cat" in md and f"![image 1]({PNG})" in md
    assert '**Tool call** `get_weather` (call_1)\n\n```json\n{"city":"Oslo"}\n```' in md
    assert "## Tool result · get_weather (call_1)" in md
    assert "_Reply stopped_" in md
    assert "other branch" not in md and FAKE_KEY not in md
    with pytest.raises(StoreError):
        export_markdown(store, "missing")


def test_import_round_trip(store: Store) -> None:
    cid, _ = build_chat(store)
    exported = export_json(store, cid)
    new_id = import_json(store, json.loads(json.dumps(exported)))
    assert new_id != cid
    again = export_json(store, new_id)
    for key in ("title", "model", "system_prompt", "params", "messages"):
        assert again[key] == exported[key], key
    assert [m.get("status") for m in again["metadata"]] == [
        m.get("status") for m in exported["metadata"]
    ]
    assert again["metadata"][2]["usage"]["total_tokens"] == 12


def test_import_bare_openai_messages(store: Store) -> None:
    new_id = import_json(
        store,
        [
            {"role": "system", "content": "sys"},
            {"role": "user", "content": [{"type": "text", "text": "hello"}]},
            {
                "role": "assistant",
                "content": "hi",
                "tool_calls": [
                    {
                        "id": "c",
                        "type": "function",
                        "function": {"name": "f", "arguments": {"a": 1}},
                    }
                ],
            },
        ],
    )
    conv = store.get_conversation(new_id)
    assert conv is not None and conv.system_prompt == "sys" and conv.title == "hello"
    path = store.current_path(new_id)
    assert [(m.role, m.content, m.status) for m in path] == [
        ("user", "hello", "complete"),
        ("assistant", "hi", "complete"),
    ]
    assert path[1].tool_calls[0].arguments == '{"a": 1}'


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ("text", "top level"),
        ({"messages": "x"}, "messages"),
        ({"format": "other/9", "messages": []}, "format"),
        ({"messages": [{"role": "bot", "content": "x"}]}, "messages[0]"),
        ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
        (
            {"messages": [{"role": "user", "content": [{"text": "no type"}]}]},
            "messages[0].content[0]",
        ),
        ({"messages": [{"role": "assistant", "tool_calls": [{}]}]}, "messages[0].tool_calls[0]"),
    ],
)
def test_import_rejects_bad_data_clearly_and_stores_nothing(
    store: Store, data: object, where: str
) -> None:
    with pytest.raises(
        StoreError, match=rf"cannot import: {where.replace('[', '.').replace(']', '.')}"
    ):
        import_json(store, data)
    assert store.list_conversations() == []


def test_import_is_atomic(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    original = Store.add_message

    def failing(self: Store, *args: object, **kwargs: object) -> int:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise StoreError("disk full")
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "add_message", failing)
    with pytest.raises(StoreError, match="disk full"):
        import_json(
            store, [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]
        )
    monkeypatch.undo()
    assert store.list_conversations() == []


def test_stored_exchange_damage_is_reported(store: Store) -> None:
    cid = store.create_conversation("m")
    mid = store.add_message(cid, None, ChatMessage("user", "hi"))
    with sqlite3.connect(store.path) as conn:
        conn.execute("INSERT INTO exchanges (message_id, data) VALUES (?, ?)", (mid, b"garbage"))
    with pytest.raises(StoreError, match="damaged"):
        store.get_exchange(mid)
