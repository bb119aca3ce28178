"""Pictures for the demo backend: drawing generated images, describing attached ones."""

from __future__ import annotations

import base64
import binascii
import io
from functools import lru_cache

from routmy_tui.demo.replies import seed_for

ASPECT_RATIOS: dict[str, tuple[int, int]] = {
    "1:1": (1, 1),
    "16:9": (16, 9),
    "9:16": (9, 16),
    "4:3": (4, 3),
    "3:4": (3, 4),
    "4:5": (4, 5),
    "5:4": (5, 4),
    "21:9": (21, 9),
}
IMAGE_SIZES = {"1K": 1024, "2K": 2048, "4K": 4096}
MAX_REAL_SIDE = 1024
"""Long side of the pixels really drawn: bigger requests are reported but not drawn bigger."""

MAX_DESCRIBE_PIXELS = 50_000_000
"""Attached images with more pixels are reported, not decoded (decompression bombs)."""


def dims_for(aspect: str, size: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """Requested and drawn sizes for an `image_config`.

    Args:
        aspect: One of ASPECT_RATIOS (unknown ones mean 1:1).
        size: "1K", "2K" or "4K" (unknown ones mean 1K).

    Returns:
        ((requested width, height), (drawn width, height)).
    """
    rw, rh = ASPECT_RATIOS.get(aspect, (1, 1))
    long_side = IMAGE_SIZES.get(str(size).upper(), 1024)
    requested = _fit(rw, rh, long_side)
    return requested, _fit(rw, rh, min(long_side, MAX_REAL_SIDE))


def _fit(rw: int, rh: int, long_side: int) -> tuple[int, int]:
    if rw >= rh:
        return long_side, max(1, round(long_side * rh / rw))
    return max(1, round(long_side * rw / rh)), long_side


def cap_size(width: int, height: int) -> tuple[int, int]:
    """Scale a requested size down so its long side is at most MAX_REAL_SIDE."""
    width, height = max(1, width), max(1, height)
    scale = min(1.0, MAX_REAL_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


@lru_cache(maxsize=16)
def draw_png(prompt: str, width: int, height: int) -> bytes:
    """Draw a deterministic picture for a prompt: gradient, shapes, the prompt's first words.

    Args:
        prompt: The text (seeds colours and shapes; its first words are written on it).
        width: Pixels.
        height: Pixels.

    Returns:
        PNG bytes.
    """
    from PIL import Image, ImageDraw, ImageFont

    seed = seed_for(prompt)
    size = (width, height)
    horizontal = Image.linear_gradient("L").rotate(90).resize(size)
    vertical = Image.linear_gradient("L").resize(size)
    radial = Image.radial_gradient("L").resize(size)
    bands = [horizontal, vertical, radial]
    order = seed % 6
    bands = [bands[(order + i) % 3] for i in range(3)]
    image = Image.merge("RGB", tuple(bands))
    draw = ImageDraw.Draw(image)
    unit = min(width, height)
    for i in range(5):
        part = (seed >> (i * 8)) & 0xFF
        x = (part * 37 + i * 101) % max(1, width)
        y = (part * 53 + i * 67) % max(1, height)
        r = unit // 10 + part % max(1, unit // 6)
        colour = ((part * 7) % 256, (part * 13 + 80) % 256, (part * 29 + 160) % 256)
        box = (x - r, y - r, x + r, y + r)
        if i % 2:
            draw.ellipse(box, fill=colour, outline=(255, 255, 255), width=max(1, unit // 200))
        else:
            draw.rectangle(box, fill=colour)
    words = " ".join(" ".join(prompt.split()).split(" ")[:5]) or "demo"
    font = ImageFont.load_default(size=max(10, unit // 14))
    margin = max(4, unit // 20)
    draw.text((margin + 2, margin + 2), words, font=font, fill=(0, 0, 0))
    draw.text((margin, margin), words, font=font, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()


def png_data_url(png: bytes) -> str:
    """A `data:image/png;base64,...` URL for PNG bytes."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def describe_image(url: str) -> str:
    """One line describing an attached image: format and pixel size, or why it is unknown.

    Only data URLs are decoded (the demo is offline); the header is read first, so huge
    images are reported without being decoded.
    """
    from PIL import Image

    if not url.startswith("data:"):
        return f"a remote image ({url[:60]}), not fetched: the demo works offline"
    header, _, payload = url.partition(",")
    try:
        raw = base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError):
        return "a data URL whose base64 could not be decoded"
    try:
        with Image.open(io.BytesIO(raw)) as image:
            width, height = image.size
            fmt = image.format or "unknown"
            mode = image.mode
            if width * height > MAX_DESCRIBE_PIXELS:
                return f"a {fmt} image of {width}x{height} pixels: too large, not decoded"
            image.load()
    except Exception as exc:  # Pillow raises many types for bad data
        return f"an image that could not be decoded ({type(exc).__name__}, header {header[:40]!r})"
    return f"a {fmt} image, {width}x{height} pixels, mode {mode}, {len(raw)} bytes"
