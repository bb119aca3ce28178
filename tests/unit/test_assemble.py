"""Reply assembly: every payload shape of API.md, streamed and whole."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from routmy_tui.core.assemble import ReplyAssembler, ReplyDelta, image_url_of, sniff_base64_image
from routmy_tui.core.sse import SSEDecoder, SSEEvent
from routmy_tui.core.types import ApiError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
GIF = b"GIF89a" + b"\x00" * 40
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 40


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def chunk(
    delta: dict[str, Any] | None = None, finish: str | None = None, **top: Any
) -> dict[str, Any]:
    choice: dict[str, Any] = {"index": 0, "delta": delta or {}, "finish_reason": finish}
    return {
        "id": "gen-1",
        "object": "chat.completion.chunk",
        "model": "m/x",
        "choices": [choice],
        **top,
    }


def feed_all(*chunks: Any) -> ReplyAssembler:
    assembler = ReplyAssembler()
    for item in chunks:
        assembler.feed_chunk(item)
    return assembler


def sse(*datas: str, event: str = "") -> ReplyAssembler:
    assembler = ReplyAssembler()
    for data in datas:
        assembler.feed_event(SSEEvent(event, data))
    return assembler


# --- events -----------------------------------------------------------------------------------


def test_content_streams_and_reply_is_live() -> None:
    assembler = ReplyAssembler()
    delta = assembler.feed_chunk(chunk({"role": "assistant", "content": "Hel"}))
    assert delta == ReplyDelta(content="Hel")
    assembler.feed_chunk(chunk({"content": "lo"}))
    assert assembler.reply.content == "Hello"
    assert assembler.reply.status == "streaming"
    assembler.feed_chunk(chunk({"content": "!"}, finish="stop"))
    assert assembler.finished and not assembler.done and assembler.is_stream_finished()
    reply = assembler.finish()
    assert (reply.content, reply.finish_reason, reply.status) == ("Hello!", "stop", "complete")
    assert (reply.id, reply.model) == ("gen-1", "m/x")


@pytest.mark.parametrize("data", ["[DONE]", " [DONE] ", "[DONE]\n", "\t[DONE]"])
def test_done_with_any_whitespace(data: str) -> None:
    assembler = sse(data)
    assert assembler.done and assembler.is_stream_finished()
    assert assembler.reply.notes == []


@pytest.mark.parametrize(
    "data", ["ping", "<html><body>502</body></html>", '{"choices":[{"del', "{oops}"]
)
def test_non_json_data_is_skipped_with_a_note(data: str) -> None:
    assembler = sse(data, json.dumps(chunk({"content": "ok"})))
    assert assembler.reply.content == "ok"
    assert len(assembler.reply.notes) == 1 and "not JSON" in assembler.reply.notes[0]


def test_empty_and_whitespace_data_are_ignored_silently() -> None:
    assembler = sse("", "  ")
    assert assembler.reply.notes == [] and not assembler.done


def test_event_ping_is_ignored() -> None:
    assembler = sse('{"type":"ping"}', "ping", event="ping")
    assert assembler.reply.notes == []


@pytest.mark.parametrize("data", ["null", "[]", '"a bare string"', "42"])
def test_json_that_is_not_an_object_is_noted(data: str) -> None:
    assembler = sse(data)
    assert len(assembler.reply.notes) == 1 and "not an object" in assembler.reply.notes[0]


def test_event_error_openai_style() -> None:
    assembler = ReplyAssembler()
    assembler.feed_chunk(chunk({"content": "partial"}))
    data = json.dumps({"error": {"message": "The server had an error", "type": "server_error"}})
    delta = assembler.feed_event(SSEEvent("error", data))
    assert delta is not None and delta.error is not None
    assert delta.error.kind == "in_band" and delta.error.message == "The server had an error"
    assert assembler.reply.error is delta.error
    assert assembler.finish("error").content == "partial"


def test_event_error_with_plain_text_data() -> None:
    delta = sse("boom").feed_event(SSEEvent("error", "something broke"))
    assert (
        delta is not None and delta.error is not None and delta.error.message == "something broke"
    )


def test_identical_notes_are_kept_once_and_capped() -> None:
    assembler = sse(*["ping"] * 5, *[f"junk {i}" for i in range(100)])
    notes = assembler.reply.notes
    assert len(notes) == 51 and notes[-1] == "(further notes left out)"
    assert sum("'ping'" in n for n in notes) == 1


# --- chunk shapes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        {"id": "x", "choices": []},
        {"id": "x"},
        {"id": "x", "choices": None},
        {"choices": [{"index": 0, "finish_reason": None}]},
        {"choices": [{"index": 0, "delta": {"content": None}}]},
        {"choices": [{"index": 0, "delta": {}}]},
        {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
        {"choices": [{"index": 0, "delta": {"unknown": {"deep": [1]}}, "weird": 1}], "extra": True},
    ],
)
def test_chunks_that_add_nothing(shape: dict[str, Any]) -> None:
    assembler = ReplyAssembler()
    assert assembler.feed_chunk(shape) is None
    assert assembler.reply.content == "" and not assembler.finished


def test_odd_containers_are_noted_not_fatal() -> None:
    assembler = feed_all(
        {"choices": "nope"},
        {"choices": [None, 3]},
        {"choices": [{"index": 0, "delta": "text"}]},
        chunk({"content": "fine"}),
    )
    assert assembler.reply.content == "fine"
    assert len(assembler.reply.notes) == 4


def test_only_choice_zero_is_assembled_and_others_noted_once() -> None:
    def two(text0: str, text1: str) -> dict[str, Any]:
        return {
            "choices": [
                {"index": 1, "delta": {"content": text1}},
                {"index": 0, "delta": {"content": text0}},
            ]
        }

    assembler = feed_all(two("a", "X"), two("b", "Y"), two("c", "Z"))
    assert assembler.reply.content == "abc"
    assert assembler.reply.notes == ["ignored choice 1: only the first choice is shown"]


def test_choice_without_index_counts_by_position() -> None:
    assembler = feed_all({"choices": [{"delta": {"content": "a"}}, {"delta": {"content": "b"}}]})
    assert assembler.reply.content == "a"


def test_reasoning_and_deepseek_reasoning_content() -> None:
    assembler = feed_all(
        chunk({"reasoning": "think "}),
        chunk({"reasoning_content": "more"}),
        chunk({"content": "answer"}),
    )
    assert (assembler.reply.reasoning, assembler.reply.content) == ("think more", "answer")


def test_reasoning_and_reasoning_details_with_same_text_shown_once() -> None:
    def piece(text: str, **extra: Any) -> dict[str, Any]:
        detail = {"type": "reasoning.text", "text": text, "index": 0, "format": "x", **extra}
        return chunk({"reasoning": text, "reasoning_details": [detail]})

    assembler = feed_all(piece("Let me "), piece("think."), piece("", signature="sig"))
    reply = assembler.finish()
    assert reply.reasoning == "Let me think."
    assert reply.reasoning_details == [
        {
            "type": "reasoning.text",
            "text": "Let me think.",
            "index": 0,
            "format": "x",
            "signature": "sig",
        }
    ]


def test_reasoning_details_alone_supply_the_text() -> None:
    assembler = feed_all(
        chunk({"reasoning_details": [{"type": "reasoning.summary", "summary": "Sum", "index": 0}]}),
        chunk(
            {"reasoning_details": [{"type": "reasoning.summary", "summary": "mary", "index": 0}]}
        ),
        chunk(
            {"reasoning_details": [{"type": "reasoning.encrypted", "data": "opaque", "index": 1}]}
        ),
    )
    reply = assembler.finish()
    assert reply.reasoning == "Summary"
    assert reply.reasoning_details == [
        {"type": "reasoning.summary", "summary": "Summary", "index": 0},
        {"type": "reasoning.encrypted", "data": "opaque", "index": 1},
    ]


def test_refusal() -> None:
    assembler = feed_all(chunk({"refusal": "I can't "}), chunk({"refusal": "help."}))
    assert assembler.reply.refusal == "I can't help."


def test_usage_last_non_null_wins_even_on_empty_choices() -> None:
    assembler = feed_all(
        chunk({"content": "a"}, usage=None),
        chunk({}, finish="stop", usage={"prompt_tokens": 1, "completion_tokens": 1}),
        {
            "id": "gen-1",
            "choices": [],
            "usage": {"prompt_tokens": 5, "completion_tokens": 7, "cost": 0.01},
        },
    )
    usage = assembler.reply.usage
    assert usage is not None and (usage.prompt_tokens, usage.total_tokens, usage.cost) == (
        5,
        12,
        0.01,
    )


def test_finish_reason_twice_keeps_the_first_and_native() -> None:
    assembler = ReplyAssembler()
    first = assembler.feed_chunk(
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {},
                    "finish_reason": "length",
                    "native_finish_reason": "MAX_TOKENS",
                }
            ]
        }
    )
    second = assembler.feed_chunk(chunk({}, finish="stop", usage={"total_tokens": 3}))
    assert first is not None and first.finish_reason == "length"
    assert second is not None and second.finish_reason is None and second.usage is not None
    assert (assembler.reply.finish_reason, assembler.reply.native_finish_reason) == (
        "length",
        "MAX_TOKENS",
    )


@pytest.mark.parametrize("word", ["end_turn", "STOP", "eos", "content_filter"])
def test_unknown_finish_words_kept(word: str) -> None:
    assert feed_all(chunk({}, finish=word)).finish().finish_reason == word


def test_empty_finish_reason_in_stream_is_not_a_finish() -> None:
    assembler = feed_all(chunk({"content": "a"}, finish=""))
    assert not assembler.finished and assembler.reply.finish_reason is None


def test_provider_and_meta_from_later_chunks() -> None:
    assembler = feed_all(
        {"choices": []}, {"id": "g", "model": "a/b", "provider": "Acme", "choices": []}
    )
    reply = assembler.reply
    assert (reply.id, reply.model, reply.provider) == ("g", "a/b", "Acme")


@pytest.mark.parametrize(
    ("code", "status"), [(502, 502), ("502", 502), ("server_error", None), (7, None)]
)
def test_in_band_error_chunk(code: Any, status: int | None) -> None:
    assembler = ReplyAssembler()
    assembler.feed_chunk(chunk({"content": "partial "}))
    delta = assembler.feed_chunk(
        {
            "error": {"code": code, "message": "Provider disconnected"},
            "choices": [{"delta": {}, "finish_reason": "error"}],
        }
    )
    assert delta is not None and delta.error is not None and delta.finish_reason == "error"
    err = delta.error
    assert (err.kind, err.status, err.retryable, err.message) == (
        "in_band",
        status,
        False,
        "Provider disconnected",
    )
    reply = assembler.finish("error")
    assert reply.error is err and reply.content == "partial " and reply.status == "error"


def test_note_error_keeps_the_first() -> None:
    assembler = ReplyAssembler()
    first, second = ApiError("one"), ApiError("two")
    assembler.note_error(first)
    assembler.note_error(second)
    assert assembler.reply.error is first and "two" in assembler.reply.notes[0]


@pytest.mark.parametrize("status", ["complete", "stopped", "interrupted", "error"])
def test_finish_statuses(status: str) -> None:
    assert ReplyAssembler().finish(status).status == status


# --- images ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "url"),
    [
        (
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
            "data:image/png;base64,AAAA",
        ),
        ({"type": "image_url", "image_url": "https://x.test/a.png"}, "https://x.test/a.png"),
        ({"url": "https://x.test/b.png"}, "https://x.test/b.png"),
        ({"b64_json": b64(PNG)}, "data:image/png;base64," + b64(PNG)),
        ({"image_url": {"b64_json": b64(GIF)}}, "data:image/gif;base64," + b64(GIF)),
        (b64(JPEG), "data:image/jpeg;base64," + b64(JPEG)),
        (b64(WEBP), "data:image/webp;base64," + b64(WEBP)),
        ("data:;base64," + b64(PNG), "data:image/png;base64," + b64(PNG)),
        ("data:base64," + b64(PNG), "data:base64," + b64(PNG)),  # malformed header kept as is
        ("data:image/jpeg;base64,/9j/", "data:image/jpeg;base64,/9j/"),
        (b64(PNG)[:20] + "\n" + b64(PNG)[20:], "data:image/png;base64," + b64(PNG)),
        (
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"},
            },
            "data:image/png;base64,AAAA",
        ),
    ],
)
def test_image_items_normalised(item: Any, url: str) -> None:
    assert image_url_of(item) == (url, "")


@pytest.mark.parametrize(
    "item",
    [
        {"type": "image_url"},
        {"weird": 1},
        42,
        None,
        "",
        "not base64 at all!!",
        b64(b"plain text data"),
        "data:x",
    ],
)
def test_unknown_image_items_rejected(item: Any) -> None:
    url, why = image_url_of(item)
    assert url is None and why


def test_sniff_invalid_base64() -> None:
    assert sniff_base64_image("!!!!") is None
    assert sniff_base64_image(b64(PNG)) == "image/png"


def test_streamed_images_skip_bad_items_and_keep_the_rest() -> None:
    good = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64(PNG)}}
    assembler = ReplyAssembler()
    delta = assembler.feed_chunk(
        chunk({"images": [{"type": "mystery"}, good, "https://x.test/c.png"]})
    )
    assert delta is not None and delta.images == [
        "data:image/png;base64," + b64(PNG),
        "https://x.test/c.png",
    ]
    assert assembler.reply.images == delta.images
    assert len(assembler.reply.notes) == 1 and "skipped an image" in assembler.reply.notes[0]


def test_content_array_with_text_and_image_parts() -> None:
    parts = [
        {"type": "text", "text": "Here: "},
        {"type": "image_url", "image_url": {"url": "https://x.test/d.png"}},
        {"type": "unknown"},
    ]
    assembler = ReplyAssembler()
    delta = assembler.feed_chunk(chunk({"content": parts}))
    assert (
        delta is not None and delta.content == "Here: " and delta.images == ["https://x.test/d.png"]
    )
    assert assembler.reply.content == "Here: " and len(assembler.reply.notes) == 1


# --- whole responses ------------------------------------------------------------------------


def whole(message: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion",
        "model": "m/x",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        **top,
    }


def test_whole_response() -> None:
    assembler = ReplyAssembler()
    assembler.feed_response(
        whole(
            {
                "role": "assistant",
                "content": "Hi",
                "reasoning": "hmm",
                "reasoning_details": [{"type": "reasoning.text", "text": "hmm", "index": 0}],
                "images": [{"type": "image_url", "image_url": {"url": "https://x.test/e.png"}}],
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "f", "arguments": '{"a":1}'},
                    },
                    {"id": "call_2", "function": {"name": "g", "arguments": {"b": 2}}},
                ],
            },
            usage={"prompt_tokens": 2, "completion_tokens": 3},
            provider="Acme",
        )
    )
    assert assembler.done and assembler.finished
    reply = assembler.finish()
    assert (reply.content, reply.reasoning, reply.finish_reason, reply.provider) == (
        "Hi",
        "hmm",
        "stop",
        "Acme",
    )
    assert reply.reasoning_details == [{"type": "reasoning.text", "text": "hmm", "index": 0}]
    assert reply.images == ["https://x.test/e.png"]
    assert [(c.id, c.name, c.arguments) for c in reply.tool_calls] == [
        ("call_1", "f", '{"a":1}'),
        ("call_2", "g", '{"b": 2}'),
    ]
    assert reply.usage is not None and reply.usage.total_tokens == 5


def test_whole_response_content_parts_null_content_and_empty_finish() -> None:
    assembler = ReplyAssembler()
    body = whole(
        {
            "content": [
                {"type": "text", "text": "A"},
                {"type": "image_url", "image_url": "https://x.test/f"},
            ]
        }
    )
    body["choices"][0]["finish_reason"] = ""
    assembler.feed_response(body)
    reply = assembler.finish()
    assert (reply.content, reply.images, reply.finish_reason) == ("A", ["https://x.test/f"], "")
    other = ReplyAssembler()
    other.feed_response(whole({"content": None, "refusal": "no"}))
    assert (other.reply.content, other.reply.refusal) == ("", "no")


@pytest.mark.parametrize(
    ("body", "kind", "status"),
    [
        ({"error": {"message": "quota", "code": 429}}, "in_band", 200),
        ({"error": {"message": "bad"}, "choices": []}, "in_band", 200),
        ({"id": "x", "choices": None}, "in_band", 200),
        ({"id": "x"}, "protocol", None),
        ({"choices": []}, "protocol", None),
        ({"choices": [{"index": 0, "message": "text"}]}, "protocol", None),
        ({"choices": [{"index": 1, "message": {"content": "x"}}]}, "protocol", None),
        ([], "protocol", None),
        ("text", "protocol", None),
        (None, "protocol", None),
    ],
)
def test_whole_response_failures(body: Any, kind: str, status: int | None) -> None:
    with pytest.raises(ApiError) as info:
        ReplyAssembler().feed_response(body)
    assert (info.value.kind, info.value.status) == (kind, status)
    assert info.value.raw_body is not None


def test_stream_through_decoder_end_to_end() -> None:
    raw = (
        b": OPENROUTER PROCESSING\n\n"
        + b"".join(
            b"data: " + json.dumps(chunk({"content": t})).encode() + b"\r\n\r\n"
            for t in ["Hé", "llo", " 世界"]
        )
        + b"data: "
        + json.dumps(chunk({}, finish="stop")).encode()
        + b"\n\ndata: [DONE]"
    )
    decoder, assembler = SSEDecoder(), ReplyAssembler()
    for i in range(0, len(raw), 7):
        for _, event in decoder.feed(raw[i : i + 7]):
            if event is not None:
                assembler.feed_event(event)
    for _, event in decoder.close():
        if event is not None:
            assembler.feed_event(event)
    assert assembler.done and assembler.finish().content == "Héllo 世界"


# --- tool calls -----------------------------------------------------------------------------


def frag(
    index: Any = None, id: Any = None, name: Any = None, args: Any = None, type: Any = None
) -> dict[str, Any]:
    """One `delta.tool_calls[]` item; None fields are left out, as servers do."""
    item: dict[str, Any] = {}
    if index is not None:
        item["index"] = index
    if id is not None:
        item["id"] = id
    if type is not None:
        item["type"] = type
    function: dict[str, Any] = {}
    if name is not None:
        function["name"] = name
    if args is not None:
        function["arguments"] = args
    if function:
        item["function"] = function
    return item


Calls = list[tuple[str, str, str]]

TOOL_CASES: dict[str, tuple[list[list[dict[str, Any]]], Calls]] = {
    "openai standard, two parallel calls": (
        [
            [frag(0, "call_a", "get_weather", "", "function")],
            [frag(0, args='{"city":')],
            [frag(0, args='"Paris"}')],
            [frag(1, "call_b", "get_time", "", "function")],
            [frag(1, args='{"tz":"CET"}')],
        ],
        [("call_a", "get_weather", '{"city":"Paris"}'), ("call_b", "get_time", '{"tz":"CET"}')],
    ),
    "id, type and name repeated on every fragment": (
        [
            [frag(0, "call_a", "get_weather", '{"ci', "function")],
            [frag(0, "call_a", "get_weather", 'ty":"Oslo"}', "function")],
        ],
        [("call_a", "get_weather", '{"city":"Oslo"}')],
    ),
    "missing index, id on the first fragment only": (
        [[frag(id="call_a", name="f", args="")], [frag(args='{"x":')], [frag(args="1}")]],
        [("call_a", "f", '{"x":1}')],
    ),
    "missing index, whole calls with different ids": (
        [
            [frag(id="call_a", name="f", args='{"x":1}')],
            [frag(id="call_b", name="g", args='{"y":2}')],
        ],
        [("call_a", "f", '{"x":1}'), ("call_b", "g", '{"y":2}')],
    ),
    "missing index, fragments quote their call's id": (
        [
            [frag(id="call_a", name="f", args='{"x":')],
            [frag(id="call_b", name="g", args='{"y":')],
            [frag(id="call_a", args="1}")],
            [frag(id="call_b", args="2}")],
        ],
        [("call_a", "f", '{"x":1}'), ("call_b", "g", '{"y":2}')],
    ),
    "several calls all at index 0 with different ids": (
        [
            [frag(0, "call_a", "f", "")],
            [frag(0, args='{"x":1}')],
            [frag(0, "call_b", "g", "")],
            [frag(0, args='{"y":2}')],
        ],
        [("call_a", "f", '{"x":1}'), ("call_b", "g", '{"y":2}')],
    ),
    "same function twice at index 0, each call whole": (
        [
            [frag(0, "call_a", "get_weather", '{"city":"Paris"}')],
            [frag(0, "call_b", "get_weather", '{"city":"Rome"}')],
        ],
        [
            ("call_a", "get_weather", '{"city":"Paris"}'),
            ("call_b", "get_weather", '{"city":"Rome"}'),
        ],
    ),
    "new id on every fragment with an empty name": (
        [
            [frag(0, "call_1", "search", "")],
            [frag(0, "call_2", "", '{"q":')],
            [frag(0, "call_3", "", '"cats"')],
            [frag(0, "call_4", "", "}")],
        ],
        [("call_1", "search", '{"q":"cats"}')],
    ),
    "new id on every fragment, name repeated, arguments incomplete": (
        [
            [frag(0, "call_1", "search", '{"q":')],
            [frag(0, "call_2", "search", '"dogs"}')],
        ],
        [("call_1", "search", '{"q":"dogs"}')],
    ),
    "new id on every fragment without an index": (
        [
            [frag(id="c1", name="search", args="")],
            [frag(id="c2", args='{"q":')],
            [frag(id="c3", args="1}")],
        ],
        [("c1", "search", '{"q":1}')],
    ),
    "name arriving after the arguments": (
        [[frag(0, "call_a", None, '{"a":')], [frag(0, args="1}")], [frag(0, name="late_name")]],
        [("call_a", "late_name", '{"a":1}')],
    ),
    "id arriving after the name": (
        [[frag(0, name="f", args="{}")], [frag(0, id="call_late")]],
        [("call_late", "f", "{}")],
    ),
    "empty ids": (
        [[frag(0, "", "f", "{}")], [frag(1, "", "g", "{}")]],
        [("", "f", "{}"), ("", "g", "{}")],
    ),
    "duplicate ids at different indexes": (
        [[frag(0, "call_0", "f", "{}")], [frag(1, "call_0", "g", "[]")]],
        [("call_0", "f", "{}"), ("call_0", "g", "[]")],
    ),
    "duplicate ids without index but different names": (
        [[frag(id="dup", name="f", args="{}")], [frag(id="dup", name="g", args="{}")]],
        [("dup", "f", "{}"), ("dup", "g", "{}")],
    ),
    "indexes out of order are sorted at the end": (
        [[frag(1, "call_b", "g", "{}")], [frag(0, "call_a", "f", "{}")]],
        [("call_a", "f", "{}"), ("call_b", "g", "{}")],
    ),
    "several fragments in one delta": (
        [[frag(0, "call_a", "f", '{"x"'), frag(1, "call_b", "g", "{}"), frag(0, args=":1}")]],
        [("call_a", "f", '{"x":1}'), ("call_b", "g", "{}")],
    ),
    "arguments sent as an object, index as a string": (
        [[frag("0", "call_a", "f", {"x": 1})]],
        [("call_a", "f", '{"x": 1}')],
    ),
    "an index-only fragment adds nothing": (
        [[frag(0, "call_a", "f", "{}")], [frag(3)]],
        [("call_a", "f", "{}")],
    ),
    "numeric id": (
        [[frag(0, 7, "f", "{}")]],
        [("7", "f", "{}")],
    ),
}


@pytest.mark.parametrize("case", list(TOOL_CASES))
def test_tool_call_shapes(case: str) -> None:
    deltas, expected = TOOL_CASES[case]
    assembler = ReplyAssembler()
    for tool_calls in deltas:
        delta = assembler.feed_chunk(chunk({"tool_calls": tool_calls}))
        assert delta is not None and delta.tool_calls_changed
    reply = assembler.finish()
    assert [(c.id, c.name, c.arguments) for c in reply.tool_calls] == expected
    assert all(c.type == "function" for c in reply.tool_calls)
    assert reply.notes == []


def test_tool_calls_with_finish_reason_stop_are_still_tool_calls() -> None:
    assembler = feed_all(
        chunk({"content": None, "tool_calls": [frag(0, "call_a", "f", "{}", "function")]}),
        chunk({}, finish="stop"),
    )
    reply = assembler.finish()
    assert reply.finish_reason == "stop" and [c.name for c in reply.tool_calls] == ["f"]
    assert reply.to_message().content is None


def test_invalid_json_arguments_are_kept_and_reported() -> None:
    reply = feed_all(chunk({"tool_calls": [frag(0, "call_a", "f", '{"x": 1')]})).finish()
    value, problem = reply.tool_calls[0].parsed_arguments()
    assert value is None and problem is not None and "invalid JSON" in problem
    assert reply.tool_calls[0].arguments == '{"x": 1'


def test_tool_calls_list_is_live_while_streaming() -> None:
    assembler = ReplyAssembler()
    assembler.feed_chunk(chunk({"tool_calls": [frag(0, "call_a", "f", '{"a"')]}))
    assert [c.arguments for c in assembler.reply.tool_calls] == ['{"a"']


@pytest.mark.parametrize("bad", ["text", 5, [None, "x"]])
def test_tool_calls_of_unknown_shape_are_noted(bad: Any) -> None:
    assembler = ReplyAssembler()
    assembler.feed_chunk(chunk({"tool_calls": bad, "content": "ok"}))
    assert assembler.reply.content == "ok" and assembler.reply.notes
    assert assembler.finish().tool_calls == []


def test_tool_calls_given_as_a_single_object() -> None:
    reply = feed_all(chunk({"tool_calls": frag(0, "call_a", "f", "{}")})).finish()
    assert [(c.id, c.name) for c in reply.tool_calls] == [("call_a", "f")]


def test_last_note_tags_every_odd_event_even_repeats() -> None:
    assembler = ReplyAssembler()
    assembler.feed_event(SSEEvent("", "ping"))
    first = assembler.last_note
    assembler.feed_event(SSEEvent("", json.dumps(chunk({"content": "x"}))))
    assert first is not None and assembler.last_note is None
    assembler.feed_event(SSEEvent("", "ping"))
    assert assembler.last_note == first
    assert assembler.notes == [first]


def test_finish_reason_error_without_error_object_gets_a_stand_in() -> None:
    assembler = ReplyAssembler()
    delta = assembler.feed_chunk(chunk({"content": "part"}, finish="error"))
    assert delta is not None and delta.error is not None and delta.error.kind == "in_band"
    assert assembler.reply.error is delta.error
    assembler.note_error(delta.error)  # a caller passing the delta's error on changes nothing
    # A real error arriving later replaces the stand-in.
    real = assembler.feed_chunk({"choices": [], "error": {"code": 503, "message": "Upstream gone"}})
    assert real is not None and real.error is not None
    assert assembler.reply.error is real.error and assembler.reply.notes == []


def test_buffered_pieces_are_exact_when_read_mid_stream() -> None:
    assembler = ReplyAssembler()
    detail = {"type": "reasoning.text", "index": 0}
    for i in range(50):
        assembler.feed_chunk(
            chunk(
                {
                    "content": f"c{i} ",
                    "reasoning": f"r{i} ",
                    "reasoning_details": [{**detail, "text": f"r{i} "}],
                    "tool_calls": [
                        frag(0, "call_a" if i == 0 else None, "f" if i == 0 else None, f"{i},")
                    ],
                }
            )
        )
        if i % 7 == 0:
            reply = assembler.reply
            assert reply.content.endswith(f"c{i} ") and reply.tool_calls[0].arguments.endswith(
                f"{i},"
            )
            assert reply.reasoning_details[0]["text"] == reply.reasoning
    reply = assembler.finish()
    assert reply.content == "".join(f"c{i} " for i in range(50))
    assert (
        reply.reasoning
        == reply.reasoning_details[0]["text"]
        == "".join(f"r{i} " for i in range(50))
    )
    assert reply.tool_calls[0].arguments == "".join(f"{i}," for i in range(50))
