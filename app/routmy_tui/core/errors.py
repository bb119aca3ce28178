"""Turn every failure (HTTP status, error body, in-band error, exception) into an ApiError."""

from __future__ import annotations

import errno
import html
import http
import json
import math
import random
import re
import ssl
import sys
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from routmy_tui.core.types import ApiError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "RETRYABLE_STATUSES",
    "backoff_delay",
    "error_from_body",
    "error_from_exception",
    "error_from_response",
    "retry_after_seconds",
    "status_phrase",
]

RETRYABLE_STATUSES: frozenset[int] = frozenset(
    {408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}
)
"""Statuses worth trying again: timeouts, rate limits, server and Cloudflare origin errors."""

RAW_BODY_CAP = 1_000_000
"""At most this many bytes of a body are kept for the inspector."""

_TEXT_MESSAGE_CAP = 300

_CLOUDFLARE_PHRASES = {
    520: "Web Server Returned an Unknown Error",
    521: "Web Server Is Down",
    522: "Connection Timed Out",
    523: "Origin Is Unreachable",
    524: "A Timeout Occurred",
    529: "Overloaded",
}

_HINTS = {
    401: "check your API key (ROUTMY_API_KEY)",
    403: "the model may be locked for this key",
    404: "wrong path or unknown model — refresh the model list",
    429: "rate limit or quota reached",
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
                raw = json.loads(stripped)
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


def error_from_response(
    status: int, headers: Mapping[str, str], body: bytes | str, reason: str = ""
) -> ApiError:
    """Build the error for an HTTP response that failed.

    Args:
        status: The HTTP status.
        headers: The response headers (any case).
        body: The body (already un-gzipped), as bytes or text.
        reason: The reason phrase the server sent, if any.

    Returns:
        An ApiError with the best message found (JSON error bodies of every known style,
        an HTML page's title, the start of a plain-text body, or the status phrase), a hint
        for 401/403/404/429, `retryable` from the status and `retry_after` from the headers.
    """
    if isinstance(body, bytes):
        text = body[:RAW_BODY_CAP].decode("utf-8", errors="replace")
    else:
        text = body[:RAW_BODY_CAP]
    lowered = {k.lower(): v for k, v in headers.items()}
    content_type = lowered.get("content-type", "").lower()
    phrase = reason.strip() or status_phrase(status)
    stripped = text.strip()
    message: str | None = None
    found: ApiError | None = None
    if stripped[:1] in ("{", "[") or "json" in content_type:
        try:
            found = error_from_body(json.loads(stripped), status)
        except ValueError:
            found = None
        if found is not None:
            message = found.message
    if message is None and stripped:
        if _looks_like_html(stripped, content_type):
            title = _html_summary(stripped)
            where = f"HTML page from a proxy: '{title}'" if title else "HTML page from a proxy"
            message = f"{phrase} ({where})"
        else:
            message = _SPACE_RE.sub(" ", stripped[:_TEXT_MESSAGE_CAP]).strip()
    if not message:
        message = phrase
    hint = _HINTS.get(status)
    if hint and hint not in message:
        message = f"{message} — {hint}"
    return ApiError(
        message,
        status=status,
        kind="in_band" if 200 <= status < 300 else "http",
        error_id=found.error_id if found else None,
        code=found.code if found else None,
        retryable=status in RETRYABLE_STATUSES,
        retry_after=retry_after_seconds(lowered),
        raw_body=text,
    )


def retry_after_seconds(headers: Mapping[str, str], cap: float = 60.0) -> float | None:
    """How long the server asked us to wait.

    Args:
        headers: Response headers (any case): `retry-after-ms` (milliseconds), or
            `Retry-After` as seconds or an HTTP date.
        cap: The longest wait honoured.

    Returns:
        Seconds, at least 0 and at most `cap`, or None when absent or invalid.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    seconds: float | None = None
    ms = lowered.get("retry-after-ms")
    if ms is not None:
        try:
            seconds = float(ms.strip()) / 1000.0
        except ValueError:
            seconds = None
    if seconds is None or not math.isfinite(seconds):
        value = (lowered.get("retry-after") or "").strip()
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
            if when.tzinfo is None:
                return None
            seconds = when.timestamp() - time.time()
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), cap)


def backoff_delay(
    attempt: int,
    retry_after: float | None,
    *,
    base: float = 0.5,
    cap: float = 30.0,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before the next try.

    Args:
        attempt: How many tries have failed so far (1 before the first retry).
        retry_after: What the server asked for, if it did; honoured up to `cap`.
        base: The wait before the first retry, before jitter.
        cap: The longest wait.
        rng: Random source for the jitter (a seeded one in tests).

    Returns:
        `retry_after` (capped) when given, else `base * 2**(attempt-1)` capped, with
        "equal jitter": a uniform pick between half of it and all of it.
    """
    if retry_after is not None and math.isfinite(retry_after):
        return min(max(retry_after, 0.0), cap)
    exponent = min(max(attempt, 1) - 1, 60)
    ceiling = min(base * (2.0**exponent), cap)
    pick = (rng or random).uniform(ceiling / 2.0, ceiling)
    return min(pick, cap)


def _host_of(exc: httpx.HTTPError) -> str:
    try:
        url = exc.request.url
    except RuntimeError:
        return "the server"
    port = url.port or (443 if url.scheme == "https" else 80)
    return f"{url.host}:{port}"


def _os_reason(exc: BaseException) -> str:
    """A short plain-English cause from an exception and the chain below it."""
    seen: set[int] = set()
    node: BaseException | None = exc
    texts: list[str] = []
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, OSError) and node.errno is not None:
            known = {
                errno.ECONNREFUSED: "connection refused",
                errno.ECONNRESET: "connection reset",
                errno.ENETUNREACH: "network unreachable",
                errno.EHOSTUNREACH: "host unreachable",
                errno.ETIMEDOUT: "timed out",
            }.get(node.errno)
            if known:
                return known
        texts.append(str(node))
        node = node.__cause__ or node.__context__
    joined = " ".join(texts).lower()
    for needle, words in (
        ("refused", "connection refused"),
        ("name or service not known", "host name not found"),
        ("nodename nor servname", "host name not found"),
        ("temporary failure in name resolution", "host name not found"),
        ("getaddrinfo", "host name not found"),
        ("certificate", "TLS certificate could not be verified"),
        ("unreachable", "network unreachable"),
        ("reset by peer", "connection reset"),
    ):
        if needle in joined:
            return words
    first = next((t for t in texts if t), "")
    return first[:200] or type(exc).__name__


def error_from_exception(exc: BaseException) -> ApiError:
    """Describe a failure raised while talking to the server.

    Args:
        exc: Typically an `httpx` transport error; an ApiError is returned as it is.

    Returns:
        kind "timeout" or "network" (retryable) with a plain-English message for transport
        failures; "config" for a bad URL; "protocol" for undecodable bodies and anything else.
    """
    if isinstance(exc, ApiError):
        return exc
    # httpx is not imported here at module level: its package imports its CLI, which loads
    # rich. An httpx exception can only exist once httpx is loaded, so look there first.
    if "httpx" in sys.modules:
        from_httpx = _from_httpx(exc)
        if from_httpx is not None:
            return from_httpx
    if isinstance(exc, TimeoutError):
        return ApiError("Timed out", kind="timeout", retryable=True)
    if isinstance(exc, ssl.SSLError):
        return ApiError(f"TLS error: {exc}", kind="network")
    if isinstance(exc, OSError):
        return ApiError(f"Network error ({_os_reason(exc)})", kind="network", retryable=True)
    text = str(exc).strip()
    return ApiError(
        f"{type(exc).__name__}: {text}" if text else type(exc).__name__, kind="protocol"
    )


def _from_httpx(exc: BaseException) -> ApiError | None:
    import httpx

    if isinstance(exc, httpx.InvalidURL):
        return ApiError(f"Bad server URL: {exc}", kind="config")
    if isinstance(exc, httpx.HTTPError):
        where = _host_of(exc)
        if isinstance(exc, httpx.ConnectTimeout):
            return ApiError(f"Timed out connecting to {where}", kind="timeout", retryable=True)
        if isinstance(exc, httpx.ReadTimeout):
            return ApiError(
                f"{where} sent nothing for too long (read timeout)",
                kind="timeout",
                retryable=True,
            )
        if isinstance(exc, httpx.WriteTimeout):
            return ApiError(
                f"Timed out sending the request to {where}", kind="timeout", retryable=True
            )
        if isinstance(exc, httpx.PoolTimeout):
            return ApiError(
                "Timed out waiting for a free connection", kind="timeout", retryable=True
            )
        if isinstance(exc, httpx.TimeoutException):
            return ApiError(f"Timed out talking to {where}", kind="timeout", retryable=True)
        if isinstance(exc, httpx.ConnectError):
            cause = _os_reason(exc)
            return ApiError(
                f"Could not connect to {where} ({cause})",
                kind="network",
                retryable="certificate" not in cause,
            )
        if isinstance(exc, httpx.RemoteProtocolError):
            if "without sending a response" in str(exc):
                text = "The server closed the connection without sending a response"
            else:
                text = "The server closed the connection before the reply finished"
            return ApiError(text, kind="network", retryable=True)
        if isinstance(exc, httpx.ReadError):
            return ApiError(
                f"The connection broke while reading the reply ({_os_reason(exc)})",
                kind="network",
                retryable=True,
            )
        if isinstance(exc, httpx.WriteError):
            return ApiError(
                f"The connection broke while sending the request ({_os_reason(exc)})",
                kind="network",
                retryable=True,
            )
        if isinstance(exc, httpx.UnsupportedProtocol):
            return ApiError(f"Bad server URL: {exc}", kind="config")
        if isinstance(exc, httpx.DecodingError):
            return ApiError(f"Could not decode the response body: {exc}", kind="protocol")
        if isinstance(exc, httpx.TooManyRedirects):
            return ApiError("Too many redirects", kind="protocol")
        if isinstance(exc, httpx.TransportError):
            return ApiError(
                f"Network error talking to {where} ({_os_reason(exc)})",
                kind="network",
                retryable=True,
            )
    return None
