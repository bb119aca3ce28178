"""Model picker, catalog cache, parameters, system prompt and JSON replies, through the real app."""

from __future__ import annotations

import json
import time
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea

from routmy_tui.config.settings import load_settings
from routmy_tui.core.catalog import CatalogCache
from routmy_tui.demo.catalog import MODELS, models_payload
from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.app import RoutmyApp
from routmy_tui.ui.inspector.request_preview import RequestPreview
from routmy_tui.ui.models.model_list import ModelList
from routmy_tui.ui.models.model_picker import ModelPicker
from routmy_tui.ui.models.params_screen import ParamsScreen
from routmy_tui.ui.models.system_prompt import SystemPromptScreen
from tests.ui.helpers import conversation_text, last_reply, make_app, send, wait_for

DEAD_URL = "http://127.0.0.1:9/v1"  # nothing listens on the discard port


async def open_picker(pilot: Pilot[Any]) -> ModelPicker:
    app = pilot.app
    await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
    await pilot.press("f3")
    await wait_for(pilot, lambda: isinstance(app.screen, ModelPicker))
    picker = app.screen
    assert isinstance(picker, ModelPicker)
    await wait_for(pilot, lambda: bool(picker.query(ModelList)))
    return picker


async def type_query(pilot: Pilot[Any], picker: ModelPicker, text: str) -> None:
    """Type `text` after what the box holds; wait until the list shows the result."""
    expected = picker.shown_query + text
    await pilot.press(*["slash" if c == "/" else "minus" if c == "-" else c for c in text])
    await wait_for(pilot, lambda: picker.shown_query == expected)


def last_chat_body(server: DemoServer) -> dict[str, Any]:
    chats = [r for r in server.requests if r.path.endswith("/chat/completions")]
    body: dict[str, Any] = json.loads(chats[-1].body)
    return body


async def test_picker_filters_on_every_keystroke_and_picks(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.catalog.models) == len(MODELS))
        picker = await open_picker(pilot)
        assert len(picker.matches) == len(MODELS)
        await type_query(pilot, picker, "v")
        assert [m.model.id for m in picker.matches] == ["demo/vision"]
        await type_query(pilot, picker, "is")
        assert picker.matches[0].model.id == "demo/vision"
        assert picker.matches[0].positions == [5, 6, 7]
        row = picker.query_one(ModelList).render_line(0).text
        assert "demo/vision" in row and "vision[c]" in row and "×1" in row
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ModelPicker))
        assert app.screen.conversation.settings.model == "demo/vision"  # type: ignore[attr-defined]
        assert app.screen.query_one("#header").model == "demo/vision"  # type: ignore[attr-defined]
        assert app.catalog.recent[0] == "demo/vision"


async def test_locked_model_explains_then_picks_on_second_enter(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.catalog.models) == len(MODELS))
        picker = await open_picker(pilot)
        await type_query(pilot, picker, "locked")
        row = picker.query_one(ModelList).render_line(0).text
        assert "locked" in row
        await pilot.press("enter")
        detail = picker.query_one("#model-detail")
        # The explanation is the answer to the first Enter; the picker stays open with it.
        await wait_for(pilot, lambda: "Enter again" in str(detail.render()))
        assert "403" in str(detail.render())
        assert app.screen is picker
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not picker)
        assert app.screen.conversation.settings.model == "demo/locked"  # type: ignore[attr-defined]


async def test_typed_id_not_in_catalog_is_used_as_is(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.catalog.models) == len(MODELS))
        picker = await open_picker(pilot)
        await type_query(pilot, picker, "acme/new-model")
        assert picker.matches == []
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not picker)
        assert app.screen.conversation.settings.model == "acme/new-model"  # type: ignore[attr-defined]


async def test_favourites_pin_to_top_and_are_saved(demo_server: DemoServer, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    app = make_app(demo_server.base_url, config_path=config, favourite_models=["demo/slow"])
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.catalog.models) == len(MODELS))
        picker = await open_picker(pilot)
        assert picker.matches[0].model.id == "demo/slow"
        assert picker.query_one(ModelList).render_line(0).text.startswith("★")
        await type_query(pilot, picker, "tools")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: config.exists())
        saved = tomllib.loads(config.read_text())
        assert saved["favourite_models"] == ["demo/slow", "demo/tools"]


async def test_offline_start_uses_the_cache_and_says_refresh_failed(tmp_path: Path) -> None:
    app = make_app(DEAD_URL, max_retries=0)
    CatalogCache(app.settings.cache_dir / "models.json").save(models_payload(), time.time() - 7200)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.catalog.last_error is not None)
        assert len(app.catalog.models) == len(MODELS) and app.catalog.from_cache
        assert "refresh failed" in app.catalog.status
        assert "kept the cached list" in app.catalog.status
        cached = "using the cached list from 2 h ago"  # said once the refresh has failed
        await wait_for(pilot, lambda: any(cached in n.message for n in app._notifications))
        picker = await open_picker(pilot)
        assert "2 h ago" in str(picker.query_one("#picker-status").render())
        assert len(picker.matches) == len(MODELS)


async def test_no_model_first_send_opens_picker_then_sends(demo_server: DemoServer) -> None:
    app = RoutmyApp(make_app(demo_server.base_url).settings.with_changes(model=None, demo=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.catalog.models) == len(MODELS))
        assert "No model chosen" in str(app.screen.query_one("#welcome").render())
        await send(pilot, "hello there")
        await wait_for(pilot, lambda: isinstance(app.screen, ModelPicker))
        await type_query(pilot, app.screen, "demo/chat")  # type: ignore[arg-type]
        await pilot.press("enter")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        assert last_chat_body(demo_server)["model"] == "demo/chat"


async def _open_params(pilot: Pilot[Any]) -> ParamsScreen:
    await wait_for(pilot, lambda: bool(pilot.app.screen.query("#composer")))
    await pilot.press("f4")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ParamsScreen))
    screen = pilot.app.screen
    assert isinstance(screen, ParamsScreen)
    return screen


async def test_parameters_reach_the_server_exactly(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_params(pilot)
        await pilot.press("0", "full_stop", "2")  # typed into temperature, focused first
        screen.query_one("#p-max_tokens", Input).value = "500"
        screen.query_one("#p-stop", TextArea).text = "STOP\nEND"
        screen.query_one("#p-metadata", TextArea).text = '{"run": "t1"}'
        screen.query_one("#p-extra", TextArea).text = '{"seed": 3}'
        screen.query_one("#p-reasoning", Select).value = "low"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ParamsScreen))
        await send(pilot, "hi")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        body = last_chat_body(demo_server)
        assert {k: v for k, v in body.items() if k not in ("messages",)} == {
            "model": "demo/chat",
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": 0.2,
            "max_tokens": 500,
            "stop": ["STOP", "END"],
            "reasoning": {"effort": "low"},
            "metadata": {"run": "t1"},
            "seed": 3,
        }


async def test_invalid_field_shows_error_beside_it_and_blocks_apply(
    demo_server: DemoServer,
) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_params(pilot)
        await pilot.press("9")
        error = screen.query_one("#err-temperature")
        await wait_for(pilot, lambda: "from 0 to 2" in str(error.render()))
        assert screen.query_one("#params-apply").disabled
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: any("Fix the marked" in n.message for n in app._notifications)
        )
        assert app.screen is screen


async def test_unsupported_fields_are_marked(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url, model="demo/vision")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.catalog.models) == len(MODELS))
        screen = await _open_params(pilot)
        assert screen.query_one("#row-top_p").has_class("-unsupported")
        assert not screen.query_one("#row-temperature").has_class("-unsupported")


async def test_preset_saved_to_toml_and_read_back(demo_server: DemoServer, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    app = make_app(demo_server.base_url, config_path=config)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_params(pilot)
        screen.query_one("#p-temperature", Input).value = "0.1"
        screen.query_one("#p-response_format", Select).value = "json_object"
        screen.query_one("#preset-name", Input).value = "precise"
        await pilot.pause()
        await pilot.click("#preset-save")
        await wait_for(pilot, lambda: config.exists())
    assert config.stat().st_mode & 0o777 == 0o600
    settings = load_settings({"config_path": config})
    assert settings.presets["precise"] == {
        "temperature": 0.1,
        "response_format": {"type": "json_object"},
    }


async def test_system_prompt_and_preview_show_what_is_sent(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, SystemPromptScreen))
        app.screen.query_one("#system-text", TextArea).text = "Be brief."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, SystemPromptScreen))
        app.screen.query_one("#composer", TextArea).text = "draft text"
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, RequestPreview))
        preview = app.screen
        assert isinstance(preview, RequestPreview)
        assert preview.body["messages"] == [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "draft text"},
        ]
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, RequestPreview))
        await pilot.press("enter")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        assert last_chat_body(demo_server)["messages"] == preview.body["messages"]


async def test_json_reply_is_pretty_and_truncation_is_flagged(demo_server: DemoServer) -> None:
    app = make_app(demo_server.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        conversation = app.screen.conversation  # type: ignore[attr-defined]
        params = replace(conversation.settings.params, response_format={"type": "json_object"})
        conversation.change_settings("params", params=params)
        await send(pilot, "Give me JSON")
        await wait_for(pilot, lambda: "finish: stop" in conversation_text(app))
        text = conversation_text(app)
        assert "✔ valid JSON" in text and '"answer": "This is a demo JSON reply."' in text
        conversation.change_settings(
            "params", params=replace(conversation.settings.params, max_tokens=6)
        )
        await send(pilot, "Give me more JSON")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        assert last_reply(app).reply.finish_reason == "length"
        await wait_for(pilot, lambda: "finish: length" in conversation_text(app))
        text = conversation_text(app)
        assert "⚠ truncated: finish_reason 'length'" in text
        assert "✖ invalid JSON" in text
        assert last_reply(app).reply.content.strip() in text  # the raw text stays visible
