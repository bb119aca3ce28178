"""Pictures for the demo backend: drawing generated images, describing attached ones."""

from __future__ import annotations

import base64
import io
import math
import re
from functools import lru_cache
from typing import Any

from routmy_tui.core.images import is_remote_url
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


COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "orange": (240, 140, 30),
    "yellow": (240, 220, 40),
    "green": (40, 170, 70),
    "cyan": (40, 200, 220),
    "blue": (40, 80, 220),
    "navy": (20, 40, 100),
    "purple": (140, 60, 200),
    "violet": (140, 60, 200),
    "pink": (240, 120, 180),
    "brown": (130, 80, 40),
    "black": (15, 15, 15),
    "white": (245, 245, 245),
    "grey": (128, 128, 128),
    "gray": (128, 128, 128),
}
"""Colour words the demo understands, and how it paints them."""
SHAPES = ("square", "rectangle", "circle", "oval", "triangle", "star", "line", "stripe")
"""Shape words the demo draws (plurals too)."""
_WORD_RE = re.compile(r"[a-z]+")


def scene_of(
    prompt: str,
) -> tuple[tuple[int, int, int] | None, list[tuple[str, tuple[int, int, int]]]]:
    """The background colour and the (shape, colour) pairs a prompt asks for.

    A colour word colours the next shape word ("a blue square and a red circle"); a colour
    followed by "background" colours the background. Shapes without a colour get one from
    the prompt's seed.
    """
    words = _WORD_RE.findall(prompt.lower())
    background: tuple[int, int, int] | None = None
    shapes: list[tuple[str, tuple[int, int, int]]] = []
    colour: tuple[int, int, int] | None = None
    seed = seed_for(prompt)
    for word in words:
        if word in COLOURS:
            colour = COLOURS[word]
        elif word in ("background", "backdrop", "sky") and colour is not None:
            background, colour = colour, None
        else:
            shape = word[:-1] if word.endswith("s") and word[:-1] in SHAPES else word
            if shape in SHAPES:
                if colour is None:
                    names = list(COLOURS)
                    colour = COLOURS[names[(seed + len(shapes)) % len(names)]]
                shapes.append((shape, colour))
                colour = None
    if colour is not None and not shapes and background is None:
        background = colour
    return background, shapes[:6]


@lru_cache(maxsize=16)
def draw_png(prompt: str, width: int, height: int) -> bytes:
    """Draw a deterministic picture for a prompt: the shapes and colours it names.

    "a blue square" is a blue square on a light background; a prompt naming no shape gets a
    gradient with seeded shapes (tinted by any colour it names). The prompt's first words
    are written in a corner.

    Args:
        prompt: The text.
        width: Pixels.
        height: Pixels.

    Returns:
        PNG bytes.
    """
    from PIL import Image, ImageDraw, ImageFont

    background, shapes = scene_of(prompt)
    size = (width, height)
    unit = min(width, height)
    if shapes:
        image = Image.new("RGB", size, background or (236, 236, 230))
        draw = ImageDraw.Draw(image)
        columns = len(shapes)
        cell = width / columns
        for index, (shape, colour) in enumerate(shapes):
            cx, cy = cell * index + cell / 2, height / 2
            r = min(cell, height) * 0.36
            _draw_shape(draw, shape, colour, cx, cy, r)
    else:
        image = _gradient(prompt, size, background)
        draw = ImageDraw.Draw(image)
    words = " ".join(" ".join(prompt.split()).split(" ")[:5]) or "demo"
    font = ImageFont.load_default(size=max(10, unit // 18))
    margin = max(4, unit // 24)
    draw.text((margin + 2, margin + 2), words, font=font, fill=(0, 0, 0))
    draw.text((margin, margin), words, font=font, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()


def _draw_shape(
    draw: Any, shape: str, colour: tuple[int, int, int], cx: float, cy: float, r: float
) -> None:
    outline = (30, 30, 30)
    if shape == "square":
        draw.rectangle((cx - r, cy - r, cx + r, cy + r), fill=colour, outline=outline)
    elif shape in ("rectangle", "stripe", "line"):
        thin = r * (0.5 if shape == "rectangle" else 0.12)
        draw.rectangle((cx - r, cy - thin, cx + r, cy + thin), fill=colour, outline=outline)
    elif shape == "circle":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour, outline=outline)
    elif shape == "oval":
        draw.ellipse((cx - r, cy - r * 0.6, cx + r, cy + r * 0.6), fill=colour, outline=outline)
    elif shape == "triangle":
        points = [(cx, cy - r), (cx + r, cy + r * 0.8), (cx - r, cy + r * 0.8)]
        draw.polygon(points, fill=colour, outline=outline)
    elif shape == "star":
        points = []
        for k in range(10):
            radius = r if k % 2 == 0 else r * 0.45
            angle = math.pi / 2 + k * math.pi / 5
            points.append((cx + radius * math.cos(angle), cy - radius * math.sin(angle)))
        draw.polygon(points, fill=colour, outline=outline)


def _gradient(prompt: str, size: tuple[int, int], tint: tuple[int, int, int] | None) -> Any:
    from PIL import Image, ImageDraw

    seed = seed_for(prompt)
    width, height = size
    bands = [
        Image.linear_gradient("L").rotate(90).resize(size),
        Image.linear_gradient("L").resize(size),
        Image.radial_gradient("L").resize(size),
    ]
    order = seed % 6
    image = Image.merge("RGB", tuple(bands[(order + i) % 3] for i in range(3)))
    if tint is not None:
        image = Image.blend(image, Image.new("RGB", size, tint), 0.6)
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
    return image


def png_data_url(png: bytes) -> str:
    """A `data:image/png;base64,...` URL for PNG bytes."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def main_colour(image: Any) -> tuple[str, tuple[int, int, int]]:
    """The name and value of the colour covering most of a picture (nearest named colour)."""
    small = image.convert("RGB").resize((48, 48))
    counts: dict[str, int] = {}
    totals: dict[str, list[int]] = {}
    raw = small.tobytes()
    for start in range(0, len(raw), 3):
        pixel = (raw[start], raw[start + 1], raw[start + 2])
        name = _nearest_colour(pixel)
        counts[name] = counts.get(name, 0) + 1
        total = totals.setdefault(name, [0, 0, 0])
        for channel in range(3):
            total[channel] += pixel[channel]
    name = max(counts, key=lambda key: counts[key])
    count = counts[name]
    r, g, b = (round(v / count) for v in totals[name])
    return name, (r, g, b)


def _nearest_colour(pixel: tuple[int, int, int]) -> str:
    best, distance = "grey", 1 << 30
    for name, (r, g, b) in COLOURS.items():
        if name in ("gray", "violet"):
            continue
        d = (pixel[0] - r) ** 2 + (pixel[1] - g) ** 2 + (pixel[2] - b) ** 2
        if d < distance:
            best, distance = name, d
    return best


def describe_image(url: str) -> str:
    """One line describing an attached picture: format, pixel size, main colour, or why not.

    Only data URLs are decoded (the demo is offline); the header is read first, so huge
    pictures are reported without being decoded.
    """
    from routmy_tui.core.images import ImageError, decode_url, load_picture

    if is_remote_url(url):
        return f"a remote image ({url[:60]}), not fetched: the demo works offline"
    try:
        decoded = decode_url(url)
        image = load_picture(url, max_pixels=MAX_DESCRIBE_PIXELS)
    except ImageError as exc:
        return f"an image that could not be decoded: {exc}"
    fmt = decoded.mime.removeprefix("image/").upper()
    name, (r, g, b) = main_colour(image)
    return (
        f"a {fmt} image, {image.width}x{image.height} pixels, mostly {name} "
        f"(#{r:02x}{g:02x}{b:02x}), {len(decoded.data)} bytes"
    )
