"""Pilot tests of the chat screen: send, stream, stop, errors and retry."""

from __future__ import annotations

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.chat.items import UserItem
from tests.ui.helpers import (
    conversation_text,
    last_reply,
    make_app,
    screen_lines,
    send,
    view_of,
    wait_for,
)


async def test_composer_is_focused_at_start(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.focused is not None)
        assert app.focused is not None and app.focused.id == "composer"


async def test_send_streams_a_rendered_markdown_reply(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 40)) as pilot:
        await send(pilot, "Tell me about tables")
        await wait_for(pilot, lambda: any(isinstance(i, UserItem) for i in view_of(app).items))
        assert pilot.app.screen.query_one("#composer").text == ""  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        # The status line and the final full render of the text are laid out together.
        await wait_for(pilot, lambda: "finish: stop" in conversation_text(app))
        text = conversation_text(app)
        assert "Tell me about tables" in text
        reply = last_reply(app).reply
        assert reply.content
        # Markdown is rendered: the fences and table pipes of the source are not shown raw.
        assert "```" not in text
        assert "tokens" in text and "finish: stop" in text


async def test_conversation_text_is_what_the_view_draws(demo_server: DemoServer) -> None:
    """The helper the other tests read replies with wraps lines as the screen does, and
    leaves the view's layouts as they were."""
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(90, 30)) as pilot:
        await send(pilot, "Tell me about wrapping long paragraphs")
        await wait_for(pilot, lambda: "finish: stop" in conversation_text(app))
        view = view_of(app)
        on_screen = [line for line in screen_lines(app) if line]
        assert len(on_screen) > 10
        text = conversation_text(app).splitlines()
        start = text.index(on_screen[0])
        assert [line for line in text[start:] if line][: len(on_screen)] == on_screen
        assert all(item.is_laid_out(view.item_width) for item in view.items)


async def test_escape_stops_and_keeps_what_arrived(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url, model="demo/slow")
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "A long answer please")
        await wait_for(pilot, lambda: len(last_reply(app).reply.content) > 20)
        await pilot.press("escape")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "stopped")
        kept = last_reply(app).reply.content
        assert kept
        # Once the reply's worker has ended, nothing more can arrive.
        await wait_for(pilot, lambda: all(w.is_finished for w in app.workers if w.group == "reply"))
        assert last_reply(app).reply.content == kept
        assert "stopped" in conversation_text(app)


async def test_error_is_shown_on_the_reply_and_retry_works(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "Please fail fault:status=400")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "error")
        text = conversation_text(app)
        assert "HTTP 400" in text
        assert "error_id" in text
        assert "ctrl+r to retry" in text
        # The draft box is usable and the message is still there.
        assert "Please fail fault:status=400" in text
        await pilot.press("ctrl+r")
        # The new try replaces the failed reply on screen; the failed one is kept as version 1/2.
        await wait_for(pilot, lambda: last_reply(app).siblings == (2, 2))
        assert len(view_of(app).items) == 2
        await wait_for(pilot, lambda: last_reply(app).reply.status == "error")


async def test_mid_stream_disconnect_keeps_partial_reply(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "hello fault:disconnect")
        await wait_for(pilot, lambda: last_reply(app).reply.status in ("interrupted", "error"))
        reply = last_reply(app).reply
        assert reply.status == "interrupted"
        assert reply.content
        assert "interrupted" in conversation_text(app)


async def test_escape_sequences_in_replies_are_shown_harmlessly(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "show me fault:escape")
        await wait_for(pilot, lambda: "finish: stop" in conversation_text(app))
        text = conversation_text(app)
        assert "\x1b" not in text and "\x07" not in text and "\x08" not in text
        assert "␛" in text


async def test_notifications_show_server_text_as_is(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        app.notify("[bold]not markup[/] and [/] \x1b[2J")
        await wait_for(pilot, lambda: len(app._notifications) > 0)
        shown = [n.message for n in app._notifications]
        assert shown == ["[bold]not markup[/] and [/] ␛[2J"]


async def test_the_view_follows_the_bottom_until_the_user_scrolls_up(
    demo_server: DemoServer,
) -> None:
    app = make_app(demo_server.base_url, params={"extra": {"demo_tps": 60, "demo_tokens": 3000}})
    async with app.run_test(size=(100, 24)) as pilot:
        await send(pilot, "A long answer, please")
        view = view_of(app)
        try:
            await wait_for(pilot, lambda: view.max_scroll_y > 5, timeout=20)
        except AssertionError:  # seen once in a serial CI run, never again: say what was on
            items = [type(item).__name__ for item in view.items]
            reply = last_reply(app).reply if "AssistantItem" in items else None
            state = (reply.status, reply.error, len(reply.content)) if reply else None
            raise AssertionError(f"no scrolling: {items} {state} {screen_lines(app)}") from None
        assert view.follow and view.scroll_y == view.max_scroll_y
        view.focus()
        await pilot.press("pageup")
        held = view.scroll_y
        assert not view.follow and held < view.max_scroll_y
        grown = view.max_scroll_y
        await wait_for(pilot, lambda: view.max_scroll_y > grown + 2, timeout=20)
        assert view.scroll_y == held  # reading earlier text is not interrupted
        await pilot.press("end")
        await wait_for(pilot, lambda: view.scroll_y == view.max_scroll_y)
        assert view.follow
        grown = view.max_scroll_y
        await wait_for(pilot, lambda: view.max_scroll_y > grown + 1, timeout=20)
        assert view.scroll_y == view.max_scroll_y  # the growth and the scroll are one step
        controller = app.screen.controller  # type: ignore[attr-defined]
        controller.stop()


async def test_the_palette_has_every_command_the_issues_name(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        titles = {command.title for command in app.get_system_commands(app.screen)}
    assert {
        "New conversation",
        "Conversations",
        "Export conversation",
        "Import conversation",
        "Select model",
        "Refresh models",
        "Parameters",
        "System prompt",
        "Toggle inspector",
        "Copy as curl",
        "Copy request JSON",
        "Copy response JSON",
        "Replay request",
    } <= titles
