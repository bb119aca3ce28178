"""Inline Kitty graphics: each picture sent to the terminal once, through Textual's driver;
its cells are placeholders in the colour of its id; behind a dialog, half-cell blocks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.chat.items import UserItem
from routmy_tui.ui.chat.kitty import KITTY, PLACEHOLDER, KittyPictures
from routmy_tui.ui.widgets.dialogs import ConfirmDialog
from tests.ui.helpers import make_app, spy_writes, view_of, wait_for, without_welcome
from tests.ui.test_picture_scroll import picture

TRANSMIT = re.compile(r"\x1b_Ga=t,f=100,i=(\d+),q=2,m=[01];")


@pytest.fixture
def kitty(monkeypatch: pytest.MonkeyPatch) -> Iterator[KittyPictures]:
    """Kitty graphics on, as `detect_graphics` turns them on in Kitty (off again after)."""
    monkeypatch.setenv("COLORTERM", "truecolor")  # Kitty's; the app's colours follow it
    monkeypatch.setattr(KITTY, "enabled", True)
    yield KITTY
    KITTY.forget_sent()


def frame(app: RoutmyApp) -> str:
    """What the app writes to the terminal for a full redraw of the screen now."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert update is not None
    return str(update.render_segments(app.console))


def placeholder_colours(written: str) -> set[str]:
    """The SGR parameters in force where placeholder cells are written."""
    return {
        match.group(1)
        for match in re.finditer(r"\x1b\[([\d;]*)m([^\x1b]*)", written)
        if PLACEHOLDER in match.group(2)
    }


async def test_a_picture_is_sent_once_and_drawn_as_placeholders_in_its_id_colour(
    demo_server: DemoServer, tmp_path: Path, kitty: KittyPictures
) -> None:
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        written = spy_writes(app)
        view = view_of(app)
        await without_welcome(pilot)
        view.add_items([UserItem("look", [picture(7)])])
        await wait_for(pilot, lambda: PLACEHOLDER in frame(app))
        sent = "".join(written)
        (image_id,) = {int(i) for i in TRANSMIT.findall(sent)}  # sent before it shows
        assert f"\x1b_Ga=p,U=1,i={image_id},c=27,r=10,q=2\x1b\\" in sent  # 80x60: 27x10
        red, green, blue = image_id >> 16 & 255, image_id >> 8 & 255, image_id & 255
        drawn = frame(app)
        colours = placeholder_colours(drawn)
        assert colours and all(f"38;2;{red};{green};{blue}" in c for c in colours)
        rows = [line for line in drawn.split("\x1b[") if PLACEHOLDER in line]
        assert sum(line.count(PLACEHOLDER) for line in rows) == 27 * 10  # every cell
        assert "▀" not in drawn  # no half-cell copy beside it

        # A dialog over the conversation: Textual tints the screen below (the id colour
        # too), so those frames draw the picture as half-cell blocks.
        app.push_screen(ConfirmDialog("Really?", "Yes"))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.pause()
        behind = frame(app)
        assert "▀" in behind and PLACEHOLDER not in behind
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        await wait_for(pilot, lambda: PLACEHOLDER in frame(app))
        again = frame(app)
        assert "▀" not in again
        assert all(f"38;2;{red};{green};{blue}" in c for c in placeholder_colours(again))

        # Scrolling and repainting reuse what the terminal holds: still sent once.
        view.action_scroll_home()
        view.refresh()
        await pilot.pause()
        assert PLACEHOLDER in frame(app)
        assert len(TRANSMIT.findall("".join(written))) == 1


@pytest.mark.parametrize("graphics", ["none", "kitty without true colour"])
async def test_otherwise_pictures_stay_half_cell(
    demo_server: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, graphics: str
) -> None:
    if graphics == "none":
        assert not KITTY.enabled  # what tests (and terminals without them) get
    else:  # colours would be brought down to 256 or 16, the id colour with them
        monkeypatch.delenv("COLORTERM", raising=False)
        monkeypatch.setattr(KITTY, "enabled", True)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        view = view_of(app)
        await without_welcome(pilot)
        view.add_items([UserItem("look", [picture(8)])])
        await wait_for(pilot, lambda: "▀" in frame(app))
        assert PLACEHOLDER not in frame(app)


def test_the_terminal_is_trusted_with_placeholders_only_where_they_are_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from routmy_tui.ui import graphics_probe
    from routmy_tui.ui.chat.kitty import terminal_draws_placeholders

    kitty_only = graphics_probe.TerminalGraphics(True, sixel=False, kitty=True, cell=(9, 18))
    monkeypatch.setattr(graphics_probe, "FOUND", kitty_only)
    for name in ("TMUX", "NO_COLOR", "TEXTUAL_FILTERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-kitty")
    monkeypatch.setenv("COLORTERM", "truecolor")
    assert terminal_draws_placeholders()
    changes: list[tuple[str, Any]] = [
        ("TMUX", "/tmp/tmux-0/default,1,0"),
        ("TERM", "tmux-256color"),
        ("NO_COLOR", "1"),
        ("TEXTUAL_FILTERS", "dim"),
        ("COLORTERM", ""),
    ]
    for name, value in changes:
        with monkeypatch.context() as env:
            env.setenv(name, value)
            assert not terminal_draws_placeholders(), name
    for sixel, kitty in ((True, True), (False, False)):  # Sixel wins, as in textual-image
        found = graphics_probe.TerminalGraphics(True, sixel=sixel, kitty=kitty, cell=(9, 18))
        monkeypatch.setattr(graphics_probe, "FOUND", found)
        assert not terminal_draws_placeholders()
    monkeypatch.setattr(graphics_probe, "FOUND", None)  # never asked: not trusted
    assert not terminal_draws_placeholders()


async def test_after_a_suspension_pictures_are_sent_again_and_freed_at_the_end(
    demo_server: DemoServer, tmp_path: Path, kitty: KittyPictures
) -> None:
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        written = spy_writes(app)
        view = view_of(app)
        await without_welcome(pilot)
        view.add_items([UserItem("look", [picture(9)])])
        await wait_for(pilot, lambda: PLACEHOLDER in frame(app))
        (image_id,) = {int(i) for i in TRANSMIT.findall("".join(written))}
        # Back from $EDITOR (the app was suspended): the terminal may have let it go.
        app.app_resume_signal.publish(app)
        await wait_for(pilot, lambda: len(TRANSMIT.findall("".join(written))) == 2)
        assert {int(i) for i in TRANSMIT.findall("".join(written))} == {image_id}
        await wait_for(pilot, lambda: PLACEHOLDER in frame(app))
    assert f"\x1b_Ga=d,d=I,i={image_id},q=2\x1b\\" in "".join(written)  # freed on exit


async def test_full_screen_the_picture_is_sent_through_the_driver_not_from_render(
    demo_server: DemoServer,
    tmp_path: Path,
    kitty: KittyPictures,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import textual_image.renderable as renderable
    import textual_image.renderable.tgp as tgp

    from routmy_tui.ui.chat.kitty_viewer import KittyPicture
    from routmy_tui.ui.chat.picture_viewer import PictureScreen

    monkeypatch.setattr(renderable, "Image", renderable.TGPImage)  # as in Kitty
    monkeypatch.delenv("TMUX", raising=False)
    from_render: list[Any] = []
    monkeypatch.setattr(tgp, "_send_tgp_message", lambda **keys: from_render.append(keys))
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        written = spy_writes(app)
        await without_welcome(pilot)
        app.push_screen(PictureScreen([picture(5)], 0, tmp_path / "spare"))
        await wait_for(pilot, lambda: bool(app.screen.query(KittyPicture)))
        await wait_for(pilot, lambda: PLACEHOLDER in frame(app))
        (image_id,) = {int(i) for i in TRANSMIT.findall("".join(written))}
        placed = re.findall(r"\x1b_Ga=p,U=1,i=(\d+),c=(\d+),r=(\d+)", "".join(written))
        assert placed and placed[0][0] == str(image_id)
        columns, rows = int(placed[0][1]), int(placed[0][2])
        assert abs(columns * 10 / (rows * 20) - 4 / 3) < 0.1  # 80x60 in 10x20-pixel cells
        red, green, blue = image_id >> 16 & 255, image_id >> 8 & 255, image_id & 255
        drawn = frame(app)
        assert drawn.count(PLACEHOLDER) == columns * rows
        assert all(f"38;2;{red};{green};{blue}" in c for c in placeholder_colours(drawn))
        # Asked where to save it: the viewer is behind a dialog, tinted: half-cell.
        await pilot.press("s")
        await wait_for(pilot, lambda: not isinstance(app.screen, PictureScreen))
        await pilot.pause()
        behind = frame(app)
        assert "▀" in behind and PLACEHOLDER not in behind
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PictureScreen))
        await wait_for(pilot, lambda: PLACEHOLDER in frame(app))
        assert len(TRANSMIT.findall("".join(written))) == 1
    assert not from_render  # textual-image's own Kitty writes were never used
