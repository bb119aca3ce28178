"""The store takes any text a server or a file can hold: lone surrogates, deep JSON, damage."""

from __future__ import annotations

from pathlib import Path

from routmy_tui.core.exchange import Exchange
from routmy_tui.core.types import ApiError, ChatMessage, Reply, ToolCall
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
    from routmy_tui.store.rows import PIECE

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


def test_an_ended_streams_log_is_stored_packed_and_read_back_exactly(tmp_path: Path) -> None:
    """An ended stream's log is already packed (zlib): the store keeps that buffer instead
    of encoding each of its lines again (~100 ms of CPU beside the UI at the end of a
    20,000-line reply). Read back: every line as it was, lone surrogates, notes and times
    included; an exchange stored before (one row per line) still reads; a damaged buffer is
    reported as damaged, never as a crash in the inspector."""
    import json
    import zlib

    import pytest

    from routmy_tui.core.types import StreamLine
    from routmy_tui.store.db import StoreError

    with Store.open(tmp_path / "db") as store:
        conversation = store.create_conversation("m", None, {})
        user = store.add_message(conversation, None, ChatMessage("user", "hi"))
        reply_id = store.add_message(conversation, user, ChatMessage("assistant", "x"))
        exchange = Exchange(request_body={"messages": [{"role": "user", "content": "hi"}]})
        lines = [
            StreamLine(i / 1000, f'data: {{"n": {i}, "c": "caf\u00e9 \ud800"}}', None)
            for i in range(20_000)
        ]
        lines[3] = StreamLine(0.003, ": keep-alive", "comment")
        for line in lines:
            exchange.stream_lines.append(line)
        exchange.stream_lines.compact()
        store.save_exchange(reply_id, exchange)
        conn = store._conn
        (blob,) = conn.execute(
            "SELECT data FROM exchanges WHERE message_id = ?", (reply_id,)
        ).fetchone()
        stored = json.loads(zlib.decompress(blob))
        assert stored["stream_lines"] == [] and stored["stream_log"]  # the buffer, no rows
        read = store.get_exchange(reply_id)
        assert read is not None
        assert [(x.t, x.text, x.note) for x in read.stream_lines] == [
            (x.t, x.text, x.note) for x in lines
        ]
        assert read.to_dict()["stream_lines"][3] == [0.003, ": keep-alive", "comment"]

        older = {**stored, "stream_lines": [[0.5, "data: [DONE]", None]]}
        del older["stream_log"], older["stream_log_notes"]
        conn.execute(
            "UPDATE exchanges SET data = ? WHERE message_id = ?",
            (zlib.compress(json.dumps(older).encode()), reply_id),
        )
        read = store.get_exchange(reply_id)
        assert read is not None and [x.text for x in read.stream_lines] == ["data: [DONE]"]

        for damaged in (stored["stream_log"][:-40], "AAAA" + stored["stream_log"][4:], "%%"):
            conn.execute(
                "UPDATE exchanges SET data = ? WHERE message_id = ?",
                (zlib.compress(json.dumps({**stored, "stream_log": damaged}).encode()), reply_id),
            )
            with pytest.raises(StoreError, match="damaged"):
                store.get_exchange(reply_id)
