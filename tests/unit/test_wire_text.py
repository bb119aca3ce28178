"""Text forms of recorded exchanges: the stream log's gist column."""

from __future__ import annotations

import json


def test_stream_gist_says_what_each_line_carries() -> None:
    from routmy_tui.core.wire_text import stream_gist

    chunk = {"id": "gen-1", "choices": [{"index": 0, "delta": {"content": "Hel"}}]}
    assert stream_gist("data: " + json.dumps(chunk)) == 'content "Hel"'
    finish = {"choices": [{"delta": {}, "finish_reason": "stop"}], "usage": {"total_tokens": 3}}
    assert stream_gist("data:" + json.dumps(finish)) == "finish stop · usage"
    thinking = {"choices": [{"delta": {"reasoning_content": "hmm"}}]}
    assert stream_gist("data: " + json.dumps(thinking)) == 'reasoning "hmm"'
    assert stream_gist(": OPENROUTER PROCESSING") == "comment"
    assert stream_gist("data: [DONE]") == "done"
    assert stream_gist('data: {"choices": [') == "not JSON"
    assert stream_gist("event: ping") == "event"
    assert stream_gist("data: " + "x" * 200_000).endswith("KB of data")
    assert stream_gist('data: {"choices": []}') == "empty"
