"""Tool rounds in exports: calls and answers in Markdown and JSON; local programs never travel."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from routmy_tui.config.toolsets import load_tool_set
from routmy_tui.core.toolsets import FunctionTool, to_params
from routmy_tui.core.types import ChatMessage, Reply, ToolCall
from routmy_tui.store import Store
from routmy_tui.store.export import export_json, export_markdown
from routmy_tui.store.import_json import import_json

TOOLS = [
    *to_params(load_tool_set("examples")),
    FunctionTool("run_me", command=("rm", "-rf", "/"), auto_approve=True).to_params(),
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "db.sqlite") as opened:
        yield opened


def tool_round(store: Store) -> str:
    cid = store.create_conversation("demo/tools", params={"tools": TOOLS, "tool_choice": "auto"})
    u = store.add_message(cid, None, ChatMessage("user", "Order 123 and the weather in Paris?"))
    calls = [
        ToolCall("call_1", "get_order", '{"order_id": "123"}'),
        ToolCall("call_2", "get_weather", '{"city": "Paris"}'),
    ]
    reply = Reply(tool_calls=calls, finish_reason="tool_calls", status="complete")
    a = store.add_message(cid, u, reply.to_message(), model="demo/tools", status="streaming")
    store.checkpoint_reply(a, reply)
    t1 = store.add_message(
        cid,
        a,
        ChatMessage("tool", '{"status": "shipped"}', tool_call_id="call_1"),
        meta={"answered_by": "program", "answered_at": 1_764_400_000.0},
    )
    t2 = store.add_message(
        cid,
        t1,
        ChatMessage("tool", "sunny", tool_call_id="call_2"),
        meta={"answered_by": "typed", "answered_at": 1_764_400_042.0},
    )
    final = Reply(content="Order 123 is shipped; Paris is sunny.", status="complete")
    f = store.add_message(cid, t2, final.to_message(), model="demo/tools", status="streaming")
    store.checkpoint_reply(f, final)
    return cid


def test_markdown_shows_each_call_and_the_answer_it_got(store: Store) -> None:
    text = export_markdown(store, tool_round(store))
    assert "**Tool call** `get_order` (call_1)" in text
    assert '{"order_id": "123"}' in text
    assert "**Tool call** `get_weather` (call_2)" in text
    assert "## Tool result · get_order (call_1) · by its program" in text
    assert "## Tool result · get_weather (call_2) · typed by hand" in text
    assert text.index("## Tool result · get_order") < text.index("Order 123 is shipped")


def test_json_export_round_trips_tool_rounds_exactly(store: Store) -> None:
    cid = tool_round(store)
    data = export_json(store, cid)
    roles = [(m["role"], m.get("tool_call_id")) for m in data["messages"]]
    assert roles == [
        ("user", None),
        ("assistant", None),
        ("tool", "call_1"),
        ("tool", "call_2"),
        ("assistant", None),
    ]
    again = import_json(store, json.loads(json.dumps(data)))
    assert export_json(store, again)["messages"] == data["messages"]
    assert data["messages"][1]["content"] is None
    assert [c["id"] for c in data["messages"][1]["tool_calls"]] == ["call_1", "call_2"]


def test_programs_never_leave_nor_enter_with_a_conversation(store: Store) -> None:
    cid = tool_round(store)
    for text in (export_markdown(store, cid), json.dumps(export_json(store, cid))):
        assert "-rf" not in text
        assert "auto_approve" not in text and '"command"' not in text
    hostile = {
        "params": {"tools": TOOLS},
        "messages": [{"role": "user", "content": "hi"}],
    }
    imported = store.get_conversation(import_json(store, hostile))
    assert imported is not None
    tools = imported.params["tools"]
    assert [t["function"]["name"] for t in tools] == ["get_order", "get_weather", "run_me"]
    assert all(set(t) == {"type", "function"} for t in tools)


def test_who_answered_and_dropped_calls_survive_export_and_import(store: Store) -> None:
    cid = tool_round(store)
    path = store.current_path(cid)
    store.update_message_meta(path[1].id, {"dropped_calls": ["call_9"]})
    data = json.loads(json.dumps(export_json(store, cid)))
    assert data["metadata"][1]["dropped_calls"] == ["call_9"]
    assert data["metadata"][2]["answered_by"] == "program"
    assert data["metadata"][3]["answered_at"] == 1_764_400_042.0
    back = store.current_path(import_json(store, data))
    assert back[1].extra["dropped_calls"] == ["call_9"]
    assert back[2].extra["answered_by"] == "program" and back[3].extra["answered_by"] == "typed"
    assert "typed by hand" in export_markdown(store, back[0].conversation_id)
