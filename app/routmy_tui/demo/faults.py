"""Faults the demo backend injects on request, chosen by markers in the last user message.

Put a marker anywhere in the text of the LAST user message (several may be combined):

| marker              | what the server does                                                      |
|---------------------|---------------------------------------------------------------------------|
| fault:status=NNN    | HTTP NNN with a rout.my JSON error body (message, type, code, error_id)   |
| fault:429           | 429 + `Retry-After: 1` + `retry-after-ms: 1000` + JSON error body          |
| fault:html=NNN      | HTTP NNN with an HTML proxy page (`text/html`)                            |
| fault:text=NNN      | HTTP NNN with a plain-text body                                           |
| fault:empty=NNN     | HTTP NNN with an empty body                                               |
| fault:flaky=N       | the first N requests with this exact text get 503 (JSON), then success    |
| fault:disconnect    | ~20 content tokens, then the connection drops (no finish, no [DONE]);     |
|                     | non-streamed: the body is cut short of its Content-Length                 |
| fault:malformed     | mid-stream a cut-off `data: {"choices": [` event and a `data: ping` event |
| fault:stall=S       | a few tokens, then S seconds (default 30) of silence, then the rest       |
|                     | (non-streamed: the whole answer is delayed S seconds)                     |
| fault:nodone        | finish chunk, then the stream ends without `data: [DONE]`                 |
| fault:hold          | finish chunk, then `: keep-alive` every 0.5 s for up to 60 s, no [DONE]   |
| fault:inband        | ~20 content tokens, then an in-band error chunk (finish_reason "error"),  |
|                     | then the end; non-streamed: HTTP 200 whose body is an error object        |
| fault:odd           | odd but valid framing: CRLF, `data:` without space, `event: ping`,        |
|                     | `retry:`/`id:`, comments, an empty `data:`, `choices: []`, null content,  |
|                     | writes cut inside UTF-8 characters and between CR and LF                  |
| fault:json          | a stream request answered with `application/json` (a whole completion)    |
| fault:escape        | the reply contains terminal escape sequences and control characters      |

Response-level faults (status, 429, html, text, empty, flaky) apply to every endpoint and
take precedence in that order; the others shape a chat completion.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

FAULTS: dict[str, str] = {
    "fault:status=NNN": "HTTP NNN with a rout.my JSON error body",
    "fault:429": "429 with Retry-After: 1, retry-after-ms: 1000 and a JSON error body",
    "fault:html=NNN": "HTTP NNN with an HTML proxy page",
    "fault:text=NNN": "HTTP NNN with a plain-text body",
    "fault:empty=NNN": "HTTP NNN with an empty body",
    "fault:flaky=N": "first N requests with this exact text get 503, then success",
    "fault:disconnect": "about 20 content tokens, then the connection drops",
    "fault:malformed": "a cut-off JSON event and a `data: ping` event mid-stream",
    "fault:stall=S": "a few tokens, then S seconds (default 30) of silence, then the rest",
    "fault:nodone": "finish chunk, then end of stream without [DONE]",
    "fault:hold": "finish chunk, then keep-alive comments for up to 60 s, no [DONE]",
    "fault:inband": "about 20 content tokens, then an in-band error chunk",
    "fault:odd": "odd but valid SSE framing",
    "fault:json": "a stream request answered with application/json",
    "fault:escape": "terminal escape sequences and control characters in the reply",
}
"""Every fault marker and what it does (the module docstring has the details)."""

ESCAPE_TEXT = "\x1b[2J\x1b]0;pwned\x07 and \x1b[31mred\x1b[0m\x08 bell\x07 nul\x00 cr\r done"
"""The hostile text `fault:escape` puts in a reply."""

DISCONNECT_AFTER = 20
"""Content tokens sent before `fault:disconnect` / `fault:inband` strike."""

DEFAULT_STALL = 30.0

# Status meanings from API.md's table; others fall back to the reason phrase.
_MEANINGS: dict[int, tuple[str, str]] = {
    400: (
        "Invalid request: bad body, unsupported parameter or blocked prompt",
        "invalid_request_error",
    ),
    401: ("Missing or invalid API key", "authentication_error"),
    402: ("Insufficient credits", "payment_required"),
    403: ("Model is locked for this key", "permission_error"),
    404: ("Not found: wrong path or unknown model", "not_found_error"),
    408: ("Request timed out", "timeout_error"),
    429: ("Rate limit exceeded or quota spent", "rate_limit_error"),
    500: ("Internal server error", "server_error"),
    502: ("Upstream provider error", "upstream_error"),
    503: ("Service temporarily unavailable", "service_unavailable"),
    504: ("Upstream timed out", "timeout_error"),
}
_EXTRA_PHRASES = {520: "Unknown Error", 521: "Web Server Is Down", 524: "A Timeout Occurred"}

_STATUS_RE = re.compile(r"fault:(status|html|text|empty)=(\d{3})\b")
_FLAKY_RE = re.compile(r"fault:flaky=(\d+)\b")
_STALL_RE = re.compile(r"fault:stall(?:=(\d+(?:\.\d+)?))?")


def reason_phrase(status: int) -> str:
    """The HTTP reason phrase for a status ("Bad Request"), also for Cloudflare's 52x codes."""
    if status in _EXTRA_PHRASES:
        return _EXTRA_PHRASES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_meaning(status: int) -> tuple[str, str]:
    """A (message, type) pair describing what a status means on rout.my."""
    if status in _MEANINGS:
        return _MEANINGS[status]
    return reason_phrase(status), "server_error" if status >= 500 else "invalid_request_error"


@dataclass
class Faults:
    """The faults asked for by one request.

    Attributes:
        status: Status for a response-level fault, or None.
        body: Body kind for it: "json", "html", "text" or "empty".
        retry_after: Send Retry-After headers (fault:429).
        flaky: N of fault:flaky=N, or None.
        disconnect, malformed, nodone, hold, inband, odd, json, escape: stream faults.
        stall: Seconds of silence for fault:stall, or None.
    """

    status: int | None = None
    body: str = "json"
    retry_after: bool = False
    flaky: int | None = None
    disconnect: bool = False
    malformed: bool = False
    stall: float | None = None
    nodone: bool = False
    hold: bool = False
    inband: bool = False
    odd: bool = False
    json: bool = False
    escape: bool = False


def parse_faults(text: str) -> Faults:
    """Read every fault marker in `text` (the last user message).

    Args:
        text: The message text.

    Returns:
        The faults asked for; all off when there is no marker.
    """
    faults = Faults()
    if "fault:" not in text:
        return faults
    for kind, code in _STATUS_RE.findall(text):
        status = int(code)
        if 400 <= status <= 599 and faults.status is None:
            faults.status, faults.body = status, kind if kind != "status" else "json"
    if re.search(r"fault:429\b", text) and faults.status is None:
        faults.status, faults.retry_after = 429, True
    if match := _FLAKY_RE.search(text):
        faults.flaky = int(match.group(1))
    if match := _STALL_RE.search(text):
        faults.stall = float(match.group(1)) if match.group(1) else DEFAULT_STALL
    for name in ("disconnect", "malformed", "nodone", "hold", "inband", "odd", "json", "escape"):
        if re.search(rf"fault:{name}\b", text):
            setattr(faults, name, True)
    return faults


def error_body(status: int, message: str | None = None, kind: str | None = None) -> dict[str, Any]:
    """A rout.my-style error body with an `error_id`.

    Args:
        status: The HTTP status (its reason phrase becomes `code`).
        message: The message; the status's rout.my meaning when None.
        kind: The error `type`; derived from the status when None.

    Returns:
        `{"error": {"message", "type", "code", "error_id"}}`.
    """
    meaning, default_kind = error_meaning(status)
    return {
        "error": {
            "message": message or meaning,
            "type": kind or default_kind,
            "code": reason_phrase(status),
            "error_id": f"err_demo_{uuid.uuid4().hex[:16]}",
        }
    }


def html_page(status: int) -> str:
    """The HTML page a proxy in front of the API might send for a status."""
    title = f"{status} {reason_phrase(status)}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
        "</body>\r\n</html>\r\n"
    )


def text_body(status: int) -> str:
    """A plain-text error body as some proxies send it."""
    return f"upstream error: {status} {reason_phrase(status)} (demo fault)\n"
