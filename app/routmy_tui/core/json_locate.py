"""Where each value of a JSON text starts: line and column by path, for precise error messages."""

from __future__ import annotations

import json
import re

__all__ = ["JsonPath", "line_column", "locate", "value_offsets"]

JsonPath = tuple[str | int, ...]
"""Keys and indexes from the top value down to one value."""

_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_WORDS = ("true", "false", "null")
_DECODER = json.JSONDecoder()


def _string(text: str, pos: int) -> tuple[str, int]:
    value, end = _DECODER.raw_decode(text, pos)
    return str(value), end


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def value_offsets(text: str) -> dict[JsonPath, int]:
    """The offset where each value of a valid JSON text starts, by its path.

    Args:
        text: A text `json.loads` accepts (call this only after it did).

    Returns:
        Path -> offset; `()` is the top value. For an object key given twice, the last wins,
        as in `json.loads`.

    Raises:
        ValueError: The text is not valid JSON after all.
        RecursionError: The text nests deeper than Python's recursion limit.
    """
    out: dict[JsonPath, int] = {}

    def skip(pos: int) -> int:
        match = _SPACE.match(text, pos)
        return match.end() if match else pos

    def value(pos: int, path: JsonPath) -> int:
        pos = skip(pos)
        out[path] = pos
        char = text[pos : pos + 1]
        if char == '"':
            return _string(text, pos)[1]
        if char == "{":
            pos = skip(pos + 1)
            if text[pos : pos + 1] == "}":
                return pos + 1
            while True:
                pos = skip(pos)
                if text[pos : pos + 1] != '"':
                    raise ValueError(f"expected a key at offset {pos}")
                key, pos = _string(text, pos)
                pos = skip(pos)
                if text[pos : pos + 1] != ":":
                    raise ValueError(f"expected ':' at offset {pos}")
                pos = skip(value(pos + 1, (*path, key)))
                if text[pos : pos + 1] == ",":
                    pos += 1
                    continue
                if text[pos : pos + 1] == "}":
                    return pos + 1
                raise ValueError(f"expected ',' or '}}' at offset {pos}")
        if char == "[":
            pos = skip(pos + 1)
            if text[pos : pos + 1] == "]":
                return pos + 1
            index = 0
            while True:
                pos = skip(value(pos, (*path, index)))
                index += 1
                if text[pos : pos + 1] == ",":
                    pos += 1
                    continue
                if text[pos : pos + 1] == "]":
                    return pos + 1
                raise ValueError(f"expected ',' or ']' at offset {pos}")
        for word in _WORDS:
            if text.startswith(word, pos):
                return pos + len(word)
        match = _NUMBER.match(text, pos)
        if match and match.end() > pos:
            return match.end()
        raise ValueError(f"unexpected {char!r} at offset {pos}")

    value(0, ())
    return out


def locate(text: str, offsets: dict[JsonPath, int], path: JsonPath) -> tuple[int, int]:
    """Line and column of the value at `path`, or of its nearest listed ancestor."""
    while path not in offsets and path:
        path = path[:-1]
    return line_column(text, offsets.get(path, 0))
