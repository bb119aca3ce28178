"""The app against the hostile raw-socket server: each case ends on screen and stored, no crash."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from routmy_tui.cli_store import DB_NAME
from routmy_tui.core import chat_run as run_module
from routmy_tui.store import Store
from routmy_tui.store.messages import SURROGATE_NOTE
from tests.conftest import FAKE_KEY
from tests.hostile_server import HostileServer
from tests.ui.helpers import conversation_text, last_reply, make_app, send, wait_for


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.mark.parametrize(
    ("case", "stream", "status", "shown"),
    [
        ("deep-args", True, "complete", "nested"),
        ("deep-chunk", True, "complete", "before after"),
        ("deep-body", False, "error", "nested deeper than"),
        ("deep-error", True, "error", "HTTP 400"),
        ("deep-inband", True, "error", "partial"),
        ("surrogate", True, "complete", "lone \ufffd here"),
        ("surrogate-error", True, "error", "kept text"),
        ("surrogate-args", True, "complete", "look\ufffdup"),
        ("echo-key-401", True, "error", "[key redacted]"),
        ("echo-key-stream", True, "complete", "Your key is [key redacted]"),
        ("empty-200", False, "error", "empty body"),
        ("empty-stream", True, "error", "empty stream"),
        ("cut-once", True, "complete", "second try worked"),
    ],
)
async def test_each_hostile_case_ends_on_screen_and_in_the_store(
    hostile: HostileServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    stream: bool,
    status: str,
    shown: str,
) -> None:
    monkeypatch.setattr(run_module, "backoff_delay", lambda attempt, after: 0.01)
    app = make_app(
        hostile.url, model=f"hostile/{case}", api_key=FAKE_KEY, data_dir=tmp_path, stream=stream
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hi")
        await wait_for(pilot, lambda: last_reply(app).reply.status != "streaming")
        assert last_reply(app).reply.status == status
        await wait_for(pilot, lambda: shown in conversation_text(app))
        assert FAKE_KEY not in app.export_screenshot()
        conversation = app.session.conversation_id
        await pilot.press("ctrl+n")
        await send(pilot, "the app still answers")  # nothing died
        await wait_for(pilot, lambda: "the app still answers" in conversation_text(app))
    assert conversation is not None
    with Store.open(tmp_path / DB_NAME) as store:
        reply = store.current_path(conversation)[1]
        assert reply.status == status  # never left "streaming"
        if case == "surrogate":
            assert reply.content == "lone \ufffd here"
            assert SURROGATE_NOTE in reply.extra["notes"]
    assert FAKE_KEY.encode() not in (tmp_path / DB_NAME).read_bytes()
