"""End to end: `routmy-tui --demo --tools examples` in tmux, a tool call answered by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.tmux import Tmux, app_command

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def test_ask_about_an_order_answer_the_call_read_the_reply(isolated_env: Path) -> None:
    session = Tmux("routmy-e2e-tools")
    session.start(app_command("--demo --tools examples"))
    try:
        screen = session.wait_for("active: 2 tools")
        session.type("Where is order 123?")
        session.wait_for('Result for get_order(order_id="123") · 1 of 1')
        # A frame can be caught half written: wait for each part rather than read one capture.
        session.wait_for("⚙ get_order")
        session.wait_for("finish: tool_calls")
        session.type('{"status": "shipped", "eta": "tomorrow"}')
        # The answer shows as a tool result (not a user message) at once; the reply after it
        # can push it off a small screen, so look before the reply ends.
        session.wait_for("tool result")
        session.wait_for("The tool get_order returned:")
        session.wait_for("That is everything the tools told me.")
        screen = session.wait_for('"status": "shipped"')
        assert "Result for" not in screen  # the answer box is gone once all calls are answered
    finally:
        session.run("kill-server")
