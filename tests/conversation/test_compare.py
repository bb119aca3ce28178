"""Compare, without any UI: several replies to one message, kept as siblings, one kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from routmy_tui.conversation import ChatSettings, Conversation, InvalidRequest
from routmy_tui.conversation.events import Event, RepliesStarted, ReplyKept
from routmy_tui.conversation.history import History
from routmy_tui.core.exchange import Exchange
from routmy_tui.core.request import ChatParams
from routmy_tui.core.types import Reply, Usage
from routmy_tui.store import Store

MODELS = ["demo/chat", "demo/reasoning", "demo/slow"]


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with Store.open(tmp_path / "t.db") as opened:
        yield opened


def _conversation(store: Store) -> tuple[Conversation, History]:
    settings = ChatSettings(
        model="demo/chat",
        system_prompt="Be brief.",
        params=ChatParams(temperature=0.3, max_tokens=200),
    )
    conversation = Conversation(settings)
    return conversation, History(conversation, lambda: store)


def _history(conversation: Conversation) -> None:
    conversation.send("hello")
    turn, _ = conversation.start_reply()
    conversation.end_reply(turn, Reply(content="Hi there.", status="complete"))
    conversation.send("Which is best?")


def _end_all(conversation: Conversation, started: list[Any]) -> None:
    for number, (turn, body) in enumerate(started):
        reply = Reply(
            content=f"answer from {turn.model}",
            status="error" if number == 2 else "complete",
            usage=Usage(prompt_tokens=10, completion_tokens=5, total_tokens=15),
        )
        conversation.end_reply(turn, reply, Exchange(request_body=body, status=200))


def test_every_model_gets_the_same_request_but_its_model(store: Store) -> None:
    conversation, _ = _conversation(store)
    _history(conversation)
    expected = conversation.body()
    started = conversation.start_replies(MODELS)
    assert [body["model"] for _, body in started] == MODELS
    for _, body in started:
        assert {**body, "model": expected["model"]} == expected
    assert started[0][1]["messages"][0] == {"role": "system", "content": "Be brief."}
    assert [m["role"] for m in started[0][1]["messages"]] == [
        "system",
        "user",
        "assistant",
        "user",
    ]
    assert started[0][1]["temperature"] == 0.3 and started[0][1]["max_tokens"] == 200
    # The branch still ends at the user's message: the replies wait beside it.
    assert conversation.turns[-1].role == "user"
    assert [turn.model for turn in conversation.compared] == MODELS


def test_replies_are_stored_as_siblings_each_with_its_exchange(store: Store) -> None:
    conversation, _ = _conversation(store)
    _history(conversation)
    user = conversation.turns[-1]
    started = conversation.start_replies(MODELS)
    _end_all(conversation, started)
    children = store.children(user.id, conversation.id or "")
    assert [c.model for c in children] == MODELS
    assert [c.content for c in children] == [f"answer from {m}" for m in MODELS]
    assert [c.status for c in children] == ["complete", "complete", "error"]
    for (turn, body), child in zip(started, children, strict=True):
        assert turn.id == child.id
        exchange = store.get_exchange(child.id)
        assert exchange is not None and exchange.request_body["model"] == body["model"]


def test_keep_continues_with_that_reply_and_its_model(store: Store) -> None:
    conversation, _ = _conversation(store)
    _history(conversation)
    started = conversation.start_replies(MODELS)
    _end_all(conversation, started)
    kept = started[1][0]
    conversation.keep(kept)
    assert conversation.turns[-1] is kept
    assert conversation.compared == []
    assert conversation.settings.model == "demo/reasoning"
    assert kept.siblings == (2, 3)
    # The store agrees: the kept reply ends the current branch (it comes back on resume).
    path = store.current_path(conversation.id or "")
    assert path[-1].id == kept.id
    assert store.get_conversation(conversation.id or "").model == "demo/reasoning"  # type: ignore[union-attr]
    # The next message goes on from the kept reply, to its model.
    conversation.send("Go on")
    _, body = conversation.start_reply()
    assert body["model"] == "demo/reasoning"
    assert body["messages"][-2] == {"role": "assistant", "content": "answer from demo/reasoning"}


def test_the_others_stay_browsable_as_branches(store: Store) -> None:
    conversation, _ = _conversation(store)
    _history(conversation)
    started = conversation.start_replies(MODELS)
    _end_all(conversation, started)
    conversation.keep(started[0][0])
    index = len(conversation.turns) - 1
    seen = [conversation.turns[index].message.content]
    for _ in range(2):
        assert conversation.switch_branch(index, 1)
        seen.append(conversation.turns[index].message.content)
    assert seen == [f"answer from {m}" for m in MODELS]
    assert conversation.turns[index].siblings == (3, 3)
    assert conversation.switch_branch(index, -2)
    assert conversation.turns[index].message.content == "answer from demo/chat"


def test_nothing_else_changes_the_branch_while_a_comparison_is_open(store: Store) -> None:
    conversation, _ = _conversation(store)
    _history(conversation)
    started = conversation.start_replies(MODELS[:2])
    with pytest.raises(InvalidRequest, match="still on its way"):
        conversation.keep(started[0][0])
    for operation in (
        lambda: conversation.send("more"),
        lambda: conversation.start_reply(),
        lambda: conversation.start_replies(MODELS),
        lambda: conversation.edit(0, "x"),
        lambda: conversation.regenerate(1),
    ):
        with pytest.raises(InvalidRequest):
            operation()
    assert not conversation.switch_branch(1, 1)
    assert [t.role for t in conversation.turns] == ["user", "assistant", "user"]
    _end_all(conversation, started)
    with pytest.raises(InvalidRequest, match="not part"):
        conversation.keep(conversation.turns[1])
    conversation.keep(started[1][0])
    conversation.send("fine")  # open again


def test_bad_requests_are_refused_before_anything_is_added(store: Store) -> None:
    conversation, _ = _conversation(store)
    events: list[Event] = []
    conversation.subscribe(events.append)
    with pytest.raises(InvalidRequest):
        conversation.start_replies(["demo/chat"])  # one model is no comparison
    _history(conversation)
    with pytest.raises(InvalidRequest):
        conversation.start_replies(["demo/chat", "demo/chat"])
    assert not any(isinstance(e, RepliesStarted) for e in events)
    started = conversation.start_replies(MODELS[:2])
    _end_all(conversation, started)
    conversation.keep(started[0][0])
    assert [type(e) for e in events if isinstance(e, RepliesStarted | ReplyKept)] == [
        RepliesStarted,
        ReplyKept,
    ]
    with pytest.raises(InvalidRequest):
        conversation.start_replies(MODELS)  # the branch ends with a reply: nothing to answer


def test_a_new_chat_closes_an_open_comparison(store: Store) -> None:
    conversation, _ = _conversation(store)
    _history(conversation)
    conversation.start_replies(MODELS[:2])
    conversation.reset()
    assert conversation.compared == []
    conversation.send("new")


def test_without_history_compare_still_works() -> None:
    conversation = Conversation(ChatSettings(model="demo/chat"))
    conversation.send("q")
    started = conversation.start_replies(MODELS[:2])
    _end_all(conversation, started)
    conversation.keep(started[1][0])
    assert conversation.turns[-1].message.content == "answer from demo/reasoning"
    assert conversation.turns[-1].id is None


def test_the_markdown_export_lists_every_compared_reply_under_its_model(store: Store) -> None:
    from routmy_tui.store.export import export_markdown

    conversation, _ = _conversation(store)
    _history(conversation)
    started = conversation.start_replies(MODELS)
    _end_all(conversation, started)
    conversation.keep(started[1][0])
    text = export_markdown(store, conversation.id or "")
    kept = text.index("## Assistant · demo/reasoning")
    assert text.index("answer from demo/reasoning") > kept
    assert "Compared with 2 other model(s)" in text
    for model in ("demo/chat", "demo/slow"):
        head = text.index(f"### Also compared · {model}")
        assert head > kept and text.index(f"answer from {model}") > head
    assert "_Reply error_" in text  # demo/slow's failed reply says so
    # Only the compared turn lists others; the earlier reply is a plain one.
    assert text.count("Also compared") == 2 and "## Assistant · demo/chat" in text
