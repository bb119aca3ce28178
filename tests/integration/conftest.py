"""Fixtures for integration tests: a demo backend on a real loopback socket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from routmy_tui.demo.server import DemoServer


@pytest.fixture(scope="session")
def demo_server() -> Iterator[DemoServer]:
    """One demo backend for the session, streaming as fast as possible (tps=0, no TTFT).

    Tests that use `fault:flaky=N` should put a unique word in the prompt: the server
    counts requests per exact prompt text for the whole session.
    """
    server = DemoServer(tps=0, ttft=0).start()
    yield server
    server.stop()


@pytest.fixture
def demo_base_url(demo_server: DemoServer) -> str:
    """The session demo backend's base URL, e.g. "http://127.0.0.1:PORT/v1"."""
    return demo_server.base_url


class SSE:
    """A small, independent SSE reader for tests (the app's own parser is tested elsewhere)."""

    @staticmethod
    def events(raw: bytes) -> list[str]:
        """The data of each event: split on blank lines, `data:` lines joined with newlines."""
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        out = []
        for block in text.split("\n\n"):
            data = []
            for line in block.split("\n"):
                if line.startswith("data:"):
                    value = line[5:]
                    data.append(value[1:] if value.startswith(" ") else value)
            if data:
                out.append("\n".join(data))
        return out

    @staticmethod
    def chunks(raw: bytes) -> list[dict[str, Any]]:
        """Every event that is a JSON object (others, like `[DONE]` or `ping`, are skipped)."""
        out = []
        for data in SSE.events(raw):
            try:
                value = json.loads(data)
            except ValueError:
                continue
            if isinstance(value, dict):
                out.append(value)
        return out

    @staticmethod
    def assemble(raw: bytes) -> dict[str, Any]:
        """Content, reasoning, tool call fragments, images, finish reason and usage."""
        reply: dict[str, Any] = {
            "content": "",
            "reasoning": "",
            "content_deltas": 0,
            "calls": [],
            "images": [],
            "finish": None,
            "usage": None,
            "errors": [],
        }
        for chunk in SSE.chunks(raw):
            if "error" in chunk:
                reply["errors"].append(chunk["error"])
            if chunk.get("usage"):
                reply["usage"] = chunk["usage"]
            for choice in chunk.get("choices") or []:
                delta = choice.get("delta") or {}
                if delta.get("content"):
                    reply["content"] += delta["content"]
                    reply["content_deltas"] += 1
                reply["reasoning"] += delta.get("reasoning") or ""
                reply["calls"] += delta.get("tool_calls") or []
                reply["images"] += delta.get("images") or []
                if choice.get("finish_reason"):
                    reply["finish"] = choice["finish_reason"]
        return reply


@pytest.fixture
def sse() -> type[SSE]:
    """The test SSE reader (`sse.events`, `sse.chunks`, `sse.assemble`)."""
    return SSE
