"""Pictures in the conversation: decoded and scaled off the UI thread, drawn inline.

Inline, a picture is half-cell colour blocks ("▀": upper pixel foreground, lower pixel
background), the cells textual-image's `HalfcellImage` draws (a test holds them equal) made
straight from the pixels, three times faster than through a Rich console. Every colour
terminal shows them and they fit the line-by-line view. In Kitty and Ghostty (outside tmux)
the view paints Kitty graphics placeholders instead, where safe (`kitty.py`). Sixel is used
full screen only (the viewer): textual-image's Sixel widget writes it at absolute screen
positions, encoded for one crop; in a view that scrolls by lines and repaints only changed
lines, every scroll step would re-encode each visible picture for its new crop, and text
repainted over a picture erases it.

Decoding happens once per picture in a worker thread (kept as a small preview); strips are
made per size, also in the thread, and only for pictures near the viewport (the view asks
for those within two screens ahead of need). Until then a placeholder of the right height
is shown.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.color import Color
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from routmy_tui.core.images import ImageError, is_remote_url, load_picture, picture_from_bytes
from routmy_tui.core.picture_files import fetch_picture
from routmy_tui.core.text import make_safe
from routmy_tui.ui.chat.kitty import KITTY, Key, terminal_draws_placeholders

if TYPE_CHECKING:
    from PIL import Image

MAX_COLUMNS = 64
"""Widest a picture is drawn inline, in cells (Enter opens it full screen)."""
MAX_ROWS = 10
"""Tallest a picture is drawn inline, in lines (two pixel rows per line)."""
PREVIEW_SIDE = 2 * MAX_COLUMNS
"""Longest side of the preview kept per picture, in pixels."""
RENDER_CACHE = 96
"""Rendered (picture, size) entries kept; the least recently drawn go first."""
_SHADE = Style(color="grey35")
BACKDROP = (24, 24, 28)
"""What transparent parts of a picture are drawn over."""


@dataclass
class Preview:
    """A decoded picture, scaled down for drawing inline.

    Attributes:
        image: The preview (RGB), long side at most PREVIEW_SIDE.
        width: Pixel width of the original.
        height: Pixel height of the original.
    """

    image: Image.Image
    width: int
    height: int


def cells_for(width: int, height: int, columns: int) -> tuple[int, int]:
    """(columns, rows) a picture of width x height pixels takes at most `columns` wide.

    Half-cells are about square, so a row holds two pixel rows; the aspect ratio is kept.
    """
    columns = max(1, min(columns, MAX_COLUMNS, width))
    rows = max(1, math.ceil(columns * height / max(1, width) / 2))
    if rows > MAX_ROWS:
        rows = MAX_ROWS
        columns = max(1, min(columns, round(rows * 2 * width / max(1, height))))
    return columns, rows


def detect_graphics() -> None:
    """Turn on inline Kitty graphics where the terminal draws them
    (`terminal_draws_placeholders`), at the cell size `ui.graphics_probe.probe` found (asked
    now if it has not run: it must run before Textual owns stdin)."""
    from routmy_tui.ui import graphics_probe

    found = graphics_probe.FOUND or graphics_probe.probe()
    if terminal_draws_placeholders():
        KITTY.enable(found.cell)


def halfcell_strips(image: Image.Image, columns: int, rows: int) -> list[Strip]:
    """An RGB picture as `rows` lines of `columns` half-cell blocks (scaled to fit exactly).

    The upper pixel of a cell is its foreground, the lower its background; runs of equal
    cells are one segment.
    """
    scaled = image.convert("RGB").resize((columns, rows * 2))
    data = scaled.tobytes()
    colours: dict[bytes, Color] = {}

    def colour(at: int) -> Color:
        key = data[at : at + 3]
        found = colours.get(key)
        if found is None:
            found = colours[key] = Color.from_rgb(key[0], key[1], key[2])
        return found

    stride = 3 * columns
    strips = []
    for row in range(rows):
        top = 2 * row * stride
        segments = [
            Segment("▀", Style.from_color(colour(top + x), colour(top + stride + x)))
            for x in range(0, stride, 3)
        ]
        strips.append(Strip(Segment.simplify(segments), columns))
    return strips


class PictureService:
    """Decodes pictures and renders them to strips in a worker thread, with caches.

    The UI registers a listener; it is called from the worker thread with "size" and the
    URL when a picture's size (or its error) became known, and with "drawn" when strips
    are ready. Listeners must hand over to the UI thread themselves.
    """

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._previews: dict[str, Preview | str] = {}
        """URL -> its preview, or why it cannot be shown."""
        self._strips: OrderedDict[tuple[str, int, int], list[Strip]] = OrderedDict()
        self._pending: set[Any] = set()
        self._listeners: list[Callable[[str, str], None]] = []

    # --- listeners -------------------------------------------------------------------

    def listen(self, listener: Callable[[str, str], None]) -> None:
        """Be told (from the worker thread) when a picture's size or strips are ready."""
        self._listeners.append(listener)

    def unlisten(self, listener: Callable[[str, str], None]) -> None:
        """Stop being told."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _tell(self, what: str, url: str) -> None:
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):  # a closed app must not break the worker
                listener(what, url)

    # --- queries from the UI thread ----------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a picture is being decoded or drawn (or waits to be)."""
        with self._lock:
            return bool(self._pending)

    def preview(self, url: str) -> Preview | str | None:
        """The preview, the reason it cannot be shown, or None while it is being decoded."""
        found = self._previews.get(url)
        if found is None:
            self._submit(url, self._decode, url)  # https pictures are downloaded there
        return found

    def strips(self, url: str, columns: int, rows: int) -> list[Strip] | None:
        """The picture drawn at this size, or None while it is being drawn."""
        key = (url, columns, rows)
        found = self._strips.get(key)
        if found is not None:
            self._strips.move_to_end(key)
            return found
        if isinstance(self._previews.get(url), Preview):
            self._submit(key, self._draw, key)
        return None

    def _submit(self, key: Any, job: Callable[[Any], None], argument: Any) -> None:
        with self._lock:
            if key in self._pending:
                return
            self._pending.add(key)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="routmy-pictures")
        self._pool.submit(self._run, key, job, argument)

    def _run(self, key: Any, job: Callable[[Any], None], argument: Any) -> None:
        try:
            job(argument)
        finally:
            with self._lock:
                self._pending.discard(key)

    # --- work in the thread ------------------------------------------------------------

    def _decode(self, url: str) -> None:
        from PIL import Image

        try:
            if is_remote_url(url):
                image = picture_from_bytes(fetch_picture(url), at_least=PREVIEW_SIDE)
            else:
                image = load_picture(url, at_least=PREVIEW_SIDE)
            size = image.info.get("source_size") or image.size
            if image.mode == "RGBA":
                backdrop = Image.new("RGB", image.size, BACKDROP)
                backdrop.paste(image, mask=image.getchannel("A"))
                image = backdrop
            image.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.LANCZOS)
            self._previews[url] = Preview(image.convert("RGB"), *size)
        except ImageError as exc:
            self._previews[url] = str(exc)
        except Exception as exc:  # never let a picture take the worker down
            self._previews[url] = f"could not be shown ({type(exc).__name__})"
        self._tell("size", url)

    def encode_kitty(self, key: Key) -> None:
        """Have the picture made ready to send as Kitty graphics at this size (worker)."""
        self._submit(("kitty", key), self._encode_kitty, key)

    def _encode_kitty(self, key: Key) -> None:
        from PIL import Image

        url, columns, rows = key
        preview = self._previews.get(url)
        if not isinstance(preview, Preview):
            return
        image = preview.image
        side = max(columns * KITTY.cell[0], rows * KITTY.cell[1])
        if not is_remote_url(url):  # sharper than the preview (never downloaded twice)
            with contextlib.suppress(Exception):  # the preview will do
                found = load_picture(url, at_least=side)
                if found.mode == "RGBA":
                    backdrop = Image.new("RGB", found.size, BACKDROP)
                    backdrop.paste(found, mask=found.getchannel("A"))
                    found = backdrop
                image = found.convert("RGB")
        KITTY.encoded(key, image)
        self._tell("drawn", url)

    def _draw(self, key: tuple[str, int, int]) -> None:
        url, columns, rows = key
        preview = self._previews.get(url)
        if not isinstance(preview, Preview):
            return
        strips = halfcell_strips(preview.image, columns, rows)
        with self._lock:
            self._strips[key] = strips
            while len(self._strips) > RENDER_CACHE:
                self._strips.popitem(last=False)
        self._tell("drawn", url)


PICTURES = PictureService()
"""The app's picture service (one per process: previews are shared by every view)."""


class PictureLines:
    """A section of a conversation item: one picture and its caption.

    The caption sits beside the picture's last line when it fits, else below it. Shows a
    placeholder of the right size until the picture is drawn, and the reason in one line
    when it cannot be shown.
    """

    def __init__(self, url: str, number: int, style: Style, error_style: Style) -> None:
        self.url = url
        self.number = number
        self.style = style
        self.error_style = error_style
        self.height = 1
        self._columns = 0
        self._rows = 0
        self._indent = 0
        self._width = 0
        self._caption: Strip = Strip.blank(0)
        self._beside = False
        """Whether the caption ends the picture's last line (else it is a line of its own)."""
        self._drawn: list[Strip] | None = None
        """The strips the lines below were made from."""
        self._lines: list[Strip] = []
        """The picture's lines, indented, caption added: the same objects every frame, so
        the styles Textual applies to them are cached on them."""
        self._placeholder: list[Strip] = []
        self._kitty_drawn: list[Strip] | None = None
        self._kitty_lines: list[Strip] = []
        """The picture's lines as Kitty placeholders (see `kitty.py`), framed the same."""

    def layout(self, console: Console, width: int) -> None:
        """Work out the height at `width` (asks for the picture to be decoded if needed)."""
        found = PICTURES.preview(self.url)
        self._width = width
        caption = Text(f"▣ picture {self.number}", style=self.style, no_wrap=True)
        caption.overflow = "ellipsis"
        self._rows = 0
        if found is None:
            caption.append(" · loading…", style=Style(dim=True))
        elif isinstance(found, str):
            caption.append(" · " + make_safe(found), style=self.error_style)
        else:
            self._columns, self._rows = cells_for(found.width, found.height, width - 2)
            self._indent = 2
            caption.append(
                f" · {found.width}×{found.height} · enter to open", style=Style(dim=True)
            )
        beside = width - self._indent - self._columns - 2
        self._beside = self._rows > 0 and caption.cell_len <= beside
        room = beside if self._beside else width
        lines = console.render_lines(
            caption, console.options.update(width=room, max_width=room), pad=True
        )
        self._caption = Strip(lines[0], room)
        self.height = self._rows + (0 if self._beside else 1)
        self._drawn = None
        self._kitty_drawn = None
        self._placeholder = []  # made when first shown (most pictures are drawn by then)

    def _framed(self, strips: list[Strip]) -> list[Strip]:
        """The picture's lines indented, the caption beside the last when it fits, each
        as wide as the item (drawn as they are, not padded anew every frame), one strip
        per line."""
        lines = []
        last = len(strips) - 1
        for row, strip in enumerate(strips):
            segments = [Segment(" " * self._indent), *strip]
            cells = self._indent + strip.cell_length
            if row == last and self._beside:
                segments += [Segment("  "), *self._caption]
                cells += 2 + self._caption.cell_length
            if cells < self._width:
                segments.append(Segment(" " * (self._width - cells)))
            lines.append(Strip(segments, max(cells, self._width)))
        return lines

    def prefetch(self) -> None:
        """Ask for the picture at its size now (it is about to scroll into view)."""
        if self._rows:
            PICTURES.strips(self.url, self._columns, self._rows)
            if KITTY.enabled:
                KITTY.lines((self.url, self._columns, self._rows), PICTURES.encode_kitty)

    def line(self, index: int) -> Strip:
        """One line: the picture (or its placeholder), the caption beside or below it."""
        if index >= self._rows:
            return self._caption
        if KITTY.painting:
            cells = KITTY.lines((self.url, self._columns, self._rows), PICTURES.encode_kitty)
            if cells is not None:
                if cells is not self._kitty_drawn:
                    self._kitty_lines = self._framed(cells)
                    self._kitty_drawn = cells
                return self._kitty_lines[index]
        strips = PICTURES.strips(self.url, self._columns, self._rows)
        if strips is None or len(strips) != self._rows:
            if not self._placeholder:
                shade = Strip([Segment("░" * self._columns, _SHADE)], self._columns)
                self._placeholder = self._framed([shade] * self._rows)
            return self._placeholder[index]
        if strips is not self._drawn:
            self._lines = self._framed(strips)
            self._drawn = strips
        return self._lines[index]


def picture_sections(urls: list[str], style: Style, error_style: Style) -> list[PictureLines]:
    """One section per picture, numbered from 1."""
    return [PictureLines(url, number, style, error_style) for number, url in enumerate(urls, 1)]
