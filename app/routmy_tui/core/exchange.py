"""What went over the wire for one reply (`Exchange`), and the tries that failed before."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from routmy_tui.core.stream_lines import StreamLine, StreamLines
from routmy_tui.core.types import ApiError

__all__ = ["Attempt", "Exchange"]


@dataclass
class Attempt:
    """One try of a request that was retried.

    Attributes:
        error: Summary of what failed.
        wait: Seconds waited before the next try.
    """

    error: str
    wait: float


@dataclass
class Exchange:
    """Everything that went over the wire for one reply; the key is never in it.

    Attributes:
        method: HTTP method.
        url: Full URL.
        request_headers: Headers sent, with Authorization masked.
        request_body: The JSON body sent.
        started_at: Wall-clock time (epoch seconds) the request left.
        status: HTTP status of the last attempt, or None.
        response_headers: Headers of the last attempt.
        response_text: The body as text for a non-streamed or error response.
        stream_lines: Every raw SSE line with its time, for streamed responses (packed
            into one compressed buffer once the stream has ended).
        response_json: The response as one JSON object (assembled for streams).
        t_headers: Seconds to the response headers.
        t_first_token: Seconds to the first content or reasoning text.
        t_done: Seconds to the end.
        attempts: Earlier tries that failed and were retried.
        error: The final failure, if any.
    """

    method: str = "POST"
    url: str = ""
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: dict[str, Any] = field(default_factory=dict)
    started_at: float = 0.0
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_text: str | None = None
    stream_lines: StreamLines = field(default_factory=StreamLines)
    response_json: dict[str, Any] | None = None
    t_headers: float | None = None
    t_first_token: float | None = None
    t_done: float | None = None
    attempts: list[Attempt] = field(default_factory=list)
    error: ApiError | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.stream_lines, StreamLines):
            self.stream_lines = StreamLines(self.stream_lines)  # a plain list given

    def to_dict(self, packed: bool = False) -> dict[str, Any]:
        """A JSON-able form, for storage and export.

        Args:
            packed: An ended stream's log as its packed buffer (`stream_log`: base64 of
                `StreamLines.packed_form`, with `stream_log_notes`) instead of one
                `[t, text, note]` row per line: what the store keeps (encoding 20,000 rows
                took ~100 ms of CPU beside the UI at the end of each long reply). Exports
                keep the rows, which a reader can read.
        """
        form = self.stream_lines.packed_form() if packed else None
        out = {
            "method": self.method,
            "url": self.url,
            "request_headers": self.request_headers,
            "request_body": self.request_body,
            "started_at": self.started_at,
            "status": self.status,
            "response_headers": self.response_headers,
            "response_text": self.response_text,
            "stream_lines": (
                [] if form is not None else [[x.t, x.text, x.note] for x in self.stream_lines]
            ),
            "response_json": self.response_json,
            "t_headers": self.t_headers,
            "t_first_token": self.t_first_token,
            "t_done": self.t_done,
            "attempts": [[a.error, a.wait] for a in self.attempts],
            "error": self.error.to_dict() if self.error else None,
        }
        if form is not None:
            blob, notes = form
            out["stream_log"] = base64.b64encode(blob).decode("ascii")
            out["stream_log_notes"] = {str(index): note for index, note in notes.items()}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Exchange:
        """Inverse of `to_dict`.

        Raises:
            ValueError: A packed stream log (`stream_log`) is damaged.
        """
        error = data.get("error")
        return cls(
            method=data.get("method", "POST"),
            url=data.get("url", ""),
            request_headers=dict(data.get("request_headers") or {}),
            request_body=dict(data.get("request_body") or {}),
            started_at=float(data.get("started_at") or 0.0),
            status=data.get("status"),
            response_headers=dict(data.get("response_headers") or {}),
            response_text=data.get("response_text"),
            stream_lines=_stream_lines_of(data),
            response_json=data.get("response_json"),
            t_headers=data.get("t_headers"),
            t_first_token=data.get("t_first_token"),
            t_done=data.get("t_done"),
            attempts=[Attempt(e, w) for e, w in data.get("attempts") or []],
            error=ApiError.from_dict(error) if isinstance(error, dict) else None,
        )


def _stream_lines_of(data: dict[str, Any]) -> StreamLines:
    """The stream log of a stored or exported exchange: its packed buffer, or its rows."""
    packed = data.get("stream_log")
    if not isinstance(packed, str):
        return _packed_lines(data.get("stream_lines") or [])
    try:
        blob = base64.b64decode(packed, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"the stream log is damaged ({exc})") from exc
    raw_notes = data.get("stream_log_notes")
    notes = raw_notes if isinstance(raw_notes, dict) else {}
    return StreamLines.from_packed(
        blob, {int(k): str(v) for k, v in notes.items() if str(k).isdigit()}
    )


def _packed_lines(rows: list[Any]) -> StreamLines:
    """Stored `[t, text, note]` rows as packed lines (a stored stream has ended)."""
    lines = StreamLines(StreamLine(t, text, note) for t, text, note in rows)
    lines.compact()
    return lines
