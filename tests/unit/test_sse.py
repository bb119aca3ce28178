"""SSE framing: every framing input of API.md, and split-invariance at any byte."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routmy_tui.core.sse import SSEDecoder, SSEEvent

Line = tuple[str, SSEEvent | None]


def decode(*pieces: bytes) -> list[Line]:
    decoder = SSEDecoder()
    out: list[Line] = []
    for piece in pieces:
        out += decoder.feed(piece)
    return out + decoder.close()


def events(lines: list[Line]) -> list[SSEEvent]:
    return [event for _, event in lines if event is not None]


def test_basic_event_and_raw_lines() -> None:
    lines = decode(b'data: {"a":1}\n\ndata: [DONE]\n\n')
    assert lines == [
        ('data: {"a":1}', None),
        ("", SSEEvent("", '{"a":1}')),
        ("data: [DONE]", None),
        ("", SSEEvent("", "[DONE]")),
    ]


def test_feed_returns_only_completed_lines() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: hel") == []
    assert decoder.feed(b"lo\n") == [("data: hello", None)]
    assert decoder.feed(b"\n") == [("", SSEEvent("", "hello"))]
    assert decoder.close() == []


def test_comments_before_and_between_events_are_lines_but_not_events() -> None:
    lines = decode(b": OPENROUTER PROCESSING\n\n: ping\ndata: x\n\n:\n\n")
    assert [line for line, _ in lines] == [
        ": OPENROUTER PROCESSING",
        "",
        ": ping",
        "data: x",
        "",
        ":",
        "",
    ]
    assert events(lines) == [SSEEvent("", "x")]


@pytest.mark.parametrize(
    ("raw", "data"),
    [
        (b"data:x\n\n", "x"),
        (b"data: x\n\n", "x"),
        (b"data:  x\n\n", " x"),  # only one leading space is dropped
        (b"data: x \n\n", "x "),
        (b"data\n\n", ""),  # a field name alone has an empty value
        (b"data:\n\n", ""),
        (b"data: a:b:c\n\n", "a:b:c"),
    ],
)
def test_data_field_forms(raw: bytes, data: str) -> None:
    assert events(decode(raw)) == [SSEEvent("", data)]


@pytest.mark.parametrize("sep", [b"\n", b"\r\n", b"\r"])
def test_line_terminators(sep: bytes) -> None:
    raw = sep.join([b"data: a", b"data: b", b"", b"data: c", b"", b""])
    assert events(decode(raw)) == [SSEEvent("", "a\nb"), SSEEvent("", "c")]


def test_mixed_line_ends() -> None:
    raw = b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r"
    assert events(decode(raw)) == [SSEEvent("", "a\nb\nc"), SSEEvent("", "d")]


def test_cr_and_lf_split_across_reads_make_one_terminator() -> None:
    decoder = SSEDecoder()
    out = decoder.feed(b"data: a\r")
    out += decoder.feed(b"\n")
    out += decoder.feed(b"\r")
    out += decoder.feed(b"\ndata: b\n\n")
    assert out == [
        ("data: a", None),
        ("", SSEEvent("", "a")),
        ("data: b", None),
        ("", SSEEvent("", "b")),
    ]


def test_cr_at_end_of_read_then_a_normal_character() -> None:
    assert decode(b"data: a\r", b"\r", b"data: b\r", b"\r") == decode(b"data: a\r\rdata: b\r\r")


def test_multibyte_character_split_at_every_byte() -> None:
    raw = 'data: {"t":"héllo 世界 🎉"}\n\n'.encode()
    whole = decode(raw)
    for cut in range(1, len(raw)):
        assert decode(raw[:cut], raw[cut:]) == whole
    assert decode(*[raw[i : i + 1] for i in range(len(raw))]) == whole


def test_invalid_utf8_becomes_replacement_character() -> None:
    assert events(decode(b"data: a\xffb\n\n")) == [SSEEvent("", "a\ufffdb")]


def test_truncated_character_at_eof_becomes_replacement_character() -> None:
    assert decode(b"data: \xe4\xb8") == [("data: \ufffd", SSEEvent("", "\ufffd"))]


@pytest.mark.parametrize(
    "char", ["\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85"]
)
def test_unicode_line_separators_do_not_split_lines(char: str) -> None:
    text = f'data: {{"c":"a{char}b"}}\n\n'
    lines = decode(text.encode())
    assert len(lines) == 2
    assert events(lines) == [SSEEvent("", f'{{"c":"a{char}b"}}')]


def test_bom_is_stripped_once_even_when_split() -> None:
    raw = "\ufeffdata: x\n\n".encode()
    assert events(decode(raw)) == [SSEEvent("", "x")]
    assert decode(raw[:1], raw[1:2], raw[2:]) == decode(raw)
    # Only a leading BOM is special; a second one is part of the field name, so ignored.
    assert events(decode("\ufeff\ufeffdata: x\n\n".encode())) == []


def test_event_id_retry_fields() -> None:
    raw = b"event: ping\nid: 7\nretry: 3000\ndata: {}\n\n"
    assert events(decode(raw)) == [SSEEvent("ping", "{}", "7", 3000)]


def test_invalid_retry_and_unknown_fields_are_ignored() -> None:
    raw = b"retry: soon\nretry: 1.5\nfoo: bar\nid: a\x00b\ndata: x\n\n"
    assert events(decode(raw)) == [SSEEvent("", "x", None, None)]


def test_field_state_resets_after_dispatch() -> None:
    raw = b"event: error\nid: 1\ndata: a\n\ndata: b\n\n"
    assert events(decode(raw)) == [SSEEvent("error", "a", "1"), SSEEvent("", "b")]


def test_blank_line_without_data_dispatches_nothing_and_resets_fields() -> None:
    raw = b"event: ping\n\ndata: x\n\n"
    assert events(decode(raw)) == [SSEEvent("", "x")]


def test_empty_data_frames() -> None:
    assert events(decode(b"data:\n\ndata:\ndata:\n\n")) == [SSEEvent("", ""), SSEEvent("", "\n")]


def test_last_event_without_blank_line_is_dispatched_on_close() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"a":1}') == []
    assert decoder.close() == [('data: {"a":1}', SSEEvent("", '{"a":1}'))]
    assert decoder.close() == []


def test_last_event_with_line_end_but_no_blank_line() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n") == [("data: a", None)]
    assert decoder.close() == [("", SSEEvent("", "a"))]


def test_close_without_pending_event_returns_only_the_last_line() -> None:
    assert decode(b"data: a\n\n: bye") == [
        ("data: a", None),
        ("", SSEEvent("", "a")),
        (": bye", None),
    ]
    assert decode(b"") == []


def test_feed_after_close_is_ignored() -> None:
    decoder = SSEDecoder()
    decoder.close()
    assert decoder.feed(b"data: x\n\n") == []


def test_huge_data_line_in_small_pieces() -> None:
    payload = b"A" * 5_000_000
    raw = b"data: " + payload + b"\n\n"
    decoder = SSEDecoder()
    out: list[Line] = []
    for i in range(0, len(raw), 65536):
        out += decoder.feed(raw[i : i + 65536])
    assert len(out) == 2
    event = out[1][1]
    assert event is not None and len(event.data) == len(payload)
    assert decoder.close() == []


# --- split invariance ---------------------------------------------------------------------

_DATA_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list('ab{}":, é世🎉\u2028\u2029\x0b\x0c\x85\ufeff')),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    ),
    max_size=12,
)
_EVENT = st.fixed_dictionaries(
    {
        "data": st.lists(_DATA_TEXT, min_size=0, max_size=3),
        "event": st.one_of(st.none(), st.sampled_from(["ping", "error", "message"])),
        "id": st.one_of(st.none(), st.sampled_from(["1", "abc"])),
        "comment": st.one_of(st.none(), st.sampled_from([": ping", ":OPENROUTER PROCESSING", ":"])),
        "space": st.booleans(),
    }
)


def serialize(items: list[dict[str, object]], seps: list[str], bom: bool) -> bytes:
    """Serialise events, cycling through line terminators."""
    out: list[str] = ["\ufeff"] if bom else []
    k = 0

    def line(text: str) -> None:
        nonlocal k
        sep = seps[k % len(seps)]
        if not text and sep == "\n" and out and out[-1].endswith("\r"):
            sep = "\r\n"  # a lone LF after a CR would join it into one CRLF terminator
        out.append(text + sep)
        k += 1

    for item in items:
        if item["comment"] is not None:
            line(str(item["comment"]))
        if item["event"] is not None:
            line(f"event: {item['event']}")
        if item["id"] is not None:
            line(f"id: {item['id']}")
        for data in item["data"]:  # type: ignore[attr-defined]
            line(("data: " if item["space"] else "data:") + data)
        line("")
    return "".join(out).encode()


def expected_events(items: list[dict[str, object]]) -> list[SSEEvent]:
    result = []
    for item in items:
        data = item["data"]
        assert isinstance(data, list)
        if data:
            # With a space after the colon exactly one is dropped; without it none is.
            values = [d if item["space"] else (d[1:] if d.startswith(" ") else d) for d in data]
            result.append(SSEEvent(str(item["event"] or ""), "\n".join(values), item["id"]))  # type: ignore[arg-type]
    return result


_SEPS = st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=4)


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(_EVENT, max_size=6),
    seps=_SEPS,
    bom=st.booleans(),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=8),
    drop_last_blank=st.booleans(),
)
def test_random_splits_decode_identically(
    items: list[dict[str, object]],
    seps: list[str],
    bom: bool,
    cuts: list[int],
    drop_last_blank: bool,
) -> None:
    raw = serialize(items, seps, bom)
    if drop_last_blank and raw.endswith((b"\n", b"\r")):
        raw = raw[:-1]  # the last blank line never comes; close() must still dispatch
    whole = decode(raw)
    assert events(whole) == expected_events(items)
    points = sorted({c % (len(raw) + 1) for c in cuts})
    pieces = [raw[a:b] for a, b in zip([0, *points], [*points, len(raw)], strict=True)]
    assert decode(*pieces) == whole


def test_every_split_point_of_a_fixed_sample() -> None:
    rng = random.Random(1234)
    sample = (
        "\ufeff: OPENROUTER PROCESSING\r\n\r\n"
        'data: {"choices":[{"delta":{"content":"h\u2028é世🎉"}}]}\r\n\r\n'
        "event: ping\rdata:\r\r"
        "data: line1\ndata: line2\n\n"
        "id: 5\nretry: 10\ndata: [DONE]\r\n"
        "data: tail-without-blank"
    ).encode()
    whole = decode(sample)
    assert events(whole)[-1] == SSEEvent("", "[DONE]\ntail-without-blank", "5", 10)
    for cut in range(len(sample) + 1):
        assert decode(sample[:cut], sample[cut:]) == whole
    for a in range(0, len(sample) + 1, 3):
        b = rng.randint(a, len(sample))
        assert decode(sample[:a], sample[a:b], sample[b:]) == whole
    assert decode(*[sample[i : i + 1] for i in range(len(sample))]) == whole
