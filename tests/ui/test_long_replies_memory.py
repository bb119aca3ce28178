"""Many long replies in one conversation: only what is near the screen stays drawn, and the
old replies still show whole, on screen and in the inspector."""

from __future__ import annotations

import gc
from typing import Any

from textual.widgets._footer import FooterKey

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.widgets.footer import KeysFooter
from tests.ui.helpers import last_reply, make_app, screen_lines, send, view_of, wait_for
from tests.ui.inspector_helpers import open_inspector, show_tab, tab_text
from tests.ui.test_inspector_packed import _streamed_text

LONG = {"extra": {"demo_tokens": 10_000}}
"""A reply of a few hundred lines at 120 columns: more than the lines kept around the screen."""


def _done(app: Any, replies: int) -> bool:
    view = view_of(app)
    return (
        len(view.items) == 2 * replies
        and last_reply(app).reply.status != "streaming"
        and not app.screen.controller.busy
    )


async def test_old_long_replies_stay_let_go_and_show_whole(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url, params=LONG)
    async with app.run_test(size=(120, 40)) as pilot:
        view = view_of(app)
        for number in (1, 2):
            await send(pilot, f"question {number}")
            await wait_for(pilot, lambda n=number: _done(app, n), timeout=60)
        first = view.items[1]
        assert isinstance(first, AssistantItem) and first.body_height > 1000
        await wait_for(pilot, lambda: view.measured and first.released, timeout=60)
        # Each new reply measures the conversation again: the replies far above the screen,
        # their lines let go, are not drawn again for it (every long reply was, every time).
        drawn: list[int] = []
        layout = first._layout

        def spy(*args: Any) -> int:
            drawn.append(1)
            return layout(*args)

        first._layout = spy  # type: ignore[method-assign]
        await send(pilot, "question 3")
        await wait_for(pilot, lambda: _done(app, 3), timeout=60)
        await wait_for(pilot, lambda: view.measured and not last_reply(app).pending, timeout=60)
        replies = [item for item in view.items if isinstance(item, AssistantItem)]
        assert not drawn
        assert [item.released for item in replies] == [True, True, False]
        # Scrolled back, the first reply is drawn again; the inspector shows its whole exchange.
        view.focus()
        await pilot.press("home")
        await wait_for(
            pilot, lambda: view.scroll_y == 0 and replies[0].is_laid_out(view.item_width)
        )
        shown = "\n".join(screen_lines(app))
        assert "question 1" in shown and replies[0].reply.content.split()[0] in shown
        panel = await open_inspector(pilot)
        view.select(view.items.index(replies[0]))
        await wait_for(pilot, lambda: panel.item is replies[0])
        await show_tab(pilot, panel, "tab-request")
        request = tab_text(panel, "tab-request")
        assert "question 1" in request and "question 2" not in request
        await show_tab(pilot, panel, "tab-stream")
        log = tab_text(panel, "tab-stream")
        assert _streamed_text(log) == replies[0].reply.content
        assert log.splitlines()[-1].endswith("data: [DONE]")


async def test_the_footer_keeps_no_removed_keys(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)

    def count() -> int:
        gc.unfreeze()  # the app freezes what start-up made: count those too
        gc.collect()
        return sum(isinstance(thing, FooterKey) for thing in gc.get_objects())

    async def keys_alive() -> int:
        # Once the footer's update is over (an update in flight holds the keys it makes and
        # those it removes), the same count twice.
        footer = app.screen.query_one(KeysFooter)
        await wait_for(pilot, lambda: not footer._due and footer._keys() == footer._shown)
        last = -1
        while (now := count()) != last:
            last = now
            await pilot.pause(0.1)
        return now

    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hello")
        await wait_for(pilot, lambda: _done(app, 1))
        view = view_of(app)
        composer = app.screen.query_one("#composer")
        # The conversation's keys (copy, edit, regenerate...) come into the footer when it
        # has the focus, and go when the composer takes it back: keys removed each time.
        counts = []
        for number in range(1, 9):
            for widget in (view, composer):
                widget.focus()
                await pilot.pause()
                await keys_alive()
            if number in (2, 8):
                counts.append(await keys_alive())
        # Six rounds removed the conversation's keys six times: none of them is kept
        # (Textual's cache of the footer's children may still hold the last one removed).
        assert counts[1] <= counts[0] + 1
