"""Keep the app's own key out of what a server sends back (bodies, headers, streamed text)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

__all__ = ["REDACTED", "KeyRedactor"]

REDACTED = "[key redacted]"
"""What stands in for the key wherever a server echoed it."""

_MIN_KEY = 8
"""Shorter values are not treated as keys: replacing them would mangle ordinary text."""


class KeyRedactor:
    """Replaces the key in response data as it enters the app, so nothing downstream sees it.

    A server may echo the Authorization header in a 401 body, a header or a streamed reply;
    the client passes every response through this before recording, parsing or showing it.

    Args:
        key: The API key the app sends, or None.
    """

    def __init__(self, key: str | None) -> None:
        self._key = key if key and len(key) >= _MIN_KEY else None
        self._key_bytes = self._key.encode("utf-8") if self._key else b""
        self._marker = REDACTED.encode("utf-8")

    def __bool__(self) -> bool:
        return self._key is not None

    def text(self, text: str) -> str:
        """Text with every occurrence of the key replaced."""
        if self._key is None or self._key not in text:
            return text
        return text.replace(self._key, REDACTED)

    def data(self, data: bytes) -> bytes:
        """Bytes with every occurrence of the key replaced."""
        if not self._key_bytes or self._key_bytes not in data:
            return data
        return data.replace(self._key_bytes, self._marker)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Headers with the key replaced in every value."""
        return {name: self.text(value) for name, value in headers.items()}

    async def stream(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """A byte stream with the key replaced, even when a chunk boundary cuts it.

        Only a chunk that ends with the start of the key holds those few bytes back until
        the next chunk; every other chunk passes at once (SSE events end in blank lines,
        never in a key prefix, so a stream is not delayed).
        """
        if not self._key_bytes:
            async for chunk in chunks:
                yield chunk
            return
        carry = b""
        async for chunk in chunks:
            data = self.data(carry + chunk)
            data, carry = self._split_tail(data)
            if data:
                yield data
        if carry:
            yield carry

    def _split_tail(self, data: bytes) -> tuple[bytes, bytes]:
        """(what can go now, a tail that may be the start of the key)."""
        key = self._key_bytes
        start = max(0, len(data) - len(key) + 1)
        index = data.find(key[:1], start)
        while index != -1:
            if key.startswith(data[index:]):
                return data[:index], data[index:]
            index = data.find(key[:1], index + 1)
        return data, b""
