"""PgUp/PgDn typed in the composer page the conversation, unless the draft needs them."""

from __future__ import annotations

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.chat.composer import Composer
from tests.ui.helpers import last_reply, make_app, send, view_of, wait_for


async def test_page_keys_in_a_short_draft_page_the_conversation_during_a_reply(
    demo_server: DemoServer,
) -> None:
    """While a long reply streams, PgUp in the composer (the draft fits its box) moves the
    conversation up a screen and it stays there; PgDn comes back down; the draft is kept."""
    app = make_app(demo_server.base_url, params={"extra": {"demo_tps": 400, "demo_tokens": 50_000}})
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "Write a long technical document")
        view, reply = view_of(app), last_reply(app)
        await wait_for(pilot, lambda: view.max_scroll_y > 3 * view.size.height, timeout=30)
        composer = app.query_one(Composer)
        composer.focus()
        await pilot.press("h", "i")
        before = view.scroll_y
        await pilot.press("pageup")
        await wait_for(pilot, lambda: not view.follow and view.scroll_y < before - 10)
        up = view.scroll_y
        grown = view.max_scroll_y
        await wait_for(pilot, lambda: view.max_scroll_y > grown + 10, timeout=30)  # streams on
        assert reply.active and view.scroll_y == up  # read back where it was, not pulled down
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: view.scroll_y > up + 10)
        assert composer.text == "hi" and app.focused is composer
        await pilot.press("escape")
        await wait_for(pilot, lambda: not reply.active, timeout=30)


async def test_page_keys_in_a_draft_taller_than_its_box_page_the_draft(
    demo_server: DemoServer,
) -> None:
    app = make_app(demo_server.base_url, params={"extra": {"demo_tps": 0, "demo_tokens": 3_000}})
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "Write a long technical document")
        view, reply = view_of(app), last_reply(app)
        await wait_for(pilot, lambda: not reply.active, timeout=30)
        await wait_for(pilot, lambda: view.max_scroll_y > 0 and view.scroll_y == view.max_scroll_y)
        composer = app.query_one(Composer)
        composer.focus()
        composer.text = "\n".join(f"line {n}" for n in range(40))
        composer.move_cursor((39, 0))
        await wait_for(pilot, lambda: composer.max_scroll_y > 0)
        await pilot.press("pageup")
        await wait_for(pilot, lambda: composer.cursor_location[0] < 39)
        assert view.follow and view.scroll_y == view.max_scroll_y  # the conversation stayed


async def test_page_up_with_everything_on_screen_keeps_following_the_reply(
    demo_server: DemoServer,
) -> None:
    """PgUp when the conversation fits on screen moves nothing, so it must not stop the
    following: the reply that then outgrows the screen is still followed to its end."""
    app = make_app(demo_server.base_url, params={"extra": {"demo_tps": 60, "demo_tokens": 3_000}})
    async with app.run_test(size=(100, 24)) as pilot:
        await send(pilot, "Write a long technical document")
        view, reply = view_of(app), last_reply(app)
        composer = app.query_one(Composer)
        await wait_for(pilot, lambda: app.focused is composer)
        assert view.max_scroll_y == 0, "make the reply slower: it must fit when PgUp comes"
        await pilot.press("pageup")
        await wait_for(pilot, lambda: view.max_scroll_y > view.size.height, timeout=30)
        assert view.follow
        await wait_for(pilot, lambda: view.scroll_y == view.max_scroll_y)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not reply.active, timeout=30)
