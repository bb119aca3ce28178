"""Copy as curl: a recorded request as a POSIX shell command that sends the same bytes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from routmy_tui.core.exchange import Exchange

__all__ = ["KEY_VARIABLE", "request_bytes", "shell_quote", "to_curl"]

KEY_VARIABLE = "ROUTMY_API_KEY"
"""The environment variable a copied command reads the key from."""

INLINE_LIMIT = 64 * 1024
"""Bodies up to this many bytes go on the command line; Linux caps one argument at 128 KiB."""

# Headers curl sets by itself (or that would be wrong to repeat); the key has its own line.
_SKIPPED = frozenset(
    {
        "authorization",
        "host",
        "content-length",
        "connection",
        "accept-encoding",
        "transfer-encoding",
    }
)


def request_bytes(body: Any) -> bytes:
    """The exact bytes the client sends for a JSON body.

    Must stay in step with `ChatRun._attempt` (plain `json.dumps`, so ASCII only);
    the curl tests compare what the demo server received from both.
    """
    return json.dumps(body).encode()


def shell_quote(text: str) -> str:
    """Quote text for a POSIX shell: single quotes, each `'` written as `'\\''`.

    Inside single quotes nothing is special ($, backslash, newline, !), so the shell
    passes the text through byte for byte.
    """
    return "'" + text.replace("'", "'\\''") + "'"


def to_curl(
    exchange_or_body: Exchange | Mapping[str, Any],
    url: str | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    method: str | None = None,
) -> str:
    """A curl command that repeats a request, with the key read from `$ROUTMY_API_KEY`.

    The body is sent with `--data-raw '…'` when it is small, else piped in through
    `printf '%s' '…' | curl --data-binary @-` (printf is a shell builtin, so the
    argument size limit of exec does not apply). Either way the server receives exactly
    `request_bytes(body)`. A streamed request (`"stream": true`) gets `-N` so curl
    prints events as they arrive.

    Args:
        exchange_or_body: A recorded exchange, or a request body.
        url: The URL (default: the exchange's).
        headers: Request headers (default: the exchange's). Any Authorization header
            becomes `Authorization: Bearer $ROUTMY_API_KEY`; its value is never used.
        method: The HTTP method (default: the exchange's, else POST).

    Returns:
        The command, one option per line joined with backslash-newlines.
    """
    if isinstance(exchange_or_body, Exchange):
        body: Any = exchange_or_body.request_body
        url = url if url is not None else exchange_or_body.url
        headers = headers if headers is not None else exchange_or_body.request_headers
        method = method or exchange_or_body.method
    else:
        body = dict(exchange_or_body)
    headers = headers or {}
    method = (method or "POST").upper()
    data = request_bytes(body).decode("ascii")

    head = ["curl", "-sS"]
    if isinstance(body, dict) and body.get("stream") is True:
        head.append("-N")
    if method != "POST":
        head += ["-X", method]
    head.append(shell_quote(url or ""))
    lines = [" ".join(head)]
    has_key = False
    for name, value in headers.items():
        if name.lower() == "authorization":
            has_key = True
        elif name.lower() not in _SKIPPED:
            lines.append("-H " + shell_quote(f"{_title(name)}: {value}"))
    if has_key:
        # Double quotes so the shell expands the variable; the real key is never written.
        lines.append(f'-H "Authorization: Bearer ${KEY_VARIABLE}"')
    if len(data) <= INLINE_LIMIT:
        lines.append("--data-raw " + shell_quote(data))
        return " \\\n  ".join(lines)
    lines.append("--data-binary @-")
    return f"printf '%s' {shell_quote(data)} | " + " \\\n  ".join(lines)


def _title(name: str) -> str:
    """`content-type` -> `Content-Type` (httpx keeps header names lowercase)."""
    return "-".join(word[:1].upper() + word[1:] for word in name.split("-"))
