"""Short, safe renderings of decoded JSON values for notes and error messages."""

from __future__ import annotations

import json
from typing import Any

from routmy_tui.core.text import truncate_middle

__all__ = ["dump_json", "short_json"]


def dump_json(value: Any) -> str:
    """A value as JSON text, or its repr when it is not JSON-serialisable."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def short_json(value: Any) -> str:
    """A value as JSON text cut in the middle to about 80 characters (for notes)."""
    return truncate_middle(dump_json(value), 80)
