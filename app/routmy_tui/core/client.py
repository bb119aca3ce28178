"""The async HTTP client: one connection pool, the model list, chat requests (see `chat_run`)."""

from __future__ import annotations

import json
import ssl
from typing import Any

import httpx

from routmy_tui import __version__
from routmy_tui.core.chat_events import (
    ChatEvent,
    HeadersReceived,
    ReplyFinished,
    ReplyUpdated,
    RequestSent,
    Retrying,
)
from routmy_tui.core.chat_run import ChatRun
from routmy_tui.core.errors import error_from_exception, error_from_response
from routmy_tui.core.jsonsafe import loads_bounded
from routmy_tui.core.redact import KeyRedactor
from routmy_tui.core.secret import Secret
from routmy_tui.core.types import ModelInfo

__all__ = [
    "ChatEvent",
    "ChatRun",
    "HeadersReceived",
    "ReplyFinished",
    "ReplyUpdated",
    "RequestSent",
    "Retrying",
    "RoutmyClient",
]

MASK = "Bearer ********"


def tls_for(base_url: str) -> ssl.SSLContext | bool:
    """The TLS set-up for requests to `base_url` (httpx's `verify`).

    httpx loads the whole CA bundle when a client is made, about 40 ms of CPU at start.
    The client follows no redirects, so a plain-http base URL (a local server, the demo
    backend) never uses TLS: it gets a context with no CA certificates, which would
    refuse every certificate rather than skip the check. Any other URL gets httpx's
    default (verified against the CA bundle).
    """
    if base_url.lower().startswith("http://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies; trusts nothing
    return True


class RoutmyClient:
    """An OpenAI-compatible API client on one shared `httpx.AsyncClient`.

    Args:
        base_url: e.g. "https://api.rout.my/v1".
        api_key: The key, or None (the model list works without one).
        connect_timeout: Seconds to connect.
        read_timeout: Seconds of silence allowed between bytes (None: no limit).
        max_retries: Automatic retries of retryable failures before any output.
        transport: An httpx transport (tests).
    """

    def __init__(
        self,
        base_url: str,
        api_key: Secret | None = None,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float | None = 600.0,
        max_retries: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.has_key = api_key is not None and bool(api_key.reveal())
        self.redactor = KeyRedactor(api_key.reveal() if api_key is not None else None)
        """Takes the key out of every response before it is recorded, parsed or shown."""
        headers = {
            "User-Agent": f"routmy-tui/{__version__}",
            "Content-Type": "application/json",
            "Accept": "text/event-stream, application/json",
        }
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=60.0, pool=connect_timeout
            ),
            headers=headers,
            transport=transport,
            verify=tls_for(self.base_url),
        )
        if api_key is not None and api_key.reveal():
            # httpx masks this header in its own reprs.
            self.http.headers["Authorization"] = f"Bearer {api_key.reveal()}"

    def url(self, path: str) -> str:
        """The full URL of an API path."""
        return f"{self.base_url}/{path}"

    def public_headers(self) -> dict[str, str]:
        """The request headers with the Authorization value masked."""
        out = {k: v for k, v in self.http.headers.items() if k.lower() != "authorization"}
        if self.has_key:
            out["authorization"] = MASK
        return out

    def chat(self, body: dict[str, Any]) -> ChatRun:
        """Prepare a chat request; iterate `run.events()` to send it."""
        return ChatRun(self, body)

    async def list_models(self) -> tuple[list[ModelInfo], Any]:
        """Fetch the catalog.

        Returns:
            The parsed models and the raw JSON body (for the cache).

        Raises:
            ApiError: on any failure, including a body that is not a model list.
        """
        try:
            response = await self.http.get(self.url("models"))
        except (httpx.HTTPError, OSError) as exc:
            raise error_from_exception(exc) from None
        content = self.redactor.data(response.content)
        if response.status_code >= 400:
            raise error_from_response(
                response.status_code, response.headers, content, response.reason_phrase
            )
        try:
            body = loads_bounded(content)
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = content.decode(response.encoding or "utf-8", "replace")
        # Here, not at import: the catalog's parsers (about 4 ms of imports) are not
        # needed to make the client or send a message, which a start waits for.
        from routmy_tui.core.catalog import parse_models

        return parse_models(body), body

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()
