"""Tool sets: parsing OpenAI JSON and TOML, checks with line and column, saved and shipped sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from routmy_tui.config.toolsets import (
    load_tool_set,
    load_tools_arg,
    read_tools_file,
    save_tool_set,
    saved_sets,
    sets_dir,
)
from routmy_tui.core.request import ChatParams, build_chat_body
from routmy_tui.core.toolsets import (
    FunctionTool,
    ToolSetError,
    find_tool,
    parse_tool,
    parse_tools,
    to_params,
    to_wire,
    tools_from_params,
)
from routmy_tui.core.types import ChatMessage

SEED_TOOL = {
    "type": "function",
    "function": {
        "name": "get_order",
        "description": "Look up an order by ID.",
        "parameters": {
            "type": "object",
            "properties": {"order_id": {"type": "string"}},
            "required": ["order_id"],
        },
    },
}


def error_of(text: str, **kwargs: object) -> ToolSetError:
    with pytest.raises(ToolSetError) as caught:
        parse_tools(text, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_openai_tools_array_round_trips_to_the_wire() -> None:
    tools = parse_tools(json.dumps([SEED_TOOL]))
    assert [t.name for t in tools] == ["get_order"]
    assert to_wire(tools) == [SEED_TOOL]


def test_a_request_body_with_tools_and_a_single_flat_tool_are_accepted() -> None:
    body = {"model": "x", "messages": [], "tools": [SEED_TOOL], "tool_choice": "auto"}
    assert to_wire(parse_tools(json.dumps(body))) == [SEED_TOOL]
    flat = {"name": "ping", "description": "Ping."}
    (tool,) = parse_tools(json.dumps(flat))
    assert tool.to_wire() == {
        "type": "function",
        "function": {
            "name": "ping",
            "description": "Ping.",
            "parameters": {"type": "object", "properties": {}},
        },
    }


def test_unknown_function_keys_such_as_strict_are_kept() -> None:
    item = json.loads(json.dumps(SEED_TOOL))
    item["function"]["strict"] = True
    (tool,) = parse_tools(json.dumps([item]))
    assert tool.to_wire()["function"]["strict"] is True


def test_syntax_error_gives_line_and_column() -> None:
    error = error_of('[\n  {"name": "a",\n   "description": }\n]', source="t.json")
    assert (error.line, error.column) == (3, 19)
    assert str(error).startswith("t.json: line 3, column 19: not valid JSON")


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ('[\n  {"name": "bad name"}\n]', (2, 12), "must be 1 to 64 letters"),
        ('[{"name": "' + "x" * 65 + '"}]', (1, 11), "must be 1 to 64"),
        ('[\n {"name": "a"},\n {"name": "a"}\n]', (3, 11), "duplicate tool name 'a'"),
        ('[{"name": "a",\n  "parameters": [1]}]', (2, 17), "must be a JSON Schema object"),
        (
            '[{"name": "a",\n  "parameters": {"type": "object",\n'
            '   "properties": {"x": {"type": 5}}}}]',
            (3, 33),
            "not a valid JSON Schema",
        ),
        ('[{"name": "a", "parameters": {"type": "string"}}]', (1, 39), 'type "object"'),
        ('[{"name": "a",\n "command": "rm -rf /"}]', (2, 13), "a shell string is never run"),
        ('[{"name": "a", "auto_approve": "yes"}]', (1, 32), "true or false"),
        ('[{"type": "web_search"}]', (1, 2), "only function tools"),
        ('[{"description": "nameless"}]', (1, 2), "needs a name"),
        ('{"tools": 3}', (1, 11), "expected an array of tools"),
    ],
)
def test_bad_tools_are_refused_with_line_and_column(
    text: str, where: tuple[int, int], says: str
) -> None:
    error = error_of(text)
    assert says in error.message
    assert (error.line, error.column) == where


def test_deeply_nested_json_is_an_error_not_a_crash() -> None:
    error = error_of("[" * 100_000 + "]" * 100_000)
    assert "deep" in error.message or "JSON" in error.message


TOML_SET = """\
[[tools]]
name = "get_order"
description = "Look up an order by ID."
command = ["python3", "order.py"]
auto_approve = true
[tools.parameters]
type = "object"
required = ["order_id"]
[tools.parameters.properties.order_id]
type = "string"

[[tools]]
name = "ping"
parameters = '{"type": "object", "properties": {}}'
"""


def test_toml_sets_with_tables_or_json_strings() -> None:
    first, second = parse_tools(TOML_SET, toml=True)
    assert first.to_wire() == SEED_TOOL
    assert first.command == ("python3", "order.py") and first.auto_approve
    assert second.parameters == {"type": "object", "properties": {}}


def test_toml_errors_point_at_the_key_of_the_right_tool() -> None:
    text = TOML_SET.replace('name = "ping"', 'name = "p i n g"')
    error = error_of(text, toml=True)
    assert (error.line, error.column) == (13, 1) and "p i n g" in error.message
    error = error_of("[[tools]]\nname = \n", toml=True)
    assert error.line == 2 and "not valid TOML" in error.message


def test_local_keys_are_kept_in_params_but_never_sent() -> None:
    tool = FunctionTool("run", command=("echo", "hi"), auto_approve=True)
    stored = to_params([tool])
    assert stored[0]["command"] == ["echo", "hi"] and stored[0]["auto_approve"] is True
    assert tools_from_params(stored) == [tool]
    assert find_tool(stored, "run") == tool and find_tool(stored, "nope") is None
    body = build_chat_body("m", [ChatMessage("user", "hi")], ChatParams(tools=stored))
    assert body["tools"] == [tool.to_wire()]
    assert "command" not in json.dumps(body) and "auto_approve" not in json.dumps(body)


def test_parse_tool_for_the_editor() -> None:
    tool = parse_tool('{"name": "a", "description": "d"}')
    assert tool.name == "a" and json.loads(json.dumps(tool.to_editor()))["description"] == "d"
    with pytest.raises(ToolSetError) as caught:
        parse_tool('{\n  "name": "a"\n}', others=["a"])
    assert (caught.value.line, caught.value.column) == (2, 11)
    with pytest.raises(ToolSetError, match="must be a JSON object"):
        parse_tool("[]")


def test_examples_ship_with_the_package() -> None:
    tools = load_tool_set("examples")
    assert [t.name for t in tools] == ["get_order", "get_weather"]
    assert tools[0].to_wire() == SEED_TOOL
    assert saved_sets()[0] == "examples"


def test_save_and_pick_a_set_by_name(isolated_env: Path) -> None:
    tools = [FunctionTool("a", command=("true",), auto_approve=True), FunctionTool("b")]
    path = save_tool_set("mine", tools)
    assert path == sets_dir() / "mine.json" and path.stat().st_mode & 0o777 == 0o600
    assert str(path).startswith(str(isolated_env))
    assert load_tool_set("mine") == tools  # the user's own set keeps auto_approve
    assert "mine" in saved_sets()
    assert load_tools_arg("mine") == (tools, [])
    with pytest.raises(ToolSetError, match="no tool set named 'other'"):
        load_tool_set("other")
    with pytest.raises(ToolSetError, match="not a tool set name"):
        save_tool_set("../x", tools)


def test_a_file_from_elsewhere_cannot_auto_approve(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(TOML_SET)
    tools, notes = load_tools_arg(str(path))
    assert [t.auto_approve for t in tools] == [False, False]
    assert notes and "auto_approve ignored for get_order" in notes[0]
    assert read_tools_file(path, trusted=True)[0][0].auto_approve


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ToolSetError) as caught:
        load_tools_arg(str(tmp_path / "none.json"))
    assert "none.json" in str(caught.value) and "cannot read" in str(caught.value)
