"""Normalise image items of every known shape (URLs, data URLs, raw base64) to URL strings."""

from __future__ import annotations

import binascii
import re
from typing import Any

from routmy_tui.core.json_preview import short_json
from routmy_tui.core.text import truncate_middle

__all__ = [
    "MarkdownPictures",
    "image_url_of",
    "sniff_base64_image",
    "split_markdown_images",
]

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_base64_image(b64: str) -> str | None:
    """The MIME type of base64 image data, from the magic bytes of its decoded head.

    Returns:
        "image/png", "image/jpeg", "image/gif", "image/webp", or None when the text is
        not base64 or not one of those formats.
    """
    head = "".join(b64[:128].split())[:32].replace("-", "+").replace("_", "/")
    head = head[: len(head) // 4 * 4]
    try:
        raw = binascii.a2b_base64(head, strict_mode=True)
    except (binascii.Error, ValueError):
        return None
    for magic, mime in _MAGIC:
        if raw.startswith(magic):
            return mime
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_url_of(item: Any) -> tuple[str | None, str]:
    """Normalise one image item to a URL string (a data URL or an http(s) URL).

    Accepts `{"type":"image_url","image_url":{"url":..}}`, `image_url` as a bare string,
    `{"url":..}`, `{"b64_json":..}`, Anthropic's `{"source":{"data","media_type"}}`, and bare
    strings. Raw base64 becomes a data URL typed by its magic bytes; a data URL with no MIME
    type gets one the same way.

    Returns:
        (url, "") or (None, why the item was skipped).
    """
    value: Any = item
    if isinstance(item, dict):
        value = item.get("image_url")
        if value is None:
            value = item.get("url")
        if isinstance(value, dict):
            value = value.get("url") or value.get("b64_json")
        if value is None:
            value = item.get("b64_json")
        source = item.get("source")
        if value is None and isinstance(source, dict) and isinstance(source.get("data"), str):
            mime = source.get("media_type") or sniff_base64_image(source["data"])
            if isinstance(mime, str) and mime:
                return f"data:{mime};base64,{source['data']}", ""
    if not isinstance(value, str) or not value.strip():
        return None, f"unknown shape {short_json(item)}"
    value = value.strip()
    lower = value[:8].lower()
    if lower.startswith(("https://", "http://")):
        return value, ""
    if lower.startswith("data:"):
        header, comma, payload = value.partition(",")
        if not comma:
            return None, "a data URL without data"
        mime = header[5:].split(";", 1)[0].strip()
        if not mime and ";base64" in header.lower():
            sniffed = sniff_base64_image(payload)
            if sniffed:
                return f"data:{sniffed};base64,{payload}", ""
        return value, ""
    sniffed = sniff_base64_image(value)
    if sniffed is None:
        return None, f"not a URL nor image data: {truncate_middle(value, 40)!r}"
    if any(c.isspace() for c in value[:200]) or "\n" in value:
        value = "".join(value.split())
    return f"data:{sniffed};base64,{value}", ""


_MD_DATA_IMAGE = re.compile(r"!\[([^\]\n]{0,200})\]\((data:image/[^)\s]*)\)")
_MD_DATA_TAIL = re.compile(r"!\[[^\]\n]{0,200}\]\(data:[^)]*\Z")


def split_markdown_images(text: str) -> tuple[str, list[str]]:
    """Take the data-URL pictures out of Markdown text (they are shown as pictures, not text).

    Each `![alt](data:image/...)` becomes `*[picture N: alt]*`; an unfinished one at the end
    (still streaming) becomes `*[picture arriving…]*`. Other images and links are left as they are.

    Returns:
        (the text to render, the data URLs in order).
    """
    if "](data:" not in text:
        return text, []
    out, urls = _replace_pictures(text, 0)
    return _MD_DATA_TAIL.sub("*[picture arriving…]*", out), urls


def _replace_pictures(text: str, before: int) -> tuple[str, list[str]]:
    """The finished data-URL pictures of `text` replaced, numbered after `before` others."""
    urls: list[str] = []

    def replace(match: re.Match[str]) -> str:
        urls.append(match.group(2))
        alt = match.group(1).strip()
        return f"*[picture {before + len(urls)}{': ' + alt if alt else ''}]*"

    return _MD_DATA_IMAGE.sub(replace, text), urls


class MarkdownPictures:
    """`split_markdown_images` for a text that grows at its end (a reply while it streams).

    Each call scans only what was added since the last one, plus the unfinished last line: a
    finished picture never spans a line end, so whole lines already seen are kept converted
    (unless an unclosed `](data:` in them may still start the arriving-picture tail). A text
    that is not the old one plus more starts over. The result equals `split_markdown_images`.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the text seen so far."""
        self._source = ""
        self._result: tuple[str, list[str]] = ("", [])
        self._seen = False  # a "](data:" somewhere in the text so far
        self._done = 0  # source[:done] is whole lines, converted into _head/_urls
        self._head = ""
        self._urls: list[str] = []

    def split(self, text: str) -> tuple[str, list[str]]:
        """The text to render and the data URLs in order, as `split_markdown_images`."""
        if text is self._source:
            return self._result
        old = self._source
        # As in MarkdownLines.set_text: the end of the old text tells an append from a new text.
        if not (len(text) >= len(old) and text[max(0, len(old) - 64) : len(old)] == old[-64:]):
            self.reset()
            old = ""
        self._source = text
        if not self._seen:
            self._seen = text.find("](data:", max(0, len(old) - 6)) != -1
            if not self._seen:
                self._result = (text, [])
                return self._result
        end = text.rfind("\n", self._done) + 1
        if end > self._done:
            head, urls = _replace_pictures(text[self._done : end], len(self._urls))
            # The arriving-picture tail can start only after the last ")" of the converted text.
            opened = head.rfind("](data:")
            if opened == -1 or head.find(")", opened) != -1:
                self._head += head
                self._urls += urls
                self._done = end
        rest, urls = _replace_pictures(text[self._done :], len(self._urls))
        rest = _MD_DATA_TAIL.sub("*[picture arriving…]*", rest)
        self._result = (self._head + rest, self._urls + urls)
        return self._result
