"""Changing a few values of a TOML text line by line, so the user's comments and layout stay."""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from pathlib import PurePath
from typing import Any

import tomli_w

from routmy_tui.config.validate import find_line

_HEADER_START = "["


def edit_in_place(
    text: str,
    current: Mapping[str, Any],
    updates: Mapping[str, Any],
    replace: Collection[str],
    expected: Mapping[str, Any],
) -> str | None:
    """`text` with `updates` written into it, or None when that cannot be done safely.

    Top-level values and entries of plain `[table]`s are set, added or removed one line at
    a time; anything else (nested tables, values written over several lines, dotted keys)
    gives None, and so does a result that does not read back as `expected`: the caller
    then writes the whole file anew.

    Args:
        text: The config file as it is.
        current: What `text` holds (parsed).
        updates: As for `save_config_values` (None removes a key).
        replace: Tables of `updates` written whole.
        expected: What the file must hold afterwards.
    """
    try:
        return _edit(text, current, updates, replace, expected)
    except (TypeError, ValueError):  # a value TOML cannot hold: the caller says so
        return None


def _edit(
    text: str,
    current: Mapping[str, Any],
    updates: Mapping[str, Any],
    replace: Collection[str],
    expected: Mapping[str, Any],
) -> str | None:
    changes: list[tuple[str | None, str, Any]] = []
    for key, value in updates.items():
        old = current.get(key)
        if not isinstance(value, Mapping) and not isinstance(old, dict):
            changes.append((None, key, value))
            continue
        if not isinstance(value, Mapping) or (old is not None and not isinstance(old, dict)):
            return None
        entries = dict(value)
        if key in replace:
            entries = {name: None for name in old or {}} | entries
        for name, item in entries.items():
            if isinstance(item, Mapping) or isinstance((old or {}).get(name), dict):
                return None  # a table in a table: written anew
            changes.append((key, name, item))
    result = text
    for table, name, item in changes:
        edited = _set(result, table, name, item)
        if edited is None:
            return None
        result = edited
    try:
        if tomllib.loads(result) != expected:
            return None
    except tomllib.TOMLDecodeError:
        return None
    return result


def _plain(value: Any) -> Any:
    """What TOML can hold: paths as strings, None left out of tables and arrays."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value if v is not None]
    if isinstance(value, PurePath):
        return str(value)
    return value


def _render(key: str, value: Any) -> str:
    return tomli_w.dumps({key: _plain(value)}).strip() + "\n"


def _is_header(line: str) -> bool:
    return line.lstrip().startswith(_HEADER_START)


def _set(text: str, table: str | None, key: str, value: Any) -> str | None:
    """Set, add or (value None) remove one key of the top level or of `[table]`."""
    lines = text.splitlines(keepends=True)
    number = find_line(text, table, key)
    if number is not None:
        old_line = lines[number - 1]
        try:
            if key not in tomllib.loads(old_line):  # `a.b = 1`: a dotted key, not ours
                return None
        except tomllib.TOMLDecodeError:
            return None  # the value goes on over more lines
        lines[number - 1 : number] = [] if value is None else [_keep_comment(old_line, key, value)]
        return "".join(lines)
    if value is None:
        return text
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if table is None:
        end = next((i for i, line in enumerate(lines) if _is_header(line)), len(lines))
        lines.insert(_after_content(lines, 0, end), _render(key, value))
        return "".join(lines)
    header = find_line(text, table, None)
    if header is None:
        if lines and lines[-1].strip():
            lines.append("\n")
        lines += [f"[{_render(table, 0).split(' = ')[0]}]\n", _render(key, value)]
        return "".join(lines)
    end = next(
        (i for i in range(header, len(lines)) if _is_header(lines[i])),
        len(lines),
    )
    lines.insert(_after_content(lines, header, end), _render(key, value))
    return "".join(lines)


def _keep_comment(old_line: str, key: str, value: Any) -> str:
    """The new line, with the old line's comment at its end (`model = "b"  # the usual`)."""
    new_line = _render(key, value)
    whole = tomllib.loads(old_line)
    cuts = [i for i, char in enumerate(old_line) if char == "#"]
    cut = next((i for i in cuts if _reads_as(old_line[:i], whole)), None)
    if cut is None:
        return new_line  # no comment (a # inside the value is not one)
    if new_line.count("\n") > 1:  # written over several lines: no room for it
        return new_line
    return new_line.rstrip("\n") + "  " + old_line[cut:].rstrip("\n") + "\n"


def _reads_as(text: str, value: dict[str, Any]) -> bool:
    try:
        return tomllib.loads(text) == value
    except tomllib.TOMLDecodeError:
        return False


def _after_content(lines: list[str], start: int, end: int) -> int:
    """Where a new line goes in `lines[start:end]`: after its last line that is not blank."""
    position = end
    while position > start and not lines[position - 1].strip():
        position -= 1
    return position
