"""make_safe keeps terminal control out of displayed text; truncate_middle shortens."""

from __future__ import annotations

import pytest

from routmy_tui.core.text import make_safe, truncate_middle


def test_plain_text_is_returned_unchanged_and_not_copied() -> None:
    text = "Hello\n\tworld — é 世界 🎉 \u2028"
    assert make_safe(text) is text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "␛[31mred␛[0m"),
        ("bell\x07", "bell␇"),
        ("back\x08space", "back␈space"),
        ("carriage\rreturn", "carriage␍return"),
        ("nul\x00", "nul␀"),
        ("del\x7f", "del␡"),
        ("csi\x9b31m", "csi\\x9b31m"),
        ("c1 \x80 \x9f", "c1 \\x80 \\x9f"),
        ("\x1b]0;title\x07", "␛]0;title␇"),
        ("keep\nnew\tlines", "keep\nnew\tlines"),
    ],
)
def test_controls_become_visible(raw: str, shown: str) -> None:
    assert make_safe(raw) == shown


def test_every_control_character_is_replaced() -> None:
    controls = [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) not in "\n\t"]
    safe = make_safe("".join(controls))
    assert not any(ch in safe for ch in controls)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("abcdefghij", 10, "abcdefghij"),
        ("abcdefghijk", 5, "ab…jk"),
        ("abcdefghijk", 6, "abc…jk"),
        ("abcdef", 2, "a…"),
        ("abcdef", 1, "a"),
        ("abcdef", 0, ""),
    ],
)
def test_truncate_middle(text: str, limit: int, expected: str) -> None:
    result = truncate_middle(text, limit)
    assert result == expected
    assert len(result) <= max(limit, 0)
