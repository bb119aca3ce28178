"""Conversations and message trees: paths, branches, replies, images, drafts."""

from __future__ import annotations

import base64
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from routmy_tui.core.types import ApiError, ChatMessage, Reply, ToolCall, Usage
from routmy_tui.store import Store, StoreError


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "db.sqlite") as opened:
        yield opened


def user(text: str, images: list[str] | None = None) -> ChatMessage:
    return ChatMessage("user", text, images=images or [])


def bot(text: str) -> ChatMessage:
    return ChatMessage("assistant", text)


def contents(path: list) -> list[str | None]:  # type: ignore[type-arg]
    return [m.content for m in path]


def test_conversation_settings_round_trip(store: Store) -> None:
    cid = store.create_conversation("openai/gpt-4o", "Be brief.", {"temperature": 0.2})
    conv = store.get_conversation(cid)
    assert conv is not None
    assert (conv.model, conv.system_prompt, conv.params) == (
        "openai/gpt-4o",
        "Be brief.",
        {"temperature": 0.2},
    )
    store.update_conversation_settings(cid, model="x/y", params={"top_p": 0.9})
    conv = store.get_conversation(cid)
    assert conv is not None
    assert (conv.model, conv.system_prompt, conv.params) == ("x/y", "Be brief.", {"top_p": 0.9})
    store.update_conversation_settings(cid, system_prompt=None)
    assert store.get_conversation(cid).system_prompt is None  # type: ignore[union-attr]
    assert store.get_conversation("nope") is None


def test_path_follows_parents_and_current_leaf(store: Store) -> None:
    cid = store.create_conversation("m")
    u1 = store.add_message(cid, None, user("one"))
    a1 = store.add_message(cid, u1, bot("two"))
    u2 = store.add_message(cid, a1, user("three"))
    assert contents(store.current_path(cid)) == ["one", "two", "three"]
    assert contents(store.path_to(a1)) == ["one", "two"]
    assert [m.parent_id for m in store.path_to(u2)] == [None, u1, a1]
    assert store.path_to(999) == []
    assert store.current_path(store.create_conversation("m")) == []


def test_regenerate_makes_a_sibling_and_keeps_the_old_reply(store: Store) -> None:
    cid = store.create_conversation("m")
    u1 = store.add_message(cid, None, user("q"))
    a1 = store.add_message(cid, u1, bot("first answer"))
    a2 = store.add_message(cid, u1, bot("second answer"))
    a3 = store.add_message(cid, u1, bot("third answer"))
    assert contents(store.current_path(cid)) == ["q", "third answer"]
    assert [m.id for m in store.children(u1, cid)] == [a1, a2, a3]
    assert store.sibling_position(a2) == (2, 3)
    assert store.sibling_position(u1) == (1, 1)
    assert store.get_message(a1).content == "first answer"  # type: ignore[union-attr]


def test_sibling_positions_of_a_path_match_one_by_one(store: Store) -> None:
    cid = store.create_conversation("m")
    other = store.create_conversation("m")
    store.add_message(other, None, user("elsewhere"))
    r1 = store.add_message(cid, None, user("root one"))
    store.add_message(cid, None, user("root two"))
    a1 = store.add_message(cid, r1, bot("a"))
    a2 = store.add_message(cid, r1, bot("b"))
    store.add_message(cid, a2, user("c"))
    store.set_current_leaf(cid, a1)
    path = store.current_path(cid)
    assert store.sibling_positions(path) == {m.id: store.sibling_position(m.id) for m in path}
    assert store.sibling_positions(path)[a1] == (1, 2)
    assert store.sibling_positions([]) == {}


def test_edit_branches_and_switching_restores_each_branch(store: Store) -> None:
    cid = store.create_conversation("m")
    u1 = store.add_message(cid, None, user("hello"))
    a1 = store.add_message(cid, u1, bot("hi"))
    u2 = store.add_message(cid, a1, user("tell me about cats"))
    a2 = store.add_message(cid, u2, bot("cats are great"))
    # Edit the second user message and resend: a new branch from the same parent.
    u2b = store.add_message(cid, a1, user("tell me about dogs"))
    a2b = store.add_message(cid, u2b, bot("dogs are loyal"))
    assert contents(store.current_path(cid)) == [
        "hello",
        "hi",
        "tell me about dogs",
        "dogs are loyal",
    ]
    assert store.sibling_position(u2b) == (2, 2)
    # Switch back: the old branch is whole, down to its deepest leaf.
    leaf = store.switch_sibling(u2b, -1)
    assert leaf == a2
    assert contents(store.current_path(cid)) == [
        "hello",
        "hi",
        "tell me about cats",
        "cats are great",
    ]
    assert store.switch_sibling(u2, -1) == a2  # Clamped at the first sibling.
    assert store.switch_sibling(u2, +5) == a2b
    # Editing the very first message branches at the root.
    u1b = store.add_message(cid, None, user("bonjour"))
    assert [m.id for m in store.children(None, cid)] == [u1, u1b]
    assert store.sibling_position(u1) == (1, 2)
    assert store.deepest_leaf(u1) == a2b  # The newest child at each step.


def test_deepest_leaf_and_set_current_leaf(store: Store) -> None:
    cid = store.create_conversation("m")
    u1 = store.add_message(cid, None, user("a"))
    a1 = store.add_message(cid, u1, bot("b"))
    assert store.deepest_leaf(a1) == a1
    store.set_current_leaf(cid, u1)
    assert contents(store.current_path(cid)) == ["a"]
    other = store.create_conversation("m")
    with pytest.raises(StoreError):
        store.set_current_leaf(other, a1)
    with pytest.raises(StoreError):
        store.add_message(other, a1, user("x"))
    with pytest.raises(StoreError):
        store.add_message("missing", None, user("x"))


def test_title_is_derived_from_first_user_message_until_renamed(store: Store) -> None:
    cid = store.create_conversation("m")
    store.add_message(cid, None, ChatMessage("system", "ignored"))
    long_text = (
        "Explain   the difference between\nprocesses and threads"
        " in operating systems, with examples"
    )
    u1 = store.add_message(cid, None, user(long_text))
    title = store.get_conversation(cid).title  # type: ignore[union-attr]
    assert title.startswith("Explain the difference between processes")
    assert title.endswith("…") and len(title) <= 60
    store.add_message(cid, u1, user("second message"))
    assert store.get_conversation(cid).title == title  # type: ignore[union-attr]
    store.add_message(cid, None, user("edited first"))  # Branches do not rename it.
    assert store.get_conversation(cid).title == title  # type: ignore[union-attr]
    store.rename_conversation(cid, "  My   chat ")
    store.add_message(cid, None, user("another edit"))
    conv = store.get_conversation(cid)
    assert conv is not None and (conv.title, conv.title_custom) == ("My chat", True)


def test_list_is_newest_first_with_counts_and_delete_undo(store: Store) -> None:
    a = store.create_conversation("m1")
    b = store.create_conversation("m2")
    u = store.add_message(a, None, user("x"))
    store.add_message(a, u, bot("y"))
    listed = store.list_conversations()
    assert [c.id for c in listed] == [a, b]
    assert [c.message_count for c in listed] == [2, 0]
    assert listed[0].model == "m1" and listed[0].title == "x"
    assert store.latest_conversation_id() == a
    store.delete_conversation(a)
    assert [c.id for c in store.list_conversations()] == [b]
    store.restore_conversation(a)
    assert [c.id for c in store.list_conversations()] == [a, b]
    assert [c.id for c in store.list_conversations(limit=1, offset=1)] == [b]


def test_purge_erases_conversation_messages_and_unused_images(store: Store) -> None:
    png = "data:image/png;base64," + base64.b64encode(b"\x89PNG fake").decode()
    a = store.create_conversation("m")
    b = store.create_conversation("m")
    store.add_message(a, None, user("only here", [png]))
    store.delete_conversation(a)
    assert store.purge_deleted(older_than=3600) == 0  # Too recent.
    assert store.purge_deleted() == 1
    assert store.get_conversation(a) is None
    assert store.get_conversation(b) is not None
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM images").fetchone()[0] == 0


def test_images_are_deduplicated_and_rebuilt(store: Store) -> None:
    raw = bytes(range(256)) * 40
    url = "data:image/png;base64," + base64.b64encode(raw).decode()
    https = "https://example.com/cat.png"
    cid = store.create_conversation("m")
    u1 = store.add_message(cid, None, user("look", [url, https]))
    u2 = store.add_message(cid, u1, user("again", [url]))
    assert store.get_message(u1).images == [url, https]  # type: ignore[union-attr]
    assert store.get_message(u2).to_chat_message().images == [url]  # type: ignore[union-attr]
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT count(*) FROM images").fetchone()[0] == 1
    odd = "data:image/png;base64,not base64!"
    u3 = store.add_message(cid, u2, user("odd", [odd]))
    assert store.get_message(u3).images == [odd]  # type: ignore[union-attr]


def test_checkpoint_then_final_reply(store: Store) -> None:
    cid = store.create_conversation("m")
    u1 = store.add_message(cid, None, user("q"))
    a1 = store.add_message(cid, u1, ChatMessage("assistant", ""), status="streaming", model="m")
    reply = Reply(content="Hel", reasoning="thinking", status="streaming")
    store.checkpoint_reply(a1, reply)
    stored = store.get_message(a1)
    assert stored is not None and (stored.content, stored.status) == ("Hel", "streaming")
    pic = "data:image/png;base64," + base64.b64encode(b"pic").decode()
    reply.content = "Hello"
    reply.tool_calls = [ToolCall("call_1", "get_weather", '{"city": "Oslo"}')]
    reply.images = [pic]
    reply.usage = Usage(prompt_tokens=3, completion_tokens=2, total_tokens=5)
    reply.finish_reason = "tool_calls"
    reply.reasoning_details = [{"type": "reasoning.text", "text": "t"}]
    reply.refusal = "no"
    reply.model = "provider/actual"
    reply.status = "complete"
    store.checkpoint_reply(a1, reply)
    stored = store.get_message(a1)
    assert stored is not None
    assert stored.status == "complete" and stored.content == "Hello"
    assert stored.reasoning == "thinking" and stored.images == [pic]
    assert stored.usage is not None and stored.usage.total_tokens == 5
    assert stored.model == "provider/actual" and stored.finish_reason == "tool_calls"
    wire = stored.to_chat_message().to_wire()
    assert wire["tool_calls"][0]["function"] == {
        "name": "get_weather",
        "arguments": '{"city": "Oslo"}',
    }
    assert wire["reasoning_details"] == [{"type": "reasoning.text", "text": "t"}]
    back = stored.to_reply()
    assert (
        back.refusal == "no" and back.status == "complete" and back.tool_calls == reply.tool_calls
    )


def test_error_and_stopped_statuses(store: Store) -> None:
    cid = store.create_conversation("m")
    u1 = store.add_message(cid, None, user("q"))
    a1 = store.add_message(cid, u1, bot(""), status="streaming")
    err = ApiError("Upstream failed", status=502, error_id="e-1", retryable=True)
    store.checkpoint_reply(a1, Reply(content="partial", status="error", error=err))
    stored = store.get_message(a1)
    assert stored is not None and stored.status == "error"
    assert stored.error is not None and stored.error.summary() == err.summary()
    a2 = store.add_message(cid, u1, bot(""), status="streaming")
    store.set_message_status(a2, "stopped")
    assert store.get_message(a2).status == "stopped"  # type: ignore[union-attr]
    assert store.recover_interrupted() == 0
    with pytest.raises(StoreError):
        store.checkpoint_reply(12345, Reply())


def test_recover_interrupted_marks_only_orphaned_streaming(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    first = Store.open(path)
    cid = first.create_conversation("m")
    u1 = first.add_message(cid, None, user("q"))
    a1 = first.add_message(cid, u1, bot("part"), status="streaming")
    with Store.open(path) as second:
        # The first store is still open and may be receiving the reply: leave it alone.
        assert second.recover_interrupted() == 0
        first.close()
        assert second.recover_interrupted() == 1
        assert second.get_message(a1).status == "interrupted"  # type: ignore[union-attr]
        assert second.get_message(u1).status == "complete"  # type: ignore[union-attr]
        assert second.recover_interrupted() == 0


def test_drafts_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with Store.open(path) as store:
        cid = store.create_conversation("m")
        store.set_draft(None, "unsent new chat text")
        store.set_draft(cid, "half a question")
        store.set_meta("last_conversation_id", cid)
    with Store.open(path) as store:
        assert store.get_draft(None) == "unsent new chat text"
        assert store.get_draft(cid) == "half a question"
        assert store.get_conversation(cid).draft == "half a question"  # type: ignore[union-attr]
        assert store.get_meta("last_conversation_id") == cid
        store.set_meta("last_conversation_id", None)
        assert store.get_meta("last_conversation_id") is None
        assert store.get_draft("unknown") == ""


def test_transaction_is_all_or_nothing(store: Store) -> None:
    cid = store.create_conversation("m")
    with pytest.raises(RuntimeError), store.transaction():
        store.add_message(cid, None, user("one"))
        raise RuntimeError("boom")
    assert store.current_path(cid) == []


def test_select_branch_shows_a_message_from_another_branch(store: Store) -> None:
    cid = store.create_conversation("m")
    u1 = store.add_message(cid, None, user("q"))
    a1 = store.add_message(cid, u1, bot("old answer"))
    u2 = store.add_message(cid, a1, user("follow-up"))
    store.add_message(cid, u1, bot("new answer"))
    assert store.select_branch(a1) == u2
    assert contents(store.current_path(cid)) == ["q", "old answer", "follow-up"]
    with pytest.raises(StoreError):
        store.select_branch(999)


def test_store_is_shared_safely_by_threads(store: Store) -> None:
    cid = store.create_conversation("m")
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            parent = None
            for n in range(100):
                parent = store.add_message(cid, parent, user(f"{name} {n}"))
                store.current_path(cid)
        except BaseException as exc:  # Reported below; a thread must not die silently.
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert store.list_conversations()[0].message_count == 200
    assert store.integrity_check() == ["ok"]


def test_a_branch_is_outlined_without_its_text_and_read_by_ids(store: Store) -> None:
    cid = store.create_conversation("m")
    first = store.add_message(cid, None, user("hello there"))
    store.add_message(cid, first, bot("old answer"))
    calls = ChatMessage("assistant", None, tool_calls=[ToolCall("c1", "f", "{}")])
    second = store.add_message(cid, first, calls)
    outline = store.branch_outline(cid)
    assert [(o.id, o.role, o.chars, o.calls) for o in outline] == [
        (first, "user", len("hello there"), False),
        (second, "assistant", 0, True),
    ]
    read = store.get_messages([second, 999_999, first])
    assert [m.id for m in read] == [second, first]  # as asked, unknown ids left out
    assert read[0].tool_calls[0].name == "f"
    assert store.sibling_positions(read) == {second: (2, 2), first: (1, 1)}
    assert store.branch_outline(store.create_conversation("m")) == []
