"""Error parsing: every body style, HTML and text pages, retry headers, backoff, exceptions."""

from __future__ import annotations

import json
import random
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from routmy_tui.core.errors import (
    RETRYABLE_STATUSES,
    backoff_delay,
    error_from_body,
    error_from_exception,
    error_from_response,
    retry_after_seconds,
)
from routmy_tui.core.types import ApiError

JSON_HEADERS = {"Content-Type": "application/json"}


def test_retryable_statuses() -> None:
    assert {408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524} == RETRYABLE_STATUSES
    assert not {400, 401, 403, 404} & RETRYABLE_STATUSES


def test_routmy_body() -> None:
    body = {
        "error": {
            "message": "Model is required",
            "type": "invalid_request_error",
            "code": "Bad Request",
            "error_id": "err_123",
        }
    }
    err = error_from_response(400, JSON_HEADERS, json.dumps(body).encode())
    assert err.status == 400
    assert err.kind == "http"
    assert err.message == "Model is required"
    assert err.code == "Bad Request"
    assert err.error_id == "err_123"
    assert not err.retryable
    assert err.raw_body == json.dumps(body)


@pytest.mark.parametrize(
    "body",
    [
        {"error": {"message": "x", "metadata": {"error_id": "e1"}}},
        {"error": {"message": "x"}, "error_id": "e1"},
        {"error": {"message": "x", "errorId": "e1"}},
    ],
)
def test_error_id_found_anywhere(body: dict[str, object]) -> None:
    err = error_from_body(body, 400)
    assert err is not None and err.error_id == "e1"


def test_openrouter_body_with_metadata_raw() -> None:
    body = {
        "error": {
            "code": 502,
            "message": "Provider returned error",
            "metadata": {
                "raw": '{"error":{"message":"upstream overloaded"}}',
                "provider_name": "Acme",
                "error_type": "provider_error",
            },
        }
    }
    err = error_from_response(502, {}, json.dumps(body))
    assert err.message == "Provider returned error (Acme: upstream overloaded)"
    assert err.code == "502"
    assert err.retryable


def test_openrouter_raw_plain_text_and_error_type_as_code() -> None:
    body = {
        "error": {"message": "Bad", "metadata": {"raw": "quota exceeded", "error_type": "quota"}}
    }
    err = error_from_body(body, 429)
    assert err is not None
    assert "quota exceeded" in err.message
    assert err.code == "quota"
    assert err.retryable


def test_openrouter_moderation_reasons() -> None:
    body = {"error": {"code": 403, "message": "flagged", "metadata": {"reasons": ["violence"]}}}
    err = error_from_body(body)
    assert err is not None and err.status == 403 and "violence" in err.message


def test_anthropic_style() -> None:
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    err = error_from_response(529, {}, json.dumps(body))
    assert err.message == "Overloaded"
    assert err.code == "overloaded_error"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"message": "plain message"}, "plain message"),
        ({"detail": "Not authenticated"}, "Not authenticated"),
        (
            {"detail": [{"loc": ["body", "model"], "msg": "field required"}]},
            "body.model: field required",
        ),
        ({"error": "just a string"}, "just a string"),
        ({"error": {"code": "rate_limited"}}, "rate_limited"),
    ],
)
def test_other_body_styles(body: dict[str, object], message: str) -> None:
    err = error_from_body(body, 400)
    assert err is not None and err.message == message


@pytest.mark.parametrize("body", [None, [], "text", {}, {"choices": []}, {"detail": None}])
def test_bodies_without_error(body: object) -> None:
    assert error_from_body(body) is None


def test_in_band_numeric_or_string_code() -> None:
    err = error_from_body(
        {"error": {"code": 502, "message": "Provider disconnected"}}, kind="in_band"
    )
    assert err is not None and err.status == 502 and not err.retryable and err.kind == "in_band"
    err = error_from_body({"error": {"code": "server_error", "message": "m"}}, kind="in_band")
    assert err is not None and err.status is None and err.code == "server_error"
    err = error_from_body({"error": {"code": 42, "message": "m"}}, kind="in_band")
    assert err is not None and err.status is None


def test_html_page_from_proxy() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>api.rout.my | 502: Bad gateway</title></head>"
        b"<body><h1>Bad gateway</h1> cloudflare</body></html>"
    )
    err = error_from_response(502, {"content-type": "text/html; charset=UTF-8"}, page)
    assert err.message == "Bad Gateway (HTML page from a proxy: 'api.rout.my | 502: Bad gateway')"
    assert err.retryable
    assert err.raw_body == page.decode()


def test_html_page_heading_when_no_title_and_entities() -> None:
    page = "<html><body><h1>Gateway &amp; <b>Timeout</b></h1></body></html>"
    err = error_from_response(524, {}, page)
    assert "'Gateway & Timeout'" in err.message
    assert err.message.startswith("A Timeout Occurred")


def test_plain_text_body_is_cut_to_300_chars() -> None:
    err = error_from_response(
        503, {"content-type": "text/plain"}, "  upstream connect error " + "x" * 500
    )
    assert err.message.startswith("upstream connect error")
    assert len(err.message) <= 300
    assert err.retryable


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        (500, "", "Internal Server Error"),
        (502, "Bad Gateway", "Bad Gateway"),
        (418, "Custom Reason", "Custom Reason"),
        (522, "", "Connection Timed Out"),
        (599, "", "HTTP 599"),
    ],
)
def test_empty_body_uses_reason_or_standard_phrase(status: int, reason: str, message: str) -> None:
    assert error_from_response(status, {}, b"", reason).message == message


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (401, "check your API key (ROUTMY_API_KEY)"),
        (403, "locked for this key"),
        (404, "refresh the model list"),
    ],
)
def test_status_hints(status: int, hint: str) -> None:
    body = json.dumps({"error": {"message": "nope"}})
    err = error_from_response(status, {}, body)
    assert err.message.startswith("nope — ")
    assert hint in err.message
    assert not err.retryable


def test_json_body_without_error_falls_back_to_text() -> None:
    err = error_from_response(500, JSON_HEADERS, b'{"weird": true}')
    assert err.message == '{"weird": true}'


def test_invalid_utf8_and_huge_body_are_kept_safely() -> None:
    err = error_from_response(500, {}, b"\xff\xfe oops" + b"y" * 2_000_000)
    assert err.raw_body is not None and err.raw_body.startswith("\ufffd\ufffd oops")
    assert len(err.raw_body) <= 1_000_000


def test_200_with_error_is_in_band() -> None:
    err = error_from_response(200, {}, b'{"error":{"message":"bad"}}')
    assert err.kind == "in_band" and err.message == "bad"


def test_retry_after_from_response_headers() -> None:
    err = error_from_response(429, {"Retry-After": "7"}, b"")
    assert err.retry_after == 7.0
    assert err.retryable


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({}, None),
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": " 1.5 "}, 1.5),
        ({"Retry-After": "500"}, 60.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"retry-after-ms": "junk", "Retry-After": "9"}, 9.0),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "-5"}, 0.0),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
    ],
)
def test_retry_after_seconds(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after_seconds(headers) == seconds


def test_retry_after_http_date_in_future() -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    value = retry_after_seconds({"Retry-After": format_datetime(when, usegmt=True)})
    assert value is not None and 25 <= value <= 30
    assert retry_after_seconds({"Retry-After": format_datetime(when, usegmt=True)}, cap=10) == 10


def test_backoff_grows_with_jitter_and_caps() -> None:
    rng = random.Random(0)
    for attempt in range(1, 12):
        ceiling = min(0.5 * 2 ** (attempt - 1), 30.0)
        for _ in range(20):
            delay = backoff_delay(attempt, None, rng=rng)
            assert ceiling / 2 <= delay <= ceiling
    assert backoff_delay(10_000, None, rng=rng) <= 30.0
    delays = {backoff_delay(3, None, rng=rng) for _ in range(10)}
    assert len(delays) > 1  # jittered


def test_backoff_honours_retry_after_up_to_cap() -> None:
    assert backoff_delay(1, 12.0) == 12.0
    assert backoff_delay(1, 120.0) == 30.0
    assert backoff_delay(1, -1.0) == 0.0


def _request() -> httpx.Request:
    return httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


def test_connect_refused_real_socket() -> None:
    # Bind then close a port so nothing listens there; connecting is refused.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(httpx.ConnectError) as info, httpx.Client(timeout=5) as client:
        client.get(f"http://127.0.0.1:{port}/v1/models")
    err = error_from_exception(info.value)
    assert err.message == f"Could not connect to 127.0.0.1:{port} (connection refused)"
    assert err.kind == "network" and err.retryable


@pytest.mark.parametrize(
    ("exc", "kind", "needle", "retryable"),
    [
        (
            httpx.ConnectTimeout("t", request=_request()),
            "timeout",
            "connecting to 127.0.0.1:9",
            True,
        ),
        (httpx.ReadTimeout("t", request=_request()), "timeout", "read timeout", True),
        (httpx.WriteTimeout("t", request=_request()), "timeout", "sending", True),
        (httpx.PoolTimeout("t", request=_request()), "timeout", "free connection", True),
        (
            httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body"
            ),
            "network",
            "before the reply finished",
            True,
        ),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            "network",
            "without sending a response",
            True,
        ),
        (
            httpx.ReadError("[Errno 104] Connection reset by peer"),
            "network",
            "connection reset",
            True,
        ),
        (httpx.WriteError("broken pipe"), "network", "sending the request", True),
        (
            httpx.ConnectError("[Errno -2] Name or service not known"),
            "network",
            "host name not found",
            True,
        ),
        (
            httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
            "network",
            "certificate",
            False,
        ),
        (
            httpx.UnsupportedProtocol("Request URL is missing a scheme"),
            "config",
            "Bad server URL",
            False,
        ),
        (httpx.DecodingError("bad gzip"), "protocol", "decode", False),
        (TimeoutError(), "timeout", "Timed out", True),
        (ConnectionResetError(104, "reset"), "network", "connection reset", True),
        (ValueError("weird"), "protocol", "ValueError: weird", False),
    ],
)
def test_error_from_exception(exc: BaseException, kind: str, needle: str, retryable: bool) -> None:
    err = error_from_exception(exc)
    assert err.kind == kind
    assert needle in err.message
    assert err.retryable is retryable


def test_error_from_exception_passes_api_error_through() -> None:
    original = ApiError("x", status=500)
    assert error_from_exception(original) is original


def test_streaming_modules_load_neither_httpx_nor_ui_libraries() -> None:
    # httpx's package imports its CLI, which loads rich: the parsing path must not need it.
    code = (
        "import sys\n"
        "import routmy_tui.core.sse, routmy_tui.core.assemble\n"
        "import routmy_tui.core.errors, routmy_tui.core.text\n"
        # (the core's stand-in for httpx's command-line tool is no file of httpx's)
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'rich', 'textual')"
        " and getattr(sys.modules[m], '__file__', None)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_a_429_message_is_not_said_twice() -> None:
    from routmy_tui.core.errors import error_from_response

    said = error_from_response(
        429, {}, b'{"error": {"message": "Rate limit exceeded or quota spent"}}'
    ).summary()
    assert said == "HTTP 429: Rate limit exceeded or quota spent"
    plain = error_from_response(429, {"content-type": "text/plain"}, b"slow down")
    assert plain.message == "slow down — rate limit or quota reached"  # the hint still helps
