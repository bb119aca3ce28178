"""A conversation's settings behave: kept with it, restored with it, never carried over."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.widgets import Static

from routmy_tui.core.request import ChatParams
from routmy_tui.demo.server import DemoServer
from tests.ui.helpers import last_reply, make_app, send, view_of, wait_for

TOOLS = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]


def _active_line(app: object) -> str:
    line = app.screen.query_one("#active-settings", Static)  # type: ignore[attr-defined]
    return str(line.render()) if line.display else ""


async def test_a_model_picked_after_sending_comes_back_after_a_restart(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    app = make_app(demo_server.base_url, data_dir=data)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "hello")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        app.screen.set_model("demo/reasoning")  # type: ignore[attr-defined]
        await pilot.pause()
    again = make_app(demo_server.base_url, data_dir=data)
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(view_of(again).items) == 2)
        assert again.conversation.settings.model == "demo/reasoning"
        assert "demo/reasoning" in again.screen.query_one("#header").model  # type: ignore[attr-defined]


async def test_a_new_chat_starts_from_the_defaults_and_the_line_says_what_is_active(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    app = make_app(demo_server.base_url, data_dir=tmp_path, params={"temperature": 0.7})
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        assert _active_line(app) == ""  # the user's own defaults are not "beyond" them
        conversation = app.conversation
        params = replace(
            conversation.settings.params,
            temperature=0.2,
            tools=TOOLS,
            response_format={"type": "json_object"},
        )
        conversation.change_settings("params", params=params, system_prompt="Be terse.")
        await pilot.pause()
        assert _active_line(app) == "active: system prompt · temperature 0.2 · 1 tool · JSON mode"
        await send(pilot, "hi")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: not view_of(app).items)
        assert conversation.settings.params == ChatParams(temperature=0.7)
        assert conversation.settings.system_prompt == ""
        assert _active_line(app) == ""
        await send(pilot, "fresh")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        body = last_reply(app).exchange.request_body  # type: ignore[union-attr]
        assert "tools" not in body and "response_format" not in body
        assert body["temperature"] == 0.7


async def test_a_theme_picked_in_the_app_is_saved(demo_server: DemoServer, tmp_path: Path) -> None:
    import tomllib

    config = tmp_path / "config.toml"
    app = make_app(demo_server.base_url, config_path=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        assert not config.exists()
        app.theme = "textual-light"
        await wait_for(pilot, lambda: config.exists())
    assert tomllib.loads(config.read_text())["theme"] == "textual-light"
    assert config.stat().st_mode & 0o777 == 0o600
    assert app.settings.theme == "textual-light"
