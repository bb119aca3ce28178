"""The demo backend's fault markers, and its cheap start, over real loopback."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from typing import Any

import httpx
import pytest

from routmy_tui.demo.faults import ESCAPE_TEXT, FAULTS, parse_faults, reason_phrase
from routmy_tui.demo.plan import ODD_TEXT


def body(prompt: str, **extra: Any) -> dict[str, Any]:
    return {"model": "demo/chat", "messages": [{"role": "user", "content": prompt}], **extra}


@pytest.fixture
def client(demo_base_url: str) -> httpx.Client:
    with httpx.Client(base_url=demo_base_url, timeout=httpx.Timeout(10.0)) as c:
        yield c


def stream_raw(client: httpx.Client, prompt: str, **extra: Any) -> tuple[httpx.Response, bytes]:
    with client.stream("POST", "/chat/completions", json=body(prompt, stream=True, **extra)) as r:
        return r, r.read()


def whole_content(client: httpx.Client, prompt: str) -> str:
    r = client.post("/chat/completions", json=body(prompt))
    return str(r.json()["choices"][0]["message"]["content"])


def test_every_documented_marker_is_parsed() -> None:
    text = " ".join(
        m.replace("NNN", "502").replace("=N", "=2").replace("=S", "=1.5") for m in FAULTS
    )
    faults = parse_faults(text)
    assert faults.status == 502 and faults.flaky == 2 and faults.stall == 1.5
    for name in ("disconnect", "malformed", "nodone", "hold", "inband", "odd", "json", "escape"):
        assert getattr(faults, name), name
    assert parse_faults("fault:stall").stall == 30.0
    assert parse_faults("no markers here") == parse_faults("")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 408, 429, 500, 502, 503, 520])
@pytest.mark.parametrize("stream", [True, False])
def test_status_fault_gives_a_routmy_error_body(
    client: httpx.Client, status: int, stream: bool
) -> None:
    r = client.post("/chat/completions", json=body(f"hi fault:status={status}", stream=stream))
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    error = r.json()["error"]
    assert error["code"] == reason_phrase(status)
    assert error["error_id"].startswith("err_demo_") and error["message"] and error["type"]


def test_status_fault_messages_follow_the_api_table(client: httpx.Client) -> None:
    r = client.post("/chat/completions", json=body("fault:status=401"))
    assert "key" in r.json()["error"]["message"].lower()
    r = client.post("/chat/completions", json=body("fault:status=403"))
    assert "locked" in r.json()["error"]["message"].lower()


def test_429_fault_sends_retry_after_headers(client: httpx.Client) -> None:
    r = client.post("/chat/completions", json=body("slow down fault:429"))
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1" and r.headers["retry-after-ms"] == "1000"
    assert r.json()["error"]["code"] == "Too Many Requests"


@pytest.mark.parametrize(
    ("kind", "media", "check"),
    [
        ("html", "text/html", lambda t: "<html>" in t and "502 Bad Gateway" in t),
        ("text", "text/plain", lambda t: "502" in t and not t.startswith("{")),
        ("empty", None, lambda t: t == ""),
    ],
)
def test_non_json_error_bodies(
    client: httpx.Client, kind: str, media: str | None, check: Any
) -> None:
    r = client.post("/chat/completions", json=body(f"fault:{kind}=502", stream=True))
    assert r.status_code == 502
    if media:
        assert r.headers["content-type"].startswith(media)
    assert check(r.text)


def test_flaky_fails_n_times_per_exact_prompt_then_succeeds(client: httpx.Client) -> None:
    prompt = "fault:flaky=2 test_demo_faults-unique"
    statuses = [client.post("/chat/completions", json=body(prompt)).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    # A different text has its own counter.
    other = client.post("/chat/completions", json=body(prompt + " other"))
    assert other.status_code == 503


def test_faults_apply_to_image_generation(client: httpx.Client) -> None:
    payload = {"model": "demo/image", "prompt": "a tree fault:status=500"}
    r = client.post("/images/generations", json=payload)
    assert r.status_code == 500 and "error_id" in r.json()["error"]


def test_disconnect_drops_the_stream_mid_reply(client: httpx.Client, sse: Any) -> None:
    received = b""
    with (
        pytest.raises(httpx.RemoteProtocolError),
        client.stream("POST", "/chat/completions", json=body("fault:disconnect", stream=True)) as r,
    ):
        for piece in r.iter_raw():
            received += piece
    reply = sse.assemble(received)
    assert reply["content_deltas"] == 20 and reply["finish"] is None
    assert "[DONE]" not in sse.events(received)


def test_disconnect_cuts_a_whole_response_short(client: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/chat/completions", json=body("fault:disconnect"))
    # The server is still fine afterwards.
    assert client.get("/models").status_code == 200


def test_malformed_events_then_normal_end(client: httpx.Client, sse: Any) -> None:
    prompt = "fault:malformed here"
    _, raw = stream_raw(client, prompt)
    events = sse.events(raw)
    assert '{"choices": [' in events and "ping" in events
    assert events[-1] == "[DONE]"
    assert sse.assemble(raw)["content"] == whole_content(client, prompt)


def test_stall_goes_silent_then_continues(
    client: httpx.Client, demo_base_url: str, sse: Any
) -> None:
    received = b""
    impatient = httpx.Timeout(10.0, read=0.3)
    with (
        httpx.Client(base_url=demo_base_url, timeout=impatient) as quick,
        pytest.raises(httpx.ReadTimeout),
        quick.stream("POST", "/chat/completions", json=body("fault:stall=3", stream=True)) as r,
    ):
        for piece in r.iter_raw():
            received += piece
    assert sse.assemble(received)["content_deltas"] == 5
    _, raw = stream_raw(client, "fault:stall=0.2 and then the rest")
    reply = sse.assemble(raw)
    assert reply["finish"] == "stop" and reply["content_deltas"] > 100


def test_nodone_ends_cleanly_after_the_finish_chunk(client: httpx.Client, sse: Any) -> None:
    _, raw = stream_raw(client, "fault:nodone")
    events = sse.events(raw)
    assert "[DONE]" not in events
    assert json.loads(events[-1])["choices"][0]["finish_reason"] == "stop"


def test_hold_keeps_the_connection_open_with_comments(client: httpx.Client, sse: Any) -> None:
    received = b""
    with client.stream("POST", "/chat/completions", json=body("fault:hold", stream=True)) as r:
        for piece in r.iter_raw():
            received += piece
            if b": keep-alive" in received:
                break  # the client has to close it itself
    assert sse.assemble(received)["finish"] == "stop"
    assert "[DONE]" not in sse.events(received)
    assert client.get("/models").status_code == 200


def test_inband_error_after_some_content(client: httpx.Client, sse: Any) -> None:
    r, raw = stream_raw(client, "fault:inband")
    assert r.status_code == 200
    reply = sse.assemble(raw)
    assert reply["content_deltas"] == 20 and reply["finish"] == "error"
    assert reply["errors"] == [{"code": 502, "message": "Provider disconnected"}]
    assert "[DONE]" not in sse.events(raw)
    whole = client.post("/chat/completions", json=body("fault:inband"))
    assert whole.status_code == 200 and whole.json()["error"]["code"] == 502


def test_odd_framing_is_valid_sse(client: httpx.Client, sse: Any) -> None:
    prompt = "fault:odd framing please"
    _, raw = stream_raw(client, prompt)
    for piece in (b"\r\n", b"data:{", b"event: ping", b"retry: 3000", b"id: 7", b"data:\r\n\r\n"):
        assert piece in raw
    assert raw.startswith(b": OPENROUTER PROCESSING\r\r")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    chunks = sse.chunks(raw)
    assert any(c.get("choices") == [] for c in chunks)
    assert any(
        "content" in ch["delta"] and ch["delta"]["content"] is None
        for c in chunks
        for ch in c.get("choices") or []
    )
    reply = sse.assemble(raw)
    assert reply["content"] == ODD_TEXT + whole_content(client, prompt).removeprefix(ODD_TEXT)
    assert reply["content"].startswith(ODD_TEXT) and sse.events(raw)[-1] == "[DONE]"


def test_json_fault_answers_a_stream_request_with_json(client: httpx.Client) -> None:
    r, raw = stream_raw(client, "fault:json")
    assert r.headers["content-type"] == "application/json"
    assert json.loads(raw)["object"] == "chat.completion"


def test_escape_fault_puts_control_characters_in_the_reply(client: httpx.Client, sse: Any) -> None:
    _, raw = stream_raw(client, "fault:escape")
    content = sse.assemble(raw)["content"]
    assert ESCAPE_TEXT in content and "\x1b[2J" in content


def test_start_is_cheap_and_early_requests_wait_in_the_backlog() -> None:
    """start() must not import the web stack; a request sent before it is ready succeeds."""
    script = textwrap.dedent(
        """
        import importlib.abc, importlib.machinery, socket, sys, threading
        gate = threading.Event()
        loaded = []

        class GatedLoader(importlib.abc.Loader):
            # Waits in exec_module, not find_spec: finders run under the global import lock.
            def __init__(self, real):
                self.real = real

            def create_module(self, spec):
                return self.real.create_module(spec)

            def exec_module(self, module):
                if threading.current_thread() is threading.main_thread():
                    raise ImportError(module.__name__ + " imported on the calling thread")
                gate.wait(20)
                self.real.exec_module(module)
                loaded.append(module.__name__)

        class Gate(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name not in ("uvicorn", "starlette"):
                    return None
                spec = importlib.machinery.PathFinder.find_spec(name, path)
                spec.loader = GatedLoader(spec.loader)
                return spec

        sys.meta_path.insert(0, Gate())
        from routmy_tui.demo.server import DemoServer
        server = DemoServer(tps=0).start()
        conn = socket.create_connection(("127.0.0.1", server.port), timeout=20)
        conn.sendall(b"GET /v1/models HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
        assert not loaded  # the request went out before the web stack was loaded
        gate.set()
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
        print(reply.split(b"\\r\\n")[0].decode())
        # Deliberate faults and a stop with a stream still open print nothing.
        import httpx
        client = httpx.Client(base_url=server.base_url, timeout=10)
        def chat(text):
            return {"model": "demo/chat", "stream": True,
                    "messages": [{"role": "user", "content": text}]}
        try:
            client.post("/chat/completions", json=chat("fault:disconnect"))
        except httpx.RemoteProtocolError:
            print("disconnected")
        with client.stream("POST", "/chat/completions", json=chat("fault:hold")) as held:
            next(held.iter_raw())
            server.stop()
        print("stopped", server.error)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["HTTP/1.1 200 OK", "disconnected", "stopped None"]
    assert done.stderr == ""


def test_run_forever_prints_the_url_and_stops_on_ctrl_c() -> None:
    code = "from routmy_tui.demo.server import run_forever; run_forever(port=0, tps=0)"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split()[3]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        assert httpx.get(url + "/models", timeout=10).status_code == 200
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert err == ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
