"""Start-up never crashes on local input; a key that cannot be saved is not said to be saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from routmy_tui.cli_store import DB_NAME
from routmy_tui.config.settings import Settings, load_settings
from routmy_tui.conversation import history
from routmy_tui.core.types import ChatMessage, Reply, ToolCall
from routmy_tui.demo.server import DemoServer
from routmy_tui.store import Store
from routmy_tui.ui.app import RoutmyApp
from tests.conftest import FAKE_KEY
from tests.ui.helpers import conversation_text, last_reply, make_app, send, view_of, wait_for

DEEP = "[" * 1000 + "]" * 1000


def _notices(app: RoutmyApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_bad_params_and_theme_variables_are_one_notice_and_the_app_runs(
    demo_server: DemoServer, isolated_env: Path
) -> None:
    folder = isolated_env / ".config" / "routmy-tui"
    (folder / "themes").mkdir(parents=True)
    (folder / "themes" / "bad.toml").write_text(
        'name = "bad"\nprimary = "#112233"\n[variables]\nuser-label = "notacolor"\n'
    )
    (folder / "config.toml").write_text('theme = "bad"\n[params]\nextra = "x"\nstop = [1]\n')
    settings = load_settings({"base_url": demo_server.base_url, "model": "demo/chat", "demo": True})
    app = RoutmyApp(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: any("Config" in n.title for n in app._notifications))
        config = [n for n in app._notifications if n.title == "Config"]
        assert len(config) == 1
        text = str(config[0].message)
        assert "params.extra" in text and "params.stop" in text and "user-label" in text
        assert app.theme == "bad"
        await send(pilot, "still works")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")


async def test_a_key_that_cannot_be_saved_is_not_said_to_be_saved(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the config folder should be")
    config = blocker / "config.toml"
    app = RoutmyApp(Settings(base_url=demo_server.base_url, model="demo/chat", config_path=config))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: bool(app.screen.query("#key-input")))
        app.screen.query_one("#key-input").value = FAKE_KEY  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("Could not save" in n for n in _notices(app)))
        await pilot.pause(0.2)
        assert not any("Key saved" in n for n in _notices(app))
        assert app.settings.api_key == FAKE_KEY  # still used for this session
        assert not any(FAKE_KEY in n for n in _notices(app))


def _seed_deep(data: Path) -> str:
    with Store.open(data / DB_NAME) as store:
        conversation = store.create_conversation("demo/chat", None, {})
        user = store.add_message(conversation, None, ChatMessage("user", "call the deep tool"))
        reply = store.add_message(conversation, user, ChatMessage("assistant", ""))
        call = ToolCall("call_1", "deep", DEEP)
        store.checkpoint_reply(
            reply, Reply(tool_calls=[call], finish_reason="tool_calls", status="complete")
        )
    return conversation


async def test_a_conversation_with_deeply_nested_arguments_resumes(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    conversation = _seed_deep(tmp_path)
    for _ in range(2):  # the crash loop was: every later start crashed again
        await _resumes(make_app(demo_server.base_url, data_dir=tmp_path), conversation)


async def _resumes(app: RoutmyApp, conversation: str) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(view_of(app).items) == 2)
        assert app.session.conversation_id == conversation
        assert "nested" in conversation_text(app)


async def test_a_conversation_that_fails_to_open_is_skipped_for_a_new_chat(
    demo_server: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed_deep(tmp_path)

    def broken(*args: object) -> object:
        raise KeyError("a field this version cannot read")

    monkeypatch.setattr(history, "load_turns", broken)
    app = make_app(demo_server.base_url, data_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: any("could not be opened" in n for n in _notices(app)))
        assert app.session.conversation_id is None
        assert view_of(app).items == []
        await send(pilot, "a new chat works")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
    monkeypatch.undo()
    again = make_app(demo_server.base_url, data_dir=tmp_path)
    async with again.run_test(size=(100, 30)) as pilot:
        # The next start resumes the new chat, not the broken one.
        await wait_for(pilot, lambda: "a new chat works" in conversation_text(again))


async def test_a_failure_while_handling_a_reply_ends_it_with_the_reason(
    demo_server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collections.abc import AsyncIterator

    from routmy_tui.core.client import ChatRun, ReplyUpdated

    real = ChatRun.events
    odd = {"sent": False}

    async def with_an_odd_event(self: ChatRun) -> AsyncIterator[object]:
        async for event in real(self):
            if isinstance(event, ReplyUpdated) and not odd["sent"]:
                odd["sent"] = True
                yield ReplyUpdated(None)  # type: ignore[arg-type]  # the loop chokes on it
            yield event

    monkeypatch.setattr(ChatRun, "events", with_an_odd_event)
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "hello")
        await wait_for(pilot, lambda: last_reply(app).reply.status != "streaming")
        reply = last_reply(app).reply
        assert reply.status == "error"  # not left "streaming" by a dead worker
        assert reply.error is not None and "AttributeError" in reply.error.message
        await send(pilot, "and the next one works")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
