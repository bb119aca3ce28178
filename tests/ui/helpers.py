"""Helpers for Pilot tests: build the app against a server, wait for what a user would see."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from routmy_tui.config.settings import Settings
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.assistant_item import AssistantItem
from routmy_tui.ui.chat.chat_screen import ChatScreen
from routmy_tui.ui.chat.conversation_view import GUTTER, ConversationView


def make_app(
    base_url: str, *, model: str = "demo/chat", api_key: str | None = None, **changes: Any
) -> RoutmyApp:
    """The app pointed at `base_url` with test settings."""
    settings = Settings(
        base_url=base_url, model=model, api_key=api_key, demo=api_key is None, **changes
    )
    return RoutmyApp(settings)


def view_of(app: RoutmyApp) -> ConversationView:
    """The conversation view of the chat screen."""
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    return screen.query_one(ConversationView)


def conversation_text(app: RoutmyApp) -> str:
    """Every line of every message as the view draws it (gutter aside), off screen too.

    Items are laid out at the view's own item width, as the view itself would do when
    they come into view, so its cached layouts stay valid.
    """
    view = view_of(app)
    width = view.item_width
    lines: list[str] = []
    for item in view.items:
        height = item.layout(app.console, width, view.palette)
        lines.extend(item.line(i).text.rstrip() for i in range(height))
    return "\n".join(lines)


def all_measured(view: ConversationView) -> bool:
    """Every message's height measured at the view's item width and the offsets from those
    (messages the view let go count by the width their height was measured at)."""
    width = view.item_width
    items = view.items
    return view.measured and all(
        items[index].is_measured(width)
        if items.is_made(index)
        else items.measured_width(index) == width
        for index in range(len(items))
    )


def lets_go(view: ConversationView, index: int) -> bool:
    """Whether the message at `index` holds no drawn lines (let go, or the item dropped)."""
    items = view.items
    return not items.is_made(index) or items[index].released


def screen_lines(app: RoutmyApp) -> list[str]:
    """The conversation's lines as they are on screen now, without the gutter."""
    view = view_of(app)
    return [
        view.render_line(y).text[GUTTER:].rstrip()
        for y in range(view.scrollable_content_region.height)
    ]


def last_reply(app: RoutmyApp) -> AssistantItem:
    """The newest reply item."""
    for item in reversed(view_of(app).items):
        if isinstance(item, AssistantItem):
            return item
    raise AssertionError("no reply on screen")


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until `condition` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await pilot.pause(0.02)


async def send(pilot: Pilot[Any], text: str) -> None:
    """Type a message in the composer and press Enter."""
    await wait_for(pilot, lambda: bool(pilot.app.screen.query("#composer")))
    composer = pilot.app.screen.query_one("#composer")
    composer.focus()
    composer.text = text  # type: ignore[attr-defined]
    await pilot.press("enter")


async def without_welcome(pilot: Pilot[Any]) -> None:
    """Once the history is open (the welcome box above the view is then shown or hidden for
    good), hide the welcome box: a test that puts items in the view directly and clicks on
    them needs the view not to move in between."""
    app = pilot.app
    await wait_for(pilot, lambda: getattr(app.screen, "history_started", False))
    app.screen.query_one("#welcome").display = False
    await pilot.pause()


def spy_writes(app: RoutmyApp) -> list[str]:
    """Everything the app writes to the terminal from now on (e.g. OSC 52 copies)."""
    written: list[str] = []
    assert app._driver is not None
    real_write = app._driver.write

    def spy(data: str) -> None:
        written.append(data)
        real_write(data)

    app._driver.write = spy  # type: ignore[method-assign]
    return written


async def catalog_notice_cleared(pilot: Pilot[Any]) -> None:
    """On a dead URL: wait for the catalog's failure (and its notice, posted just after it),
    then clear the notice (cleared before it showed, it came up in the next snapshot)."""
    app: Any = pilot.app
    await wait_for(pilot, lambda: app.catalog.last_error is not None)
    await wait_for(pilot, lambda: bool(app.screen.query("Toast")))
    app.clear_notifications()
    await wait_for(pilot, lambda: not app.screen.query("Toast"))
