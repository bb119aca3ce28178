"""Bounded JSON: deep nesting is a clear decode error, never a RecursionError."""

from __future__ import annotations

import json

import pytest

from routmy_tui.core.jsonsafe import MAX_DEPTH, JsonTooDeep, loads_bounded
from routmy_tui.core.types import ToolCall


def nested(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + close * depth


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 900, 1000, 100_000])
def test_too_deep_input_is_a_decode_error_saying_where(depth: int) -> None:
    with pytest.raises(JsonTooDeep) as caught:
        loads_bounded(nested(depth))
    assert isinstance(caught.value, json.JSONDecodeError)  # old handlers still catch it
    assert f"nested deeper than {MAX_DEPTH} levels" in str(caught.value)
    assert caught.value.pos == MAX_DEPTH  # the bracket that went one level too deep


def test_objects_count_like_arrays_and_bytes_work() -> None:
    with pytest.raises(JsonTooDeep):
        loads_bounded(('{"a":' * 200 + "1" + "}" * 200).encode())


def test_values_up_to_the_limit_parse_as_usual() -> None:
    assert loads_bounded(nested(MAX_DEPTH)) is not None
    assert loads_bounded('{"a": [1, {"b": "[[[[[[[["}]}') == {"a": [1, {"b": "[[[[[[[["}]}
    assert loads_bounded("[" + ",".join(["[]"] * 500) + "]") == [[]] * 500  # wide, not deep


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"s": "[" * 5000})
    assert loads_bounded(text) == {"s": "[" * 5000}


def test_invalid_json_is_still_a_plain_decode_error() -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        loads_bounded("{nope")
    assert not isinstance(caught.value, JsonTooDeep)


def test_deep_tool_arguments_are_reported_not_raised() -> None:
    call = ToolCall(id="c", name="f", arguments=nested(1000, "{", "}").replace("{", '{"a":'))
    value, problem = call.parsed_arguments()
    assert value is None
    assert problem == f"not shown as JSON: nested deeper than {MAX_DEPTH} levels (kept as text)"
