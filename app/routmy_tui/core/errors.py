"""Turn every failure (HTTP status, error body, in-band error, exception) into an ApiError."""

from __future__ import annotations

import errno
import math
import random
import ssl
import sys
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from routmy_tui.core.error_bodies import (
    RETRYABLE_STATUSES,
    error_from_body,
    message_of_page,
    status_phrase,
)
from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.types import ApiError

if TYPE_CHECKING:
    import httpx

# RETRYABLE_STATUSES, error_from_body and status_phrase live in error_bodies; this module
# stays the public entry and re-exports them.
__all__ = [
    "RETRYABLE_STATUSES",
    "backoff_delay",
    "error_from_body",
    "error_from_exception",
    "error_from_response",
    "retry_after_seconds",
    "status_phrase",
]

RAW_BODY_CAP = 1_000_000
"""At most this many bytes of a body are kept for the inspector."""

_HINTS = {
    401: "check your API key (ROUTMY_API_KEY)",
    403: "the model may be locked for this key",
    404: "wrong path or unknown model — refresh the model list",
    429: "rate limit or quota reached",
}


_HINT_WORDS = {
    401: ("api key",),
    403: ("locked",),
    429: ("rate limit", "quota", "too many requests"),
}
"""Words showing a server's message already says what the hint would (no saying it twice)."""


def _says_already(message: str, status: int) -> bool:
    lowered = message.lower()
    if _HINTS[status] in message:
        return True
    return any(word in lowered for word in _HINT_WORDS.get(status, ()))


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
            found = error_from_body(loads_bounded(stripped), status)
        except ValueError:
            found = None
        if found is not None:
            message = found.message
    if message is None and stripped:
        message = message_of_page(stripped, content_type, phrase)
    if not message:
        message = phrase
    hint = _HINTS.get(status)
    if hint and not _says_already(message, status):
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
