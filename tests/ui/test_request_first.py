"""A request leaves before the screen draws again (`request_first.hold_frames`)."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from routmy_tui.conversation.events import Event, TurnAdded
from routmy_tui.core.chat_run import ChatRun
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.request_first import frames_held, hold_frames
from tests.ui.helpers import (
    conversation_text,
    last_reply,
    make_app,
    send,
    view_of,
    wait_for,
)


class Counter(App[None]):
    """Counts the frames it would draw."""

    def __init__(self) -> None:
        super().__init__()
        self.frames = 0

    def compose(self) -> ComposeResult:
        yield Static("before", id="text")

    def _display(self, screen: Any, renderable: Any) -> None:
        if renderable is not None and not self._batch_count:
            self.frames += 1
        super()._display(screen, renderable)


async def test_frames_wait_until_released() -> None:
    app = Counter()
    async with app.run_test() as pilot:
        await pilot.pause()
        release = hold_frames(app, at_most=30.0)
        frames = app.frames
        app.query_one("#text", Static).update("after")
        await pilot.pause(0.1)
        assert app.frames == frames  # changed, not drawn
        release()
        release()  # a second call changes nothing
        await wait_for(pilot, lambda: app.frames > frames)
        assert app._batch_count == 0


async def test_frames_wait_at_most_the_limit() -> None:
    app = Counter()
    async with app.run_test() as pilot:
        await pilot.pause()
        release = hold_frames(app, at_most=0.05)
        frames = app.frames
        app.query_one("#text", Static).update("after")
        await wait_for(pilot, lambda: app.frames > frames, timeout=2.0)
        assert app._batch_count == 0
        release()  # after the limit: nothing left to release
        assert app._batch_count == 0


async def test_a_sent_message_holds_frames_until_its_request_is_written(
    demo_server: DemoServer, monkeypatch: Any
) -> None:
    held_when: dict[str, int] = {}
    real_trace = ChatRun._trace

    async def trace(self: ChatRun, name: str, info: dict[str, Any]) -> None:
        if name.endswith(".send_request_body.complete"):
            held_when["written"] = app._batch_count
        await real_trace(self, name, info)

    monkeypatch.setattr(ChatRun, "_trace", trace)
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "history_started", False))

        def added(event: Event) -> None:
            if isinstance(event, TurnAdded) and event.turn.role == "assistant":
                held_when["reply added"] = app._batch_count

        app.screen.conversation.subscribe(added)  # type: ignore[attr-defined]
        await send(pilot, "hello")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        assert held_when["written"] >= 1  # nothing was drawn in between
        assert app._batch_count == 0  # ...and frames went on after it
        assert "hello" in last_reply(app).reply.content


async def test_a_request_that_never_leaves_does_not_hold_frames() -> None:
    app = make_app("http://127.0.0.1:9/v1", api_key="sk-test-not-real", max_retries=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "hello")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "error")
        await pilot.pause()
        assert app._batch_count == 0
        assert "hello" in conversation_text(app)  # the message stays, with its error


async def test_the_footer_keys_wait_while_a_request_is_on_its_way(
    demo_server: DemoServer,
) -> None:
    """Building the footer's keys (11 ms the first time) ran while a message sent at the
    first frame waited to be written: while frames are held, the footer waits too."""
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(160, 30)) as pilot:
        await send(pilot, "hello")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        await wait_for(pilot, lambda: "Inspector" in footer_keys(app))
        assert "Regenerate" not in footer_keys(app)  # the composer has the focus
        release = hold_frames(app, at_most=30.0)
        assert frames_held(app)
        view_of(app).focus()  # the conversation's own keys come with its focus
        await pilot.pause(0.3)
        assert "Regenerate" not in footer_keys(app)
        release()
        assert not frames_held(app)
        await wait_for(pilot, lambda: "Regenerate" in footer_keys(app))


def footer_keys(app: Any) -> set[str]:
    """The descriptions of the keys the footer shows."""
    return {key.description for key in app.screen.query(FooterKey)}
