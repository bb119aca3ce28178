"""The status line of a streaming reply blames the server only when the app kept up."""

from __future__ import annotations

import time

from routmy_tui.core.types import Reply
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.items import BUSY_GAP


def _streaming(silent_for: float) -> AssistantItem:
    item = AssistantItem("demo/chat", Reply(status="streaming"))
    now = time.monotonic()
    item.run.first_token = now - silent_for - 1
    item.run.last_activity = now - silent_for
    return item


def test_a_silent_server_is_named_when_the_app_kept_up() -> None:
    item = _streaming(silent_for=5)
    item.status_text()  # status lines come a few times a second while the app keeps up
    assert "server silent 5s" in item.status_text()


def test_the_server_is_not_blamed_when_the_app_itself_was_behind() -> None:
    item = _streaming(silent_for=5)
    item.status_text()
    # The app then spent longer than BUSY_GAP without drawing a status line (a long layout):
    # nothing was read meanwhile, so the silence is the app's, not the server's.
    item._status_at -= BUSY_GAP + 4
    assert "server silent" not in item.status_text()
    assert "streaming" in item.status_text()
