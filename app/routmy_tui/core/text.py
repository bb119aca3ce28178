"""Text helpers: make model output safe for a terminal, shorten long strings."""

from __future__ import annotations

import json
import re

__all__ = ["has_surrogates", "make_safe", "replace_surrogates", "truncate_middle"]

# C0 controls except TAB and LF, DEL, C1 controls (ESC's 8-bit twin U+009B is a CSI), the
# bidi embeddings, overrides and isolates that reorder what follows them ("Trojan Source"),
# and lone surrogates (valid in JSON text as "\ud800", but no terminal can encode them).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        if chr(code) not in "\n\t":
            table[code] = chr(0x2400 + code)  # Unicode Control Pictures: ␛ for ESC, ␇ for BEL
    table[0x7F] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):
        table[code] = f"\\x{code:02x}"
    for code in _BIDI:
        table[code] = f"<U+{code:04X}>"
    for code in range(0xD800, 0xE000):
        table[code] = "\ufffd"
    return table


_TABLE = _build_table()


def make_safe(text: str) -> str:
    """Replace terminal control characters with visible stand-ins.

    Model output, tool arguments and error bodies are text, never terminal control: C0
    controls other than newline and tab (ESC, BEL, BS, CR...) become Unicode Control
    Pictures (ESC -> "␛"), DEL becomes "␡", C1 controls become escapes like "\\x9b", bidi
    overrides and isolates (U+202A-U+202E, U+2066-U+2069) become "<U+202E>", and lone
    surrogates become U+FFFD.

    Args:
        text: Any text.

    Returns:
        The same text when it has no control characters (the common case, checked by one
        regex scan), else a copy with each one replaced.
    """
    if _UNSAFE.search(text) is None:
        return text
    return text.translate(_TABLE)


def truncate_middle(text: str, limit: int, marker: str = "…") -> str:
    """Shorten text to at most `limit` characters by cutting out its middle.

    Args:
        text: Any text.
        limit: The most characters to return (values below 1 give "").
        marker: What stands in for the part cut out.

    Returns:
        `text` itself when short enough, else its head, the marker and its tail.
    """
    if len(text) <= limit:
        return text
    if limit <= len(marker):
        return text[: max(limit, 0)]
    keep = limit - len(marker)
    head = (keep + 1) // 2
    tail = keep - head
    return text[:head] + marker + (text[-tail:] if tail else "")


def has_surrogates(text: str) -> bool:
    """Whether text holds a lone surrogate (it cannot be encoded as UTF-8)."""
    return _SURROGATE.search(text) is not None


def replace_surrogates(text: str) -> str:
    """Text with each lone surrogate replaced by U+FFFD (the same text when there is none)."""
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub("\ufffd", text)


def json_error(exc: json.JSONDecodeError) -> str:
    """Where and why JSON did not parse, said once: "Unterminated string at line 3 column 5".

    Python's messages end in "starting at" for some errors; "at line" is not repeated then.
    """
    reason = exc.msg.removesuffix(" starting at").removesuffix(" at")
    return f"{reason} at line {exc.lineno} column {exc.colno}"
