"""Pillow pipeline: image files -> checked, clean data URLs; image URLs -> bytes and pictures."""

from __future__ import annotations

import base64
import binascii
import io
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from routmy_tui.core.image_items import image_url_of, sniff_base64_image

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "DEFAULT_MAX_SIDE",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "DecodedImage",
    "ImageError",
    "PreparedImage",
    "decode_url",
    "human_size",
    "is_remote_url",
    "load_picture",
    "parse_local_path",
    "picture_from_bytes",
    "prepare_bytes",
    "prepare_file",
]

DEFAULT_MAX_SIDE = 2048
"""Longest side, in pixels, of a picture sent (the `image_max_side` setting)."""
MAX_FILE_BYTES = 40 * 1024 * 1024
"""Files (and decoded data URLs) larger than this are refused before decoding."""
MAX_PIXELS = 64_000_000
"""Pictures with more pixels than this are refused from their header (decompression bombs)."""
MIME_OF_FORMAT = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
_EXT_OF_MIME = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}


class ImageError(ValueError):
    """A picture that cannot be used; the message says why, in words for the screen."""


@dataclass(frozen=True)
class PreparedImage:
    """A picture ready to send.

    Attributes:
        url: A `data:` URL of the re-encoded picture (or the https URL as given).
        name: The file name (or the URL's last part).
        mime: The MIME type of `url`'s data ("" for a remote URL).
        width: Pixel width sent (0 when unknown: remote URL).
        height: Pixel height sent.
        source_width: Pixel width of the original.
        source_height: Pixel height of the original.
        file_bytes: Size of the original file.
        data_bytes: Size of the re-encoded data.
    """

    url: str
    name: str
    mime: str = ""
    width: int = 0
    height: int = 0
    source_width: int = 0
    source_height: int = 0
    file_bytes: int = 0
    data_bytes: int = 0

    @property
    def remote(self) -> bool:
        """Whether the picture is an https URL sent as is."""
        return not self.url.startswith("data:")

    def label(self) -> str:
        """`name · 120 KB · 800×600` for a chip."""
        if self.remote:
            return f"{self.name} · URL"
        return f"{self.name} · {human_size(self.data_bytes)} · {self.width}×{self.height}"


@dataclass(frozen=True)
class DecodedImage:
    """The bytes behind an image URL.

    Attributes:
        data: The encoded image bytes.
        mime: Their MIME type (sniffed when the URL did not say).
    """

    data: bytes
    mime: str

    @property
    def extension(self) -> str:
        """A file extension for the data (without the dot)."""
        return _EXT_OF_MIME.get(self.mime, "png")


def human_size(count: int) -> str:
    """Bytes as `812 B`, `14 KB`, `3.2 MB`."""
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / (1024 * 1024):.1f} MB"


def is_remote_url(text: str) -> bool:
    """Whether `text` is an https (or http) URL."""
    return text.strip()[:8].lower().startswith(("https://", "http://"))


_ESCAPED_RE = re.compile(r"\\(.)")


def parse_local_path(text: str) -> Path | None:
    """A path from what a terminal pastes for a dropped file, or None if it is not one.

    Accepts surrounding quotes, `file://` URLs (percent-encoded), backslash-escaped spaces
    and `~`. The path is not checked for existence.
    """
    value = text.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    if value.lower().startswith("file://"):
        parts = urlsplit(value)
        value = unquote(parts.path)
    elif "\\" in value and os.sep == "/":
        value = _ESCAPED_RE.sub(r"\1", value)
    if not value or "\n" in value or value.startswith(("http://", "https://", "data:")):
        return None
    return Path(value).expanduser()


def _open_checked(
    data: bytes, what: str, max_pixels: int, draft_side: int | None = None
) -> Image.Image:
    """Open, check and fully decode image bytes; every failure becomes an `ImageError`.

    With `draft_side`, a JPEG is decoded at the smallest scale (1/2, 1/4, 1/8) that still
    covers that longest side: much faster for big photos that are scaled down anyway.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            fmt = probe.format or "?"
            if width * height > max_pixels:
                raise ImageError(
                    f"{what} is {width}×{height} pixels ({width * height / 1e6:.0f} megapixels): "
                    f"too large to open safely (the limit is {max_pixels / 1e6:.0f} megapixels)"
                )
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.info["source_size"] = image.size
        if draft_side is not None and image.format == "JPEG":
            scale = draft_side / max(image.size)
            if scale < 0.5:
                image.draft(
                    image.mode, (math.ceil(image.width * scale), math.ceil(image.height * scale))
                )
        image.load()
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(f"{what} is not a picture Pillow can read") from None
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        count = f" ({int(found.group(1)) / 1e6:.0f} megapixels)" if found else ""
        raise ImageError(
            f"{what} is too large to open safely{count}: a decompression bomb"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        reason = str(exc) or type(exc).__name__
        if "truncated" in reason.lower() or isinstance(exc, EOFError):
            raise ImageError(
                f"{what} is truncated: the file ends before the picture does"
            ) from None
        raise ImageError(f"{what} could not be decoded ({reason})") from None
    except Exception as exc:  # Pillow plugins raise many types for hostile data
        raise ImageError(f"{what} could not be decoded ({type(exc).__name__})") from None
    if image.format is None:
        image.format = fmt
    return image


def _source_size(image: Image.Image) -> tuple[int, int]:
    size = image.info.get("source_size")
    if isinstance(size, tuple) and len(size) == 2:
        return int(size[0]), int(size[1])
    return image.size


def _oriented(image: Image.Image) -> Image.Image:
    """The picture turned upright per its EXIF orientation (first frame of an animation)."""
    from PIL import ImageOps

    try:
        if image.getexif().get(0x0112, 1) in (None, 1):
            return image  # upright already: no copy
    except Exception:
        return image
    try:
        turned = ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block must not stop the picture
        turned = image
    return turned if turned is not None else image


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        alpha = image.convert("RGBA").getchannel("A")
        low = alpha.getextrema()[0]
        return isinstance(low, int | float) and low < 255
    return False


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def prepare_bytes(
    data: bytes,
    name: str,
    *,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = MAX_PIXELS,
) -> PreparedImage:
    """Check, orient, strip, downscale and re-encode image bytes into a data URL.

    Transparent pictures become PNG; others become JPEG or WebP, whichever is smaller.
    Nothing of the original's metadata (EXIF, GPS, XMP, ICC, text chunks) is carried over:
    only pixels are encoded.

    Args:
        data: The file's bytes.
        name: Shown in messages and on the chip.
        max_side: Longest side of the result, in pixels.
        max_pixels: Pictures larger than this are refused from their header.

    Returns:
        The prepared picture.

    Raises:
        ImageError: Not a picture, truncated, too large, or undecodable; says which.
    """
    from PIL import Image

    image = _open_checked(data, name, max_pixels, draft_side=max_side)
    source_size = _source_size(image)
    # Scale first (the box is square, so the orientation does not matter), then turn and
    # convert the small picture: far less to copy.
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.BICUBIC, reducing_gap=2.0)
    image = _oriented(image)
    alpha = _has_alpha(image)
    wanted = "RGBA" if alpha else "RGB"
    if image.mode != wanted:
        image = image.convert(wanted)
    image.info.clear()  # nothing of the original's metadata may ride along
    if alpha:
        encoded, mime = _encode(image, "PNG", optimize=False, compress_level=6), "image/png"
    else:
        jpeg = _encode(image, "JPEG", quality=85, optimize=True)
        webp = _encode(image, "WEBP", quality=85, method=2)  # 4+: 3x slower, ~same size
        encoded, mime = (jpeg, "image/jpeg") if len(jpeg) <= len(webp) else (webp, "image/webp")
    url = f"data:{mime};base64," + base64.b64encode(encoded).decode("ascii")
    return PreparedImage(
        url=url,
        name=name,
        mime=mime,
        width=image.width,
        height=image.height,
        source_width=source_size[0],
        source_height=source_size[1],
        file_bytes=len(data),
        data_bytes=len(encoded),
    )


def prepare_file(
    path: Path | str,
    *,
    max_side: int = DEFAULT_MAX_SIDE,
    max_bytes: int = MAX_FILE_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> PreparedImage:
    """Read an image file and prepare it to send (see `prepare_bytes`).

    Raises:
        ImageError: Missing, unreadable, over `max_bytes`, or not a usable picture.
    """
    path = Path(path).expanduser()
    name = path.name or str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ImageError(f"{path} is a folder, not a picture")
        if not path.is_file():
            raise ImageError(f"{path} is not a file")
        if size > max_bytes:
            raise ImageError(
                f"{name} is {human_size(size)}: over the {human_size(max_bytes)} limit for pictures"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageError(f"no such file: {path}") from None
    except PermissionError:
        raise ImageError(f"not allowed to read {path}") from None
    except IsADirectoryError:
        raise ImageError(f"{path} is a folder, not a picture") from None
    except OSError as exc:
        raise ImageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not data:
        raise ImageError(f"{name} is empty")
    return prepare_bytes(data, name, max_side=max_side, max_pixels=max_pixels)


def decode_url(url: str, *, max_bytes: int = MAX_FILE_BYTES) -> DecodedImage:
    """The bytes of a data URL or raw base64 (any shape `image_url_of` accepts as a string).

    Raises:
        ImageError: A remote URL (not fetched here), invalid base64, or too large.
    """
    normal, problem = image_url_of(url)
    if normal is None:
        raise ImageError(f"not an image: {problem}")
    if is_remote_url(normal):
        raise ImageError("a remote picture (https URL): not downloaded")
    header, _, payload = normal.partition(",")
    mime = header[5:].split(";", 1)[0].strip().lower()
    if ";base64" not in header.lower():
        data = unquote(payload).encode("latin-1", "replace")
    else:
        if len(payload) > max_bytes * 4 // 3 + 16:
            raise ImageError(f"the picture's data is over the {human_size(max_bytes)} limit")
        cleaned = "".join(payload.split()).replace("-", "+").replace("_", "/")
        cleaned += "=" * (-len(cleaned) % 4)
        try:
            data = base64.b64decode(cleaned, validate=True)
        except (binascii.Error, ValueError):
            raise ImageError("the picture's base64 data is invalid") from None
    if not mime:
        mime = sniff_base64_image(base64.b64encode(data[:48]).decode("ascii")) or ""
    if not data:
        raise ImageError("the picture's data is empty")
    return DecodedImage(data, mime or "application/octet-stream")


def load_picture(
    url: str, *, max_pixels: int = MAX_PIXELS, at_least: int | None = None
) -> Image.Image:
    """Decode an image URL into an upright RGB or RGBA picture, for showing or describing.

    Args:
        url: A data URL or raw base64.
        max_pixels: Larger pictures are refused from their header.
        at_least: The longest side needed: a big JPEG may then be decoded at a reduced
            scale (still at least this long). The full size otherwise.

    Raises:
        ImageError: Remote URL, bad base64, not a picture, truncated or too large.
    """
    return picture_from_bytes(decode_url(url).data, max_pixels=max_pixels, at_least=at_least)


def picture_from_bytes(
    data: bytes, *, max_pixels: int = MAX_PIXELS, at_least: int | None = None
) -> Image.Image:
    """Like `load_picture`, from the encoded bytes (a downloaded picture, say).

    Raises:
        ImageError: Not a picture, truncated or too large.
    """
    opened = _open_checked(data, "the picture", max_pixels, at_least)
    width, height = _source_size(opened)
    image = _oriented(opened)
    if image.size != opened.size and image.size == opened.size[::-1]:
        width, height = height, width  # turned a quarter: the original is seen that way
    image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    image.info["source_size"] = (width, height)
    return image
