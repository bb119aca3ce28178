"""The store takes any text a server or a file can hold: lone surrogates, deep JSON, damage."""

from __future__ import annotations

from pathlib import Path

from routmy_tui.core.types import ApiError, ChatMessage, Exchange, Reply, ToolCall
from routmy_tui.store import Store
from routmy_tui.store.messages import SURROGATE_NOTE


def test_a_checkpoint_with_lone_surrogates_never_raises_and_keeps_the_text(
    tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "db") as store:
        conversation = store.create_conversation("m", "system \ud800", {"stop": ["\ud800"]})
        user = store.add_message(conversation, None, ChatMessage("user", "hi \ud800"))
        reply_id = store.add_message(
            conversation, user, ChatMessage("assistant", ""), status="streaming"
        )
        reply = Reply(
            content="partial \ud800 text",
            reasoning="thinking \udfff",
            tool_calls=[ToolCall("c1", "look\ud800up", '{"q": "\ud800"}')],
            error=ApiError("upstream \ud800 failed", kind="in_band"),
            status="error",
        )
        store.checkpoint_reply(reply_id, reply)
        store.save_exchange(reply_id, Exchange(response_json={"content": "\ud800"}))
        path = store.current_path(conversation)
        saved = path[1]
        assert saved.content == "partial \ufffd text"
        assert saved.reasoning == "thinking \ufffd"
        assert SURROGATE_NOTE in saved.extra["notes"]
        # JSON columns keep them exactly, as escapes.
        assert saved.tool_calls[0].arguments == '{"q": "\ud800"}'
        assert saved.error is not None and saved.error.message == "upstream \ud800 failed"
        exchange = store.get_exchange(reply_id)
        assert exchange is not None and exchange.response_json == {"content": "\ud800"}
        assert path[0].content == "hi \ufffd"
        stored = store.get_conversation(conversation)
        assert stored is not None
        assert stored.system_prompt == "system \ufffd"
        assert stored.params == {"stop": ["\ud800"]}


def test_a_damaged_json_column_reads_as_absent(tmp_path: Path) -> None:
    with Store.open(tmp_path / "db") as store:
        conversation = store.create_conversation("m", None, {})
        user = store.add_message(conversation, None, ChatMessage("user", "hi"))
        deep = "[" * 1000 + "]" * 1000
        with store.transaction():
            store._conn.execute(
                "UPDATE messages SET tool_calls_json = ?, usage_json = '{nope' WHERE id = ?",
                (deep, user),
            )
        message = store.current_path(conversation)[0]
        assert message.content == "hi"
        assert message.tool_calls == []
        assert message.usage is None


def test_a_long_stream_log_is_stored_in_pieces_and_read_back_exactly(tmp_path: Path) -> None:
    """A reply's 20,000-line stream log is encoded a piece at a time (one call over all of
    it held the interpreter ~50 ms on the store's thread, and a key typed meanwhile waited):
    what is read back is every line as it was, lone surrogates, notes and times included,
    at and around the size of a piece."""
    from routmy_tui.core.types import StreamLine
    from routmy_tui.store.records import PIECE

    with Store.open(tmp_path / "db") as store:
        conversation = store.create_conversation("m", None, {})
        user = store.add_message(conversation, None, ChatMessage("user", "hi"))
        for count in (0, PIECE - 1, PIECE, PIECE + 1, 20_000):
            reply_id = store.add_message(conversation, user, ChatMessage("assistant", "x"))
            exchange = Exchange(request_body={"messages": [{"role": "user", "content": "hi"}]})
            for index in range(count):
                text = f'data: {{"n": {index}, "c": "caf\u00e9 \ud800"}}'
                exchange.stream_lines.append(
                    StreamLine(index / 1000, text, "comment" if index % 7 == 0 else None)
                )
            store.save_exchange(reply_id, exchange)
            read = store.get_exchange(reply_id)
            assert read is not None
            assert [(x.t, x.text, x.note) for x in read.stream_lines] == [
                (x.t, x.text, x.note) for x in exchange.stream_lines
            ], count
            assert read.request_body == exchange.request_body
