"""Find the message in a failed reply's body: JSON errors of every known style, HTML, text."""

from __future__ import annotations

import html
import http
import json
import re
from typing import Any

from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.types import ApiError

__all__ = ["RETRYABLE_STATUSES", "error_from_body", "message_of_page", "status_phrase"]

RETRYABLE_STATUSES: frozenset[int] = frozenset(
    {408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}
)
"""Statuses worth trying again: timeouts, rate limits, server and Cloudflare origin errors."""

_TEXT_MESSAGE_CAP = 300

_CLOUDFLARE_PHRASES = {
    520: "Web Server Returned an Unknown Error",
    521: "Web Server Is Down",
    522: "Connection Timed Out",
    523: "Origin Is Unreachable",
    524: "A Timeout Occurred",
    529: "Overloaded",
}

_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_HEADING_RE = re.compile(r"<h[1-3][^>]*>(.*?)</h[1-3]\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")


def status_phrase(status: int) -> str:
    """The standard reason phrase for a status ("Bad Gateway"), or "HTTP 599" when unknown."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return _CLOUDFLARE_PHRASES.get(status, f"HTTP {status}")


def _as_text(value: Any) -> str | None:
    """A scalar as text (numbers too), or None for empty, missing or structured values."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float):
        return str(value)
    return None


def _status_from_code(code: Any) -> int | None:
    if isinstance(code, bool):
        return None
    if isinstance(code, str) and code.strip().isdigit():
        code = int(code.strip())
    if isinstance(code, int) and 100 <= code <= 599:
        return code
    return None


def _find_error_id(*places: Any) -> str | None:
    for place in places:
        if isinstance(place, dict):
            for key in ("error_id", "errorId", "error-id"):
                found = _as_text(place.get(key))
                if found:
                    return found
    return None


def _message_of_raw(raw: Any) -> str | None:
    """The upstream text OpenRouter puts in `metadata.raw` (JSON text, an object or plain text)."""
    if isinstance(raw, str):
        stripped = raw.strip()
        if stripped[:1] in ("{", "["):
            try:
                raw = loads_bounded(stripped)
            except ValueError:
                return stripped[:_TEXT_MESSAGE_CAP] or None
        else:
            return stripped[:_TEXT_MESSAGE_CAP] or None
    if isinstance(raw, dict):
        inner = error_from_body(raw)
        if inner is not None:
            return inner.message
        return json.dumps(raw, ensure_ascii=False)[:_TEXT_MESSAGE_CAP]
    return None


def _message_of_detail(detail: Any) -> str | None:
    """FastAPI's `detail`: a string, or a list of `{"loc": [...], "msg": ...}` items."""
    if isinstance(detail, str):
        return detail.strip() or None
    if isinstance(detail, list):
        parts = []
        for item in detail[:5]:
            if isinstance(item, dict) and isinstance(item.get("msg"), str):
                loc = item.get("loc")
                where = ".".join(str(p) for p in loc) if isinstance(loc, list) else ""
                parts.append(f"{where}: {item['msg']}" if where else item["msg"])
            elif isinstance(item, str):
                parts.append(item)
        return "; ".join(parts) or None
    if isinstance(detail, dict):
        return _as_text(detail.get("message")) or _as_text(detail.get("msg"))
    return None


def error_from_body(body: Any, status: int | None = None, *, kind: str = "http") -> ApiError | None:
    """Find the error in a decoded JSON body.

    Understands rout.my (`{"error":{"message","type","code"}}`, `code` a reason phrase),
    OpenRouter (numeric `code`, `metadata.raw`, `metadata.error_type`,
    `metadata.provider_name`), Anthropic (`{"type":"error","error":{...}}`), a bare
    `{"message": ...}` and FastAPI's `detail`. An `error_id` is looked for in the error,
    at the top level and in `metadata`.

    Args:
        body: Any decoded JSON value.
        status: The HTTP status, when known; else a numeric `code` in 100..599 is used.
        kind: The ApiError kind to give ("http", or "in_band" for errors inside a 200).

    Returns:
        The error, or None when the body carries none. In-band errors are never marked
        retryable (the partial reply is kept; retrying is the user's call).
    """
    if not isinstance(body, dict):
        return None
    err = body.get("error")
    message: str | None = None
    code: Any = None
    metadata: Any = None
    err_obj: dict[str, Any] = {}
    if isinstance(err, dict):
        err_obj = err
        message = (
            _as_text(err.get("message"))
            or _as_text(err.get("msg"))
            or _message_of_detail(err.get("detail"))
            or _as_text(err.get("error"))
        )
        code = err.get("code")
        metadata = err.get("metadata")
        if message is None:
            message = _as_text(err.get("type")) or _as_text(code)
    elif isinstance(err, str) and err.strip():
        message = err.strip()
        code = body.get("code")
    elif "detail" in body:
        message = _message_of_detail(body.get("detail"))
        if message is None:
            return None
    elif isinstance(body.get("message"), str) and "choices" not in body:
        message = body["message"].strip()
        code = body.get("code")
    else:
        return None
    if not isinstance(metadata, dict):
        metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    assert isinstance(metadata, dict)
    extra = _message_of_raw(metadata.get("raw"))
    if extra and (not message or extra not in message):
        who = _as_text(metadata.get("provider_name")) or "upstream"
        message = f"{message} ({who}: {extra})" if message else extra
    reasons = metadata.get("reasons")
    if isinstance(reasons, list) and reasons:
        message = f"{message} (reasons: {', '.join(str(r) for r in reasons[:5])})"
    if status is None:
        status = _status_from_code(code)
    code_text = (
        _as_text(code) or _as_text(metadata.get("error_type")) or _as_text(err_obj.get("type"))
    )
    return ApiError(
        message or status_phrase(status or 500),
        status=status,
        kind=kind,
        error_id=_find_error_id(err_obj, body, metadata),
        code=code_text,
        retryable=kind != "in_band" and status in RETRYABLE_STATUSES,
    )


def _html_summary(text: str) -> str | None:
    """The <title> (or first heading) of an HTML page, as plain text."""
    for pattern in (_TITLE_RE, _HEADING_RE):
        match = pattern.search(text)
        if match:
            found = _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", match.group(1)))).strip()
            if found:
                return found[:200]
    return None


def _looks_like_html(text: str, content_type: str) -> bool:
    if "html" in content_type:
        return True
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype", "<html", "<head", "<body", "<title", "<h1", "<center"))


def message_of_page(text: str, content_type: str, phrase: str) -> str:
    """The message for an error body that is not JSON.

    Args:
        text: The body text, stripped and not empty.
        content_type: The response's Content-Type, lower-cased ("" when absent).
        phrase: The status reason phrase, which leads the message for an HTML page.

    Returns:
        For an HTML page (a proxy's), the phrase and the page's title; else the start of
        the text with runs of whitespace collapsed.
    """
    if _looks_like_html(text, content_type):
        title = _html_summary(text)
        where = f"HTML page from a proxy: '{title}'" if title else "HTML page from a proxy"
        return f"{phrase} ({where})"
    return _SPACE_RE.sub(" ", text[:_TEXT_MESSAGE_CAP]).strip()
