"""A stream log packed when its stream ends still reads back every line, time and note."""

from __future__ import annotations

import json

import pytest

from routmy_tui.core import stream_lines as module
from routmy_tui.core.exchange import Exchange
from routmy_tui.core.stream_lines import StreamLine, StreamLines, odd_count


def _lines(count: int, start: float = 0.0) -> list[StreamLine]:
    out = [StreamLine(start, ": OPENROUTER PROCESSING", "comment")]
    for index in range(count):
        delta = {"choices": [{"delta": {"content": f"word{index} é ✓ 🙂"}}]}
        out.append(StreamLine(start + index * 0.000137, "data: " + json.dumps(delta)))
    out.append(StreamLine(start + 1.5, "data: {oops", "not JSON: Expecting value"))
    out.append(StreamLine(start + 1.6, "data: [DONE]"))
    return out


def test_packed_lines_read_back_exactly() -> None:
    original = _lines(2_000)
    lines = StreamLines(original)
    lines.compact()
    assert lines.packed_bytes > 0
    assert len(lines) == len(original)
    assert list(lines) == original
    assert lines[0] == original[0] and lines[-1] == original[-1]
    assert lines[5:8] == original[5:8]
    assert lines.text_of(3) == original[3].text and lines.time_of(3) == original[3].t
    assert odd_count(lines) == 1
    with pytest.raises(IndexError):
        lines[len(original)]


def test_packed_log_is_small() -> None:
    original = _lines(20_000)
    text_bytes = sum(len(line.text.encode()) for line in original)
    lines = StreamLines(original)
    lines.compact()
    # 20,000 lines of SSE JSON: a few hundred KB at most, not megabytes of objects.
    assert lines.packed_bytes < text_bytes / 5


def test_notes_set_after_packing_and_lines_added_after_packing() -> None:
    original = _lines(50)
    lines = StreamLines(original[:30])
    lines.compact()
    lines.set_note(10, "not JSON: odd")
    for line in original[30:]:
        lines.append(line)
    lines.set_note(-1, "late")
    expected = [StreamLine(x.t, x.text, x.note) for x in original]
    expected[10].note = "not JSON: odd"
    expected[-1].note = "late"
    assert list(lines) == expected
    lines.compact()  # packs the lines that came after the first packing too
    assert list(lines) == expected
    lines.set_note(10, None)
    assert lines[10].note is None


def test_many_packed_logs_each_still_whole() -> None:
    logs = []
    for number in range(module.KEEP_OPEN + 3):
        lines = StreamLines(_lines(300, start=number))
        lines.compact()
        logs.append(lines)
    # Reading them in turn unpacks and lets go of older ones: each still reads whole.
    for _ in range(2):
        for number, lines in enumerate(logs):
            assert list(lines) == _lines(300, start=number)
    assert sum(log._open is not None for log in logs) <= module.KEEP_OPEN


def test_odd_text_survives_packing() -> None:
    odd = [
        StreamLine(0.1, "data: \ud800 lone surrogate"),
        StreamLine(0.2, ""),
        StreamLine(0.3, "a\nline\rwith breaks\x00"),
        StreamLine(0.4, "ünïcödé ✓"),
    ]
    lines = StreamLines(odd)
    lines.compact()
    assert list(lines) == odd


def test_exchange_round_trip_keeps_the_log() -> None:
    original = _lines(500)
    exchange = Exchange(stream_lines=original)  # type: ignore[arg-type]
    assert isinstance(exchange.stream_lines, StreamLines)
    exchange.stream_lines.compact()
    loaded = Exchange.from_dict(json.loads(json.dumps(exchange.to_dict())))
    assert loaded.stream_lines.packed_bytes > 0
    assert list(loaded.stream_lines) == original
    assert loaded == exchange


def test_storing_a_log_leaves_it_packed() -> None:
    # Storing (to_dict) reads every line once: that must not keep tens of MB of text unpacked.
    original = _lines(500)
    exchange = Exchange(stream_lines=original)  # type: ignore[arg-type]
    exchange.stream_lines.compact()
    assert exchange.to_dict()["stream_lines"] == [[x.t, x.text, x.note] for x in original]
    assert exchange.stream_lines._open is None
    # Reading by index (the inspector) keeps it unpacked, and iterating then uses that.
    assert exchange.stream_lines[499] == original[499]
    assert exchange.stream_lines._open is not None
    assert list(exchange.stream_lines) == original


def test_packed_elsewhere_then_adopted_reads_as_compacted() -> None:
    original = _lines(3000)
    lines = StreamLines(original)
    packed = lines.pack()  # only reads: another thread may run it
    assert packed is not None and packed.count == len(original)
    assert lines.packed_bytes == 0 and list(lines) == original  # nothing changed yet
    assert lines.adopt(packed)
    assert lines.packed_bytes == len(packed.blob) > 0
    assert list(lines) == original
    assert lines[2999] == original[2999] and lines.note_of(0) == "comment"
    compacted = StreamLines(original)
    compacted.compact()
    assert compacted.packed_bytes == lines.packed_bytes  # the same buffer as compact's


def test_a_pack_is_refused_once_lines_came_after_it() -> None:
    lines = StreamLines(_lines(10))
    packed = lines.pack()
    assert packed is not None
    late = StreamLine(9.0, "data: late")
    lines.append(late)
    assert not lines.adopt(packed)
    assert list(lines) == [*_lines(10), late]  # nothing lost
    lines.compact()
    assert lines.pack() is None  # all packed: nothing to pack
    lines.append(late)
    assert lines.pack() is None  # partly packed: `compact` packs it with the rest


def test_the_packed_form_reads_back_as_the_lines_with_their_notes() -> None:
    original = _lines(1000)
    lines = StreamLines(original)
    assert lines.packed_form() is None  # not packed yet
    lines.compact()
    form = lines.packed_form()
    assert form is not None
    blob, notes = form
    again = StreamLines.from_packed(blob, notes)
    assert list(again) == original
    assert again.note_of(0) == "comment"
    lines.append(StreamLine(9.0, "data: late"))
    assert lines.packed_form() is None  # a line not packed: the rows are kept instead
    with pytest.raises(ValueError, match="damaged"):
        StreamLines.from_packed(blob[: len(blob) // 2], notes)
    with pytest.raises(ValueError, match="damaged"):
        StreamLines.from_packed(b"not a log", {})
