"""One chat request: sent with retries, its reply read (streamed or whole), its exchange kept."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import httpx

from routmy_tui.core.assemble import ReplyAssembler, ReplyDelta
from routmy_tui.core.chat_events import (
    ChatEvent,
    HeadersReceived,
    ReplyFinished,
    ReplyUpdated,
    RequestSent,
    Retrying,
)
from routmy_tui.core.errors import backoff_delay, error_from_exception, error_from_response
from routmy_tui.core.exchange import Attempt, Exchange
from routmy_tui.core.jsonsafe import JsonTooDeep, loads_bounded
from routmy_tui.core.sse import SSEDecoder
from routmy_tui.core.types import ApiError, Reply, StreamLine, StreamLines

if TYPE_CHECKING:
    from routmy_tui.core.client import RoutmyClient

TEXT_CAP = 1_000_000
"""Characters of a whole response body kept for the inspector."""
_SSE_STARTS = ("data:", ":", "event:", "id:", "retry:")
FINISH_GRACE = 2.0
PACK_IN_A_THREAD = 2_000
"""Stream lines from which a log is packed in a thread when the stream ends (20,000 lines:
10-15 ms, one step of the event loop in front of keys and frames); smaller logs inline."""
"""Seconds to wait for `[DONE]` after the finish chunk before closing the stream ourselves."""


class ChatRun:
    """One chat request: its events, the live reply and the recorded exchange.

    Iterate `events()` once. If the consuming task is cancelled, the connection is
    closed, the reply keeps what arrived and is marked "stopped".
    """

    def __init__(self, client: RoutmyClient, body: dict[str, Any]) -> None:
        self._client = client
        self.body = body
        self.assembler = ReplyAssembler()
        self.exchange = Exchange(
            method="POST",
            url=client.url("chat/completions"),
            request_headers=client.public_headers(),
            request_body=body,
        )
        self.last_activity = time.monotonic()
        """Monotonic time of the last bytes received (or of the request leaving)."""
        self._t0 = 0.0
        self._error_seen = False
        self.wait_turn: Callable[[], Awaitable[None]] | None = None
        """Awaited before each piece of the body received is parsed: a UI lets input go
        first (buffered bytes are otherwise parsed without the loop ever waiting)."""
        self.on_written: Callable[[], None] | None = None
        """Called when a try's request has been written to the connection (httpx's `trace`
        extension): a UI holds its next frame until then, so the request does not wait
        for it. Not called when a try fails before that."""

    @property
    def reply(self) -> Reply:
        """The reply as assembled so far."""
        return self.assembler.reply

    async def events(self) -> AsyncGenerator[ChatEvent, None]:
        """Send the request (with retries) and yield what happens, ending with ReplyFinished."""
        try:
            async for event in self._run():
                yield event
        except asyncio.CancelledError:
            self._end("stopped", None)
            raise
        except GeneratorExit:
            self._end("stopped", None)
            raise

    async def _run(self) -> AsyncIterator[ChatEvent]:
        client = self._client
        attempt = 0
        while True:
            attempt += 1
            self.assembler = ReplyAssembler()
            self._reset_exchange()
            self._error_seen = False
            self._t0 = self.last_activity = time.monotonic()
            yield RequestSent(attempt)
            error: ApiError | None = None
            try:
                async for event in self._attempt():
                    yield event
            except ApiError as exc:
                error = exc
            except (httpx.HTTPError, OSError) as exc:
                error = error_from_exception(exc)
            except Exception as exc:  # A reply never dies silently: it ends with the reason.
                error = internal_error(exc)
            if error is None:
                return
            started = self._has_output()
            if error.retryable and not started and attempt <= client.max_retries:
                wait = backoff_delay(attempt, error.retry_after)
                self.exchange.attempts.append(Attempt(error.summary(), wait))
                yield Retrying(attempt, wait, error)
                await asyncio.sleep(wait)
                continue
            status = "interrupted" if started and error.kind in ("network", "timeout") else "error"
            self._end(status, error)
            yield ReplyFinished(self.reply)
            return

    def fail(self, exc: BaseException) -> None:
        """End the reply with status "error" because handling it raised `exc` (kept: its text)."""
        if self.reply.status == "streaming":
            self._end("error", internal_error(exc))

    def _reset_exchange(self) -> None:
        """Forget what an earlier try received; keep the request and the list of tries."""
        exchange = self.exchange
        exchange.stream_lines = StreamLines()
        exchange.started_at = time.time()
        exchange.status = None
        exchange.response_headers = {}
        exchange.response_text = None
        exchange.response_json = None
        exchange.t_headers = exchange.t_first_token = exchange.t_done = None
        exchange.error = None

    def _has_output(self) -> bool:
        reply = self.reply
        return bool(reply.content or reply.reasoning or reply.tool_calls or reply.images)

    def _end(self, status: str, error: ApiError | None) -> None:
        exchange = self.exchange
        exchange.stream_lines.compact()  # the stream has ended: its log is packed
        if exchange.t_done is None and self._t0:
            exchange.t_done = time.monotonic() - self._t0
        if error is not None:
            self.assembler.note_error(error)
            exchange.error = error
        if self.reply.status == "streaming":
            self.assembler.finish(status)
        if exchange.response_json is None and exchange.status is not None and exchange.status < 400:
            exchange.response_json = self.reply.to_response_json()

    async def _attempt(self) -> AsyncIterator[ChatEvent]:
        client = self._client
        exchange = self.exchange
        async with client.http.stream(
            "POST",
            exchange.url,
            content=json.dumps(self.body).encode(),
            extensions={"trace": self._trace},
        ) as response:
            now = time.monotonic()
            self.last_activity = now
            exchange.t_headers = now - self._t0
            exchange.status = response.status_code
            headers = client.redactor.headers(response.headers)
            exchange.response_headers = headers
            yield HeadersReceived(response.status_code)
            if response.status_code >= 400:
                raw = client.redactor.data(await response.aread())
                exchange.response_text = raw.decode("utf-8", "replace")[:TEXT_CAP]
                raise error_from_response(
                    response.status_code, headers, raw, response.reason_phrase
                )
            content_type = response.headers.get("content-type", "").lower()
            if "text/event-stream" in content_type:
                async for event in self._read_stream(response):
                    yield event
            else:
                async for event in self._read_whole(response):
                    yield event

    async def _trace(self, name: str, info: dict[str, Any]) -> None:
        """httpcore's progress through the request: tells `on_written` once it is out."""
        if name.endswith(".send_request_body.complete") and self.on_written is not None:
            self.on_written()

    async def _read_whole(self, response: httpx.Response) -> AsyncIterator[ChatEvent]:
        raw = self._client.redactor.data(await response.aread())
        self.last_activity = time.monotonic()
        text = raw.decode("utf-8", "replace")
        self.exchange.response_text = text[:TEXT_CAP]
        if not text.strip("\ufeff \t\r\n"):
            raise ApiError(
                f"The server answered {response.status_code} with an empty body: no reply came",
                status=response.status_code,
                kind="protocol",
                retryable=True,
            )
        try:
            body = loads_bounded(text)
        except JsonTooDeep as exc:
            raise unreadable_json(exc, response.status_code, text) from None
        except json.JSONDecodeError:
            if text.lstrip("\ufeff \r\n").startswith(_SSE_STARTS):
                # A non-stream request answered with SSE: read it as a stream.
                self.exchange.response_text = None
                async for event in self._feed_sse(_once(raw)):
                    yield event
                return
            raise error_from_response(response.status_code, response.headers, raw) from None
        # A 200 body carrying only an error raises ApiError(kind="in_band") here.
        self.assembler.feed_response(body)
        self._mark_first_token()
        self.exchange.response_json = body if isinstance(body, dict) else None
        yield ReplyUpdated(
            ReplyDelta(
                content=self.reply.content,
                reasoning=self.reply.reasoning,
                images=list(self.reply.images),
                tool_calls_changed=bool(self.reply.tool_calls),
                usage=self.reply.usage,
                finish_reason=self.reply.finish_reason,
            )
        )
        self._end("complete", None)
        yield ReplyFinished(self.reply)

    async def _read_stream(self, response: httpx.Response) -> AsyncIterator[ChatEvent]:
        chunks = self._client.redactor.stream(self._chunks_with_grace(response))
        async for event in self._feed_sse(chunks):
            yield event

    async def _chunks_with_grace(self, response: httpx.Response) -> AsyncIterator[bytes]:
        """The body's bytes; once the reply has finished, stop after a short grace period."""
        iterator = response.aiter_bytes().__aiter__()
        finished_at: float | None = None
        while True:
            if finished_at is None and (self.assembler.is_stream_finished() or self._error_seen):
                # After the finish (or an in-band error) only [DONE] may still come.
                finished_at = time.monotonic()
            if self.assembler.done:
                return
            try:
                if finished_at is None:
                    chunk = await iterator.__anext__()
                else:
                    remaining = FINISH_GRACE - (time.monotonic() - finished_at)
                    if remaining <= 0:
                        return
                    chunk = await asyncio.wait_for(iterator.__anext__(), remaining)
            except StopAsyncIteration:
                return
            except TimeoutError:
                return
            except (httpx.HTTPError, OSError):
                if finished_at is not None:
                    return  # the reply was whole; a reset after the finish changes nothing
                raise
            yield chunk

    async def _feed_sse(self, chunks: Any) -> AsyncIterator[ChatEvent]:
        decoder = SSEDecoder()
        assembler = self.assembler
        lines = self.exchange.stream_lines
        t0 = self._t0
        last_data_index = -1
        events_seen = 0
        pending: list[ReplyDelta] = []

        def handle(items: list[tuple[str, Any]], now: float) -> None:
            nonlocal last_data_index, events_seen
            for text, event in items:
                if text:
                    note = "comment" if text.startswith(":") else None
                    if text.startswith("data"):
                        last_data_index = len(lines)
                    lines.append(StreamLine(now - t0, text, note))
                if event is None:
                    continue
                events_seen += 1
                delta = assembler.feed_event(event)
                if assembler.last_note is not None and last_data_index >= 0:
                    lines.set_note(last_data_index, assembler.last_note)
                if delta is not None:
                    pending.append(delta)

        wait_turn = self.wait_turn
        async for chunk in chunks:
            if wait_turn is not None:
                await wait_turn()
            now = time.monotonic()
            self.last_activity = now
            handle(decoder.feed(chunk), now)
            for event in self._flush(pending):
                yield event
        handle(decoder.close(), time.monotonic())
        for event in self._flush(pending):
            yield event
        await self._pack_log()
        if not events_seen and lines:
            # Not SSE at all: e.g. a JSON error body sent as text/event-stream.
            self._take_whole_body("\n".join(line.text for line in lines))
        error = assembler.reply.error
        if error is not None:
            self._end("error", error)
        elif assembler.is_stream_finished():
            self._end("complete", None)
        elif not self._has_output():
            # Cut before anything was shown: as safe to try again as a refused connection.
            raise ApiError(
                "The stream ended before any reply arrived"
                if lines
                else f"The server answered {self.exchange.status} with an empty stream",
                kind="network",
                retryable=True,
            )
        else:
            self._end(
                "interrupted",
                ApiError(
                    "The stream ended before the reply finished",
                    kind="network",
                    status=self.exchange.status,
                ),
            )
        yield ReplyFinished(self.reply)

    async def _pack_log(self) -> None:
        """Pack a long stream log in a thread (`_end` packs what is left, at once): the
        event loop takes keys and draws frames meanwhile. Nothing is appended to the log
        after the stream's body has ended."""
        lines = self.exchange.stream_lines
        if len(lines) < PACK_IN_A_THREAD:
            return
        packed = await asyncio.to_thread(lines.pack)
        if packed is not None:
            lines.adopt(packed)

    def _flush(self, pending: list[ReplyDelta]) -> list[ChatEvent]:
        if not pending:
            return []
        out: list[ChatEvent] = []
        for delta in pending:
            if delta.error is not None:
                self._error_seen = True
                self.assembler.note_error(delta.error)
                self.exchange.error = delta.error
            if delta.content or delta.reasoning or delta.images or delta.tool_calls_changed:
                self._mark_first_token()
            out.append(ReplyUpdated(delta))
        pending.clear()
        return out

    def _take_whole_body(self, text: str) -> None:
        """Read a body that claimed to be a stream but was one JSON document."""
        self.exchange.response_text = text[:TEXT_CAP]
        try:
            body = loads_bounded(text)
        except JsonTooDeep as exc:
            self.assembler.note_error(unreadable_json(exc, self.exchange.status, text))
            return
        except json.JSONDecodeError:
            return
        try:
            self.assembler.feed_response(body)
        except ApiError as error:
            self.assembler.note_error(error)

    def _mark_first_token(self) -> None:
        if self.exchange.t_first_token is None and self._t0:
            self.exchange.t_first_token = time.monotonic() - self._t0


def internal_error(exc: BaseException) -> ApiError:
    """The error a reply ends with when reading it failed in an unexpected way."""
    return ApiError(
        f"The reply could not be read ({type(exc).__name__}: {exc})"[:500], kind="protocol"
    )


def unreadable_json(exc: json.JSONDecodeError, status: int | None, text: str) -> ApiError:
    """The error for a body that is JSON too deep to read (the raw text is kept)."""
    return ApiError(
        f"The response could not be read: JSON {exc.msg}",
        status=status,
        kind="protocol",
        raw_body=text[:TEXT_CAP],
    )


async def _once(data: bytes) -> AsyncIterator[bytes]:
    """One chunk as an async iterator."""
    yield data
