"""Pilot tests of a long stored conversation: measured in the background, the view holds still."""

from __future__ import annotations

from pathlib import Path

from routmy_tui.demo.server import DemoServer
from tests.ui.helpers import all_measured, make_app, screen_lines, view_of, wait_for
from tests.ui.history_seed import seed_pairs

PAIRS = 150


def _seed(data: Path) -> None:
    """One conversation of PAIRS questions and multi-paragraph Markdown replies."""

    def reply(number: int) -> str:
        return f"## Part {number}\n\n" + "\n\n".join(
            f"- point {number}.{k}: " + "words " * (5 + (number * k) % 40) for k in range(6)
        )

    seed_pairs(data, PAIRS, reply)


async def test_the_screen_holds_still_while_the_rest_is_measured(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    _seed(tmp_path)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        view = view_of(app)
        await wait_for(pilot, lambda: len(view.items) == 2 * PAIRS)
        view.focus()
        # Up from the bottom: most of what is above is still estimated, not measured.
        await pilot.press("pageup", "pageup", "pageup")
        shown = screen_lines(app)
        assert any(line.strip() for line in shown)

        def measured() -> bool:
            """Every message measured at the view's width, and the scroll range from those."""
            width = view.item_width
            if not all_measured(view):
                return False
            heights = sum(item.layout(app.console, width, view.palette) for item in view.items)
            return view.virtual_size.height == heights

        await wait_for(pilot, measured, timeout=30)
        await pilot.pause()
        assert screen_lines(app) == shown
