"""Incremental Server-Sent Events framing: bytes in, raw lines and dispatched events out."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

__all__ = ["SSEDecoder", "SSEEvent"]

_BOM = "\ufeff"


@dataclass(slots=True)
class SSEEvent:
    """One dispatched SSE event.

    Attributes:
        event: The `event:` field, or "" when the event had none.
        data: The `data:` lines joined with "\\n".
        id: The `id:` field of this event, when it had one.
        retry: The `retry:` field (milliseconds), when it had a valid one.
    """

    event: str
    data: str
    id: str | None = None
    retry: int | None = None


Line = tuple[str, SSEEvent | None]
"""A raw line (without its terminator) and the event it dispatched, if any."""


class SSEDecoder:
    """Turns a byte stream into raw lines and SSE events, one read at a time.

    Follows the WHATWG event-stream rules: UTF-8 decoded incrementally (invalid bytes
    become U+FFFD), a leading BOM dropped, lines ended only by CRLF, CR or LF, comments
    (`:`) ignored, `data:` lines joined with newlines, and an event dispatched by a blank
    line when it has at least one `data:` line. Unlike a plain parser it reports every raw
    line, so a caller can record the stream as it arrived, and `close` dispatches a last
    event whose blank line never came.

    Work is linear in the input: an unfinished line is kept as a list of pieces and joined
    once, so a many-megabyte `data:` line read in small pieces costs one copy.
    """

    __slots__ = (
        "_closed",
        "_data",
        "_decoder",
        "_event",
        "_id",
        "_pieces",
        "_retry",
        "_skip_lf",
        "_started",
    )

    def __init__(self) -> None:
        """Start with an empty buffer, expecting the first byte of a stream."""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pieces: list[str] = []  # the unfinished line, in pieces
        self._skip_lf = False  # the last text ended with CR: a following LF belongs to it
        self._started = False  # the first character (a possible BOM) has been seen
        self._closed = False
        self._data: list[str] | None = None  # data lines of the pending event
        self._event = ""
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, data: bytes) -> list[Line]:
        """Take the next bytes of the stream.

        Args:
            data: Any number of bytes, cut anywhere (even inside a character or a CRLF).

        Returns:
            Every line completed by these bytes, in order, without its terminator, each
            paired with the event that line dispatched (only a blank line can) or None.
        """
        if self._closed or not data:
            return []
        return self._feed_text(self._decoder.decode(data))

    def close(self) -> list[Line]:
        """End the stream.

        Returns:
            The unterminated last line, if any, and, when an event is pending (it has
            `data:` lines but its blank line never came), that event: paired with the last
            line, or with "" when there was no unterminated line. Later calls return [].
        """
        if self._closed:
            return []
        out = self._feed_text(self._decoder.decode(b"", True))
        self._closed = True
        if self._pieces:
            line = "".join(self._pieces)
            self._pieces = []
            self._process(line)
            out.append((line, self._dispatch()))
        elif self._data is not None:
            out.append(("", self._dispatch()))
        return out

    def _feed_text(self, text: str) -> list[Line]:
        if not text:
            return []
        if not self._started:
            self._started = True
            if text[0] == _BOM:
                text = text[1:]
                if not text:
                    return []
        if self._skip_lf:
            self._skip_lf = False
            if text[0] == "\n":
                text = text[1:]
                if not text:
                    return []
        if "\r" in text:
            if text[-1] == "\r":
                # The LF of this CRLF, if there is one, is in the next read.
                self._skip_lf = True
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        parts = text.split("\n")
        tail = parts.pop()
        out: list[Line] = []
        if parts:
            if self._pieces:
                self._pieces.append(parts[0])
                parts[0] = "".join(self._pieces)
                self._pieces = []
            process = self._process
            for line in parts:
                out.append((line, process(line)))
        if tail:
            self._pieces.append(tail)
        return out

    def _process(self, line: str) -> SSEEvent | None:
        if not line:
            return self._dispatch()
        if line[0] == ":":
            return None
        colon = line.find(":")
        if colon < 0:
            name, value = line, ""
        else:
            name = line[:colon]
            value = line[colon + 1 :]
            if value[:1] == " ":
                value = value[1:]
        if name == "data":
            if self._data is None:
                self._data = [value]
            else:
                self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> SSEEvent | None:
        data = self._data
        if data is None:
            # A blank line with no data lines dispatches nothing, but still ends the block.
            self._event = ""
            self._id = None
            self._retry = None
            return None
        event = SSEEvent(
            self._event,
            data[0] if len(data) == 1 else "\n".join(data),
            self._id,
            self._retry,
        )
        self._data = None
        self._event = ""
        self._id = None
        self._retry = None
        return event
