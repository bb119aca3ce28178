"""Copy as curl and the exchange's text forms: quoting, the key, truncation, timing rows."""

from __future__ import annotations

import json
import subprocess

from hypothesis import given, settings
from hypothesis import strategies as st

from routmy_tui.core.curl import INLINE_LIMIT, request_bytes, shell_quote, to_curl
from routmy_tui.core.exchange import Attempt, Exchange
from routmy_tui.core.types import ApiError, StreamLine, Usage
from routmy_tui.core.wire_text import (
    export_text,
    redact,
    response_object,
    shorten_strings,
    stream_log,
    timing_rows,
)
from tests.conftest import FAKE_KEY

NASTY = 'it\'s "quoted" $HOME `id` $(id) \\n \\ back\\slash\nnew line ünïcødé 😀 \t tab !x'


def _echo(word: str) -> str:
    """What a POSIX shell makes of a quoted word."""
    done = subprocess.run(
        ["sh", "-c", f"printf '%s' {word}"], capture_output=True, check=True, timeout=10
    )
    return done.stdout.decode("utf-8")


def test_shell_quote_survives_the_shell() -> None:
    assert _echo(shell_quote(NASTY)) == NASTY
    assert _echo(shell_quote("")) == ""
    assert _echo(shell_quote("'''")) == "'''"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
def test_shell_quote_any_text(text: str) -> None:
    assert _echo(shell_quote(text)) == text


def _exchange(body: dict[str, object], key: bool = True) -> Exchange:
    headers = {"content-type": "application/json", "accept": "text/event-stream"}
    if key:
        headers["authorization"] = "Bearer ********"
    return Exchange(
        url="http://127.0.0.1:9/v1/chat/completions", request_headers=headers, request_body=body
    )


def test_curl_uses_the_variable_and_never_the_mask() -> None:
    command = to_curl(_exchange({"model": "m", "messages": [], "stream": True}))
    assert '-H "Authorization: Bearer $ROUTMY_API_KEY"' in command
    assert "********" not in command
    assert " -N " in command.splitlines()[0] + " "
    assert "-H 'Content-Type: application/json'" in command


def test_curl_without_stream_has_no_buffering_flag_and_no_key_without_one() -> None:
    command = to_curl(_exchange({"model": "m", "stream": False}, key=False))
    assert "-N" not in command
    assert "ROUTMY_API_KEY" not in command


def test_curl_body_is_exactly_the_client_bytes() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": NASTY}]}
    command = to_curl(body, "http://x/v1/chat/completions", {})
    # Everything after --data-raw is one quoted word: the shell must give back the bytes.
    word = command.split("--data-raw ", 1)[1]
    assert _echo(word).encode() == request_bytes(body)
    assert json.loads(request_bytes(body)) == body


def test_large_body_is_piped_not_an_argument() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "x" * (INLINE_LIMIT + 10)}]}
    command = to_curl(body, "http://x/v1/chat/completions", {})
    assert command.startswith("printf '%s' '")
    assert "--data-binary @-" in command


def test_shorten_strings_keeps_small_values_and_cuts_huge_ones() -> None:
    small = {"a": ["b", 1, None]}
    assert shorten_strings(small) is small
    url = "data:image/png;base64," + "A" * 50_000
    out = shorten_strings({"m": [{"url": url}]}, limit=100)
    assert out["m"][0]["url"].startswith("data:image/png;base64,")
    assert out["m"][0]["url"].endswith(f"… ({len(url):,} bytes)")
    assert len(out["m"][0]["url"]) < 200


def test_stream_log_and_response_forms() -> None:
    exchange = _exchange({"model": "m"})
    exchange.stream_lines = [
        StreamLine(0.01, ": ping", "comment"),
        StreamLine(0.02, 'data: {"choices": [', "not JSON"),
        StreamLine(0.03, "data: [DONE]"),
    ]
    log = stream_log(exchange)
    assert log.splitlines() == [
        "+    0.010s  : ping  [comment]",
        '+    0.020s  data: {"choices": [  [not JSON]',
        "+    0.030s  data: [DONE]",
    ]
    exchange.error = ApiError("boom", status=502, raw_body="<html>bad gateway</html>")
    assert response_object(exchange) == "<html>bad gateway</html>"
    exchange.response_text = '{"error": {"message": "x"}}'
    assert response_object(exchange) == {"error": {"message": "x"}}
    assert export_text("request", exchange) == '{\n  "model": "m"\n}\n'


def test_redact_replaces_a_leaked_key() -> None:
    assert redact(f"say {FAKE_KEY} twice {FAKE_KEY}", FAKE_KEY) == "say ******** twice ********"
    assert redact("text", None) == "text"


def test_timing_rows_cover_usage_quota_cost_and_retries() -> None:
    exchange = _exchange({})
    exchange.status, exchange.t_headers, exchange.t_first_token, exchange.t_done = (
        200,
        0.1,
        0.5,
        2.5,
    )
    exchange.attempts = [Attempt("HTTP 503: busy", 1.5)]
    usage = Usage(prompt_tokens=10, completion_tokens=100, total_tokens=110, cost=0.002)
    rows = dict(timing_rows(exchange, usage, 1.5))
    assert rows["time to first token"] == "0.500 s"
    assert rows["tokens/s"] == "50.0"
    assert rows["quota cost"].startswith("165.0")
    assert rows["usage.cost"] == "0.002"
    assert rows["retries"] == "1"
    assert rows["  try 1"] == "HTTP 503: busy — waited 1.5 s"
    assert dict(timing_rows(exchange, None, None))["usage"] == "not sent"
