"""Inline pictures as Kitty graphics (Unicode placeholders), in terminals that draw them.

Each picture (at a size in cells) is sent to the terminal once, with a virtual placement
(`a=p,U=1`); its cells are then text: U+10EEEE with diacritics naming the row and column,
in a foreground colour that is the picture's id. Lines of such cells scroll and repaint
like any text. It is used only where it is safe:

- the terminal is one textual-image found answering the Kitty graphics query and no Sixel
  one (Kitty, Ghostty: the terminals that draw placeholders), never inside tmux (or
  screen), with true colour, no NO_COLOR and no Textual dim filter (each would change the
  id colour);
- the picture data is written by the UI thread through Textual's driver, between frames,
  never from the render path (`send_ready`);
- only the conversation view's paint uses placeholders (`painting`), and only while its
  screen is the top one and nothing is selected: behind a dialog Textual tints the screen
  below (the id colour with it), so those frames are half-cell; a selection highlights
  characters and placeholders are four characters a cell. Probes, copies and tests read
  the half-cell lines.
"""

from __future__ import annotations

import base64
import io
import os
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

if TYPE_CHECKING:
    from PIL import Image

PLACEHOLDER = "\U0010eeee"
# The first row/column diacritics of the Kitty spec (rowcolumn-diacritics.txt): enough for
# MAX_COLUMNS and MAX_ROWS.
DIACRITICS = [
    chr(c)
    for c in (
        0x0305, 0x030D, 0x030E, 0x0310, 0x0312, 0x033D, 0x033E, 0x033F, 0x0346, 0x034A,
        0x034B, 0x034C, 0x0350, 0x0351, 0x0352, 0x0357, 0x035B, 0x0363, 0x0364, 0x0365,
        0x0366, 0x0367, 0x0368, 0x0369, 0x036A, 0x036B, 0x036C, 0x036D, 0x036E, 0x036F,
        0x0483, 0x0484, 0x0485, 0x0486, 0x0487, 0x0592, 0x0593, 0x0594, 0x0595, 0x0597,
        0x0598, 0x0599, 0x059C, 0x059D, 0x059E, 0x059F, 0x05A0, 0x05A1, 0x05A8, 0x05A9,
        0x05AB, 0x05AC, 0x05AF, 0x05C4, 0x0610, 0x0611, 0x0612, 0x0613, 0x0614, 0x0615,
        0x0616, 0x0617, 0x0657, 0x0658,
    )
]  # fmt: skip
CHUNK = 4096
"""Base64 characters per graphics command (the protocol's limit)."""

Key = tuple[str, int, int]
"""(picture URL, columns, rows)."""


def command(payload: str = "", **keys: int | str) -> str:
    """One Kitty graphics command (APC G)."""
    control = ",".join(f"{name}={value}" for name, value in keys.items())
    return f"\x1b_G{control}{';' + payload if payload else ''}\x1b\\"


def transmission(image_id: int, png: bytes, columns: int, rows: int) -> str:
    """The commands that store a PNG under `image_id` and place it virtually at
    columns x rows cells (quietly: the terminal answers nothing)."""
    data = base64.standard_b64encode(png).decode("ascii")
    parts: list[str] = []
    while True:
        chunk, data = data[:CHUNK], data[CHUNK:]
        more = 1 if data else 0
        if not parts:
            parts.append(command(chunk, a="t", f=100, i=image_id, q=2, m=more))
        else:
            parts.append(command(chunk, m=more, q=2))
        if not data:
            break
    parts.append(command(a="p", U=1, i=image_id, c=columns, r=rows, q=2))
    return "".join(parts)


def placeholder_strips(image_id: int, columns: int, rows: int) -> list[Strip]:
    """`rows` lines of `columns` placeholder cells naming the picture `image_id`."""
    style = Style(color=Color.from_rgb(image_id >> 16 & 255, image_id >> 8 & 255, image_id & 255))
    return [
        Strip(
            [
                Segment(
                    "".join(
                        PLACEHOLDER + DIACRITICS[row] + DIACRITICS[column]
                        for column in range(columns)
                    ),
                    style,
                )
            ],
            columns,
        )
        for row in range(rows)
    ]


def terminal_draws_placeholders() -> bool:
    """Whether inline Kitty graphics are safe here (call after textual-image's detection)."""
    env = os.environ
    if env.get("TMUX") or env.get("TERM", "").startswith(("screen", "tmux")):
        return False
    if "NO_COLOR" in env or "dim" in env.get("TEXTUAL_FILTERS", "").lower():
        return False
    if env.get("COLORTERM", "").lower() not in ("truecolor", "24bit"):
        return False
    from textual_image.renderable import Image, TGPImage

    return Image is TGPImage


@dataclass
class KittyPictures:
    """Which pictures the terminal holds, the ids they go by, what waits to be sent."""

    enabled: bool = False
    cell: tuple[int, int] = (10, 20)
    """A cell's size in pixels (the pictures are sent at the size they are shown)."""
    painting: bool = False
    """Set by the view while it paints where placeholders are safe."""
    _next_id: int = field(default_factory=lambda: random.randint(1 << 16, 1 << 23))
    _ids: dict[Key, int] = field(default_factory=dict)
    _ready: dict[Key, str] = field(default_factory=dict)
    """Commands made in the worker, not yet written."""
    _sent: dict[Key, list[Strip]] = field(default_factory=dict)
    """Pictures the terminal holds: their placeholder lines."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enable(self, cell: tuple[int, int] | None = None) -> None:
        """Draw inline pictures as Kitty graphics (cell: its size in pixels, if known)."""
        self.enabled = True
        if cell and cell[0] > 0 and cell[1] > 0:
            self.cell = cell

    def lines(self, key: Key, encode: Callable[[Key], None]) -> list[Strip] | None:
        """The placeholder lines of a picture the terminal holds, else None (and the
        picture is encoded, by `encode` in the worker, to be sent between two frames)."""
        found = self._sent.get(key)
        if found is None and key not in self._ready:
            encode(key)
        return found

    def encoded(self, key: Key, image: Image.Image) -> None:
        """In the worker: `image` (RGB) at the size of `key` in pixels, made ready to send."""
        _, columns, rows = key
        scaled = image.resize((columns * self.cell[0], rows * self.cell[1]))
        out = io.BytesIO()
        scaled.save(out, "PNG")
        with self._lock:
            image_id = self._ids.get(key)
            if image_id is None:
                image_id = self._ids[key] = self._next_id
                self._next_id = self._next_id % 0xFFFFFF + 1
            self._ready[key] = transmission(image_id, out.getvalue(), columns, rows)

    def send_ready(self, write: Callable[[str], None]) -> bool:
        """Write the pictures made ready (UI thread, between frames); whether any was."""
        with self._lock:
            ready, self._ready = self._ready, {}
        for key, commands in ready.items():
            write(commands)
            self._sent[key] = placeholder_strips(self._ids[key], key[1], key[2])
        return bool(ready)

    def forget_sent(self) -> None:
        """The terminal may have dropped its pictures (the app was suspended): send again."""
        self._sent.clear()

    def deletions(self) -> str:
        """The commands that free every picture sent (when the app ends)."""
        ids = sorted({self._ids[key] for key in self._sent})
        return "".join(command(a="d", d="I", i=image_id, q=2) for image_id in ids)


KITTY = KittyPictures()
"""Inline Kitty graphics for the app (off unless `terminal_draws_placeholders`)."""
