"""Function tools: parse and check tool sets (OpenAI `tools` JSON or TOML), give the wire form."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from routmy_tui.core.json_locate import JsonPath, line_column, locate, value_offsets

__all__ = [
    "LOCAL_KEYS",
    "NAME_RE",
    "FunctionTool",
    "ToolSetError",
    "find_tool",
    "parse_tool",
    "parse_tools",
    "to_params",
    "to_wire",
    "tools_from_params",
    "wire_tools",
]

NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
"""What OpenAI-compatible servers accept as a function name."""

LOCAL_KEYS = ("command", "auto_approve")
"""Keys of a stored tool item that stay on this machine (never sent)."""

Locate = Callable[[JsonPath], tuple[int | None, int | None]]
"""Maps a path in the decoded value to (line, column) in the source text."""


class ToolSetError(ValueError):
    """A tool set (or one tool) that cannot be used, with where the problem is.

    Attributes:
        message: What is wrong.
        line: 1-based line in the source text, when known.
        column: 1-based column, when known.
        source: The file or set it came from ("" when typed).
    """

    def __init__(
        self, message: str, line: int | None = None, column: int | None = None, source: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.source = source

    def __str__(self) -> str:
        where = ""
        if self.line is not None:
            where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        head = ": ".join(part for part in (self.source, where) if part)
        return f"{head}: {self.message}" if head else self.message


def _empty_schema() -> dict[str, Any]:
    return {"type": "object", "properties": {}}


@dataclass(frozen=True)
class FunctionTool:
    """One function tool offered to the model.

    Attributes:
        name: Function name (`NAME_RE`).
        description: What the function does, for the model.
        parameters: The arguments as a JSON Schema object.
        command: A local program (argv, never a shell string) that can answer calls; empty
            when the user answers by hand.
        auto_approve: Run `command` without asking (only honoured from the user's own sets).
        extra: Other keys of the wire `function` object (e.g. `strict`), sent as they are.
    """

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=_empty_schema)
    command: tuple[str, ...] = ()
    auto_approve: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        """The request's `tools[]` item (no local-only keys)."""
        function: dict[str, Any] = {"name": self.name}
        if self.description:
            function["description"] = self.description
        function["parameters"] = self.parameters
        function.update(self.extra)
        return {"type": "function", "function": function}

    def to_params(self) -> dict[str, Any]:
        """The item as kept in a conversation's parameters or a saved set: the wire item
        plus the local keys, which `wire_tools` strips before sending."""
        item = self.to_wire()
        if self.command:
            item["command"] = list(self.command)
        if self.auto_approve:
            item["auto_approve"] = True
        return item

    def to_editor(self) -> dict[str, Any]:
        """The flat object the tools editor shows (name, description, parameters, ...)."""
        out: dict[str, Any] = {"name": self.name, "description": self.description}
        out["parameters"] = self.parameters
        out.update(self.extra)
        if self.command:
            out["command"] = list(self.command)
        if self.auto_approve:
            out["auto_approve"] = True
        return out


def to_wire(tools: Iterable[FunctionTool]) -> list[dict[str, Any]]:
    """The request's `tools` array."""
    return [tool.to_wire() for tool in tools]


def to_params(tools: Iterable[FunctionTool]) -> list[dict[str, Any]]:
    """The `tools` kept in parameters and saved sets (local keys included)."""
    return [tool.to_params() for tool in tools]


def wire_tools(items: Any) -> Any:
    """Stored `tools` items without their local-only keys (anything else is left as is)."""
    if not isinstance(items, list):
        return items
    return [
        {k: v for k, v in item.items() if k not in LOCAL_KEYS} if isinstance(item, dict) else item
        for item in items
    ]


# --- checking ----------------------------------------------------------------------------


def _check_schema(schema: dict[str, Any], path: JsonPath, where: Locate) -> None:
    # jsonschema is imported here, not at the top: building a request must stay light.
    from jsonschema import SchemaError, validators

    kind = schema.get("type")
    if kind is not None and kind != "object":
        line, column = where((*path, "type"))
        raise ToolSetError(
            f'parameters must describe an object (type "object"), not {json.dumps(kind)}',
            line,
            column,
        )
    try:
        validators.validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        inner = tuple(p for p in exc.path if isinstance(p, str | int))
        line, column = where((*path, *inner))
        place = "/".join(str(p) for p in inner)
        suffix = f" (at parameters/{place})" if place else ""
        raise ToolSetError(
            f"parameters is not a valid JSON Schema: {exc.message}{suffix}", line, column
        ) from None
    except RecursionError:
        line, column = where(path)
        raise ToolSetError("parameters nest too deeply", line, column) from None


def _tool_from_item(item: Any, path: JsonPath, where: Locate) -> FunctionTool:
    def fail(message: str, at: JsonPath) -> ToolSetError:
        line, column = where(at)
        return ToolSetError(message, line, column)

    if not isinstance(item, dict):
        raise fail("a tool must be an object", path)
    kind = item.get("type", "function")
    if kind != "function" and ("function" in item or "name" not in item):
        raise fail(f"only function tools are supported, not {json.dumps(kind)}", path)
    if "function" in item:
        function = item["function"]
        fpath: JsonPath = (*path, "function")
        if not isinstance(function, dict):
            raise fail("`function` must be an object", fpath)
        local = item
        lpath = path
    else:
        function, fpath, local, lpath = item, path, item, path
    name = function.get("name")
    if name is None:
        raise fail("a tool needs a name", fpath)
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise fail(
            f"tool name {json.dumps(name, ensure_ascii=False)} must be 1 to 64 letters, digits,"
            " _ or -",
            (*fpath, "name"),
        )
    description = function.get("description", "")
    if not isinstance(description, str):
        raise fail("description must be a string", (*fpath, "description"))
    parameters = function.get("parameters", _empty_schema())
    if isinstance(parameters, str):
        # TOML sets may hold the schema as a JSON string.
        try:
            parameters = json.loads(parameters)
        except (ValueError, RecursionError) as exc:
            raise fail(f"parameters is not valid JSON: {exc}", (*fpath, "parameters")) from None
    if not isinstance(parameters, dict):
        raise fail("parameters must be a JSON Schema object", (*fpath, "parameters"))
    _check_schema(parameters, (*fpath, "parameters"), where)
    command = local.get("command", [])
    if isinstance(command, str):
        raise fail(
            'command must be a list of arguments (argv), e.g. ["python3", "tool.py"];'
            " a shell string is never run",
            (*lpath, "command"),
        )
    if not isinstance(command, list) or not all(isinstance(a, str) for a in command):
        raise fail("command must be a list of strings (argv)", (*lpath, "command"))
    if command and not command[0]:
        raise fail("command must start with a program name", (*lpath, "command"))
    auto = local.get("auto_approve", False)
    if not isinstance(auto, bool):
        raise fail("auto_approve must be true or false", (*lpath, "auto_approve"))
    extra = {
        k: v
        for k, v in function.items()
        if k not in ("name", "description", "parameters", *LOCAL_KEYS)
    }
    return FunctionTool(name, description, parameters, tuple(command), auto, extra)


def _tools_from_value(value: Any, where: Locate) -> list[FunctionTool]:
    path: JsonPath = ()
    if isinstance(value, dict) and "tools" in value:
        value, path = value["tools"], ("tools",)
    elif isinstance(value, dict) and ("name" in value or "function" in value):
        value = [value]
        return [_tool_from_item(value[0], (), where)]
    if not isinstance(value, list):
        line, column = where(path)
        raise ToolSetError(
            "expected an array of tools (or an object with a `tools` array)", line, column
        )
    tools: list[FunctionTool] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        tool = _tool_from_item(item, (*path, index), where)
        if tool.name in seen:
            fn: JsonPath = (*path, index, "function") if "function" in item else (*path, index)
            line, column = where((*fn, "name"))
            raise ToolSetError(f"duplicate tool name {tool.name!r}", line, column)
        seen.add(tool.name)
        tools.append(tool)
    return tools


# --- parsing text --------------------------------------------------------------------------


def _json_value(text: str) -> tuple[Any, Locate]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolSetError(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise ToolSetError("JSON nests too deeply") from None
    try:
        offsets = value_offsets(text)
    except (ValueError, RecursionError):
        offsets = {}

    def where(path: JsonPath) -> tuple[int | None, int | None]:
        return locate(text, offsets, path)

    return value, where


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOML_HEADER = re.compile(r"^\s*\[\[\s*tools\s*\]\]", re.MULTILINE)


def _toml_value(text: str) -> tuple[Any, Locate]:
    try:
        value = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_AT.search(str(exc))
        reason = str(exc).split(" (at ")[0]
        if found:
            raise ToolSetError(
                f"not valid TOML: {reason}", int(found.group(1)), int(found.group(2))
            ) from None
        raise ToolSetError(f"not valid TOML: {reason}") from None
    headers = [m.start() for m in _TOML_HEADER.finditer(text)]

    def where(path: JsonPath) -> tuple[int | None, int | None]:
        # `[[tools]]` number N, then the line of the key inside that block when it is there.
        if len(path) < 2 or path[0] != "tools" or not isinstance(path[1], int):
            return None, None
        if path[1] >= len(headers):
            return None, None
        start = headers[path[1]]
        end = headers[path[1] + 1] if path[1] + 1 < len(headers) else len(text)
        keys = [p for p in path[2:] if isinstance(p, str) and p != "function"]
        if keys:
            key = re.compile(rf"^[ \t]*{re.escape(keys[0])}[ \t]*=", re.MULTILINE)
            match = key.search(text, start, end)
            if match:
                return line_column(
                    text, match.start() + len(match.group()) - len(match.group().lstrip())
                )
        return line_column(text, start)

    return value, where


def parse_tools(text: str, *, toml: bool = False, source: str = "") -> list[FunctionTool]:
    """Parse a tool set: an OpenAI `tools` JSON array (or a body holding one), or TOML.

    TOML sets are `[[tools]]` tables with `name`, `description`, `parameters` (a table or a
    JSON string), and optionally `command` (argv list) and `auto_approve`.

    Args:
        text: The file's text.
        toml: Read it as TOML instead of JSON.
        source: Where the text came from, for messages.

    Returns:
        The tools, in order.

    Raises:
        ToolSetError: The first problem found, with its line and column when known.
    """
    try:
        value, where = _toml_value(text) if toml else _json_value(text)
        if toml and isinstance(value, dict) and "tools" not in value:
            raise ToolSetError("a TOML tool set needs [[tools]] tables")
        return _tools_from_value(value, where)
    except ToolSetError as exc:
        exc.source = source
        raise


def parse_tool(text: str, others: Sequence[str] = ()) -> FunctionTool:
    """Parse one tool typed as JSON (flat `{"name": ...}` or the wire item), as the editor does.

    Args:
        text: The JSON text.
        others: Names of the other tools of the set (a duplicate is refused).

    Raises:
        ToolSetError: The problem with its line and column.
    """
    value, where = _json_value(text)
    if not isinstance(value, dict):
        line, column = where(())
        raise ToolSetError("a tool must be a JSON object", line, column)
    tool = _tool_from_item(value, (), where)
    if tool.name in others:
        line, column = where(("function", "name") if "function" in value else ("name",))
        raise ToolSetError(f"duplicate tool name {tool.name!r}", line, column)
    return tool


def tools_from_params(items: Any) -> list[FunctionTool]:
    """The tools kept in a conversation's parameters; items that do not check out are skipped.

    Args:
        items: The `tools` parameter (a list of stored items, or None).
    """
    if not isinstance(items, list):
        return []
    out: list[FunctionTool] = []
    for item in items:
        try:
            tool = _tool_from_item(item, (), lambda _path: (None, None))
        except ToolSetError:
            continue
        if all(tool.name != seen.name for seen in out):
            out.append(tool)
    return out


def find_tool(items: Any, name: str) -> FunctionTool | None:
    """The tool called `name` among a conversation's `tools` parameter, if any."""
    return next((t for t in tools_from_params(items) if t.name == name), None)
