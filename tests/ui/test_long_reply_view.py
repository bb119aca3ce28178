"""A long reply is drawn near the viewport only: scrolling through it shows what a full render
shows, the view holds still while the rest is measured, and the scroll bar comes to size."""

from __future__ import annotations

from rich.console import Console

from tests.conftest import DemoServer
from tests.ui.helpers import last_reply, make_app, screen_lines, send, view_of, wait_for
from tests.ui.markdown_gen import full_render

PROMPT = "Write a long technical document"
PARAMS = {"extra": {"demo_tps": 0, "demo_tokens": 20_000}}


def rendered(text: str, width: int) -> list[str]:
    """The reply's Markdown rendered whole, as plain lines (the independent reference)."""
    console = Console(width=width, color_system="truecolor")
    return [
        "".join(text for text, _ in line).rstrip() for line in full_render(text, width, console)
    ]


def is_part_of(shown: list[str], whole: list[str]) -> bool:
    """Whether the lines on screen are a run of consecutive lines of `whole`."""
    return any(whole[i : i + len(shown)] == shown for i in range(len(whole) - len(shown) + 1))


async def test_scrolling_up_a_long_reply_shows_a_full_render_and_holds_still(
    demo_server: DemoServer,
) -> None:
    app = make_app(demo_server.base_url, params=PARAMS)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, PROMPT)
        view = view_of(app)
        reply = last_reply(app)
        await wait_for(pilot, lambda: not reply.active and not reply.pending, timeout=120)
        assert reply.unmeasured, "the reply was measured before the test could scroll"
        whole = rendered(reply.reply.content, view.item_width)
        view.focus()

        async def check(*keys: str) -> list[str]:
            await pilot.press(*keys)
            await wait_for(pilot, lambda: not reply.pending)
            await pilot.pause()
            shown = screen_lines(app)
            if keys[0] == "home":  # the reply starts under its label
                label = next(i for i, line in enumerate(shown) if line.startswith("assistant"))
                shown = shown[label + 1 :]
            assert is_part_of(shown, whole), shown
            return shown

        held = await check(*["pageup"] * 5)
        assert reply.unmeasured, "the reply was measured before the test could look"
        # The rest of the reply is measured in the background: the lines under the user's
        # eye stay where they are meanwhile (the offset changes by what was put in above).
        await wait_for(pilot, lambda: not reply.unmeasured, timeout=120)
        await pilot.pause()
        assert screen_lines(app) == held
        await check(*["pageup"] * 20)
        await check("home")
        await check(*["pagedown"] * 5)
        assert not view.follow


async def test_after_a_long_reply_the_scroll_bar_is_the_true_height(
    demo_server: DemoServer,
) -> None:
    app = make_app(demo_server.base_url, params=PARAMS)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, PROMPT)
        view = view_of(app)
        reply = last_reply(app)
        await wait_for(pilot, lambda: not reply.active and not reply.pending, timeout=120)
        guessed = view.virtual_size.height
        await wait_for(pilot, lambda: not reply.unmeasured and view.measured, timeout=120)
        await pilot.pause()
        whole = rendered(reply.reply.content, view.item_width)
        assert reply.markdown.height == len(whole)
        width = view.item_width
        true_height = sum(item.layout(app.console, width, view.palette) for item in view.items)
        assert view.virtual_size.height == true_height != guessed
        # Still following the end: the end of the reply is on screen, above its status line.
        assert view.follow and view.scroll_y == view.max_scroll_y
        shown = [line for line in screen_lines(app) if line]
        status = next(i for i, line in enumerate(shown) if "finish: stop" in line)
        assert shown[status - 1] == whole[-1]
