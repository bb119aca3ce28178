"""Scrolling through pictures: drawn ahead of the viewport, selection offsets intact."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from PIL import Image

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.chat.items import UserItem
from routmy_tui.ui.chat.picture_actions import for_hit_test
from routmy_tui.ui.chat.pictures import PICTURES
from tests.ui.helpers import make_app, view_of, wait_for, without_welcome


def picture(number: int) -> str:
    """A distinct 80x60 PNG data URL."""
    image = Image.new("RGB", (80, 60), ((number * 53) % 256, 90, (number * 29) % 256))
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


async def test_paging_down_finds_the_next_pictures_already_drawn(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        view = view_of(app)
        await without_welcome(pilot)
        view.add_items([UserItem(f"message {n}", [picture(n)]) for n in range(16)])
        view.action_scroll_home()
        await wait_for(pilot, lambda: view.measured and not PICTURES.busy)
        page = view.scrollable_content_region.height

        def settled() -> bool:
            return not view._ahead_pending and not PICTURES.busy

        assert view.max_scroll_y > 4 * page  # several screens of pictures
        for _ in range(3):
            await pilot.pause()
            # Settled: the screens below laid out ahead (in steps, by timer), their pictures
            # drawn, and the worker's word of it handled by the app (waiting for the
            # pictures alone raced both in a loaded full run).
            await wait_for(pilot, settled)
            await pilot.pause()
            await wait_for(pilot, settled)
            view.scroll_to(y=view.scroll_y + page, animate=False, immediate=True)
            # The first frame at the new place, before the app runs again.
            shown = [view.render_line(y).text for y in range(page)]
            assert any("▀" in line for line in shown)  # pictures, drawn
            assert not any("░" in line for line in shown)  # no placeholder


async def test_offsets_on_a_picture_line_name_the_same_cells(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        view = view_of(app)
        await without_welcome(pilot)
        noise = Image.effect_noise((80, 60), 90).convert("RGB")  # no two cells alike
        out = io.BytesIO()
        noise.save(out, "PNG")
        url = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
        view.add_items([UserItem("a noisy one", [url])])
        item = view.items[0]
        width = view.item_width

        def drawn() -> bool:
            item.layout(app.console, width, view.palette)
            return "▀" in item.line(3).text

        await wait_for(pilot, drawn)
        line = item.line(3)
        probe = for_hit_test(line)
        assert len(list(probe)) < len(list(line))  # fewer segments to put offsets on

        def cells(strip: object) -> list[tuple[str, tuple[int, int]]]:
            out = []
            for segment in strip.apply_offsets(-2, 7):  # type: ignore[attr-defined]
                x, y = segment.style.meta["offset"]
                out += [(char, (x + i, y)) for i, char in enumerate(segment.text)]
            return out

        assert cells(probe) == cells(line)  # every cell still names its column and row
