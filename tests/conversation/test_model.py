"""The conversation model, without any UI: every operation leaves a request a server accepts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from routmy_tui.conversation import (
    ChatSettings,
    Conversation,
    InvalidRequest,
    UnansweredCalls,
    request_problems,
)
from routmy_tui.conversation.events import Event, SettingsChanged
from routmy_tui.conversation.history import History
from routmy_tui.core.request import ChatParams
from routmy_tui.core.types import ChatMessage, Reply, ToolCall
from routmy_tui.store import Store

TOOLS = [{"type": "function", "function": {"name": "get_order", "parameters": {"type": "object"}}}]


def _finish(conversation: Conversation, reply: Reply) -> None:
    turn, _ = conversation.start_reply()
    reply.status = reply.status if reply.status != "streaming" else "complete"
    conversation.end_reply(turn, reply)


def _calls(*ids: str) -> Reply:
    return Reply(
        tool_calls=[ToolCall(id=i, name="get_order", arguments='{"order_id":"1"}') for i in ids],
        finish_reason="tool_calls",
    )


def _roles(body: dict[str, Any]) -> list[str]:
    return [m["role"] for m in body["messages"]]


def _valid(conversation: Conversation, body: dict[str, Any]) -> None:
    messages = [ChatMessage(**_from_wire(m)) for m in body["messages"]]
    assert request_problems(messages) == [], body["messages"]


def _from_wire(m: dict[str, Any]) -> dict[str, Any]:
    return {
        "role": m["role"],
        "content": m.get("content") if isinstance(m.get("content"), str) else None,
        "tool_calls": [
            ToolCall(c["id"], c["function"]["name"], c["function"]["arguments"])
            for c in m.get("tool_calls", [])
        ],
        "tool_call_id": m.get("tool_call_id"),
    }


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with Store.open(tmp_path / "t.db") as opened:
        yield opened


def _kept(store: Store, settings: ChatSettings | None = None) -> tuple[Conversation, History]:
    settings = settings or ChatSettings(model="demo/chat", params=ChatParams(tools=TOOLS))
    conversation = Conversation(settings)
    return conversation, History(conversation, lambda: store)


def test_a_tool_round_trip_sends_the_answers_with_their_ids(store: Store) -> None:
    conversation, _ = _kept(store)
    conversation.send("Where is order 1 and 2?")
    _finish(conversation, _calls("call_1", "call_2"))
    assert [c.id for c in conversation.pending_calls()] == ["call_1", "call_2"]
    with pytest.raises(UnansweredCalls):
        conversation.send("never mind")  # refused: the server would answer 400
    with pytest.raises(InvalidRequest):
        conversation.start_reply()
    conversation.answer("call_1", '{"status":"shipped"}')
    conversation.answer("call_2", "lost")
    _, body = conversation.start_reply()
    assert _roles(body) == ["user", "assistant", "tool", "tool"]
    assert body["messages"][1]["content"] is None
    assert [m.get("tool_call_id") for m in body["messages"][2:]] == ["call_1", "call_2"]
    assert body["tools"] == TOOLS
    _valid(conversation, body)
    # Stored with who answered.
    path = store.current_path(conversation.id or "")
    assert [m.role for m in path] == ["user", "assistant", "tool", "tool", "assistant"]
    assert path[2].extra["answered_by"] == "typed"


def test_reasoning_details_go_back_unchanged_on_the_tool_turn(store: Store) -> None:
    conversation, _ = _kept(store)
    conversation.send("q")
    reply = _calls("c1")
    reply.reasoning_details = [{"type": "reasoning.encrypted", "data": "opaque=="}]
    _finish(conversation, reply)
    conversation.answer("c1", "ok")
    _, body = conversation.start_reply()
    assert body["messages"][1]["reasoning_details"] == reply.reasoning_details


@pytest.mark.parametrize("operation", ["edit", "regenerate", "retry", "switch"])
def test_every_branch_operation_across_tool_rounds_leaves_a_valid_request(
    store: Store, operation: str
) -> None:
    conversation, _ = _kept(store)
    conversation.send("first")
    _finish(conversation, _calls("c1"))
    conversation.answer("c1", "42")
    _finish(conversation, Reply(content="It is 42."))
    conversation.send("second")
    _finish(conversation, Reply(content="fine", status="error"))
    if operation == "edit":
        conversation.edit(4, "second, edited")
        _, body = conversation.start_reply()
    elif operation == "regenerate":
        _, body = conversation.regenerate(3)
    elif operation == "retry":
        started = conversation.retry()
        assert started is not None
        _, body = started
    else:
        _, body = conversation.regenerate(5)
        conversation.end_reply(conversation.turns[-1], Reply(content="again", status="complete"))
        assert conversation.switch_branch(5, -1)
        assert conversation.turns[5].message.content == "fine"
        conversation.send("third")
        _, body = conversation.start_reply()
    _valid(conversation, body)
    assert _roles(body)[:3] == ["user", "assistant", "tool"]
    # What the store holds for the branch on screen is what was sent.
    path = store.current_path(conversation.id or "")
    sent = [m for m in (t.wire() for t in conversation.turns[:-1]) if m is not None]
    assert [
        p.to_chat_message().to_wire()
        for p in path[:-1]
        if p.role != "assistant" or p.content or p.tool_calls
    ] == [m.to_wire() for m in sent]


def test_a_replayed_request_answers_as_a_sibling_of_the_replayed_reply(store: Store) -> None:
    conversation, _ = _kept(store)
    conversation.send("hello")
    _finish(conversation, Reply(content="hi"))
    original = conversation.body(conversation.messages(upto=1))
    edited = {**original, "temperature": 0.1}
    turn, body = conversation.replay(1, edited)
    assert body == edited
    conversation.end_reply(turn, Reply(content="hi again", status="complete"))
    assert [t.role for t in conversation.turns] == ["user", "assistant"]
    assert turn.siblings == (2, 2)
    conversation.send("and then?")
    _, next_body = conversation.start_reply()
    assert _roles(next_body) == ["user", "assistant", "user"]


def test_dropped_calls_leave_the_request_with_a_record(store: Store) -> None:
    conversation, _ = _kept(store)
    conversation.send("q")
    reply = _calls("c1", "c2")
    reply.content = "Let me look."
    _finish(conversation, reply)
    dropped = conversation.drop_pending()
    assert [c.id for c in dropped] == ["c1", "c2"]
    conversation.send("forget it")
    _, body = conversation.start_reply()
    assert body["messages"][1] == {"role": "assistant", "content": "Let me look."}
    _valid(conversation, body)
    stored = store.current_path(conversation.id or "")[1]
    assert stored.extra["dropped_calls"] == ["c1", "c2"]


def test_a_reply_that_produced_nothing_is_not_sent(store: Store) -> None:
    conversation, _ = _kept(store)
    conversation.send("q")
    _finish(conversation, Reply(status="error"))
    started = conversation.retry()
    assert started is not None
    assert _roles(started[1]) == ["user"]


def test_settings_are_stored_with_the_conversation_and_come_back(store: Store) -> None:
    defaults = ChatSettings(model="demo/chat")
    conversation, history = _kept(store, defaults)
    events: list[Event] = []
    conversation.subscribe(events.append)
    conversation.send("hi")
    conversation.change_settings("model", model="demo/reasoning")
    params = ChatParams(temperature=0.2, tools=TOOLS, response_format={"type": "json_object"})
    conversation.change_settings("params", params=params, system_prompt="Be brief.")
    assert isinstance(events[-1], SettingsChanged)
    summary = conversation.settings.summary(defaults)
    assert summary == "system prompt · temperature 0.2 · 1 tool · JSON mode"
    conversation_id = conversation.id
    assert conversation_id is not None
    # A new chat starts from the defaults, not from the last chat.
    history.new_conversation()
    assert conversation.settings == defaults and conversation.settings.summary(defaults) == ""
    assert history.open(conversation_id) is not None
    assert conversation.settings.model == "demo/reasoning"
    assert conversation.settings.system_prompt == "Be brief."
    assert conversation.settings.params.tools == TOOLS
    assert conversation.settings.params.temperature == 0.2


def test_settings_values_are_immutable() -> None:
    settings = ChatSettings(params=ChatParams(temperature=0.5))
    changed = settings.replace(model="x")
    changed.params.temperature = 1.0  # a copy: the old value does not change
    assert settings.params.temperature == 0.5
    with pytest.raises(AttributeError):
        settings.model = "y"  # type: ignore[misc]


def test_validity_names_each_problem() -> None:
    call = ToolCall("c1", "get_order", "{}")
    assert request_problems([]) == ["there is no message to send"]
    assert request_problems(
        [ChatMessage("user", "q"), ChatMessage("assistant", None, tool_calls=[call])]
    ) == ["tool calls not answered yet: get_order (c1)"]
    assert request_problems(
        [ChatMessage("user", "q"), ChatMessage("assistant", "a"), ChatMessage("assistant", "b")]
    ) == [
        "message 3: a reply right after a reply",
        "the last message is a reply: there is nothing to answer",
    ]
    assert request_problems([ChatMessage("user", "q"), ChatMessage("tool", "x", tool_call_id="z")])
    assert request_problems(
        [ChatMessage("user", "q"), ChatMessage("system", "late"), ChatMessage("user", "q2")]
    ) == ["message 2: a system message after the first"]


def test_an_imported_openai_conversation_round_trips_byte_equal(store: Store) -> None:
    """Tool turns, images, reasoning details, names, unknown keys: store -> state -> request."""
    from routmy_tui.store.import_json import import_json

    image = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
        "DwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    messages = [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "name": "ana",
            "content": [
                {"type": "text", "text": "What is in this picture, and where is order 7?"},
                {"type": "image_url", "image_url": {"url": image, "detail": "low"}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_7",
                    "type": "function",
                    "function": {"name": "get_order", "arguments": '{"order_id": "7"}'},
                }
            ],
            "reasoning_details": [
                {"type": "reasoning.text", "text": "look it up", "signature": "s"}
            ],
            "refusal": None,
        },
        {"role": "tool", "tool_call_id": "call_7", "content": '{"status": "shipped"}'},
        {"role": "assistant", "content": "A red dot; order 7 has shipped."},
        {"role": "user", "content": "Thanks!"},
    ]
    conversation_id = import_json(store, {"messages": messages, "params": {"tools": TOOLS}})
    conversation, history = _kept(store, ChatSettings(model="demo/chat"))
    assert history.open(conversation_id) is not None
    body = conversation.body()
    canonical = lambda value: json.dumps(value, sort_keys=True, ensure_ascii=False)  # noqa: E731
    assert canonical(body["messages"]) == canonical(messages)
    assert body["tools"] == TOOLS
    assert request_problems(conversation.messages()) == []
