"""DemoServer: the demo backend served by uvicorn on 127.0.0.1 in a daemon thread."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Any

_QUIET_MESSAGES = (
    "ASGI callable returned without completing response",  # fault:disconnect, on purpose
    "Cancel ",  # tasks of held streams cancelled at shutdown
)


class _DemoNoise(logging.Filter):
    """Drops uvicorn's log records about faults the demo causes on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith(_QUIET_MESSAGES):
            return False
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, asyncio.CancelledError)


_logging_ready = False
_logging_lock = threading.Lock()


def _quiet_logging(to_stderr: bool) -> None:
    """Keep uvicorn off the terminal (the TUI draws there) and drop deliberate-fault noise."""
    global _logging_ready
    with _logging_lock:
        if _logging_ready:
            return
        _logging_ready = True
        logger = logging.getLogger("uvicorn.error")
        logger.addFilter(_DemoNoise())
        root = logging.getLogger("uvicorn")
        if not root.handlers:
            # A handler stops Python's last-resort printing to stderr; records still
            # propagate to whatever the host application configured.
            handler: logging.Handler = (
                logging.StreamHandler(sys.stderr) if to_stderr else logging.NullHandler()
            )
            root.addHandler(handler)


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the demo server received it (for tests that check bytes on the wire).

    Attributes:
        method: HTTP method.
        path: URL path, e.g. "/v1/chat/completions".
        headers: Header names (lowercase) and values, as received (the key included).
        body: The raw body bytes.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _Recorder:
    """ASGI wrapper appending every HTTP request to a list, then replaying its body."""

    def __init__(self, app: Any, sink: list[RecordedRequest]) -> None:
        self.app = app
        self.sink = sink

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        messages: list[Any] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        self.sink.append(RecordedRequest(scope["method"], scope["path"], headers, body))

        async def replay() -> Any:
            # The buffered messages first, then the real channel (disconnect detection).
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


class DemoServer:
    """The demo backend on a real loopback socket.

    Example:
        with DemoServer(tps=0) as server:
            httpx.get(server.base_url + "/models")

    Args:
        host: Address to bind (keep it on loopback).
        port: Port to bind; 0 picks a free one.
        tps: Default streaming speed in tokens per second (0 = as fast as possible).
        ttft: Default delay before the first token, in seconds.
        record: Keep every request in `requests` (tests); off for `--demo`, where a long
            session of image requests would only grow memory.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        tps: float = 80.0,
        ttft: float = 0.15,
        record: bool = True,
    ) -> None:
        self.host = host
        self.record = record
        self.tps = tps
        self.ttft = ttft
        self._requested_port = port
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self._stop_requested = threading.Event()
        self._go = threading.Event()
        self._go.set()
        self._log_to_stderr = False
        self._hold = 0.0
        self.error: BaseException | None = None
        """An exception that ended the serving thread, if any."""
        self.requests: list[RecordedRequest] = []
        """Every request received, in order, with its raw body (tests read it; clear at will)."""

    def start(self, *, hold: float = 0.0) -> DemoServer:
        """Bind the socket now, then serve from a daemon thread.

        The web stack is imported inside the thread, so this returns in about a millisecond;
        clients that connect before it is ready wait in the listen backlog.

        Args:
            hold: Seconds the thread waits for `go()` before importing the web stack (so
                that the app's first frame does not compete with those imports).

        Returns:
            self.
        """
        if self._sock is not None:
            return self
        self._hold = hold
        if hold:
            self._go.clear()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._requested_port))
            sock.listen(128)
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        self._sock = sock
        self._stop_requested.clear()
        self._thread = threading.Thread(target=self._serve, name="routmy-demo-server", daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        """The bound port (valid after `start`)."""
        if self._sock is None:
            return self._requested_port
        port: int = self._sock.getsockname()[1]
        return port

    @property
    def base_url(self) -> str:
        """The API base URL, e.g. "http://127.0.0.1:8765/v1"."""
        return f"http://{self.host}:{self.port}/v1"

    def go(self) -> None:
        """Start serving now, if `start(hold=...)` is still waiting."""
        self._go.set()

    def _serve(self) -> None:
        self._go.wait(self._hold)
        try:
            import uvicorn

            from routmy_tui.demo.app import build_app

            _quiet_logging(self._log_to_stderr)
            app = build_app(self.tps, self.ttft)
            config = uvicorn.Config(
                _Recorder(app, self.requests) if self.record else app,
                log_level="warning",
                access_log=False,
                log_config=None,
                lifespan="off",
                timeout_graceful_shutdown=1,
                timeout_keep_alive=30,
            )
            server = uvicorn.Server(config)
            self._server = server
            # stop() may have run before the server existed: honour it now.
            if self._stop_requested.is_set():
                server.should_exit = True
            assert self._sock is not None
            asyncio.run(server.serve(sockets=[self._sock]))
        except BaseException as exc:  # recorded for stop() callers; never printed
            self.error = exc

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and free the port; safe to call twice.

        Args:
            timeout: Longest wait for the serving thread, in seconds.
        """
        self._stop_requested.set()
        self._go.set()
        server = self._server
        if server is not None:
            server.should_exit = True
            # Held and stalled streams would otherwise delay shutdown.
            server.force_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._server = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def run_forever(port: int = 8765, host: str = "127.0.0.1", tps: float = 80.0) -> None:
    """Serve the demo backend in the foreground until Ctrl+C (`routmy-tui demo-server`).

    Args:
        port: Port to bind.
        host: Address to bind.
        tps: Default streaming speed in tokens per second.
    """
    server = DemoServer(host, port, tps=tps, record=False)
    server._log_to_stderr = True
    server.start()
    print(f"routmy-tui demo backend: {server.base_url}  (Ctrl+C stops)", flush=True)
    try:
        while server._thread is not None and server._thread.is_alive():
            server._thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    if server.error is not None and not isinstance(server.error, KeyboardInterrupt | SystemExit):
        raise SystemExit(f"demo backend stopped: {server.error!r}")
