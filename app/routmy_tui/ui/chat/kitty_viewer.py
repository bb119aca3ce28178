"""The full-screen picture as Kitty graphics, sent through Textual's driver.

textual-image's Kitty widget writes the picture to stdout from its render path while
Textual writes its frames from its own thread (to stderr): the two can interleave. Here the
picture is encoded in a thread and written by the UI thread through the driver, between
frames; the widget then draws placeholder cells (see `kitty.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from routmy_tui.ui.chat.kitty import KITTY, Key, fit

if TYPE_CHECKING:
    from PIL import Image


class KittyPicture(Widget):
    """A picture as large as the widget allows, its aspect ratio kept; `image` sets it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._image: Image.Image | None = None
        self._key: Key | None = None
        self._lines: list[Strip] = []
        self._halfcell: tuple[Key, list[Strip]] | None = None
        self._top = True
        """Whether the last paint was on the top screen (placeholders, not half-cell)."""

    @property
    def image(self) -> Image.Image | None:
        """The picture shown (None: nothing)."""
        return self._image

    @image.setter
    def image(self, image: Image.Image | None) -> None:
        self._image = image
        self._key = None
        self._lines = []
        self.refresh(layout=True)

    def _placement(self, columns: int, rows: int) -> tuple[int, int]:
        if self._image is None:
            return 0, 0
        return fit(self._image.width, self._image.height, columns, rows, KITTY.cell)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self._placement(container.width, container.height)[0]

    def render_line(self, y: int) -> Strip:
        image = self._image
        width, height = self.size
        columns, rows = self._placement(width, height)
        if image is None or not columns:
            return Strip.blank(width, self.rich_style)
        key: Key = (f"viewer:{id(image)}", columns, rows)
        if key != self._key:
            self._key = key
            self._lines = []
            self._encode(image, key)
        lines = self._lines if self._top else self._halfcell_lines(image, key)
        if not 0 <= y < len(lines):
            return Strip.blank(width, self.rich_style)
        left = (width - columns) // 2
        line = Strip.join([Strip.blank(left), lines[y]]).extend_cell_length(width)
        return line.apply_style(self.rich_style)

    def _halfcell_lines(self, image: Image.Image, key: Key) -> list[Strip]:
        """The picture as half-cell blocks (made once per size)."""
        if self._halfcell is None or self._halfcell[0] != key:
            from routmy_tui.ui.chat.pictures import halfcell_strips

            self._halfcell = (key, halfcell_strips(image, key[1], key[2]))
        return self._halfcell[1]

    def render_lines(self, crop: Region) -> list[Strip]:
        """Behind a dialog Textual tints this screen, the id colour with it: half-cell
        blocks then (a change of mode redraws every line)."""
        top = self.screen is self.app.screen
        if top != self._top:
            self._top = top
            self._styles_cache.clear()
        return super().render_lines(crop)

    @work(thread=True, exclusive=True, group="kitty-picture")
    def _encode(self, image: Image.Image, key: Key) -> None:
        KITTY.encoded(key, image.convert("RGB"))
        self.app.call_from_thread(self._send, key)

    def _send(self, key: Key) -> None:
        """Between two frames: write the picture, then draw its cells."""
        driver: Any = getattr(self.app, "_driver", None)
        if driver is not None:
            KITTY.send_ready(driver.write)
        if key == self._key:
            self._lines = KITTY.lines(key, lambda _key: None) or []
            self.refresh()
