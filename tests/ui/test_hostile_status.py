"""Server text in status lines never reaches the terminal as control sequences."""

from __future__ import annotations

from rich.console import Console

from routmy_tui.core.types import Reply
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.items import Palette

HOSTILE = (
    "\x1b]52;c;ZWNobyBwd25lZA==\x1b\\"  # OSC 52 clipboard write ended by ST
    "\x1b]0;title\x07"  # OSC 0 window title ended by BEL
    "\x1b[2J"  # CSI clear screen
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\"  # OSC 8 hyperlink
    "\x9b2J\x07\x08"  # 8-bit CSI, bell, backspace
)


def _drawn(item: AssistantItem) -> str:
    console = Console(width=100)
    height = item.layout(console, 100, Palette())
    return "\n".join("".join(seg.text for seg in item.line(i)) for i in range(height))


def test_a_retry_note_from_a_server_error_is_drawn_harmlessly() -> None:
    item = AssistantItem("demo/chat", Reply(status="streaming"))
    item.run.retry_note = f"HTTP 429: {HOSTILE} — retry 1 of 3 in 2.0s"
    drawn = _drawn(item)
    assert "retry 1 of 3" in drawn
    for bad in ("\x1b", "\x07", "\x08", "\x9b"):
        assert bad not in drawn
    assert "␛]52;c;" in drawn  # shown, as visible stand-ins
