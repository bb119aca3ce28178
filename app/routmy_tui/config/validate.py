"""Type checks for config-file values; problems name keys and types, never values."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Final

from routmy_tui.core.request import check_params

MISSING: Final = object()
"""Returned by a check when the value is unusable and the key must be ignored."""

CAPABILITY_NAMES = ("vision", "image_out", "tools", "reasoning")
"""Capabilities a `[model_overrides."id"]` table may set (mirrors `core.catalog.Capability`)."""

Check = Callable[[str, Any], tuple[Any, list[str]]]


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of each secret in `text` with `***`."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def _kind(value: Any) -> str:
    """A TOML-ish name for the type of a value (never the value itself)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _wrong(key: str, expected: str, value: Any) -> str:
    return f"setting {key!r} should be {expected}, not {_kind(value)}; ignored"


def _string(key: str, value: Any) -> tuple[Any, list[str]]:
    if isinstance(value, str):
        return value, []
    return MISSING, [_wrong(key, "a string", value)]


def _boolean(key: str, value: Any) -> tuple[Any, list[str]]:
    if isinstance(value, bool):
        return value, []
    return MISSING, [_wrong(key, "true or false", value)]


def _count(key: str, value: Any) -> tuple[Any, list[str]]:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value, []
    return MISSING, [_wrong(key, "a whole number of 0 or more", value)]


def _seconds(key: str, value: Any) -> tuple[Any, list[str]]:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value), []
    return MISSING, [_wrong(key, "a number of seconds above 0", value)]


def _optional_seconds(key: str, value: Any) -> tuple[Any, list[str]]:
    # TOML has no null: 0 or false means "no limit".
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if value is False or (is_number and value == 0):
        return None, []
    return _seconds(key, value)


def _table(key: str, value: Any) -> tuple[Any, list[str]]:
    if isinstance(value, dict):
        return dict(value), []
    return MISSING, [_wrong(key, "a table", value)]


def _params(key: str, value: Any) -> tuple[Any, list[str]]:
    if not isinstance(value, dict):
        return MISSING, [_wrong(key, "a table", value)]
    good, bad = check_params(value)
    problems = [_wrong(f"{key}.{name}", expected, value[name]) for name, expected in bad]
    good, out_of_range = _in_range(key, good)
    return good, problems + out_of_range


def _string_table(key: str, value: Any) -> tuple[Any, list[str]]:
    if not isinstance(value, dict):
        return MISSING, [_wrong(key, "a table", value)]
    out: dict[str, str] = {}
    problems: list[str] = []
    for name, item in value.items():
        if isinstance(item, str):
            out[name] = item
        else:
            problems.append(_wrong(f"{key}.{name}", "a string", item))
    return out, problems


def _presets(key: str, value: Any) -> tuple[Any, list[str]]:
    if not isinstance(value, dict):
        return MISSING, [_wrong(key, "a table of tables", value)]
    out: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for name, item in value.items():
        checked, item_problems = _params(f"{key}.{name}", item)
        problems.extend(item_problems)
        if checked is not MISSING:
            out[name] = checked
    return out, problems


def _string_list(key: str, value: Any) -> tuple[Any, list[str]]:
    if not isinstance(value, list):
        return MISSING, [_wrong(key, "an array of strings", value)]
    good = [item for item in value if isinstance(item, str)]
    if len(good) != len(value):
        return good, [f"setting {key!r} should hold only strings; other items ignored"]
    return good, []


def _model_overrides(key: str, value: Any) -> tuple[Any, list[str]]:
    if not isinstance(value, dict):
        return MISSING, [_wrong(key, "a table of tables", value)]
    out: dict[str, dict[str, bool]] = {}
    problems: list[str] = []
    for model_id, table in value.items():
        where = f"{key}.{model_id!r}"
        if not isinstance(table, dict):
            problems.append(_wrong(where, "a table", table))
            continue
        flags: dict[str, bool] = {}
        for capability, flag in table.items():
            if capability not in CAPABILITY_NAMES:
                known = ", ".join(CAPABILITY_NAMES)
                problems.append(f"unknown capability {capability!r} in {where} (known: {known})")
            elif not isinstance(flag, bool):
                problems.append(_wrong(f"{where}.{capability}", "true or false", flag))
            else:
                flags[capability] = flag
        out[model_id] = flags
    return out, problems


IMAGE_LIMITS: dict[str, tuple[int, int, str]] = {
    "image_max_side": (64, 8192, "pixels"),
    "image_max_mb": (1, 200, "MB"),
}
"""Picture limits: (lowest, highest, unit)."""


def limit_expected(key: str) -> str:
    """What a picture limit must be, in words: `a whole number of pixels from 64 to 8192`."""
    low, high, unit = IMAGE_LIMITS[key]
    return f"a whole number of {unit} from {low} to {high}"


def _image_limit(key: str, value: Any) -> tuple[Any, list[str]]:
    low, high, _unit = IMAGE_LIMITS[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return MISSING, [_wrong(key, limit_expected(key), value)]
    return value, []


FILE_FIELDS: dict[str, Check] = {
    "base_url": _string,
    "api_key": _string,
    "model": _string,
    "demo": _boolean,
    "data_dir": _string,
    "cache_dir": _string,
    "theme": _string,
    "resume_last": _boolean,
    "stream": _boolean,
    "max_retries": _count,
    "connect_timeout": _seconds,
    "read_timeout": _optional_seconds,
    "keymap": _string_table,
    "params": _params,
    "presets": _presets,
    "system_prompt": _string,
    "system_prompts": _string_table,
    "favourite_models": _string_list,
    "model_overrides": _model_overrides,
    "image_max_side": _image_limit,
    "image_max_mb": _image_limit,
    "render_limit": _count,
    "confirm_regenerate": _boolean,
    "confirm_replay": _boolean,
}
"""Settings the config file may hold, each with its check."""


def check_value(key: str, value: Any) -> tuple[Any, list[str]]:
    """Check one config-file value.

    Returns:
        (the usable value or `MISSING`, problems). Tables keep their good entries.
    """
    return FILE_FIELDS[key](key, value)


PARAM_RANGES: dict[str, tuple[float | None, float | None, bool]] = {
    "temperature": (0, 2, False),
    "top_p": (0, 1, False),
    "presence_penalty": (-2, 2, False),
    "frequency_penalty": (-2, 2, False),
    "max_tokens": (1, None, True),
    "max_output_tokens": (1, None, True),
    "top_k": (0, None, True),
    "seed": (None, None, True),
}
"""Default parameters with a known range: (lowest, highest, whole numbers only)."""


def _describe_range(low: float | None, high: float | None, whole: bool) -> str:
    kind = "a whole number" if whole else "a number"
    if low is not None and high is not None:
        return f"{kind} from {low:g} to {high:g}"
    if low is not None:
        return f"{kind} of {low:g} or more"
    return kind


def _in_range(key: str, value: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Known parameters out of their range are dropped (the default is kept)."""
    out: dict[str, Any] = {}
    problems: list[str] = []
    for name, item in value.items():
        limits = PARAM_RANGES.get(name)
        if limits is not None:
            low, high, whole = limits
            number = isinstance(item, int | float) and not isinstance(item, bool)
            fits = (
                number
                and (not whole or isinstance(item, int))
                and (low is None or item >= low)
                and (high is None or item <= high)
            )
            if not fits:
                expected = _describe_range(low, high, whole)
                problems.append(f"setting '{key}.{name}' should be {expected}; ignored")
                continue
        out[name] = item
    return out, problems


_HEADER_RE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY_RE = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")
_TABLE_KEY_IN_PROBLEM_RE = re.compile(
    r"'([A-Za-z0-9_]+)\.([A-Za-z0-9_-]+)'|\b([a-z_]+)\.([A-Za-z0-9_-]+)\b"
)
_KEY_IN_PROBLEM_RE = re.compile(r"(?:setting|capability) '([A-Za-z0-9_-]+)'")


def find_line(text: str, table: str | None, key: str | None) -> int | None:
    """The line (from 1) of `key` in `[table]` (None: the top level) of a TOML text.

    With `key` None, the line of the table's header. tomllib gives no positions, so the
    text is scanned: good enough for the plain files people write by hand.
    """
    current: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER_RE.match(line)
        if header:
            current = header.group(1).strip()
            if key is None and current == table:
                return number
            continue
        if key is None or current != table:
            continue
        found = _KEY_RE.match(line)
        if found and found.group(1).strip("\"'") == key:
            return number
    if key is not None and table is None:
        return find_line(text, key, None)  # `[key]` written as a table
    return None


def locate_problem(text: str, key: str, problem: str) -> int | None:
    """The line a problem about top-level `key` points at (its entry, else the key)."""
    found = _TABLE_KEY_IN_PROBLEM_RE.search(problem)
    if found:
        table, name = (found.group(1), found.group(2)) if found.group(1) else found.group(3, 4)
        if table == key:
            line = find_line(text, table, name)
            if line is not None:
                return line
    return find_line(text, None, key)
