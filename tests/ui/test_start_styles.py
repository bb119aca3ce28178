"""The first screen is styled once, with its theme and its size's breakpoint classes."""

from __future__ import annotations

from typing import Any

import pytest

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
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
