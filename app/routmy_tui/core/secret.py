"""A wrapper that keeps the API key out of reprs, logs and tracebacks."""

from __future__ import annotations


class Secret:
    """A secret string that never shows itself by accident.

    `repr()` and `str()` mask the value, so a traceback that shows locals, a log line
    or a debug print cannot reveal it; call `reveal()` where the real value is needed.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
