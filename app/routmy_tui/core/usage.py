"""Token usage of a reply, parsed from whatever fields the server sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _float_or_none(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


@dataclass
class Usage:
    """Token usage of one reply; every field may be missing.

    Attributes:
        prompt_tokens: Input tokens.
        completion_tokens: Output tokens.
        total_tokens: Their sum as the server reported it.
        cost: `usage.cost` when the server sends it (credits or USD).
        cached_tokens: `prompt_tokens_details.cached_tokens`.
        reasoning_tokens: `completion_tokens_details.reasoning_tokens`.
        raw: The usage object as received.
    """

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    cost: float | None = None
    cached_tokens: int | None = None
    reasoning_tokens: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, data: Any) -> Usage | None:
        """Build from a `usage` object; None when it is not an object."""
        if not isinstance(data, dict):
            return None
        prompt_details = data.get("prompt_tokens_details")
        completion_details = data.get("completion_tokens_details")
        prompt = _int_or_none(data.get("prompt_tokens"))
        completion = _int_or_none(data.get("completion_tokens"))
        total = _int_or_none(data.get("total_tokens"))
        if total is None and prompt is not None and completion is not None:
            total = prompt + completion
        return cls(
            prompt_tokens=prompt,
            completion_tokens=completion,
            total_tokens=total,
            cost=_float_or_none(data.get("cost")),
            cached_tokens=_int_or_none(prompt_details.get("cached_tokens"))
            if isinstance(prompt_details, dict)
            else None,
            reasoning_tokens=_int_or_none(completion_details.get("reasoning_tokens"))
            if isinstance(completion_details, dict)
            else None,
            raw=data,
        )

    def quota_cost(self, multiplier: float | None) -> float | None:
        """rout.my quota spent: total tokens times the model's `token_multiplier`."""
        if multiplier is None or self.total_tokens is None:
            return None
        return self.total_tokens * multiplier
