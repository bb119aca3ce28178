"""Text forms of a recorded exchange: pretty JSON, the stream log, timing rows, exports."""

from __future__ import annotations

import json
from typing import Any, Literal

from routmy_tui.core.curl import to_curl
from routmy_tui.core.exchange import Exchange
from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.types import StreamLine, Usage

__all__ = [
    "ExportKind",
    "export_text",
    "format_stream_line",
    "pretty_json",
    "redact",
    "response_object",
    "shorten_strings",
    "stream_log",
    "timing_rows",
]

ExportKind = Literal["curl", "request", "response", "stream"]
"""What can be copied or saved from an exchange."""

EXPORT_SUFFIX: dict[str, str] = {
    "curl": "sh",
    "request": "json",
    "response": "json",
    "stream": "log",
}
"""File name suffix of each export kind."""


def pretty_json(value: Any) -> str:
    """Indented JSON with non-ASCII text kept readable."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def shorten_strings(value: Any, limit: int = 2000) -> Any:
    """A copy of a JSON value with each string longer than `limit` cut short for display.

    A 20 MB image data URL would otherwise cost seconds to highlight and wrap; the cut
    string keeps its head and says how long it was, e.g. `"data:image/png;base64,iVB… (N bytes)"`.
    Values without long strings are returned as they are (no copy).
    """
    if isinstance(value, str):
        if len(value) <= limit:
            return value
        size = len(value.encode("utf-8", "surrogatepass"))
        return f"{value[:limit]}… ({size:,} bytes)"
    if isinstance(value, dict):
        items = {key: shorten_strings(item, limit) for key, item in value.items()}
        return value if all(items[k] is value[k] for k in value) else items
    if isinstance(value, list):
        out = [shorten_strings(item, limit) for item in value]
        return value if all(a is b for a, b in zip(out, value, strict=True)) else out
    return value


def response_object(exchange: Exchange) -> Any:
    """The response as one JSON value: the assembled/received object, else the parsed body.

    Returns None when nothing came back; a body that is not JSON is returned as a string.
    """
    if exchange.response_json is not None:
        return exchange.response_json
    text = exchange.response_text
    if text is None and exchange.error is not None:
        text = exchange.error.raw_body
    if text is None:
        return None
    try:
        return loads_bounded(text)
    except (json.JSONDecodeError, RecursionError):
        return text


def format_stream_line(line: StreamLine) -> str:
    """One stream log line: `+SECONDS  TEXT  [note]`."""
    text = f"+{line.t:9.3f}s  {line.text}"
    if line.note:
        text += f"  [{line.note}]"
    return text


def stream_log(exchange: Exchange) -> str:
    """The whole stream log as text, one raw line per line."""
    return "".join(format_stream_line(line) + "\n" for line in exchange.stream_lines)


def export_text(kind: ExportKind, exchange: Exchange) -> str:
    """The full, untruncated text of one export (nothing here ever holds the key).

    Args:
        kind: "curl", "request" (the body), "response" (one JSON object) or "stream".
        exchange: The recorded exchange.
    """
    if kind == "curl":
        return to_curl(exchange) + "\n"
    if kind == "request":
        return pretty_json(exchange.request_body) + "\n"
    if kind == "response":
        value = response_object(exchange)
        if value is None:
            return ""
        return (value if isinstance(value, str) else pretty_json(value)) + "\n"
    return stream_log(exchange)


def redact(text: str, secret: str | None) -> str:
    """Replace every occurrence of a secret (say the user pasted their key into a message)."""
    if not secret or len(secret) < 8:
        return text
    return text.replace(secret, "********")


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f} s"


def timing_rows(
    exchange: Exchange, usage: Usage | None, multiplier: float | None
) -> list[tuple[str, str]]:
    """Label/value rows for the timing and usage tab.

    Args:
        exchange: The recorded exchange.
        usage: The reply's usage, when sent.
        multiplier: The model's `token_multiplier`, when known.
    """
    rows: list[tuple[str, str]] = [
        ("status", "—" if exchange.status is None else str(exchange.status)),
        ("time to headers", _seconds(exchange.t_headers)),
        ("time to first token", _seconds(exchange.t_first_token)),
        ("total", _seconds(exchange.t_done)),
    ]
    completion = usage.completion_tokens if usage else None
    if completion and exchange.t_done is not None and exchange.t_first_token is not None:
        span = exchange.t_done - exchange.t_first_token
        rows.append(("tokens/s", f"{completion / span:.1f}" if span > 0 else "—"))
    else:
        rows.append(("tokens/s", "—"))
    if usage is None:
        rows.append(("usage", "not sent"))
    else:
        for label, number in (
            ("prompt tokens", usage.prompt_tokens),
            ("completion tokens", usage.completion_tokens),
            ("total tokens", usage.total_tokens),
            ("cached tokens", usage.cached_tokens),
            ("reasoning tokens", usage.reasoning_tokens),
        ):
            if number is not None:
                rows.append((label, f"{number:,}"))
        quota = usage.quota_cost(multiplier)
        if quota is not None:
            rows.append(("quota cost", f"{quota:,.1f} (× {multiplier:g} token_multiplier)"))
        elif multiplier is None:
            rows.append(("quota cost", "— (token_multiplier unknown)"))
        if usage.cost is not None:
            rows.append(("usage.cost", f"{usage.cost:g}"))
    rows.append(("stream lines", f"{len(exchange.stream_lines):,}"))
    if exchange.attempts:
        rows.append(("retries", str(len(exchange.attempts))))
        for number, attempt in enumerate(exchange.attempts, 1):
            rows.append((f"  try {number}", f"{attempt.error} — waited {attempt.wait:.1f} s"))
    else:
        rows.append(("retries", "none"))
    return rows


GIST_PARSE_LIMIT = 65_536
"""Longer data lines (an image) are summarised by size, not parsed."""


def stream_gist(text: str) -> str:
    """What one raw stream line carries, in a few words (`content "Hel"`, `finish stop`...).

    The raw line starts with the chunk's id and model, which look the same on every line;
    this is what tells the lines apart in the stream log.
    """
    if text.startswith(":"):
        return "comment"
    if not text.startswith("data:"):
        return text.partition(":")[0] if ":" in text else ""
    payload = text[5:].strip()
    if payload == "[DONE]":
        return "done"
    if len(payload) > GIST_PARSE_LIMIT:
        return f"{len(payload) // 1024} KB of data"
    try:
        chunk = loads_bounded(payload)
    except json.JSONDecodeError:
        return "not JSON"
    if not isinstance(chunk, dict):
        return type(chunk).__name__
    parts: list[str] = []
    if isinstance(chunk.get("error"), dict):
        parts.append("error")
    choices = chunk.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices else None
    if isinstance(choice, dict):
        delta = choice.get("delta") or choice.get("message") or {}
        if isinstance(delta, dict):
            for key in ("reasoning", "reasoning_content", "content", "refusal"):
                value = delta.get(key)
                if isinstance(value, str) and value:
                    parts.append(f"{key.split('_')[0]} {json.dumps(value, ensure_ascii=False)}")
            if delta.get("tool_calls"):
                parts.append("tool_calls")
            if delta.get("images"):
                parts.append("images")
        if choice.get("finish_reason"):
            parts.append(f"finish {choice['finish_reason']}")
    if isinstance(chunk.get("usage"), dict):
        parts.append("usage")
    return " · ".join(parts) or "empty"
