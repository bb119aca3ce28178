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


@pytest.mark.parametrize(
    "mark", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069"]
)
def test_bidi_overrides_and_isolates_become_visible(mark: str) -> None:
    shown = make_safe(f"abc{mark}def")
    assert mark not in shown
    assert shown == f"abc<U+{ord(mark):04X}>def"


def test_lone_surrogates_become_replacement_characters() -> None:
    shown = make_safe("a\ud800b\udfffc")
    assert shown == "a\ufffdb\ufffdc"
    shown.encode("utf-8")  # a terminal can take it


def test_right_to_left_text_itself_is_left_alone() -> None:
    text = "שלום مرحبا \u200f"
    assert make_safe(text) is text
