"""The Pillow pipeline: every image input of API.md, bombs, truncated files, clean output."""

from __future__ import annotations

import base64
import io
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from routmy_tui.core.image_items import split_markdown_images
from routmy_tui.core.images import (
    ImageError,
    decode_url,
    load_picture,
    parse_local_path,
    picture_from_bytes,
    prepare_bytes,
    prepare_file,
)
from routmy_tui.core.picture_files import (
    fetch_picture,
    pasted_image_paths,
    picture_file_name,
    save_picture,
)
from routmy_tui.core.request import build_chat_body
from routmy_tui.core.types import ChatMessage


def encoded(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB", **save: object) -> bytes:
    colour: object = (200, 30, 30, 128) if mode == "RGBA" else "red"
    image = Image.new(mode, size, colour)  # type: ignore[arg-type]
    if fmt == "GIF":
        image = image.convert("P")
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A real, valid 1-bit PNG of width x height pixels that compresses to a few kB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("GIF", "image/gif")],
)
def test_data_urls_of_each_safe_format_decode(fmt: str, mime: str) -> None:
    url = f"data:{mime};base64,{b64(encoded(fmt))}"
    decoded = decode_url(url)
    assert decoded.mime == mime
    assert load_picture(url).size == (40, 30)


@pytest.mark.parametrize(("fmt", "mime"), [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_a_data_url_without_mime_type_is_sniffed(fmt: str, mime: str) -> None:
    decoded = decode_url(f"data:;base64,{b64(encoded(fmt))}")
    assert decoded.mime == mime


def test_raw_base64_and_url_safe_base64_decode() -> None:
    data = encoded("JPEG")
    assert decode_url(b64(data)).mime == "image/jpeg"
    url_safe = base64.urlsafe_b64encode(data).decode().rstrip("=")
    assert decode_url(f"data:image/jpeg;base64,{url_safe}").data == data


def test_https_urls_are_not_decoded_locally() -> None:
    with pytest.raises(ImageError, match="remote"):
        decode_url("https://example.com/cat.png")


@pytest.mark.parametrize("item", ["", "hello there", "data:image/png;base64"])
def test_items_that_are_not_images_are_refused_with_a_reason(item: str) -> None:
    with pytest.raises(ImageError, match="not an image"):
        decode_url(item)


def test_invalid_base64_is_refused() -> None:
    with pytest.raises(ImageError, match="base64 data is invalid"):
        decode_url("data:image/png;base64,!!!not*base64")


def test_a_truncated_picture_is_refused() -> None:
    data = encoded("PNG", (300, 300))
    url = "data:image/png;base64," + b64(data[: len(data) // 2])
    with pytest.raises(ImageError, match="is truncated"):
        load_picture(url)
    with pytest.raises(ImageError, match="is truncated"):
        prepare_bytes(encoded("JPEG", (300, 300))[:400], "half.jpg")


def test_a_20000_square_bomb_is_refused_from_its_header() -> None:
    with pytest.raises(ImageError, match="12000×12000 pixels"):
        load_picture("data:image/png;base64," + b64(png_bomb(12000, 12000)))
    bomb = png_bomb()
    assert len(bomb) < 200_000  # small on disk...
    with pytest.raises(ImageError, match="400 megapixels"):  # ...but not opened
        load_picture("data:image/png;base64," + b64(bomb))
    with pytest.raises(ImageError, match="too large to open safely"):
        prepare_bytes(bomb, "bomb.png")


def test_not_an_image_empty_and_missing_files_say_so(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("just words")
    with pytest.raises(ImageError, match=r"notes\.txt is not a picture"):
        prepare_file(text)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(ImageError, match="empty"):
        prepare_file(empty)
    with pytest.raises(ImageError, match="no such file"):
        prepare_file(tmp_path / "missing.png")
    with pytest.raises(ImageError, match="folder"):
        prepare_file(tmp_path)


def test_files_over_the_size_limit_are_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(os.urandom(4096))
    with pytest.raises(ImageError, match="over the 1 KB limit"):
        prepare_file(big, max_bytes=1024)


def _gps_jpeg() -> bytes:
    image = Image.new("RGB", (400, 200), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90° clockwise to view
    exif[0x010F] = "SpyCam Inc"
    gps = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 39.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def test_metadata_is_gone_from_what_is_sent_and_orientation_applied() -> None:
    data = _gps_jpeg()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825)  # the fixture really has a location
    prepared = prepare_bytes(data, "holiday.jpg")
    sent = base64.b64decode(prepared.url.partition(",")[2])
    assert b"SpyCam" not in sent and b"Exif" not in sent
    with Image.open(io.BytesIO(sent)) as image:
        assert not image.getexif()
        assert "exif" not in image.info and "icc_profile" not in image.info
        assert image.size == (200, 400)  # upright: the orientation tag was applied
    assert (prepared.width, prepared.height) == (200, 400)
    assert (prepared.source_width, prepared.source_height) == (400, 200)


def test_big_pictures_are_scaled_to_the_longest_side_set() -> None:
    prepared = prepare_bytes(encoded("PNG", (3000, 1500)), "wide.png", max_side=1000)
    assert (prepared.width, prepared.height) == (1000, 500)
    assert load_picture(prepared.url).size == (1000, 500)


def test_transparency_is_kept_as_png_and_photos_become_the_smaller_lossy_format() -> None:
    clear = prepare_bytes(encoded("PNG", mode="RGBA"), "logo.png")
    assert clear.mime == "image/png"
    assert load_picture(clear.url).mode == "RGBA"
    photo = prepare_bytes(_gps_jpeg(), "photo.jpg")
    assert photo.mime in ("image/jpeg", "image/webp")
    assert photo.data_bytes == len(base64.b64decode(photo.url.partition(",")[2]))
    assert "·" in photo.label() and "200×400" in photo.label()


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ("/home/me/cat.png", "/home/me/cat.png"),
        ("'/home/me/my cat.png'", "/home/me/my cat.png"),
        ('"/home/me/my cat.png"  ', "/home/me/my cat.png"),
        ("file:///home/me/my%20cat.png", "/home/me/my cat.png"),
        ("/home/me/my\\ cat.png", "/home/me/my cat.png"),
    ],
)
def test_pasted_and_dropped_paths_are_understood(pasted: str, expected: str) -> None:
    assert parse_local_path(pasted) == Path(expected)


@pytest.mark.parametrize("pasted", ["https://x.io/a.png", "two\nlines", "", "data:image/png,x"])
def test_text_that_is_no_path_is_not_taken_for_one(pasted: str) -> None:
    assert parse_local_path(pasted) is None


def test_the_request_json_of_a_message_with_two_pictures() -> None:
    first = prepare_bytes(encoded("PNG", mode="RGBA"), "a.png").url
    second = "https://example.com/b.jpg"
    message = ChatMessage("user", "Compare these", [first, second])
    body = build_chat_body("demo/vision", [message], stream=False)
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Compare these"},
                {"type": "image_url", "image_url": {"url": first}},
                {"type": "image_url", "image_url": {"url": second}},
            ],
        }
    ]


def test_pastes_of_picture_files_are_found_and_other_text_is_left_alone(tmp_path: Path) -> None:
    one = tmp_path / "my cat.png"
    two = tmp_path / "dog.jpg"
    notes = tmp_path / "notes.txt"
    for path in (one, two, notes):
        path.write_bytes(b"x")
    assert pasted_image_paths(str(one)) == [one]
    assert pasted_image_paths(f"'{one}' {two}") == [one, two]
    assert pasted_image_paths(str(one).replace(" ", "\\ ") + "\n" + str(two)) == [one, two]
    assert pasted_image_paths(one.as_uri()) == [one]
    assert pasted_image_paths(str(notes)) == []  # not a picture
    assert pasted_image_paths(f"{two} is my dog") == []  # words around it: plain text
    assert pasted_image_paths(str(tmp_path / "missing.png")) == []


def test_saving_never_overwrites_unless_asked(tmp_path: Path) -> None:
    url = "data:image/png;base64," + b64(encoded("PNG"))
    name = picture_file_name(url)
    assert name.startswith("routmy-") and name.endswith(".png")
    target = tmp_path / name
    assert save_picture(url, target) == target
    assert target.read_bytes() == encoded("PNG")
    assert target.stat().st_mode & 0o777 == 0o600  # as every file the app writes
    target.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        save_picture(url, target)
    assert target.read_bytes() == b"precious"
    save_picture(url, target, overwrite=True)
    assert target.read_bytes() == encoded("PNG")
    assert not list(tmp_path.glob(".routmy-*"))  # no temp file left behind


def test_data_url_pictures_in_markdown_are_taken_out_of_the_text() -> None:
    url = "data:image/png;base64," + b64(encoded("PNG"))
    text = f"Look: ![a cat]({url}) and ![](https://x.io/y.png)\n\nthen ![b](data:image/png;base64,A"
    shown, urls = split_markdown_images(text)
    assert urls == [url]
    assert shown == (
        "Look: *[picture 1: a cat]* and ![](https://x.io/y.png)\n\nthen *[picture arriving…]*"
    )
    assert split_markdown_images("plain **text**") == ("plain **text**", [])


@pytest.fixture
def picture_server(tmp_path: Path) -> Iterator[str]:
    """A plain HTTP server on loopback serving tmp_path (stops with the test)."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_remote_pictures_are_downloaded_to_be_shown_with_limits(
    picture_server: str, tmp_path: Path
) -> None:
    (tmp_path / "cat.png").write_bytes(encoded("PNG", (30, 20)))
    (tmp_path / "notes.txt").write_text("hello")
    data = fetch_picture(f"{picture_server}/cat.png", allow_http=True)
    assert picture_from_bytes(data).size == (30, 20)
    with pytest.raises(ImageError, match="only https"):
        fetch_picture(f"{picture_server}/cat.png")
    with pytest.raises(ImageError, match="HTTP 404"):
        fetch_picture(f"{picture_server}/missing.png", allow_http=True)
    with pytest.raises(ImageError, match="not a picture"):
        fetch_picture(f"{picture_server}/notes.txt", allow_http=True)
    with pytest.raises(ImageError, match="over the"):
        fetch_picture(f"{picture_server}/cat.png", allow_http=True, max_bytes=10)
