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
# The row/column diacritics of the Kitty spec (rowcolumn-diacritics.txt): a placement is
# at most this many rows and columns.
DIACRITICS = [
    chr(c)
    for c in (
        0x0305, 0x030D, 0x030E, 0x0310, 0x0312, 0x033D, 0x033E, 0x033F, 0x0346, 0x034A,
        0x034B, 0x034C, 0x0350, 0x0351, 0x0352, 0x0357, 0x035B, 0x0363, 0x0364, 0x0365,
        0x0366, 0x0367, 0x0368, 0x0369, 0x036A, 0x036B, 0x036C, 0x036D, 0x036E, 0x036F,
        0x0483, 0x0484, 0x0485, 0x0486, 0x0487, 0x0592, 0x0593, 0x0594, 0x0595, 0x0597,
        0x0598, 0x0599, 0x059C, 0x059D, 0x059E, 0x059F, 0x05A0, 0x05A1, 0x05A8, 0x05A9,
        0x05AB, 0x05AC, 0x05AF, 0x05C4, 0x0610, 0x0611, 0x0612, 0x0613, 0x0614, 0x0615,
        0x0616, 0x0617, 0x0657, 0x0658, 0x0659, 0x065A, 0x065B, 0x065D, 0x065E, 0x06D6,
        0x06D7, 0x06D8, 0x06D9, 0x06DA, 0x06DB, 0x06DC, 0x06DF, 0x06E0, 0x06E1, 0x06E2,
        0x06E4, 0x06E7, 0x06E8, 0x06EB, 0x06EC, 0x0730, 0x0732, 0x0733, 0x0735, 0x0736,
        0x073A, 0x073D, 0x073F, 0x0740, 0x0741, 0x0743, 0x0745, 0x0747, 0x0749, 0x074A,
        0x07EB, 0x07EC, 0x07ED, 0x07EE, 0x07EF, 0x07F0, 0x07F1, 0x07F3, 0x0816, 0x0817,
        0x0818, 0x0819, 0x081B, 0x081C, 0x081D, 0x081E, 0x081F, 0x0820, 0x0821, 0x0822,
        0x0823, 0x0825, 0x0826, 0x0827, 0x0829, 0x082A, 0x082B, 0x082C, 0x082D, 0x0951,
        0x0953, 0x0954, 0x0F82, 0x0F83, 0x0F86, 0x0F87, 0x135D, 0x135E, 0x135F, 0x17DD,
        0x193A, 0x1A17, 0x1A75, 0x1A76, 0x1A77, 0x1A78, 0x1A79, 0x1A7A, 0x1A7B, 0x1A7C,
        0x1B6B, 0x1B6D, 0x1B6E, 0x1B6F, 0x1B70, 0x1B71, 0x1B72, 0x1B73, 0x1CD0, 0x1CD1,
        0x1CD2, 0x1CDA, 0x1CDB, 0x1CE0, 0x1DC0, 0x1DC1, 0x1DC3, 0x1DC4, 0x1DC5, 0x1DC6,
        0x1DC7, 0x1DC8, 0x1DC9, 0x1DCB, 0x1DCC, 0x1DD1, 0x1DD2, 0x1DD3, 0x1DD4, 0x1DD5,
        0x1DD6, 0x1DD7, 0x1DD8, 0x1DD9, 0x1DDA, 0x1DDB, 0x1DDC, 0x1DDD, 0x1DDE, 0x1DDF,
        0x1DE0, 0x1DE1, 0x1DE2, 0x1DE3, 0x1DE4, 0x1DE5, 0x1DE6, 0x1DFE, 0x20D0, 0x20D1,
        0x20D4, 0x20D5, 0x20D6, 0x20D7, 0x20DB, 0x20DC, 0x20E1, 0x20E7, 0x20E9, 0x20F0,
        0x2CEF, 0x2CF0, 0x2CF1, 0x2DE0, 0x2DE1, 0x2DE2, 0x2DE3, 0x2DE4, 0x2DE5, 0x2DE6,
        0x2DE7, 0x2DE8, 0x2DE9, 0x2DEA, 0x2DEB, 0x2DEC, 0x2DED, 0x2DEE, 0x2DEF, 0x2DF0,
        0x2DF1, 0x2DF2, 0x2DF3, 0x2DF4, 0x2DF5, 0x2DF6, 0x2DF7, 0x2DF8, 0x2DF9, 0x2DFA,
        0x2DFB, 0x2DFC, 0x2DFD, 0x2DFE, 0x2DFF, 0xA66F, 0xA67C, 0xA67D, 0xA6F0, 0xA6F1,
        0xA8E0, 0xA8E1, 0xA8E2, 0xA8E3, 0xA8E4, 0xA8E5, 0xA8E6, 0xA8E7, 0xA8E8, 0xA8E9,
        0xA8EA, 0xA8EB, 0xA8EC, 0xA8ED, 0xA8EE, 0xA8EF, 0xA8F0, 0xA8F1, 0xAAB0, 0xAAB2,
        0xAAB3, 0xAAB7, 0xAAB8, 0xAABE, 0xAABF, 0xAAC1, 0xFE20, 0xFE21, 0xFE22, 0xFE23,
        0xFE24, 0xFE25, 0xFE26, 0x10A0F, 0x10A38, 0x1D185, 0x1D186, 0x1D187, 0x1D188, 0x1D189,
        0x1D1AA, 0x1D1AB, 0x1D1AC, 0x1D1AD, 0x1D242, 0x1D243, 0x1D244,
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
    """Whether inline Kitty graphics are safe here (after `graphics_probe.probe`)."""
    env = os.environ
    if env.get("TMUX") or env.get("TERM", "").startswith(("screen", "tmux")):
        return False
    if "NO_COLOR" in env or "dim" in env.get("TEXTUAL_FILTERS", "").lower():
        return False
    if env.get("COLORTERM", "").lower() not in ("truecolor", "24bit"):
        return False
    from routmy_tui.ui.graphics_probe import FOUND

    return FOUND is not None and FOUND.renderer == "tgp"


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


def fit(width: int, height: int, columns: int, rows: int, cell: tuple[int, int]) -> tuple[int, int]:
    """(columns, rows) of the largest placement of a width x height picture within
    columns x rows cells of `cell` pixels, its aspect ratio kept."""
    columns = max(1, min(columns, len(DIACRITICS)))
    rows = max(1, min(rows, len(DIACRITICS)))
    scale = min(columns * cell[0] / max(1, width), rows * cell[1] / max(1, height))
    return (
        max(1, min(columns, round(width * scale / cell[0]))),
        max(1, min(rows, round(height * scale / cell[1]))),
    )
