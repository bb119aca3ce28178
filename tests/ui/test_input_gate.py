"""The input gate opens once the frame with the key's change is written, not just any frame."""

from __future__ import annotations

from typing import Any

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.chat.composer import Composer
from routmy_tui.ui.chat.live_stream import InputGate
from tests.ui.helpers import make_app, wait_for


class Handler:
    """A focused widget as the gate sees it (Textual's flags, the composer's stamps)."""

    def __init__(self) -> None:
        self._repaint_required = False
        self.repaint_due_at = 0.0
        self.painted_at = 0.0

    def call_later(self, callback: Any, *args: Any) -> bool:
        callback(*args)  # handled at once
        return True


def test_a_frame_before_the_handler_drew_its_change_does_not_open_the_gate() -> None:
    gate, handler = InputGate(), Handler()
    gate.input_sent()
    handler._repaint_required = True  # the key asked for a repaint, still in Textual's queues
    gate.input_came(handler)  # type: ignore[arg-type]
    assert gate.closed
    gate.frame_written()  # an update that had begun before the change reached it
    assert gate.closed
    handler._repaint_required = False
    handler.repaint_due_at = 2.0  # asked after it last drew (painted_at 0)
    gate.frame_written()
    assert gate.closed
    handler.painted_at = 3.0  # drawn in this frame
    gate.frame_written()
    assert not gate.closed


def test_a_handler_with_nothing_to_draw_opens_at_the_next_frame() -> None:
    gate, handler = InputGate(), Handler()
    gate.input_sent()
    gate.input_came(handler)  # type: ignore[arg-type]
    gate.frame_written()
    assert not gate.closed


async def test_the_composer_says_when_a_key_asked_to_draw_and_when_it_drew(
    demo_server: DemoServer,
) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        composer = app.query_one(Composer)
        await wait_for(pilot, lambda: composer.painted_at > 0)
        await pilot.press("x")
        asked = composer.repaint_due_at
        assert asked > 0
        await wait_for(pilot, lambda: composer.painted_at >= asked)
