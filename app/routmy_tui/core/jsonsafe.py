"""JSON parsing with a depth limit: deep nesting is a clear decode error, never a RecursionError."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MAX_DEPTH", "JsonTooDeep", "loads_bounded"]

MAX_DEPTH = 128
"""The deepest nesting of arrays and objects accepted (real payloads stay far below it)."""

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class JsonTooDeep(json.JSONDecodeError):
    """JSON nested deeper than the limit (a `JSONDecodeError`, so existing handlers catch it)."""


def loads_bounded(text: str | bytes, *, max_depth: int = MAX_DEPTH, **options: Any) -> Any:
    """Parse JSON like `json.loads`, refusing input nested deeper than `max_depth`.

    Python's parser recurses once per level and raises `RecursionError` near 1,000 levels,
    which handlers of `JSONDecodeError`/`ValueError` do not catch; values a little less deep
    parse but then break whatever walks them (pretty printers, encoders). Here both become a
    `JsonTooDeep` saying where the nesting went too deep. The caller still has the raw text.

    Args:
        text: JSON text (bytes are decoded as `json.loads` does).
        max_depth: Most nested arrays/objects accepted.
        **options: Passed on to `json.loads` (e.g. `parse_constant`).

    Returns:
        The decoded value.

    Raises:
        json.JSONDecodeError: The text is not JSON, or (as `JsonTooDeep`) is nested too deep.
    """
    try:
        value = json.loads(text, **options)
    except RecursionError:
        raise _too_deep(text, max_depth) from None
    if isinstance(text, bytes):
        opening = text.count(b"[") + text.count(b"{")
    else:
        opening = text.count("[") + text.count("{")
    # Cheap common case: too few brackets in the whole text to reach the limit.
    if opening > max_depth and _deeper_than(value, max_depth):
        raise _too_deep(text, max_depth)
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether a decoded value nests more than `limit` containers (iterative, no recursion)."""
    if not isinstance(value, (dict, list)):
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


def _too_deep(text: str | bytes, limit: int) -> JsonTooDeep:
    """The error for text nested deeper than `limit`, pointing at the first place it does."""
    doc = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    depth = 0
    position = 0
    for match in _TOKENS.finditer(doc):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                position = match.start()
                break
        elif token in ("]", "}"):
            depth -= 1
    return JsonTooDeep(f"nested deeper than {limit} levels", doc, position)
