"""Pictures as files: safe names, saving without overwriting, pasted paths, thumbnails."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from routmy_tui.core.images import (
    MAX_FILE_BYTES,
    MAX_PIXELS,
    ImageError,
    _oriented,
    decode_url,
    human_size,
    is_remote_url,
    parse_local_path,
)

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "IMAGE_SUFFIXES",
    "fetch_picture",
    "pasted_image_paths",
    "picture_file_name",
    "save_picture",
    "thumbnail_file",
]


def picture_file_name(url: str) -> str:
    """A safe default file name for a picture: `routmy-<hash>.<ext>` (the same for the same data).

    Raises:
        ImageError: The URL holds no usable data (see `decode_url`).
    """
    import hashlib

    decoded = decode_url(url)
    digest = hashlib.sha256(decoded.data).hexdigest()[:12]
    return f"routmy-{digest}.{decoded.extension}"


def save_picture(url: str, target: Path | str, *, overwrite: bool = False) -> Path:
    """Write a picture's bytes, as they came, to `target` (atomically: a temp file, then rename).

    Args:
        url: A data URL (or raw base64).
        target: The file to write; `~` is expanded. Its folder must exist.
        overwrite: Replace an existing file. Without it an existing file is never touched.

    Returns:
        The path written.

    Raises:
        FileExistsError: `target` exists and `overwrite` is False.
        ImageError: The URL holds no usable data.
        OSError: The file could not be written.
    """
    import tempfile

    path = Path(target).expanduser()
    decoded = decode_url(url)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder")
    handle, temp = tempfile.mkstemp(prefix=".routmy-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(decoded.data)
        # mkstemp makes the file 0600, as every file the app writes: a picture can be private.
        if not overwrite:
            try:
                os.link(temp, path)  # fails if the file appeared meanwhile: never overwrite
                return path
            except FileExistsError:
                raise
            except OSError:  # no hard links here: check once more, then rename
                if path.exists():
                    raise FileExistsError(f"{path} already exists") from None
        os.replace(temp, path)
        return path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".jfif", ".ico"}
)
"""File name endings taken for pictures when a path is pasted or dropped."""


def pasted_image_paths(text: str) -> list[Path]:
    """The picture files a paste names, or [] when it is ordinary text.

    Terminals paste a dropped file as its path, quoted, backslash-escaped or as a `file://`
    URL; several dropped files come separated by spaces or lines. Only a paste made of
    nothing but existing files with picture endings counts.
    """
    import shlex

    text = text.strip()
    if not text or len(text) > 20_000:
        return []
    whole = parse_local_path(text)
    if whole is not None and whole.suffix.lower() in IMAGE_SUFFIXES and whole.is_file():
        return [whole]
    try:
        tokens = shlex.split(text)
    except ValueError:
        return []
    paths = [parse_local_path(token) for token in tokens]
    good = [
        path
        for path in paths
        if path is not None and path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()
    ]
    return good if good and len(good) == len(tokens) else []


def thumbnail_file(
    path: Path | str, side: int = 256, *, max_bytes: int = MAX_FILE_BYTES
) -> tuple[Image.Image, str]:
    """A small RGB preview of an image file and one line of facts (`PNG · 1.2 MB · 800×600`).

    Large JPEGs are decoded at a reduced scale (fast); nothing is re-encoded.

    Raises:
        ImageError: As `prepare_file` would.
    """
    from PIL import Image

    path = Path(path).expanduser()
    try:
        if path.is_dir():
            raise ImageError(f"{path} is a folder, not a picture")
        size = path.stat().st_size
        if size > max_bytes:
            raise ImageError(f"{path.name} is {human_size(size)}: over the limit for pictures")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageError(f"no such file: {path}") from None
    except OSError as exc:
        raise ImageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            fmt = probe.format or "?"
    except Exception:
        raise ImageError(f"{path.name} is not a picture Pillow can read") from None
    if width * height > MAX_PIXELS:
        raise ImageError(f"{path.name} is {width}×{height} pixels: too large to open safely")
    opened = Image.open(io.BytesIO(data))
    opened.draft("RGB", (side, side))
    try:
        image = _oriented(opened)
        image.thumbnail((side, side))
        preview = image.convert("RGB")
    except Exception as exc:
        raise ImageError(f"{path.name} could not be decoded ({type(exc).__name__})") from None
    return preview, f"{fmt} · {human_size(size)} · {width}×{height}"


def fetch_picture(
    url: str,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    timeout: float = 20.0,
    allow_http: bool = False,
) -> bytes:
    """Download a picture a server named by an https URL, to show it (never to send it).

    Only https (plain http only with `allow_http`, for tests on loopback); at most
    `max_bytes` (the download stops there); no cookies or keys are sent.

    Raises:
        ImageError: Not https, an HTTP error, too large, not an image, or the network failed.
    """
    import httpx

    if not url.lower().startswith("https://") and not (allow_http and is_remote_url(url)):
        raise ImageError("only https pictures are downloaded")
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=3) as client,
            client.stream("GET", url, headers={"Accept": "image/*"}) as response,
        ):
            if response.status_code != 200:
                raise ImageError(f"the picture's server answered HTTP {response.status_code}")
            kind = response.headers.get("content-type", "")
            if kind and not kind.lower().startswith(("image/", "application/octet-stream")):
                raise ImageError(f"the URL is not a picture ({kind.split(';')[0]})")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise ImageError(f"the picture is over the {human_size(max_bytes)} limit")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise ImageError(f"could not download the picture ({type(exc).__name__})") from None
    return b"".join(chunks)
