"""The first screen is styled once, with its theme and its size's breakpoint classes."""

from __future__ import annotations

from typing import Any

import pytest
from textual.dom import DOMNode
from textual.geometry import Size
from textual.screen import Screen

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.chat_screen import SLIM, ChatScreen
from routmy_tui.ui.textual_hooks import with_breakpoints
from tests.ui.helpers import make_app, wait_for


def colours(app: Any) -> dict[str, tuple[object, object]]:
    """Background and text colour of every widget on the screen, by its place."""
    return {
        f"{index}:{type(node).__name__}": (node.styles.background, node.styles.color)
        for index, node in enumerate(app.screen.walk_children(with_self=True))
    }


@pytest.mark.parametrize("theme", ["routmy-dark", "routmy-light", "routmy-contrast", "nord"])
async def test_the_first_screen_has_the_colours_textual_gives_the_theme(
    demo_server: DemoServer, theme: str
) -> None:
    """Chosen before the app starts, the theme colours each widget as Textual does when
    the theme is set on a running app (the full restyle), for dark and light themes."""
    app: Any = make_app(demo_server.base_url, theme=theme)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.history_started)
        assert app.theme == theme
        assert app.has_class(f"-theme-{theme}")
        first = colours(app)
        app.theme = "textual-light" if app.current_theme.dark else "textual-dark"
        await pilot.pause()
        assert colours(app) != first  # the comparison can tell themes apart
        app.theme = theme
        await pilot.pause()
        assert colours(app) == first
        assert app.has_class(f"-theme-{theme}")


async def test_a_dark_theme_at_start_parses_the_styles_once(demo_server: DemoServer) -> None:
    """Textual starts dark: a dark theme chosen at start only changes the style sheet's
    variables before it is read. Setting `App.theme` had queued a full re-parse of every
    style in front of the first frame."""
    refreshed: list[str] = []

    class Counting(RoutmyApp):
        def refresh_css(self, animate: bool = True) -> None:
            refreshed.append(self.theme)
            super().refresh_css(animate)

    app: Any = make_app(demo_server.base_url, theme="routmy-dark")
    app.__class__ = Counting
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.history_started)
        assert refreshed == []
        app.theme = "routmy-contrast"  # a change of theme still restyles the screen
        await wait_for(pilot, lambda: refreshed == ["routmy-contrast"])


@pytest.mark.parametrize(
    ("size", "classes"),
    [
        ((120, 40), {"-wide", "-tall"}),
        ((60, 15), {"-narrow", "-short"}),
        ((95, 25), {"-wide", "-low"}),
    ],
)
async def test_the_chat_screen_starts_with_its_breakpoint_classes(
    demo_server: DemoServer, size: tuple[int, int], classes: set[str]
) -> None:
    """The breakpoint classes are on the chat screen from its first frame, so Textual's
    first resize finds nothing to change: the screen is not restyled (which laid it out
    and drew it a second time, in front of the first keys)."""
    restyled: list[DOMNode] = []
    mounted_with: list[set[str]] = []

    class Counting(RoutmyApp):
        def update_styles(self, node: DOMNode, animate: bool = True) -> None:
            restyled.append(node)
            super().update_styles(node, animate=animate)

    app: Any = make_app(demo_server.base_url)
    app.__class__ = Counting
    async with app.run_test(size=size) as pilot:
        mounted_with.append(set(app.screen.classes))
        await wait_for(pilot, lambda: app.screen.history_started)
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert classes <= mounted_with[0]
        assert classes <= set(app.screen.classes)
        # Textual's own restyle as the screen first shows; a narrow one also turns slim.
        assert restyled.count(app.screen) == (1 if size[0] >= SLIM else 2)
        await pilot.resize_terminal(60, 15)  # later resizes still change them
        await wait_for(pilot, lambda: {"-narrow", "-short"} <= set(app.screen.classes))


def test_a_screens_own_breakpoints_come_before_the_apps() -> None:
    """As in Textual: a screen's own breakpoints, else the app's; the highest reached."""

    class Own(Screen[object]):
        HORIZONTAL_BREAKPOINTS = [(0, "-small"), (50, "-medium"), (100, "-large")]

    class Plain(Screen[object]):
        pass

    app: Any = RoutmyApp.__new__(RoutmyApp)
    assert {"-medium", "-tall"} <= set(with_breakpoints(Own(), app, Size(99, 30)).classes)
    assert {"-large"} <= set(with_breakpoints(Own(), app, Size(100, 30)).classes)
    assert {"-narrow", "-short"} <= set(with_breakpoints(Plain(), app, Size(89, 19)).classes)
    assert {"-wide", "-low"} <= set(with_breakpoints(Plain(), app, Size(90, 20)).classes)
